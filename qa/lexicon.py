"""Domain lexicon: how people say budget items vs how disclosures print them.

Seeded from the standard 名词解释 of 预决算公开 (三公经费, 机关运行经费, 基本支出…) and the
colloquial names citizens use. Keys are what a question may say; values are the printed terms.
"""
from __future__ import annotations

import re

SYNONYMS: dict[str, list[str]] = {
    "招待费": ["公务接待费"],
    "招待": ["公务接待费"],  # "招待客人", "招待来宾": hosting is 公务接待 (接待 alone is also 信访接待)
    "接待费": ["公务接待费"],
    "请客": ["公务接待费"],
    "吃喝": ["公务接待费"],
    "出国经费": ["因公出国（境）费"],
    "出国费": ["因公出国（境）费"],
    "出国": ["因公出国（境）费"],
    "出境": ["因公出国（境）费"],
    "车辆购置": ["公务用车购置费"],
    "公车购置": ["公务用车购置费"],
    "养车": ["公务用车运行维护费"],
    "车辆运行": ["公务用车运行维护费"],
    "公车运行": ["公务用车运行维护费"],
    "用车运行": ["公务用车运行维护费"],
    "公车": ["公务用车购置及运行费"],
    "公务车": ["公务用车购置及运行费"],
    "人头经费": ["人员经费"],
    "人头费": ["人员经费"],
    "养人": ["人员经费"],
    "日常运转": ["公用经费", "机关运行经费"],
    "办公经费": ["公用经费"],
    "运行经费": ["机关运行经费"],
    "机关经费": ["机关运行经费"],
    "日常开支": ["机关运行经费"],  # "机关日常开支有多少"
    "三公": ["“三公”经费"],
    "采购": ["政府采购"],
    "收支总计": ["收入总计", "支出总计"],
    "收支总额": ["收入总计", "支出总计"],
    "总收入": ["收入总计"],
    "收入总额": ["收入总计"],
    "总预算": ["收入总计", "支出总计"],
    "总支出": ["支出总计"],
    "支出总额": ["支出总计"],
    "花了多少": ["支出"],
    "花多少": ["支出"],
    "工资": ["工资福利支出", "基本工资"],
    "养老保险": ["机关事业单位基本养老保险缴费"],
    "医保": ["职工基本医疗保险缴费"],
    "公积金": ["住房公积金"],
    "结转": ["上年结转"],
    "年终结转": ["年末结转和结余"],  # the year's end, not the 上年结转 it began with
    "年底结转": ["年末结转和结余"],
    "年末结转": ["年末结转和结余"],
    "绩效": ["绩效目标"],
    "开会": ["会议费"],
    "培训": ["培训费"],
    "出差": ["差旅费"],
    "水电": ["水费", "电费"],
    "犯人": ["罪犯"],
    "服刑人员": ["罪犯"],
    "看病": ["医疗"],
    "医药费": ["医疗"],
    "吃饭": ["生活"],
    "伙食": ["生活"],
    "供暖": ["取暖费"],
    "暖气": ["取暖费"],
    "退休人员": ["退休费", "离退休"],
    "拨了多少": ["财政拨款"],
    "拨款多少": ["财政拨款"],
    "电话费": ["邮电费"],
    "网费": ["邮电费"],
    "修缮": ["维修（护）费"],
    "维修": ["维修（护）费"],
    "物业费": ["物业管理费"],
    "车补": ["其他交通费用"],
    "交通补贴": ["其他交通费用"],
    "辆车": ["车辆"],  # "多少辆车" asks about 车辆
    "来客": ["公务接待费"],
    "吃穿": ["生活"],
    "法考": ["国家统一法律职业资格考试"],
    "奖金": ["奖金"],
    "年终奖": ["奖金"],
}

# What a text-fact question asks about → the words a disclosure states it with ("什么性质的单位" is answered by
# "…直属事业单位", "归谁管" by "市商务委所属"): the 部门/单位情况 facts every disclosure opens with.
FACT_TERMS: dict[str, list[str]] = {
    "性质": ["行政单位", "事业单位", "参照公务员法管理", "参公", "全额拨款", "差额拨款", "自收自支", "公益", "组成部门",
           "直属机构", "工作部门", "派出机构", "派出机关", "部门管理机构"],
    "级别": ["正厅", "副厅", "正局", "副局", "正处", "副处", "正科", "副科", "级别", "规格"],
    "隶属": ["直属", "所属", "隶属", "归口", "主管", "管理的"],
    "归谁管": ["直属", "所属", "隶属", "归口", "主管", "管理的"],
    "合署": ["合署"],
    "牌子": ["加挂", "牌子"],
    "编制": ["编制", "核定", "实有人数"],
    "内设": ["内设", "处室", "机构设置"],
    "下属": ["下属", "所属", "二级预算单位", "预算单位"],
}

# The headings a text fact is printed under, by what the question asks for: 职责 → "一、部门职责", "（一）主要职能";
# 单位构成 → "（二）机构设置", "部门预算单位构成". A passage under one answers even when its words share little with
# the question's ("主要职责有哪些": the list of duties).
FACT_HEADINGS: list[tuple[re.Pattern, re.Pattern]] = [
    (re.compile(r"职责|职能|负责什么|主要任务|承担"), re.compile(r"职责|职能|任务")),
    (re.compile(r"内设|处室|机构设置"), re.compile(r"机构设置|内设|机构情况")),
    (re.compile(r"编制|人数"), re.compile(r"编制|人员")),
    # a unit's other name (加挂…牌子) is said where it is introduced; a 处's, in brackets after it in the list of
    # 内设机构 ("物流发展处（市泥头车安全整治工作办公室）")
    (re.compile(r"牌子|加挂"), re.compile(r"机构设置|内设|机构编制|概况|基本情况")),
    (re.compile(r"单位构成|部门构成|预算单位|下属|所属|二级单位|编制范围|纳入"),
     re.compile(r"单位构成|部门构成|机构设置|预算单位|编制范围")),
    # what the unit is, whose it is, what it manages: said where the document introduces the unit
    (re.compile(r"性质|级别|隶属|归谁管|什么单位|什么机构|什么部门|什么机关|管理哪|哪个部门"),
     re.compile(r"概况|基本情况|主要职能|职责|机构设置")),
]


def fact_heading_words(question: str) -> list[str]:
    """The heading words a text fact asked is printed under ("是什么性质的单位" → 概况, 基本情况, 主要职能…), to
    search with: the question's own words seldom are the heading's."""
    return list(dict.fromkeys(w for asked, said in FACT_HEADINGS if asked.search(question) for w in said.pattern.split("|")))

# Colloquial phrases with other words inside: "换执法执勤车", "买了几辆车" (buying cars, whatever kind).
PHRASES: list[tuple[re.Pattern, list[str]]] = [
    (re.compile(r"(?:换|买|购|添|更新)[\u4e00-\u9fff]{0,6}?(?<!辆)车"), ["公务用车购置费"]),  # not "买了几辆车": a count
    # meals for guests are 公务接待费, not the 生活 (伙食) of "吃饭" alone: "接待吃饭", "招待用餐", "宴请客人吃饭"
    (re.compile(r"(?:接待|招待|宴请|请客|陪客)[\u4e00-\u9fff]{0,4}?(?:吃饭|用餐|吃喝|饭|餐)"), ["公务接待费"]),
]

# Printed budget items a question may name directly (longest first when matching): the common items of
# 预决算公开 plus the 政府支出经济分类 (部门预算) items, which name the rows of every 基本支出 table.
ITEMS = sorted(
    {
        "“三公”经费", "三公经费", "因公出国（境）费", "因公出国（境）费用", "公务接待费", "公务用车购置及运行费",
        "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务用车运行费", "机关运行经费",
        "人员经费", "公用经费", "基本支出", "项目支出", "政府采购", "一般公共预算", "政府性基金", "国有资本经营",
        "上年结转", "收入总计", "支出总计", "本年收入合计", "本年支出合计", "财政拨款", "工资福利支出",
        "商品和服务支出", "对个人和家庭的补助", "资本性支出", "公共安全支出", "一般公共服务支出", "社会保障和就业支出",
        "卫生健康支出", "住房保障支出", "教育支出", "科学技术支出", "行政运行", "事业运行", "一般行政管理事务",
        "机关服务", "政府购买服务", "国有资产", "公务用车", "绩效目标", "单位资金", "事业收入", "其他收入",
        "财政专户管理资金", "年末结转和结余",
        # 住房改革支出 (2210201–03), asked by name as often as they are absent from a unit's tables
        "购房补贴", "提租补贴",
        # 工资福利支出
        "基本工资", "津贴补贴", "奖金", "伙食补助费", "绩效工资", "机关事业单位基本养老保险缴费", "职业年金缴费",
        "职工基本医疗保险缴费", "公务员医疗补助缴费", "其他社会保障缴费", "社会保障缴费", "住房公积金", "医疗费",
        "其他工资福利支出",
        # 商品和服务支出
        "办公费", "印刷费", "咨询费", "手续费", "水费", "电费", "邮电费", "取暖费", "物业管理费", "差旅费",
        "维修（护）费", "租赁费", "会议费", "培训费", "专用材料费", "被装购置费", "专用燃料费", "劳务费",
        "委托业务费", "工会经费", "福利费", "其他交通费用", "税金及附加费用", "其他商品和服务支出",
        # 对个人和家庭的补助
        "离休费", "退休费", "退职（役）费", "抚恤金", "生活补助", "救济费", "医疗费补助", "助学金", "奖励金",
        "其他对个人和家庭的补助",
        # 资本性支出
        "房屋建筑物购建", "办公设备购置", "专用设备购置", "基础设施建设", "大型修缮", "信息网络及软件购置更新",
        "公务用车购置", "其他交通工具购置", "无形资产购置", "其他资本性支出",
    },
    key=len,
    reverse=True,
)


# Longest first, as printed_form replaces them and expand reads them (sorted once: printed_form runs for every
# candidate row of every answer).
_SYNONYMS_LONGEST_FIRST = sorted(SYNONYMS.items(), key=lambda kv: -len(kv[0]))


def _item_spans(text: str) -> list[tuple[int, str]]:
    """(start, item) for the printed items a text names, none overlapping another: read left to right, the longest
    item at each place ("基本支出总计" is 基本支出, then 总计; "公务用车购置费", not 公务用车购置). Not longest first
    overall: items of one length (基本支出, 支出总计) came in the set's order, which string hashing seeds per process,
    and the same question named another item in another process."""
    found = []
    for item in ITEMS:
        i = text.find(item)  # str.find, not a regex per item: 0.149 → 0.019 ms a call (4,523 chunk texts and questions), ~75 calls per question
        while i >= 0:
            found.append((i, item))
            i = text.find(item, i + 1)
    spans: list[tuple[int, str]] = []
    for i, item in sorted(found, key=lambda f: (f[0], -len(f[1]))):
        if not spans or i >= spans[-1][0] + len(spans[-1][1]):
            spans.append((i, item))
    return spans


def named_items(text: str) -> list[str]:
    """The printed items a text names, in its order ("伙食补助费" is one item, not 伙食 + 补助)."""
    return list(dict.fromkeys(t for _, t in _item_spans(text)))


def _free_parts(text: str) -> list[tuple[str, bool]]:
    """The text cut into (part, is_item): colloquial words are looked for only outside printed items."""
    parts, last = [], 0
    for start, item in _item_spans(text):
        parts += [(text[last:start], False), (item, True)]
        last = start + len(item)
    return parts + [(text[last:], False)]


# A change asked in everyday words, said in the disclosures' words: "比去年多出来" → "比去年增加", "较上年少了" →
# "较上年减少" (the documents print 增加/减少; the question's 多出来 matched nothing they print).
_SAID_CHANGE = re.compile(r"(?P<base>(?:比|较|跟|和|与)(?:上一?年度?|去年|往年|20\d\d年度?)(?:相比|比)?(?:(?![增减多少涨降高低])[\u4e00-\u9fff]){0,3}?)"
                          r"(?P<dir>多出来|多出|多了|多花了?|涨了|高了|多(?!少)|少了|少花了?|降了|低了|少)")


def _said_change(text: str) -> str:
    return _SAID_CHANGE.sub(lambda m: m.group("base") + ("增加" if m.group("dir")[0] in "多涨高" else "减少"), text)


def printed_form(text: str) -> str:
    """The question with colloquial words replaced by the printed terms they stand for."""
    text = _said_change(text)
    out = []
    for part, is_item in _free_parts(text):
        if not is_item:
            for pattern, terms in PHRASES:
                if not any(t in text for t in terms):
                    part = pattern.sub("、".join(terms), part)
            for word, terms in _SYNONYMS_LONGEST_FIRST:
                if word in part and not any(t in part or t in text for t in terms):
                    part = part.replace(word, "、".join(terms))
        out.append(part)
    return "".join(out)


def expand(text: str) -> list[str]:
    """Printed terms a question's colloquial words stand for."""
    free = "\0".join(part for part, is_item in _free_parts(text) if not is_item)
    out: list[str] = []
    for pattern, terms in PHRASES:
        if pattern.search(free):
            out.extend(t for t in terms if t not in out)
            free = pattern.sub("\0", free)  # its words are read: "接待吃饭" is no 吃饭 (生活) besides
    for word, terms in _SYNONYMS_LONGEST_FIRST:  # 年终结转 before the 结转 inside it
        if word in free:
            out.extend(t for t in terms if t not in out)
            free = free.replace(word, "\0")
    return out


# Where an item is reported canonically: the 三公 table for its parts, the 机关运行经费 table for that.
CANONICAL_TABLE = {
    "公务接待费": "三公",
    "因公出国（境）费": "三公",
    "公务用车购置及运行费": "三公",
    "公务用车购置费": "三公",
    "公务用车运行维护费": "三公",
    "“三公”经费": "三公",
    "机关运行经费": "机关运行经费",
    "政府采购": "政府采购",
    # a 决算's "“三公”经费及会议费、培训费支出决算表" reports these whole, beside the 基本支出 table's row of them
    "会议费": "会议费",
    "培训费": "培训费",
}
