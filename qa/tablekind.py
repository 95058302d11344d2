"""Which standard disclosure table a title names: the vocabulary the checks share."""
from __future__ import annotations

import re


def norm(label: str) -> str:
    """A label without spaces and quotes: "“三公”经费" and "三公 经费" compare equal."""
    return re.sub(r"[\s“”\"'‘’]", "", label or "")


def table_kind(title: str) -> str | None:
    """Which standard disclosure table a title names (its wording varies by city and year)."""
    t = norm(title)
    if "绩效" in t or "项目支出" in t or "政府采购" in t or "购买服务" in t:
        return None
    if "三公" in t:
        return "三公"
    if "机关运行经费" in t or "行政经费" in t:
        return "机关运行经费"
    if "政府性基金" in t:
        return "政府性基金"
    if "国有资本" in t:
        return "国有资本经营"
    if "财政拨款" in t and "收" in t and "支" in t and "总" in t:
        return "财政拨款收支总表"
    if ("收支" in t or "收入支出" in t) and "总" in t:
        return "收支总表"
    if "收入" in t and "支出" not in t:
        return "收入总表"
    if "基本支出" in t:  # only the 一般公共预算 one must agree with the 一般公共预算支出表
        return "基本支出表" if "一般公共预算" in t else None
    if "一般公共预算" in t and "支出" in t:
        return "一般公共预算支出表"
    if "支出" in t and "收入" not in t and "财政拨款" not in t and ("总" in t or "决算" in t):
        return "支出总表"  # 支出总表 / 支出决算表
    return None


# "A-货物", "一、货物A", "服务类": a 政府采购 table's row that totals one kind (not a single purchase's row)
_PROCUREMENT_ROW = re.compile(r"^(?:[A-C][-－.、]?|[一二三][、.．])?(?P<kind>货物|工程|服务)类?[A-C]?$")
# "公务用车保有量（辆）", "实有车辆数": a count of the vehicles held (not of those bought, 购置数)
_VEHICLES_HELD = re.compile(r"保有量|实有(?:车辆|公务用车)?数|(?<!购置)(?<!新增)(?:公务用车|车辆)(?:总)?数量?")


def procurement_kind(label: str) -> str | None:
    """The kind (货物, 工程, 服务) a 政府采购 table row totals, or None."""
    m = _PROCUREMENT_ROW.match(norm(label))
    return m.group("kind") if m else None


def vehicles_held(label: str) -> bool:
    """A row or column that counts the vehicles a unit holds."""
    return bool(_VEHICLES_HELD.search(norm(label)))
