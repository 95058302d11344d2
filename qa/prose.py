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
WHOLE = re.compile(r"其中[：:，,]|主要包括|主要用于|包括")
SHARE = re.compile(rf"(?P<x>\d[\d,]*(?:\.\d+)?)\s*(?P<xu>亿元|万元|元)[，,]?\s*占(?P<base>[^%％\d，,。；]{{0,16}}?)(?P<p>\d+(?:\.\d+)?)\s*[%％]")
OTHER_YEAR = re.compile(r"上年|去年|上一年|以前年度|20\d\d年(?:度)?(?:年初)?预算")
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")
# A number printed in prose with its unit: money, a rate or a count ("内设13个司局")
PROSE_NUMBER = re.compile(
    rf"(?P<num>[-+]?(?:{NUMBER}))\s*"
    r"(?P<unit>万元|亿元|千元|元|%|％|个|辆|人|台（套）|台|套|项|平方米|家|次|名)"
)
COUNT_UNITS = {"个", "辆", "人", "台", "台（套）", "套", "项", "平方米", "家", "次", "名"}
SEGMENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")  # a clause up to 。；！？ or a line end: one statement
CHANGE_WORD = re.compile(r"增加|减少|增长|下降|上升|降低|持平|增|减|少|多")
# words that relate a number to one named before it: "基本支出15753.96万元，占87.22%", "比上年减少…"
RELATIONAL = re.compile(r"^(占|比|较|增长|下降|增加|减少|上升|降低|其中|共计|合计)")
# the numbering before a label or a heading line: "2010801 ", "三、", "（一）", "1.", "①", "其中："
LABEL_PREFIX = re.compile(r"^(?:\d{3,9}[-\s]?|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[①-⑩]|其中[：:])+")


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
