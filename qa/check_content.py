"""Required content (完整性): the standard tables of the document's kind, the tables its 目录 lists, a 无数据 note on
an empty table, and the 说明 sections every disclosure must have. Reads the parsed model only."""
from __future__ import annotations

import re

from .finding import SETTINGS, CheckSettings, Finding, Kind, Severity
from .model import UNTITLED_TABLE, Document, Table
from .prose import AMOUNT, sentences
from .tablekind import norm, table_kind

# The standard 公开表 of a 部门预算 / 部门决算: table_kind → (预算 name, 决算 name) and the word that names its subject.
# A 预算 name None: not one of the 8 tables every 部门预算 prints (国有资本经营 is a 决算 table everywhere, a 预算
# table only in some provinces).
STANDARD_TABLES = {
    "收支总表": ("收支总表", "收入支出决算总表", "收支"),
    "收入总表": ("收入总表", "收入决算表", "收入"),
    "支出总表": ("支出总表", "支出决算表", "支出"),
    "财政拨款收支总表": ("财政拨款收支总表", "财政拨款收入支出决算总表", "财政拨款"),
    "一般公共预算支出表": ("一般公共预算支出表", "一般公共预算财政拨款支出决算表", "一般公共预算"),
    "基本支出表": ("一般公共预算基本支出表", "一般公共预算财政拨款基本支出决算表", "基本支出"),
    "政府性基金": ("政府性基金预算支出表", "政府性基金预算财政拨款收入支出决算表", "政府性基金"),
    "国有资本经营": (None, "国有资本经营预算财政拨款收入支出决算表", "国有资本"),
    "三公": ("财政拨款“三公”经费支出表", "财政拨款“三公”经费支出决算表", "三公"),
}
# The 说明 sections a reviewer looks for, the words that name each, and whether a table may carry it instead
# (政府采购预算表, 绩效目标表: a narrative published apart from its tables need not repeat them).
REQUIRED_SECTIONS = {
    "“三公”经费": (re.compile(r"三公"), False),
    "机关运行经费": (re.compile(r"机关运行经费|行政经费"), False),
    "政府采购": (re.compile(r"政府采购"), True),
    "国有资产占用": (re.compile(r"国有资产|资产占[用有]|固定资产|车辆"), False),
    "预算绩效": (re.compile(r"绩效"), True),
}
# "单位预算表", "杭州市司法局预算公开表": a 目录 entry for the whole set of tables, not one of them
_WHOLE_SET = re.compile(r"^(?:区级|市级|省级)?(?:部门|单位)?(?:预算|决算)(?:公开)?报?表格?$")
_NIL = re.compile(r"(?:为0|为零|为空|无|(?<![\d.,])0(?:\.0+)?\s*万?元)(?![\d.])")
_NONE = re.compile(rf"没有|不涉及|未安排|未发生|空表|{_NIL.pattern}")
_NUMBERING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|"
                        r"(?:附)?表(?:[一二三四五六七八九十]+|\d{1,2}(?!\d))|(?:预算|决算)?\d{1,2}表)")


# The standard tables a unit may have nothing for (no fund of that kind, no 三公 spending, all of it from other
# funds): these may be left out or printed empty when the prose says so. (收支/收入/支出 name too much to tell.)
MAY_BE_NIL = {"政府性基金", "国有资本经营", "三公", "一般公共预算支出表", "基本支出表"}


def _said_none(doc: Document, subject: str | None) -> bool:
    """The prose says, in so many words, that the unit has nothing of the subject ("本单位无政府性基金预算收支",
    "国有资本经营预算拨款支出预算为0"), or a table's note does."""
    if not subject:
        return False
    # the 无 before the subject, or a nil amount right after it; not one part's ("一般公共预算安排的因公出国（境）费0万元")
    between = r"(?:(?!出国|接待|用车|购置|运行|培训|会议)[^，,；;。\d]){0,10}?"
    said = re.compile(rf"(?:无|没有|不涉及|未安排)[^，,；;。]{{0,8}}{subject}|{subject}{between}(?:{_NIL.pattern})")
    return any(said.search(norm(st.text)) for st in sentences(doc)) or any(
        subject in norm(t.title) and any(_NONE.search(n) for n in t.notes) for t in doc.tables)


def _present(doc: Document) -> set[str | None]:
    # a 基本支出总表 not split by fund (深圳) presents the 基本支出 table too
    return {"基本支出表" if "基本支出" in norm(t.title) else table_kind(t.title) for t in doc.tables}


def _untitled_mentions(doc: Document, subject: str) -> bool:
    """A table of figures whose title the parser could not read heads its columns or first rows with the subject:
    it may be the one."""
    return any(t.title == UNTITLED_TABLE and any(r.cells for r in t.rows)
               and subject in norm(" ".join([*t.headers, *(r.label for r in t.rows[:3])])) for t in doc.tables)


def _standard_tables(doc: Document, s: CheckSettings) -> list[Finding]:
    present = _present(doc)
    out = []
    for kind, (budget, final, subject) in STANDARD_TABLES.items():
        name = final if doc.kind == "决算" else budget
        # a table with nothing in it is still printed (empty, with a note): the prose saying "无" does not excuse it
        if not name or kind in present or _untitled_mentions(doc, subject):
            continue
        out.append(Finding(Kind.MISSING_TABLE, Severity.ERROR, f"未见{doc.kind or ''}公开表《{name}》，文中也未说明无此项",
                           [], quote=name))
    return out


def _entry_name(text: str) -> str:
    """"五、2024年度一般公共预算财政拨款支出决算表（表5）" → the table name it lists."""
    return re.sub(r"20\d\d年度?", "", norm(_NUMBERING.sub("", norm(text))))


def _whole_set(name: str, unit: str | None) -> bool:
    return bool(_WHOLE_SET.match(name.split(norm(unit))[-1] if unit and norm(unit) in name else name))


def _listed_tables(doc: Document, s: CheckSettings) -> list[Finding]:
    """A 目录 entry naming a table that the body does not print."""
    titles = [norm(t.title) for t in doc.tables]
    kinds = _present(doc)
    out = []
    for e in doc.contents:
        name = _entry_name(e.text)
        bare = re.sub(r"[（(][^）)]*[）)]$", "", name)  # "…预算表（不含上年结转）" names a table too
        if not bare.endswith("表") or "部分" in norm(e.text)[:5] or len(bare) < 4 or _whole_set(bare, doc.unit):
            continue
        kind = table_kind(name)
        if kind in kinds if kind else any(name in t or t in name for t in titles if len(t) >= 4):
            continue
        # a table whose title the parser could not read may be this one, if it names what the entry names
        core = re.sub(r"^(?:部门|单位)?(?:预算)?|(?:预算|决算|情况|总)*表$", "", bare)
        if _untitled_mentions(doc, core[-4:]):
            continue
        out.append(Finding(Kind.MISSING_TABLE, Severity.ERROR, f"目录列出《{name}》，正文中未见此表",
                           [e.page], quote=e.text))
    return out


def _subject(t: Table) -> str | None:
    """What the prose would name to say the table has nothing: None for a standard table that cannot be nil."""
    kind = table_kind(t.title)
    if kind in STANDARD_TABLES:
        return STANDARD_TABLES[kind][2] if kind in MAY_BE_NIL else None
    return re.sub(r"20\d\d年度?|表$", "", norm(t.title))[:6]


def _empty_tables(doc: Document) -> list[Finding]:
    """A table printed without a single figure and without a note (本表无数据) saying why."""
    out = []
    for t in doc.tables:
        if t.is_form or t.title == UNTITLED_TABLE or any(r.cells for r in t.rows) or any(_NONE.search(n) for n in t.notes):
            continue
        if _said_none(doc, _subject(t)):
            continue
        out.append(Finding(Kind.EMPTY_TABLE, Severity.WARNING, f"《{t.title}》为空表，但未注明“本表无数据”或说明原因",
                           list(t.pages), quote=t.title))
    return out


def _sections(doc: Document, s: CheckSettings) -> list[Finding]:
    """A required 说明 topic neither headed nor stated with a figure (or a "无") in a paragraph of the prose (a
    paragraph: "（一）机关运行经费。2026年…运行经费1,595.96万元" names it in one sentence and gives it in the next)."""
    out = []
    tables = len([t for t in doc.tables if not t.is_form]) >= s.min_tables
    for name, (said, may_be_table) in REQUIRED_SECTIONS.items():
        if may_be_table and not tables:
            continue
        if any(said.search(norm(sec.heading)) for sec in doc.sections):
            continue
        if any(said.search(p.text) and (AMOUNT.search(p.text) or _NONE.search(p.text)) for sec in doc.sections for p in sec.paragraphs):
            continue
        out.append(Finding(Kind.MISSING_SECTION, Severity.WARNING, f"说明中未见{name}情况", [], quote=name))
    return out


def check_content(doc: Document, s: CheckSettings = SETTINGS) -> list[Finding]:
    out: list[Finding] = []
    if len([t for t in doc.tables if not t.is_form]) >= s.min_tables:  # fewer: the tables are another attachment
        out += _listed_tables(doc, s) + _standard_tables(doc, s) + _empty_tables(doc)
    if sum(len(sec.text) for sec in doc.sections) >= s.min_prose_chars:  # less: a tables-only attachment
        out += _sections(doc, s)
    return out
