"""Which period a figure is of, and which a question asks for: one reading of the words for both sides.

A disclosure prints several figures for one item: this year's budget, last year's (2026年 beside 2025年预算数, or
上年预算数), and in a 决算 the 年初预算数, the 调整/全年预算数, the 决算数 and the 完成预算的百分比. The question says
which it wants with the same words; a figure says which it is by its column header (cells) or the words right
before it (prose).
"""
from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache


class Period(StrEnum):
    """One of the periods a budget figure is of (a str: serialises as the word itself)."""

    CURRENT = "本年"  # the document's own year, said: 本年, 当年, 2026年 in a 2026 document
    PREVIOUS = "上年"  # the year before the document's: 上年预算数, 2025年预算数 in a 2026 budget
    INITIAL = "年初预算"  # 决算: the budget as passed
    ADJUSTED = "调整预算"  # 决算: the budget as adjusted during the year (调整预算数, 全年预算数)
    FINAL = "决算"  # what was spent: 决算数, 执行数, 支出决算
    COMPLETION = "完成预算%"  # 决算 ÷ 预算: "完成年初预算的85.60%"


# "上年预算数" is of the year before; "比上年增加", "与上年相比" compare with it, and "上年结转/结余" is money
# carried into this year: neither is last year's figure
PREVIOUS_YEAR = re.compile(r"(?<![比较与同跟和])(?:上一?年|去年)(?!度?(?:结转|结余))")
THIS_YEAR = re.compile(r"本年|当年|今年")
_WORDS = [
    (Period.COMPLETION, re.compile(r"完成(?:了)?(?:年初|全年|调整)?预算(?:数)?的?|预算完成|完成率|执行率")),
    (Period.INITIAL, re.compile(r"年初预算")),
    (Period.ADJUSTED, re.compile(r"调整(?:后的?)?(?:全年)?预算|调整预算|全年预算")),
    (Period.FINAL, re.compile(r"决算数|执行数|支出决算|决算支出|实际(?:支出|执行|花|用|开支|发生)|预算执行")),
]
_BARE_FINAL = re.compile(r"决算(?!表|报告|说明|情况)")  # a column headed "决算" (not a table's name)
# a 决算's column headed "预算数" beside its 决算数 ("财政拨款“三公”经费/合计/预算数"): the budget it is measured against
_BARE_BUDGET = re.compile(r"(?:^|/)预算数?(?=$|[/\s])")
_YEAR = re.compile(r"(?<![比较与同跟和\d])(20\d\d)\s*年")
# "…比2025年年初预算数99024.2万元", "比2025年预算支出执行数483,923.17万元": a year the words end on names the
# figure that follows, 比 or not ("比2025年增加500万元" ends on the change instead)
_YEAR_ENDING = re.compile(r"(?<!\d)(20\d\d)\s*年度?(?:年?初|全年|调整)?(?:[\u4e00-\u9fff]{0,6}?(?:预算|决算|执行))数?$")


# The 决算 columns: a follow-up naming one of them ("决算数呢？" after "…年初预算是多少") asks it instead
FINAL_COLUMNS = frozenset({Period.INITIAL, Period.ADJUSTED, Period.FINAL, Period.COMPLETION})


def without_column_words(text: str) -> str:
    """The text without the words that name a 决算 column (年初预算, 决算数, 完成预算的…)."""
    for _, pattern in _WORDS:
        text = pattern.sub("", text)
    return text


@lru_cache(maxsize=8192)
def periods_in(text: str, doc_year: int | None, column: bool = False, final_doc: bool = False) -> frozenset[Period]:
    """The periods the words name: a question, a column header or the words before a prose number.
    `doc_year` is the document's year (2025年 in a 2026 document is 上年); `column`: a header, where a bare 决算
    names the 决算数 (in a question it names the kind of document), and in a 决算 document (`final_doc`) a bare
    预算数 the budget, 年初 or 调整. Cached: the same column headers stand in every row of a table, and every
    candidate figure is read."""
    found = {p for p, pattern in _WORDS if pattern.search(text)}
    if Period.COMPLETION in found:  # "完成年初预算的" names the ratio, not the 年初预算 figure
        found -= {Period.INITIAL, Period.ADJUSTED}
    if column and _BARE_FINAL.search(text):
        found.add(Period.FINAL)
    elif column and final_doc and not found and _BARE_BUDGET.search(text):
        found |= {Period.INITIAL, Period.ADJUSTED}
    years = [int(y) for y in (*_YEAR.findall(text), *_YEAR_ENDING.findall(text.strip()))]
    if PREVIOUS_YEAR.search(text) or (doc_year and doc_year - 1 in years):
        found.add(Period.PREVIOUS)
    elif THIS_YEAR.search(text) or (doc_year and doc_year in years):
        found.add(Period.CURRENT)
    return frozenset(found)
