"""The words of disclosure prose that carry figures and their direction: one place for every pattern the checks,
the answers and the derived figures read sentences with (amounts, 增加/减少, 持平, 占, 完成预算的…).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .model import Document
from .numbers import parse_decimal

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
AMOUNT = re.compile(rf"(?P<num>{NUMBER})\s*(?P<unit>亿元|万元|千元|元|%|％)")
MONEY_UNITS = ("亿元", "万元", "千元", "元")
UP = re.compile(r"增加|增长|上升|提高|新增|增多|扩大|上涨")
DOWN = re.compile(r"减少|下降|降低|减小|压减|缩减|压缩|节约|取消|下调|减支|核减|调减")
UP_WORDS = ("增加", "增长", "上升")  # the words a stated change uses for "up" (CHANGE's dir group)
CHANGE = re.compile(
    r"(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<vu>亿元|万元|元)[，,]?\s*(?:与|比|较|同比)(?:20\d\d年度?)?[^，,。；\d]{0,14}?"
    r"(?P<dir>增加|减少|增长|下降|上升|降低)(?:了)?\s*(?P<d>\d[\d,]*(?:\.\d+)?)\s*(?P<du>亿元|万元|元)"
    r"(?:[，,、]?\s*(?:增长|下降|上升|降低|增幅|降幅|减幅|增加|减少)(?:了)?\s*(?:为)?\s*(?P<p>\d+(?:\.\d+)?)\s*[%％])?"
)
# "X万元，与上年持平" / "与2025年预算持平": a figure stated unchanged
LEVEL_CHANGE = re.compile(
    r"(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<vu>亿元|万元|元)[，,]?\s*(?:与|和|同)(?:20\d\d年度?)?[^，,。；\d]{0,14}?(?:持平|相同|一致)"
)
# "决算数大于年初预算数" / "决算数与预算数持平": 决算 compared with 预算 by name
COMPARE = re.compile(r"决算数?(?P<rel>大于|小于|等于|高于|低于|超过|与(?:年初)?预算数?(?:基本)?持平)(?:年初)?(?:预算数?)?")
MORE, LESS = ("大于", "高于", "超过"), ("小于", "低于")
# "年初预算为2993.92万元，支出决算为2940.05万元": the two figures a 决算 sentence compares
# ("一般公共预算1,000万元" names a fund, not a 预算数)
BUDGET_FIGURE = re.compile(rf"(?<!公共)(?<!基金)(?<!经营)预算(?:数)?(?:为|是)?\s*(?P<num>{NUMBER})\s*(?P<unit>亿元|万元|元)")
FINAL_FIGURE = re.compile(rf"(?:决算|执行)(?:数)?(?:为|是)?\s*(?P<num>{NUMBER})\s*(?P<unit>亿元|万元|元)")
# "决算数较预算数减少5.91万元": the difference stated
FINAL_DIFF = re.compile(rf"决算数?(?:较|比)(?:年初)?预算数?(?P<dir>增加|减少|增长|下降|节约|超支)(?:了)?\s*(?P<d>{NUMBER})\s*(?P<du>亿元|万元|元)")
# "完成年初预算的85.60%" / "占年初预算的…": 决算 ÷ 预算
COMPLETION = re.compile(r"完成(?:了)?(?:年初|全年|调整)?预算(?:数)?的\s*(?P<p>\d+(?:\.\d+)?)\s*[%％]")
BOUGHT = re.compile(r"购置|购买|更新|新购|新建|建设")  # spending that raises a figure without saying 增加
REASON = re.compile(r"(?:主要)?原因(?:是|为|：|:)|主要是由于|主要是|由于")
# a sentence giving a reason (not a bare 系: 关系, 体系); "预算收支增加主要说明：1.…" lists its reasons
REASON_WORD = re.compile(r"原因|由于|因为|主要是|主要用于|主要系|系因|导致|(?:增|减|降|长|变化|变动)的?主要说明")
# an item said unchanged in words, with no amount: "2026年“三公”经费预算与2025年持平"
UNCHANGED = re.compile(r"持平|无变化|没有变化|保持不变|未发生变化")
# a reason that lists its parts: "主要原因是：", "增加主要说明：" then "1.…；2.…"
REASON_LIST = re.compile(r"(?:原因|说明)(?:如下|是|为|有)?[：:]")
WHOLE = re.compile(r"其中[：:，,]|主要包括|主要用于|包括")
SHARE = re.compile(rf"(?P<x>\d[\d,]*(?:\.\d+)?)\s*(?P<xu>亿元|万元|元)[，,]?\s*占(?P<base>[^%％\d，,。；]{{0,16}}?)(?P<p>\d+(?:\.\d+)?)\s*[%％]")
_YEAR_NAMED = re.compile(r"上年|去年|上一年|以前年度|(?P<year>20\d\d)年(?:度)?(?:年初)?预算")


def names_other_year(text: str, year: int | None) -> bool:
    """The words name a year's budget other than the document's: 上年, 以前年度, "2025年预算" in a 2026 document
    ("2026年“三公”经费预算275.80万元" names its own)."""
    return any(m.group("year") is None or int(m.group("year")) != year for m in _YEAR_NAMED.finditer(text))
# A total and the parts listed right after it: "政府采购预算总额4988.73万元，其中：政府采购货物预算238.78万元，…" and
# "共有车辆17辆，其中：机要通信用车0辆、应急保障用车1辆、…"
_LEAD = re.compile(r"[，,]?\s*(?:其中)?\s*[：:，,]?\s*")
_SEP = re.compile(r"\s*[、，,；;]\s*")
_SEPS = re.compile(r"[\s、，,；;]*")
PROCUREMENT_TOTAL = re.compile(rf"政府采购[^，,：:；;。\d货工服]{{0,14}}?\s*(?P<num>{NUMBER})\s*(?P<unit>亿元|万元|元)")
# a part: its name, then "…a万元", or "…为a" without a unit (上海 prints "工程预算为0"), in the total's unit; the start of
# its figure, readable or not
_AMOUNT_OF = rf"(?:(?:为)?\s*(?P<num>{{num}})\s*(?P<unit>{{units}})|为(?P<bare>{{num}})(?![\d.]))"
_FIGURE_AHEAD = r"\s*(?:为)?\s*\d"
_PROCUREMENT_NAME = r"(?:政府采购|拟采购|拟购买|采购)?(?P<name>货物|工程|服务)类?(?:采购|项目)?(?:预算|支出|金额)?"
PROCUREMENT_PART = re.compile(_PROCUREMENT_NAME + _AMOUNT_OF.format(num=NUMBER, units="亿元|万元|元"))
_PROCUREMENT_AHEAD = re.compile(_PROCUREMENT_NAME + _FIGURE_AHEAD)
VEHICLE_TOTAL = re.compile(r"(?P<num>\d+)\s*(?P<unit>辆)(?=[，,]?\s*其中)")
_VEHICLE_NAME = r"(?P<name>[\u4e00-\u9fff（）()]{0,18}?(?:用车|公务车|车辆|汽车|客车))"
VEHICLE_PART = re.compile(_VEHICLE_NAME + _AMOUNT_OF.format(num=r"\d+", units="辆"))
_VEHICLE_AHEAD = re.compile(_VEHICLE_NAME + _FIGURE_AHEAD)
# "共有车辆17辆" / "公务用车保有量为2辆" / "实有存量公务车2辆": the vehicles held (not bought: 购置, 新增, 更新; not
# the number allowed: 编制)
_HOLDING = r"共有|实有|现有|保有|拥有"
VEHICLES_HELD = re.compile(rf"(?:{_HOLDING})[^，,。；;\d购新更编]{{0,8}}?(?P<num>\d+)\s*辆")
# A stock held, not bought: "截至2025年底，共有车辆2552台" (a count of things bought is no such sentence's)
HELD = re.compile(rf"截至|截止|占有|{_HOLDING}")
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")
# Counted in: the measure words a 绩效指标 or the 说明 counts in ("开展考试450场", "冲突事件不超过2起"), longest first
COUNT_UNITS = ("台（套）", "平方米", "万人次", "人次", "场次", "万人", "公里", "小时", "个", "辆", "人", "台", "套", "项", "家", "次", "名",
               "场", "起", "户", "所", "处", "件", "篇", "期", "份", "张", "床", "吨", "批", "座", "条", "册", "天")
# A number printed in prose with its unit: money, a rate or a count ("内设13个司局")
PROSE_NUMBER = re.compile(
    rf"(?P<num>[-+]?(?:{NUMBER}))\s*"
    rf"(?P<unit>万元|亿元|千元|元|%|％|{'|'.join(re.escape(u) for u in COUNT_UNITS)})"
)
# "几起", "多少场": the measure word a question counts in
ASKED_COUNT = re.compile(rf"(?:几|多少)({'|'.join(re.escape(u) for u in COUNT_UNITS)})")
# A count named by what is counted, with no measure word ("人员编制多少", "参会人次是多少"): people, in 人 (名 too)
# or 人次; never money
ASKED_HEADCOUNT = re.compile(r"(?:编制|人数|(?P<unit>人次))(?:数|情况)?(?:是|有|为|共|一共)?(?:多少|几)")
# An amount of money asked ("失业保险基金支出是多少"): a count (7个部门) never answers it
ASKED_MONEY = re.compile(rf"(?:支出|收入|经费|资金|金额|拨款)(?:预算数?|决算数?)?(?:是|有|为|共|一共|安排了?)?(?:多少|几)"
                         rf"(?!{'|'.join(re.escape(u) for u in COUNT_UNITS)})")
SEGMENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")  # a clause up to 。；！？ or a line end: one statement
_CHANGE_WORDS = r"增加|减少|增长|下降|上升|降低|持平"
CHANGE_WORD = re.compile(rf"{_CHANGE_WORDS}|增|减|少|多")
# the words before a number that make it a change: a direction word, or a bare 增/减/少/多 right before it ("同比增",
# "少了"), not one inside a name ("增人增资99.41万元", "新增托育机构托位9000个")
CHANGED_BY = re.compile(rf"{_CHANGE_WORDS}|增减|变动|变化|增幅|降幅|[增减少多]了?$")
# "卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）": a 科目 named by its levels, which name it one by one
# as a table's rows do (事业单位医疗 is the 项, not the 行政事业单位医疗 款 it stands under)
_SUBJECT_LEVEL = re.compile(r"\s*[（(][类款项][）)][\s。，,：:]*")


def subject_levels(words: str) -> str:
    """A 科目 named by its levels, its levels apart: "…医疗（款）事业单位医疗（项）。年初预算" → "… 事业单位医疗 年初预算"."""
    return _SUBJECT_LEVEL.sub(" ", words).strip()


# words that relate a number to one named before it: "基本支出15753.96万元，占87.22%", "比上年减少…", "因公出国（境）费
# 决算为0.00万元，完成预算的0%"
RELATIONAL = re.compile(r"^(占|比|较|增长|下降|增加|减少|上升|降低|其中|共计|合计|完成(?:年初|调整后?)?预算)")
# the numbering before a label or a heading line: "2010801 ", "[31204]", "三、", "一.", "（一）", "1.", "①", "其中："
LABEL_PREFIX = re.compile(r"^(?:\d{3,9}[-\s]?|[\[【［]\d{3,9}[\]】］]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]"
                          r"|[①-⑳]|其中[：:]?)+")


def dec(raw: str) -> Decimal:
    return parse_decimal(raw) or Decimal(0)


def direction(text: str) -> str | None:
    """'up' or 'down' when a text names one direction of change only."""
    up, down = bool(UP.search(text)), bool(DOWN.search(text))
    return "up" if up and not down else "down" if down and not up else None


@dataclass
class Sentence:
    text: str
    page: int
    heading: str


def sentences(doc: Document) -> Iterator[Sentence]:
    """Every sentence of the prose, with its page and section heading."""
    for sec in doc.sections:
        for para in sec.paragraphs:
            for m in _SENTENCE.finditer(para.text):
                if m.group(0).strip():
                    yield Sentence(m.group(0).strip(), para.page_of(m.start(), m.end()), sec.heading)


@dataclass
class StatedChange:
    """"X万元，比上年增加D万元，增长P%" as printed, and the previous year's value it implies (X − D or X + D)."""

    text: str  # the matched words
    current: str  # X as printed
    change: str  # D as printed
    unit: str
    up: bool
    percent: str | None
    previous: Decimal
    start: int  # where X's words begin in the sentence (what precedes names the item); -1 for a 其中 total


def stated_changes(sentence: str, unchanged: bool = False) -> list[StatedChange]:
    """The changes a sentence states; with `unchanged`, "X万元，与上年持平" too, as a change of 0."""
    out = [StatedChange(m.group(0), m.group("v"), "0", m.group("vu"), False, None, dec(m.group("v")), m.start())
           for m in LEVEL_CHANGE.finditer(sentence)] if unchanged else []
    for m in CHANGE.finditer(sentence):
        v_raw = m.group("v")
        clause = re.split(r"[；;]", sentence[: m.start()])[-1]
        whole = list(re.finditer(r"其中", clause))
        # "总计X万元，其中：…上年结转Y万元，比上年减少D万元": the change is the total's; "其中：因公出国（境）费0万元，
        # 比上年减少8万元" (no total before the 其中): the part's own
        heads = [a for a in AMOUNT.finditer(clause[: whole[0].start()]) if a.group("unit") == m.group("vu")] if whole else []
        if heads:
            v_raw = heads[-1].group("num")
        v, d = dec(v_raw), dec(m.group("d"))
        up = m.group("dir") in UP_WORDS
        if m.group("vu") != m.group("du") or (not v and up):  # nothing rose to 0
            continue
        out.append(StatedChange(m.group(0), v_raw, m.group("d"), m.group("vu"), up, m.group("p"), v - d if up else v + d,
                                m.start() if not heads else -1))
    return out


@dataclass
class Breakdown:
    """A stated total and the parts listed right after it, each as printed."""

    text: str  # the matched words, total and parts
    start: int  # where the total's words begin in the text read
    total: str
    unit: str
    parts: list[tuple[str, str]]  # (name, value as printed)


def _parts_after(text: str, pos: int, part: re.Pattern, unit: str) -> tuple[list[tuple[str, str]], int]:
    """The parts listed from pos on, one after another with only a separator between them, in the total's unit."""
    parts, end = [], pos
    while (m := part.match(text, pos)) and (m.group("unit") == unit or m.group("bare")):
        parts.append((m.group("name"), m.group("num") or m.group("bare")))
        end = m.end()
        sep = _SEP.match(text, end)
        pos = sep.end() if sep else end
    return parts, end


def _breakdowns(text: str, total: re.Pattern, part: re.Pattern, ahead: re.Pattern) -> list[Breakdown]:
    out = []
    for t in total.finditer(text):
        lead = _LEAD.match(text, t.end())
        parts, end = _parts_after(text, lead.end(), part, t.group("unit"))
        # one part is a 其中, not a split of the total; and a list that goes on past what could be read ("0万元，，服务预算…",
        # "服务预算749.0.0万元") is not all of it
        if len(parts) >= 2 and not ahead.match(text, _SEPS.match(text, end).end()):
            out.append(Breakdown(text[t.start():end], t.start(), t.group("num"), t.group("unit"), parts))
    return out


def procurement_breakdowns(text: str) -> list[Breakdown]:
    """"政府采购预算总额X万元，其中：货物a万元、工程b万元、服务c万元" (of each total a text states, 全部 and 一般公共预算)."""
    return _breakdowns(text, PROCUREMENT_TOTAL, PROCUREMENT_PART, _PROCUREMENT_AHEAD)


def vehicle_breakdowns(text: str) -> list[Breakdown]:
    """"共有车辆17辆，其中：机要通信用车0辆、应急保障用车1辆…" and the same of vehicles to be bought."""
    return _breakdowns(text, VEHICLE_TOTAL, VEHICLE_PART, _VEHICLE_AHEAD)


def joined_sentences(doc: Document) -> Iterator[Sentence]:
    """The sentences, a sentence cut short joined to its rest: a paragraph cut at a page's end ("…工程类采购预算0万元；"
    + "服务类采购预算7万元。"), parts printed as a paragraph after "其中：", or "其中：…" after the total's own sentence
    ("…总额778.56万元。" + "其中：…")."""
    cut = last = None
    for st in sentences(doc):
        if cut and cut.heading == st.heading:
            st = Sentence(cut.text + st.text, cut.page, cut.heading)
        elif cut:
            yield cut
        cut = None
        if last and last.heading == st.heading and st.text.startswith("其中"):
            st = Sentence(last.text.rstrip("。") + "，" + st.text, last.page, last.heading)
        if st.text.endswith(("。", "！", "？")):
            yield st
            last = st
        else:
            cut = st
    if cut:
        yield cut
