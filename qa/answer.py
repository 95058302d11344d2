"""Answers from retrieved chunks: exact figures from table cells and prose, quoted reasons, cited sources.

No text is generated freely: every number is a parsed cell or a number printed in a sentence, and
every answer sentence is a template filled with those and the document's own words.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate, takewhile, zip_longest

from .model import OWN_LEVEL, TOTAL_LABEL, BBox, Chunk, Statement
from .numbers import parse_decimal
from .prose import (AMOUNT, CHANGE_WORD, CHANGED_BY, COUNT_UNITS, HELD, LABEL_PREFIX, PROSE_NUMBER, REASON, REASON_LIST, REASON_WORD, UNCHANGED,
                    direction, stated_changes)
from .lexicon import CANONICAL_TABLE, FACT_HEADINGS, FACT_TERMS, ITEMS, named_items
from .period import THIS_YEAR, Period, periods_in, without_column_words
from .question import ASKS_LIST, Intent, Question, key_words
from .retrieve import Retrieved, next_in_section

_MONEY_UNITS = {"万元", "亿元", "千元", "元"}
# Things bought: "2026年拟购置车辆50辆" buys; "截至2025年底，共有车辆2552台" holds (prose.HELD)
_BOUGHT = re.compile(r"购|买|添置|新增|更新")
# People are counted in these: a headcount asked ("人员编制多少") is answered by no other measure word (19个内设机构)
_PEOPLE_UNITS = ("人", "名", "人次", "万人", "万人次")
_MIN_MATCH = 0.3  # below this, no number in the retrieved passages is about what was asked (the unit and year are checked apart)
_NOISE = re.compile(r"[“”\"'‘’\s①②③④⑤⑥⑦⑧⑨⑩（）()]")


@dataclass
class Figure:
    label: str
    value: Decimal
    raw: str
    unit: str | None
    table: str | None
    page: int
    doc: str  # file name
    doc_id: str
    unit_name: str | None  # 单位名称 of the document
    year: int | None
    column: str | None = None
    context: str = ""  # the row or sentence the number stands in
    bbox: BBox | None = None  # where it is printed on its page: the table cell, or the sentence's lines
    periods: list[Period] = field(default_factory=list)  # what its column or words say it is of: [上年], [年初预算]
    member: str | None = None  # the 预算单位 whose block or section holds it, in a department's document that goes unit
    # by unit: "深圳市人力资源和社会保障局（本级）" (Chunk.member)
    kind: str | None = None  # of its document: 预算 or 决算

    def to_dict(self) -> dict:
        return {
            "label": self.label, "value": float(self.value), "unit": self.unit or "", "table": self.table,
            "page": self.page, "doc": self.doc, "raw": self.raw, "column": self.column,
            "unit_name": self.unit_name, "year": self.year, "bbox": list(self.bbox) if self.bbox else None,
            "periods": [str(p) for p in self.periods], **({"member": self.member} if self.member else {}),
        }


@dataclass
class Source:
    doc: str
    unit: str | None
    year: int | None
    page: int
    section: str | None
    table: str | None
    text: str
    score: float
    doc_id: str = ""
    type: str = ""
    ocr_confidence: float | None = None  # the passage was read from a page image by OCR
    bbox: BBox | None = None  # where the passage is printed on its page

    def to_dict(self) -> dict:
        return {
            "doc": self.doc, "unit": self.unit or "", "year": self.year, "page": self.page, "section": self.section,
            "table": self.table, "text": self.text, "score": round(self.score, 6), "doc_id": self.doc_id, "type": self.type,
            "bbox": list(self.bbox) if self.bbox else None,
            **({"ocr": True, "ocr_confidence": self.ocr_confidence} if self.ocr_confidence is not None else {}),
        }


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    figures: list[Figure] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    elapsed_ms: float = 0.0
    intent: str = "figure"
    quotes: list[str] = field(default_factory=list)
    analysis: Question | None = None  # how the question was read (for follow-ups and debugging)
    warnings: list[str] = field(default_factory=list)  # consistency findings that involve a cited figure
    derived: dict | None = None  # a computed figure: {"formula", "inputs", "result"} (qa.derive)
    candidates: list[str] = field(default_factory=list)  # indexed units the question may mean (not found: "您指的是…？")
    breakdown: list[dict] = field(default_factory=list)  # why a total changed, part by part (Part.to_dict)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "found": self.found, "answer": self.answer,
            "figures": [f.to_dict() for f in self.figures], "sources": [s.to_dict() for s in self.sources],
            "elapsed_ms": round(self.elapsed_ms, 1), "intent": self.intent, "quotes": self.quotes,
            **({"warnings": self.warnings} if self.warnings else {}), **({"derived": self.derived} if self.derived else {}),
            **({"candidates": self.candidates} if self.candidates else {}),
            **({"breakdown": self.breakdown} if self.breakdown else {}),
        }


@dataclass
class _Candidate:
    figure: Figure
    near: str  # what names the number: the row label and column, or the words right before it in prose
    where: str  # the table title or section heading it stands under
    subject: str = ""  # prose: the sentence's own subject; cells: the column header
    short: str = ""  # prose: only the words right before the number ("实有"), before extension
    whole: str = ""  # prose: what a "其中" part is part of ("政府采购安排483.05万元，其中：货物类…")
    rank: int = 0
    is_cell: bool = False
    first: bool = False  # the row's first value (合计 where there is one)
    states_change: bool = False  # prose: the sentence states this amount's change from last year ("X万元，与上年持平")
    total: bool = False  # a 合计/总计 row (or the unit's own row): named by its table
    split: bool = False  # only a part of the item asked whole: a row of the 基本支出 and the 项目支出 tables both, or a
    # 三公 item's 基本支出 row (`_mark_split`)
    sums_parts: bool = False  # prose: the sum of such parts, the item's whole ("安排委托业务费1,689.5万元")
    counted: str = ""  # prose: what a count counts, as printed after its measure word ("共16个处（室）" → "处（室）")
    score: float = 0.0
    match: float = 0.0  # how well `near` answers what the question asks about (0–1)


def _norm(s: str) -> str:
    return _NOISE.sub("", s or "")


@lru_cache(maxsize=65536)
def _bigrams(s: str) -> frozenset[str]:
    """Cached: the same labels, columns and titles are read for candidate after candidate (253k calls for 200
    questions, 0.9 of their 10.7 s in the profile)."""
    s = _norm(s)
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) if len(s) > 1 else frozenset({s} if s else ())


# Bigrams every budget label shares; a question's specific words (奖励金, 狱政设施) must weigh more.
_GENERIC_GRAMS = {"支出", "预算", "合计", "基本", "项目", "收入", "经费", "资金", "财政", "拨款", "一般", "公共",
                  "小计", "总计", "本年", "年度", "金额", "费用", "算数", "年预"}


def _weight(grams: set[str]) -> float:
    """Generic bigrams weigh 0.4, the others 1. Counted, not summed over the set: a float sum in set order (which
    string hashing seeds per process) differed in its last bits between processes and flipped tied figures."""
    generic = len(grams & _GENERIC_GRAMS)
    return 0.4 * generic + (len(grams) - generic)


def phrase_match(key: str, label: str) -> float:
    """How well a printed label answers the question's key words (0–1).

    Mostly: how much of the label the question names (公务接待费 ⊂ '公务接待费预算'); a little: how much of
    the question the label covers. A label of several parts ("办公费 办公经费") counts by its best part.
    """
    k = _bigrams(key)
    best = 0.0
    for part in re.split(r"[\s/›]+", label or ""):
        grams = _bigrams(LABEL_PREFIX.sub("", part))
        if grams and k:
            inter = grams & k
            best = max(best, 0.7 * _weight(inter) / _weight(grams) + 0.3 * _weight(inter) / _weight(k))
    return best


def coverage(key: str, *texts: str) -> float:
    """Share of the question's key words (weighted by specificity) that the texts account for together."""
    k = _bigrams(key)
    have = set().union(*(_bigrams(t) for t in texts if t))
    return _weight(k & have) / _weight(k) if k else 0.0


def title_match(key: str, title: str | None) -> float:
    """Share of the question's key words found in a table title or heading (收入总表中… → 预算收入总表)."""
    k = _bigrams(key)
    return len(k & _bigrams(title or "")) / len(k) if k else 0.0


def _figure(chunk: Chunk, label: str, raw: str, unit: str | None, column: str | None, context: str,
            bbox: BBox | None = None) -> Figure | None:
    value = parse_decimal(raw)
    if value is None:
        return None
    return Figure(
        label=label, value=value, raw=raw, unit=unit, table=chunk.table, page=chunk.page, doc=chunk.file,
        doc_id=chunk.doc_id, unit_name=chunk.unit, year=chunk.year, column=column, context=context,
        bbox=bbox or chunk.box_of(context), member=chunk.member, kind=chunk.kind,
    )


# a 绩效自评表's score columns ("项目资金（万元）/年度资金总额/得分"): points, under whatever money their group names
_SCORE = re.compile(r"(?:得分|分值|权重|满分)$")


def _form_unit(label: str, value: str, default: str | None) -> str | None:
    """"…/本年绩效指标值（台）": the 度量单位 the parser put after the field's name; else "项目资金（元）/…"."""
    if value.endswith(("%", "％")):
        return "%"
    if _SCORE.search(label):
        return "分"
    m = re.search(r"[（(]([^（）()]{1,4})[）)]$", label)
    if m and re.fullmatch(r"[A-Za-z/]+", m.group(1)):  # "全年执行数（B）", "执行率（B/A）": a column's letter, not a unit
        m = None
    m = m or re.search(r"[（(](万元|元)[）)]", label)
    return m.group(1) if m else default


_ASKS_PERCENT = re.compile(r"百分之|百分比|(?<![\d.])[%％]|幅度|增幅|降幅|几成")  # "增长604.1%" states a rate


def _printed_unit(text: str) -> str | None:
    m = re.search(r"单位[：:]\s*(万元|元)", text)
    return m.group(1) if m else None


@lru_cache(maxsize=65536)
def _span_words(text: str, unit: str | None = None) -> str:
    """The key words of a stored prose span, its unit's name aside: the same spans stand in the candidates of
    question after question, and key_words reads the lexicon."""
    return key_words(text, [unit])


def candidates(hits: list[Retrieved]) -> list[_Candidate]:
    """Every number the retrieved chunks hold, with what names it."""
    out: list[_Candidate] = []
    for rank, hit in enumerate(hits):
        c = hit.chunk
        body = c.body
        if c.type == "row":
            label = c.own_heading or "合计"  # the chunker names a row of no label 合计
            generic = c.total_row
            table_unit = c.table_unit or _printed_unit(body)  # a header parsed into the cells still says 单位：万元
            for i, cell in enumerate(c.cells):
                money = re.search(r"[（(](万元|元)[）)]", cell.header or "")  # "预算数（万元）"
                unit = "%" if cell.raw.endswith("%") else "分" if _SCORE.search(cell.header or "") \
                    else money.group(1) if money else table_unit
                last = cell.header.split("/")[-1] if cell.header else ""
                # a wide table's total row is named by its column: "公务接待费", not "合计"
                named_by_column = generic and last and not TOTAL_LABEL.match(last)
                f = _figure(c, last if named_by_column else (c.row_label or last or "合计"), cell.raw.rstrip("%"), unit,
                            cell.header, body, cell.bbox)
                if f:
                    f.periods = _ordered(periods_in(f"{cell.header or ''} {label}", c.year, column=True,
                                                    final_doc=c.kind == "决算"))
                    out.append(_Candidate(f, label, c.table or "", subject=cell.header, rank=rank, is_cell=True,
                                          first=i == 0, total=generic))
        if c.type == "form":
            for field in c.fields:
                value = field.value.strip()
                f = _figure(c, field.label, value.rstrip("%％"), _form_unit(field.label, value, c.table_unit), None,
                            f"{field.label}：{field.value}", field.bbox)
                if f:
                    f.page = field.page
                    f.periods = _ordered(periods_in(field.label, c.year, column=True))  # the project is the form's row, the field its column
                    out.append(_Candidate(f, c.row_label or "", c.table or "", subject=field.label, rank=rank, is_cell=True))
        # a section's clauses, or the text cells of a row or form (named by the row or project besides their words)
        row = [c.row_label] if c.type != "section" and c.row_label else []
        for st in c.statements:
            for pf in st.figures:
                f = _figure(c, pf.label, pf.raw, pf.unit, None, st.text)
                if f:
                    f.page, f.periods = pf.page, pf.periods
                    # the topic's parts (a section title and the words it opens) and the subject match each on its own
                    subject = " ".join(filter(None, (_span_words(w, c.unit) for w in [*row, *pf.topic.split(" "), pf.subject])))
                    out.append(_Candidate(f, _span_words(pf.near, c.unit), c.section or c.table or "", subject=subject,
                                          short=pf.short, rank=rank, whole=pf.whole, states_change=pf.states_change,
                                          counted=pf.counted))
    _mark_split(out)
    return out


def _mark_split(cands: list[_Candidate]) -> None:
    """Rows printed in both a 基本支出 and a 项目支出 table (委托业务费 60.40 | 1,629.10) where the prose states the
    item's whole ("安排委托业务费1,689.5万元"), and the 基本支出 row of an item reported in a table of its own (公务
    用车运行维护费 in the 三公 table): each is only a part of it."""
    tables: dict[str, set[str]] = {}
    for c in cands:
        if c.is_cell and (m := _PART_TABLE.search(c.where)):
            tables.setdefault(c.figure.label, set()).add(m.group(0))
    said = _norm(" ".join(c.near for c in cands if not c.is_cell))
    titles = " ".join({c.where for c in cands if c.is_cell})
    for c in cands:
        if not (c.is_cell and _PART_TABLE.search(c.where)):
            continue
        item = _norm(LABEL_PREFIX.sub("", c.figure.label.split("›")[-1].strip()))
        # …or a 三公 item's 基本支出 row where its own table (the 三公 table, basic and project spending) is at hand
        canonical = CANONICAL_TABLE.get(item)
        c.split = (len(tables[c.figure.label]) > 1 and len(item) >= 2 and item in said
                   or bool(canonical) and canonical in titles)
    # …and the prose figure that is their sum states the whole (60.40 + 1,629.10 = "安排委托业务费1,689.5万元")
    firsts = {(c.figure.label, c.where): c.figure.value for c in cands
              if c.split and c.first and len(tables[c.figure.label]) > 1}
    sums = {sum(v for (label, _), v in firsts.items() if label == lab) for lab, _ in firsts}
    for c in cands:
        c.sums_parts = not c.is_cell and c.figure.value in sums


def _ordered(periods: frozenset[Period]) -> list[Period]:
    return [p for p in Period if p in periods]


def _change_words(cand: _Candidate) -> str:
    return cand.near if not cand.is_cell else cand.figure.label + (cand.figure.column or "")


def _change_named(cand: _Candidate) -> bool:
    return bool(CHANGED_BY.search(_change_words(cand)))


def item_key(q: Question) -> str:
    """What is asked about without the column words: '基本支出中退休费' → '退休费' (基本支出 picks the column)."""
    key = q.key or q.text
    item = key.rsplit("表", 1)[-1] if len(key.rsplit("表", 1)[-1]) >= 2 else key  # "收支总表中的财政拨款收入"
    if any(i not in q.columns for i in q.items):  # the columns qualify an item named besides them
        for col in q.columns:
            item = item.replace(col, "")
    if q.intent in ("change", "reason"):  # the direction is scored apart; "下降" must not favour "下降68.3%"
        item = _DIRECTION.sub("", item)
    if q.periods:  # so is the period: "事业单位医疗年初预算" names 事业单位医疗, whose 年初预算 figure is asked
        item = without_column_words(item)
    return item if _weight(_bigrams(item)) >= 1.0 else key


_YEAR_PART = re.compile(r"20\d\d\s*年度?")
_NAMED_PROJECT = re.compile(r"[\u4e00-\u9fff]{2}(?:项目|专项)(?!支出)")  # a project's name, not the 项目支出 column
_PART_TABLE = re.compile(r"基本支出|项目支出")
_OTHER_FUND = re.compile(r"政府性基金|国有资本经营")  # funds besides the 一般公共预算 that most questions mean
_CODE_ROW = re.compile(r"[\[【]?\d{3,7}")  # a 科目 row: its label opens with the 科目编码


def _unasked_parts(item: str, label: str, unit: str | None) -> int:
    """Parts of a several-part label the question does not name: '2010850-事业运行 50905-离退休费 30302-退休费'
    is more specific than '退休费' asks for (a function × economic split of the figure). A year ("深圳市住房和建设局
    （本级） 2025年": periods are scored apart) and the document's own unit are not such parts; another unit is."""
    k = _bigrams(item)
    parts = [LABEL_PREFIX.sub("", p) for p in re.split(r"\s+", label or "")]
    named = [p for p in parts if re.search(r"[\u4e00-\u9fff]", p) and not _YEAR_PART.fullmatch(p)
             and not (unit and _norm(p) == _norm(unit))]
    return sum(1 for p in named if not _bigrams(p) & k) if len(named) > 1 else 0


def _other_member(member: str | None, unit: str | None, q: Question) -> bool:
    """A figure of a unit under the department that the question does not name, where it names the department (its
    whole or its 本级); of another than the unit it names under the department (Question.member)."""
    if not member:
        return False
    if q.member:
        return not _prints(q.member, member)
    # "杭州市气象服务中心（杭州市预警信息发布中心）" is named by its first name
    return OWN_LEVEL.sub("", member) != OWN_LEVEL.sub("", unit or "") and not _prints(_BRACKETED.sub("", member), q.text)


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_DIRECTION = re.compile(r"大幅|明显|增加|减少|增长|下降|上升|降低|增减|变化|变动")
_EXCLUDING = re.compile(r"不含([\u4e00-\u9fff]{2,6})")
_PART = re.compile(r"[（(]([\u4e00-\u9fff]{2,6})[）)]")  # "项目支出预算表（上年结转）": the table of that part only


def _contradicts(question: str, title: str) -> bool:
    """The table leaves out what the question includes, or the reverse: '（含上年结转）' vs '（不含上年结转）';
    or it holds only the part a total asked for includes: '总额（含上年结转）' vs '项目支出预算表（上年结转）'."""
    for text, other in ((title, question), (question, title)):
        for m in _EXCLUDING.finditer(text):
            term = m.group(1)
            if term in other.replace(f"不含{term}", ""):
                return True
    return any(f"含{part}" in question.replace(f"不含{part}", "") for part in _PART.findall(title))


def _other_side(asked: str, said: str, table: str) -> bool:
    """The question asks one side of the budget (收入 or 支出) and the figure names the other alone, by its own words
    or, naming neither, by its table's ("收入预算总计" → not the 合计 row of the 部门预算基本支出预算表)."""
    sides = [w for w in ("收入", "支出") if w in asked]
    if len(sides) != 1 or sides[0] in said:
        return False
    other = "支出" if sides[0] == "收入" else "收入"
    return other in said or sides[0] not in table and other in table


def _named_table(key: str) -> str:
    """The table a question names ("部门收支总体情况表收入合计" → "部门收支总体情况表"), or a string no title holds."""
    key = _norm(key)
    name = key[: key.rfind("表") + 1]
    return name if len(name) >= 4 else "\0"


@lru_cache(maxsize=256)
def _stated_numbers(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\d+(?:\.\d+)?", re.sub(r"20\d\d\s*年|,", "", text)))


def _names_code(cand: _Candidate, q: Question) -> bool:
    """The candidate's row is (under) a 科目编码 the question names: '204 … › 2040701 行政运行' for 2040701."""
    return any(re.search(rf"(?<!\d){c}(?!\d)", cand.near) for c in q.codes)


@dataclass(frozen=True)
class RankWeights:
    """One weight per named ranking feature (`features`); a candidate figure's score is their weighted sum.

    Hand-set one eval question at a time before the split existed (sessions 1–4, measured on eval/questions.jsonl:
    hybrid answer@1 0.9686); `eval/fit_ranking.py` refits them on the fit documents and reports both sets on
    the validation documents.
    """

    match: float = 4.0  # how well row, column and table together name what was asked (0–1)
    title: float = 1.2  # share of the key words in the table title or section heading
    retrieval_rank: float = 0.5  # 1/√(1 + the passage's retrieval rank): breaks ties
    total_column_words: float = 0.3  # a total row named by its table: the column's words decide (收入 → 本年收入)
    total_row: float = 0.4  # a 部门预算's 合计 row is the department's figure, ahead of its own unit's row
    column_only: float = -1.0  # only a column named ("事业收入是多少"): not some row's share of it
    unasked_parts: float = -0.25  # parts of a several-part label the question does not name
    other_member: float = -1.0  # the figure is of another 预算单位 than the one asked (a unit under the department)
    exact_label: float = 0.3  # the row prints exactly what was asked
    column_hint: float = 0.5  # share of the column words asked (基本支出, 上年结转) in its column or table
    first_value: float = 0.15  # the row's first value (合计 where there is one)
    contradicts_table: float = -1.0  # （不含上年结转） where the question includes it, or the reverse
    other_side: float = -1.0  # 收入 asked, the figure's row and column say 支出 only (a 收支总表 prints both), or the reverse
    stated_number: float = -1.5  # the number the question itself states ("…增长604.1%，增加了多少")
    stated_change: float = 1.5  # why-questions: the change the question states is the figure it asks about
    code: float = 2.0  # +1 the row is under the 科目编码 asked, −1 another 科目's row
    named_table: float = 0.6  # the table the question names ("部门收支总体情况表中…")
    canonical_table: float = 0.6  # the table or 说明 section an item is reported in canonically (公务接待费 → 三公)
    period_fit: float = 1.5  # share of the periods asked (上年, 年初预算, 决算, 完成预算%) the figure's column or words name
    period_other: float = -1.0  # the figure names a period, none of those asked
    period_unasked: float = -0.5  # no period asked: a figure of another period than this year's (or the 决算数)
    carried_over: float = -1.0  # 上年结转 money for a question about 当年/本年 money
    as_of: float = 1.0  # the sentence dated as the question's stock date ("截至2025年12月底")
    excluded_item: float = -2.0  # the figure of an item the question sets aside ("除了人头费以外的…": 人员经费)
    held_not_bought: float = -1.5  # a purchase counted ("打算买几台"): a stock held ("截至2025年底…共有…671台")
    whole_budget: float = 1.0  # the unit's whole budget asked: +1 a change of the budget, income or spending, −1 not
    indicator_unasked: float = -1.0  # a 绩效指标 value or 备注 where the question asks no indicator
    money_for_indicator: float = -1.0  # …and a project's money where it asks one ("满意度要达到多少", "目标是多少")
    part_unnamed: float = -0.4  # a "其中" part whose own words the question does not say
    money_unit: float = 0.8  # +1 printed in the 万元/元 asked, −1 in the other
    fund_unasked: float = -0.5  # a figure of the 政府性基金 or 国有资本经营 budget where the question names neither
    item_unnamed: float = -1.0  # the figure's own words print no standard item the question names
    part_table: float = -1.0  # a part of the item (`_Candidate.split`), where the question names no 基本/项目支出
    sums_parts: float = 1.5  # …and the prose figure that is the sum of its parts, there: the whole (no change asked)
    project_named: float = 1.0  # a project named ("…监管项目"): +1 a figure a project's words or table name, −1 a 科目 row
    measure: float = 1.5  # a count asked in a measure word ("几起"): +1 a figure in it, −1 money or a %
    change_named: float = 2.0  # change/reason questions: a figure stated as a change
    states_change: float = 1.0  # …or the amount whose change the sentence states ("24.02万元，与上年预算数持平")
    change_unnamed: float = -0.5  # …and one that is neither
    direction_mismatch: float = -1.0  # "为什么减少" answered by an increase
    rate_fit: float = 1.5  # change questions: +1 a % when a rate is asked, −1 a % when not / an amount when it is
    amount_fit: float = 0.6  # change questions, no rate asked: +1 money, −1 a %
    share_percent: float = 2.5  # share questions: a %
    share_not_percent: float = -1.5
    count_unit: float = 2.5  # count questions: a figure in 个/辆/人…
    count_not_unit: float = -1.5
    figure_money: float = 0.3  # figure questions: money or a bare number…
    figure_other_unit: float = -1.0  # …not a % or a count
    figure_cell: float = 0.3  # figure questions: a table cell before a prose number
    figure_is_change: float = -1.0  # figure questions: not a stated change


WEIGHTS = RankWeights()


def features(cand: _Candidate, q: Question) -> dict[str, float]:
    """The named features of one candidate figure for one question (the keys of RankWeights). Sets cand.match."""
    f = cand.figure
    key = q.key or q.text
    item = item_key(q)
    where = _EXCLUDING.sub("", cand.where)  # "（不含上年结转）" does not speak of 上年结转
    row = phrase_match(item, cand.near)
    # "政府采购预算明细表中服务类采购": the question names a table, then one of its rows
    row_of_table = "表" in key and title_match(item, where) < 0.5
    # …when the table says every item the question names: the 财政拨款基本支出表's 合计 is not its 人员经费
    if cand.total and not row_of_table and all(_norm(i) in _norm(where) for i in q.items):
        row = max(row, title_match(key, where))  # a 合计 row is named by its table: "三公经费" → the 三公 table's 合计
    col_words = phrase_match(item, cand.subject) if cand.is_cell else 0.0
    if cand.is_cell:
        # a column counts only when the question names it, and not by words that name its row: "…还本支出多少" names
        # the row 2310303 地方政府向国际组织借款还本支出, not its 基本支出 column
        said_by_row = row >= 0.5 and _bigrams(cand.subject) & _bigrams(item) <= _bigrams(cand.near)
        col = col_words if col_words >= 0.5 and not said_by_row else 0.0
        named = max(row, col) + 0.3 * min(row, col)  # "狱政设施建设的上年结转": row and column both named
    else:
        col = 0.0
        named = max(row, 0.85 * phrase_match(item, cand.subject), phrase_match(item, cand.short) if len(cand.short) >= 2 else 0.0)
    # …and how completely row, column and table together account for what was asked ("基本支出中的奖励金"); a total
    # row's column of one part speaks only by words of its own ("人头经费" → the 人员类 column), not by the budget's
    # generic words ("收入预算" is the 总计 column's, not the 一般公共预算拨款收入 column's)
    part_unnamed = (cand.total and cand.is_cell and not col and not cand.first
                    and not (_bigrams(cand.subject) & _bigrams(key)) - _GENERIC_GRAMS)
    cand.match = min(0.5 * named + 0.5 * coverage(key, cand.near, "" if part_unnamed else cand.subject, where), 1.0)
    whole = _states_whole_budget(cand) if _asks_whole_budget(q) else None
    if whole:
        cand.match = max(cand.match, _MIN_MATCH)  # "预算为什么比上年减少": the unit's budget as a whole
    x = {
        "match": cand.match,
        "title": title_match(key, where),
        "retrieval_rank": 1 / (1 + cand.rank) ** 0.5,
        "total_column_words": col if cand.total else 0.0,  # "收入预算": not the 一般公共预算拨款收入 column's words
        "total_row": float(cand.total and not row_of_table and bool(TOTAL_LABEL.match(cand.near.strip()))),
        "column_only": float(cand.is_cell and not cand.total and bool(col) and row < 0.3),
        "unasked_parts": float(_unasked_parts(item, cand.near, f.unit_name)),
        "other_member": float(_other_member(f.member, f.unit_name, q)),
        "exact_label": float(_norm(LABEL_PREFIX.sub("", cand.near)) == _norm(item)),
        "first_value": float(cand.first),
        "contradicts_table": float(_contradicts(q.text, f"{cand.where} {f.column or ''}")),
        "other_side": float(_other_side(item, f"{cand.near} {f.column or ''}", cand.where)),
        # "为什么增长604.1%" asks for the amount of that change, not 604.1; "为什么减少了65151.4万元" names its amount
        "stated_change" if q.intent == Intent.REASON and f.unit in _MONEY_UNITS else "stated_number":
            float(f.raw.replace(",", "") in _stated_numbers(q.text)),
        "named_table": float(cand.is_cell and _named_table(key) in _norm(where)),
        # …or the 说明's section of it ("第五部分财政拨款“三公”经费预算情况"), not another table's 30217 row
        "canonical_table": float(any(CANONICAL_TABLE.get(i, "\0") in cand.where for i in q.items)),
        "as_of": float(bool(q.as_of) and f"{q.as_of}年" in f.context),
        "excluded_item": float(any(_prints(i, f"{cand.near} {cand.subject}") for i in q.excluded)),
        "held_not_bought": float(q.asks_purchase and not _says_bought(cand) and bool(HELD.search(f.context))),
    }
    if whole is not None:  # …and not one item's change, whose words ("预算数较年初预算增加") may say as much
        x["whole_budget"] = 1.0 if whole else -1.0
    if q.columns:  # "基本支出中的退休费", "上年结转": the column (or the table) named wins over the row's first cell
        said = f"{f.column or ''} {where}" if cand.is_cell else f"{cand.subject} {cand.near}"
        x["column_hint"] = sum(c in said for c in q.columns) / len(q.columns)
    if q.codes and cand.is_cell:  # "2010801行政运行": the row of that 科目, never another's 行政运行
        x["code"] = 1.0 if _names_code(cand, q) else -1.0
    asked, said = set(q.periods), set(f.periods)
    if f.year and f.year - 1 in q.years and q.intent not in (Intent.CHANGE, Intent.COMPARE, Intent.REASON):  # 比2025年
        asked.add(Period.PREVIOUS)  # "2025年三公经费（2026年预算表中列示）": the 2026 document's 2025 column
    if asked:  # "2025年…" of a 2026 document: its 2025年预算数 column; "年初预算": the 年初预算数, not the 决算数
        if Period.PREVIOUS in asked and not said:
            said = {Period.CURRENT}  # a figure no words date is of the document's own year, not the year before
        x["period_fit"] = len(asked & said) / len(asked)
        x["period_other"] = float(bool(said) and not asked & said)
    else:  # this year's figure (the 决算数 of a 决算): not last year's column, not the 年初预算 beside it; in a 预算
        # the 年初预算数 of its own year is its figure ("收入预算年初预算数583,429.56万元")
        own = {Period.CURRENT, Period.FINAL, *([Period.INITIAL] if f.kind == "预算" and Period.PREVIOUS not in said else [])}
        x["period_unasked"] = float(bool(said - own))
    # "当年给…拨了多少" is this year's money, not what was carried over from last year
    x["carried_over"] = float(bool(THIS_YEAR.search(q.text)) and "上年" not in q.text
                              and "上年" in f"{cand.near} {f.column or ''}")
    # a part's own words: those before it, and its clause's opening ("公务接待费2.00万元，与上年相比预算数减少8.00万元")
    x["part_unnamed"] = float(bool(cand.whole) and not (
        _bigrams(_span_words(f"{cand.short}{cand.subject}")) - _bigrams(_span_words(cand.whole)) - _GENERIC_GRAMS)
        & _bigrams(item))
    # "…项目预算多少" asks the project's money, not one 绩效指标 value (成本指标 120万元) or a 备注
    indicator = bool(_INDICATOR.search(f"{f.column or ''} {cand.subject} {f.label}"))
    asks_indicator = bool(_ASKS_INDICATOR.search(q.text.replace("绩效目标", "")))  # "编报绩效目标的项目" asks no indicator
    x["indicator_unasked"] = float(indicator and not asks_indicator)
    x["money_for_indicator"] = float(asks_indicator and not indicator and f.unit in _MONEY_UNITS)
    # "基本支出是多少": not the 政府性基金 table's 基本支出 (often 0.00), a fund the question does not name
    x["fund_unasked"] = float(bool(_OTHER_FUND.search(f"{where} {f.column or ''} {cand.near}")) and not _OTHER_FUND.search(q.text))
    # "委托业务费是多少": the 基本支出表's and the 项目支出表's rows are each a part of it; the whole is the one asked
    whole_asked = not _PART_TABLE.search(f"{q.text} {' '.join(q.columns)}")
    x["part_table"] = float(cand.split and whole_asked)
    x["sums_parts"] = float(cand.sums_parts and whole_asked and q.intent not in (Intent.CHANGE, Intent.REASON))
    if asked_items := _asked_items(q):  # "退休费是多少": not the 离休费 row, however near its words
        x["item_unnamed"] = float(not _names_asked_item(cand, asked_items))
    if _NAMED_PROJECT.search(item):  # "国有资产监管项目预算多少": the project, not the 科目 of the same name
        x["project_named"] = 1.0 if re.search(r"项目|专项", f"{cand.near} {cand.where}") else \
            -1.0 if cand.is_cell and _CODE_ROW.match(cand.near.split("›")[-1].strip()) else 0.0
    if q.measure:
        x["measure"] = 1.0 if f.unit == q.measure else -1.0 if f.unit in _MONEY_UNITS or f.unit == "%" else 0.0
    asked_unit = re.search(r"(万元|元)", q.text)
    if asked_unit and f.unit in _MONEY_UNITS:
        x["money_unit"] = 1.0 if f.unit == asked_unit.group(1) else -1.0
    changed = _change_named(cand)
    if q.intent in ("change", "reason"):
        x["change_named" if changed else "states_change" if cand.states_change else "change_unnamed"] = 1.0
        asked, stated = direction(q.text), direction(_change_words(cand))
        x["direction_mismatch"] = float(bool(asked and stated and asked != stated))
        if _ASKS_PERCENT.search(q.text):  # "下降了百分之几"
            x["rate_fit"] = 1.0 if f.unit == "%" else -1.0
        else:  # "减少多少", "为什么下降": the amount of the change before its rate
            x["amount_fit"] = 1.0 if f.unit in _MONEY_UNITS else (-1.0 if f.unit == "%" else 0.0)
    elif q.intent == "share":
        x["share_percent" if f.unit == "%" else "share_not_percent"] = 1.0
    elif q.intent == "count":
        x["count_unit" if f.unit in COUNT_UNITS else "count_not_unit"] = 1.0
    elif Period.COMPLETION in asked or _ASKS_RATE.search(q.text):  # "完成年初预算的多少", "普及率目标": a rate
        x["rate_fit"] = 1.0 if f.unit == "%" else -1.0
    else:
        if not asks_indicator:  # an indicator's value is counted or a rate as often as money: no unit preferred
            x["figure_money" if f.unit in _MONEY_UNITS or f.unit is None else "figure_other_unit"] = 1.0
        x["figure_cell"] = float(cand.is_cell)
        x["figure_is_change"] = float(changed)
    return x


def score(cand: _Candidate, q: Question, weights: RankWeights = WEIGHTS) -> float:
    return sum(getattr(weights, name) * value for name, value in features(cand, q).items())


_INDICATOR = re.compile(r"指标|备注")
_ASKS_RATE = re.compile(r"率|百分比|百分之|几成")
_ASKS_INDICATOR = re.compile(r"指标|目标|达到|满意度|率|数量|时效|时限|多少(?:人|个|项|次|家|台|套|件|户|场|辆)|几(?:人|个|项|次|家|台|辆)")
_EXTREME = re.compile(r"最(?:(大|多|高)|小|少|低)")


_PRINTED_GRAMS = 0.85  # share of an item's bigrams a text must hold to print it: 公务用车运行维护费 (7 of 8) in
# 公务用车购置及运行维护费, 上年结转 in 上年结余、结转, 因公出国（境）费 in 因公出国(境)费用; 公务接待费 is not in 公务用车费


def _prints(item: str, text: str) -> bool:
    """A text prints a standard budget item, in full or with the words the disclosure joins to it."""
    grams = _bigrams(item)
    return bool(grams) and len(grams & _bigrams(text)) >= _PRINTED_GRAMS * len(grams)


# "2026年预算为什么比2025年减少这么多？": no item but the budget itself, its change and the words that compare it
_WHOLE_BUDGET = re.compile(r"(?:部门|单位|本部门|本单位)?(?:预算|收入|支出|收支|总额|总计|规模)+")
_COMPARING = re.compile(r"比|较|与|相比|上一?年|去年|同期|这么|那么|大幅|明显|了|多|少|[\d.,]+|[两一二三四五六七八九十百千万亿]+|元")


def _asks_whole_budget(q: Question) -> bool:
    return (q.intent in (Intent.CHANGE, Intent.REASON) and not q.items
            and bool(_WHOLE_BUDGET.fullmatch(_COMPARING.sub("", _DIRECTION.sub("", q.key)))))


def _states_whole_budget(cand: _Candidate) -> bool:
    """A stated change of the unit's budget, income or spending as a whole: "部门预算收入较年初预算减少247.70万元",
    not one item's ("机关运行经费财政拨款预算较年初预算减少16.16万元"; "2026年预算数80.00万元，较2025年年初预算增加
    6.00万元" printed under "（一）因公出国（境）费用", which its label carries)."""
    words = f"{cand.subject} {cand.near} {cand.figure.label}"
    return (not cand.is_cell and _change_named(cand) and bool(re.search(r"预算|收入|支出", cand.near))
            and not named_items(words))


def _prints_item(cand: _Candidate, q: Question) -> bool:
    """The figure's row, column or table prints a budget item the question asks about (政府性基金, 公务用车购置费):
    it answers even when the question's other words are not the document's ("人工增雨等工程用了多少政府性基金")."""
    said = f"{cand.near} {cand.figure.column or ''} {cand.where}"
    return any(_prints(i, said) for i in q.items if i in ITEMS)


_ITEM_SEEN_IN = 30  # candidates looked through for the item asked: well past the first page of passages


def _asked_items(q: Question) -> list[str]:
    """The standard budget items the question prints itself: "四环主路维修专项工程" says 维修, which the lexicon reads
    as 维修（护）费, but asks about a project, not about that item."""
    return [i for i in q.items if i in ITEMS and _norm(i) in _norm(q.text)]  # _norm drops the quotes of “三公”


_TOTAL_WORD = re.compile(r"(?:合计|总计|小计)$")


def _names_asked_item(cand: _Candidate, asked: list[str]) -> bool:
    """The figure's own row, column, table or subject prints an item the question names (退休费 is not 离休费's), in
    one of its printed forms (因公出国（境）费用 as 因公出国（境）费); a total row prints the total's word itself
    ("收入总计": the 总计 row's 收入 column)."""
    return _prints_asked(_words_of(cand), asked, cand.total)


def _words_of(cand: _Candidate) -> str:
    """The words a figure is printed under: its row, subject, table or section, and column."""
    return f"{cand.near} {cand.subject} {cand.where} {cand.figure.column or ''}"


def _counted_as_asked(cand: _Candidate, q: Question) -> bool:
    """A count in the measure word asked that is what the question asks, however it says it: bought ("2026年计划买
    几辆" → "购置车辆50辆"), of the things the question counts ("有多少个内设处室" → "共16个处（室）"), or held at the
    date asked, of a thing its words name ("截至2025年底有多少台车" → "车辆12台"; not "…有多少台电脑")."""
    f = cand.figure
    if not q.measure or f.unit != q.measure:
        return False
    if q.asks_purchase:
        return _says_bought(cand)
    if q.counted and cand.counted and _counts_same(q.counted, cand.counted):
        return True
    return bool(q.as_of and f"{q.as_of}年" in f.context and HELD.search(f.context) and set(q.key) & set(cand.near))


def _counts_same(asked: str, said: str) -> bool:
    """What a question counts and what a count counts are the same things: the same words, or the question's ending
    in the printed ones ("内设处室" → "处（室）")."""
    asked, said = _norm(asked), _norm(said)
    return asked == said or len(said) >= 2 and asked.endswith(said)


def _says_bought(cand: _Candidate) -> bool:
    """The figure's own words say it is bought (购置, 买, 新增), not held."""
    return bool(_BOUGHT.search(f"{cand.short} {cand.near}"))


def _prints_listed(said: str, listed: str) -> bool:
    """The words print what a list is of, or its head: 绩效指标 as itself or as 指标 (一级指标, 产出指标)."""
    return listed in said or listed[-2:] in said


def _prints_asked(said: str, asked: list[str], total: bool = False) -> bool:
    """The words print one of the items asked, in one of its printed forms."""
    return any(_prints(f, said) for a in asked for f in _printed_forms(a, total))


@lru_cache(maxsize=1024)
def _printed_forms(item: str, total: bool) -> tuple[str, ...]:
    """The item as a disclosure may print it: itself, the item one character shorter it extends (因公出国（境）费用 →
    因公出国（境）费), and on a total row without its total word (收入总计 → 收入)."""
    forms = (item, *(i for i in ITEMS if item.startswith(i) and len(item) - len(i) == 1),
             *([_TOTAL_WORD.sub("", item)] if total else []))
    return tuple(f for f in dict.fromkeys(forms) if f)


def _item_unprinted(cands: list[_Candidate], q: Question) -> bool:
    """The question names a standard budget item (机关运行经费, 人员经费, 政府购买服务) or quotes a name ("“信访信息
    系统运维”项目") and no candidate figure's row, column, table or sentence prints it: the documents do not hold
    that item, whatever else they hold."""
    asked = _asked_items(q)
    if not (asked or q.quoted) or q.intent not in (Intent.FIGURE, Intent.CHANGE, Intent.REASON, Intent.SHARE):
        return False
    seen = [(f"{_words_of(c)} {c.figure.context}", c.total) for c in cands[:_ITEM_SEEN_IN]]
    if not all(any(_prints(name, text) for text, _ in seen) for name in q.quoted):
        return True  # every name quoted must be printed, besides any item the question names
    return bool(asked) and not any(_prints_asked(text, asked, total) for text, total in seen)


def _extreme_first(cands: list[_Candidate], q: Question) -> list[_Candidate]:
    """"金额最大的一笔监狱业务经费": of the figures that answer equally well (same table, column and unit),
    the largest (or smallest) first."""
    m = _EXTREME.search(q.text)
    if not m or not cands:
        return cands
    lead = cands[0].figure
    peers = [c for c in cands if c.score >= cands[0].score - 0.5 and c.figure.table == lead.table
             and c.figure.column == lead.column and c.figure.unit == lead.unit]
    pick = (max if m.group(1) else min)(peers, key=lambda c: c.figure.value)
    return [pick] + [c for c in cands if c is not pick]


def mentions(q: Question, text: str) -> bool:
    """Does a sentence speak of what the question asks about?"""
    t = _norm(text)
    if q.items:
        return any(_norm(i) in t for i in q.items)
    return title_match(q.key, text) >= 0.6


def _quote(hits: list[Retrieved], q: Question, pattern: re.Pattern,
           listing: bool = False) -> tuple[list[str], Chunk | None]:
    """The document's own sentences that explain (pattern) the item asked about, from the best section chunk.

    Whole sentences, since "主要原因是：一、…；二、…。" lists its reasons across "；"; and the sentence naming
    the item is quoted with its reason when they stand apart ("行政运行…减少1.07%。主要原因是：部分人员退休。").
    `listing` (a 哪些 question): a list the sentence opens is quoted with it, run on into the section's next passage.
    """
    for hit in hits:
        c = hit.chunk
        if c.type != "section":
            continue
        sents = _section_sentences(c, hits) if listing else c.sentences
        for i, sent in enumerate(sents):
            if not pattern.search(sent):
                continue
            start = next((j for j in range(i, max(-1, i - 3), -1) if mentions(q, sents[j])), None)
            if start is not None:
                return sents[start : _with_list(sents, i).stop if listing else i + 1], c
    return [], None


def _lead_changes(hits: list[Retrieved], cands: list[_Candidate]) -> list[tuple[Chunk, list[str], int]]:
    """The best-matching change stated in prose, and the others stating the same amount ("部门预算收入…增加22,621.40
    万元" then "部门预算支出…增加22,621.40万元，主要是…"): each one's passage, its segments and the change's segment."""
    return _stated_at(hits, [c for c in cands if not c.is_cell and c.match >= _MIN_MATCH and _change_named(c)])


def _figure_stated(hits: list[Retrieved], cands: list[_Candidate]) -> list[tuple[Chunk, list[str], int]]:
    """Where the 说明 states the answer's figure, when that is no change itself ("采供血机构支出为什么没花完年初预算"
    → its 决算数, which "…支出决算18750.36万元，完成年初预算的94.8%。决算数小于年初预算数的主要原因是：…" states)."""
    top = cands[0].figure if cands and not _change_named(cands[0]) else None
    return _stated_at(hits, [c for c in cands if top and not c.is_cell and c.figure.doc_id == top.doc_id
                             and c.figure.value == top.value])


def _stated_at(hits: list[Retrieved], leads: list[_Candidate]) -> list[tuple[Chunk, list[str], int]]:
    """The passages of the prose figures stating the first lead's number: each one's passage, its segments and the
    figure's segment."""
    out = []
    for lead in (c for c in leads if c.figure.raw == leads[0].figure.raw):
        chunk = hits[lead.rank].chunk
        segs = chunk.clauses
        at = next((i for i, seg in enumerate(segs) if lead.figure.context == seg), None)
        if chunk.type == "section" and at is not None:
            out.append((chunk, segs, at))
    return out


def _change_stated(hits: list[Retrieved], cands: list[_Candidate]) -> tuple[list[str], Chunk | None]:
    """The sentence stating the change, where the document gives no reason word: its own words are what it says
    of why ("…增加44.59万元，增长0.59%，结合公安交通管理工作需要和车辆实际状况，2026年公务用车更新购置预算略有增加。")."""
    found = _lead_changes(hits, cands)
    return ([found[0][1][found[0][2]]], found[0][0]) if found else ([], None)


def _reason_after(hits: list[Retrieved], cands: list[_Candidate]) -> tuple[list[str], Chunk | None]:
    """The explanation of the best-matching change stated in prose, from its own clause on:
    "公务接待费…增加1.24万元，主要原因是…" rather than the first reason that mentions the item.
    The reason runs on over "；" to its sentence's end ("主要原因是：一、…；二、…。") but stops at the next
    item's change."""
    for chunk, segs, at in _figure_stated(hits, cands) + _lead_changes(hits, cands):
        def next_change(i: int) -> bool:
            return bool(PROSE_NUMBER.search(segs[i]) and CHANGE_WORD.search(segs[i]))

        end = next((j for j in range(at, min(at + 4, len(segs))) if REASON_WORD.search(segs[j])), None)
        if end is None or any(next_change(j) for j in range(at + 1, end)):
            continue
        # a listed reason's items state changes of their own ("1.市级人才专项经费纳入预算草案增加1,332.00万元；")
        listed = bool(REASON_LIST.search(segs[end]))
        while (not segs[end].endswith(("。", "！", "？")) and end + 1 < len(segs)
               and (not next_change(end + 1) or listed and _LIST_ITEM.match(segs[end + 1]))):
            end += 1
        # …and on into the next sentence where it lists what the reason says ("…主要原因是年度工作任务不同。较大的项目变动，
        # 一是比上年减少了…补助资金53,790.41万元；二是…；三是…。")
        if end + 1 < len(segs) and _LIST_GOES_ON.match(segs[end + 1]):
            end += 1
            while not segs[end].endswith(("。", "！", "？")) and end + 1 < len(segs) and _LIST_ITEM.match(segs[end + 1]):
                end += 1
        return ["".join(segs[at : end + 1])], chunk
    return [], None


# Words that say which kind of fact is asked, not which fact: left out when matching the passage's sentences
_FACT_WORDS = re.compile(r"职责|职能|主要|方面|有什么|是什么|什么|哪些|哪个|哪几|情况|具体|负责|承担|单位|部门|机构|工作|内容|"
                         r"事项|包括|都有|^在|有$")
_LISTED_CHARS = 2400  # a list asked for is quoted whole up to this many characters (北京市发改委's 主要职责: 2,100)
_PASSAGE_SENTENCES = 6  # a quoted passage's sentences at most: the ones that speak of the question, in order


def _passage(hits: list[Retrieved], q: Question) -> tuple[list[str], Chunk | None]:
    """What the unit is and does, in its own words: the sentences of the best-fitting prose passage that speak
    of what was asked ("在停车方面有什么职责" → "负责统筹停车管理工作…"; "加挂了什么牌子" → "…加挂北京市住房保障办公室
    牌子。"), else the passage's opening sentences (its list: "主要职责有哪些" → the duties).

    A passage fits by holding the question's own topic words ("停车", "中医药": the key without its fact words),
    and all its words, by being printed under the heading of the fact asked (职责 → "一、部门职责"), and by printing
    a word the fact is said in (性质 → 事业单位); of passages fitting alike, the section's first. Its sentences are
    picked by the topic words."""
    sections = [h.chunk for h in hits[:8] if h.chunk.type == "section"]
    if not sections:
        return [], None
    terms = [t for asked, said in FACT_TERMS.items() if asked in q.text for t in said]  # 性质 → 事业单位, 行政单位…
    terms += [q.member] if q.member else []  # a unit under the one searched: where its department's text names it
    headings = [said for asked, said in FACT_HEADINGS if asked.search(q.text)]
    specific = _FACT_WORDS.sub("", q.key or q.text)
    specific = specific if len(specific) >= 2 else ""

    def scores(c: Chunk) -> tuple[float, float]:
        """(fit, topic) of a passage, by its own heading (not its ancestors')."""
        heading, body = c.own_heading, c.body
        fit = coverage(q.key or q.text, heading, body) \
            + (_MIN_MATCH if any(h.search(heading) for h in headings) else 0.0) \
            + (_MIN_MATCH if any(t in body for t in terms) else 0.0)
        return fit, coverage(specific, heading, body) if specific else 0.0

    scored = [(scores(c), c) for c in sections]
    (fit, topic), chunk = max(scored, key=lambda s: (round(sum(s[0]), 6), [-ord(ch) for ch in s[1].id]))
    if fit < _MIN_MATCH and topic < _MIN_MATCH:
        return [], None
    sents = _section_sentences(chunk, hits)
    picked = [i for i, st in enumerate(sents) if (specific and coverage(specific, st) >= _MIN_MATCH)
              or any(t in st for t in terms)][:_PASSAGE_SENTENCES]
    items = [i for i, st in enumerate(sents) if _LIST_ITEM.match(st)]
    if not picked and items and ASKS_LIST.search(q.text):
        # "主要职责有哪些", "负责哪些工作": the list itself, to its last numbered item (an item may run to several
        # sentences: "五是牵头推进本市优化营商环境工作。拟订并组织实施…")
        lengths = list(accumulate(len(st) for st in sents[: items[-1] + 1]))
        shown = range(max(1, bisect_right(lengths, _LISTED_CHARS)))
    else:
        shown = sorted({j for i in picked or range(min(3, len(sents))) for j in _with_list(sents, i)})
    return [sents[j] for j in shown], chunk


def _asks(q: Question) -> list[Question]:
    """The asks of a question that asks several things ("是什么性质的单位？主要职能是什么？", "是谁的下属单位，主要干
    什么？"), each a question of its own words; a question asking one thing is its only ask."""
    parts = [p for p in _ASK_SPLIT.split(q.text) if _ASKING.search(p)]
    if len(parts) < 2:
        return [q]
    names = [q.mention, *q.units]
    return [replace(q, text=p, key=key_words(p, names)) for p in parts]


_ASK_WORDS = r"什么|哪|几|多少|谁|吗|怎么|如何|有没有"
# a question splits before a clause asking of its own ("…的下属单位，主要干什么？"); a part asks when it holds these
_ASK_SPLIT = re.compile(rf"(?<=[？?])|[，,；;](?=[^，,；;？?]*(?:{_ASK_WORDS}))")
_ASKING = re.compile(rf"{_ASK_WORDS}|是否")


def _passages(hits: list[Retrieved], q: Question) -> list[tuple[Chunk, list[str]]]:
    """The passage answering each ask of a text-fact question, first ask first; a sentence quoted for one ask is
    not quoted again for the next."""
    out: list[tuple[Chunk, list[str]]] = []
    seen: set[str] = set()
    for ask in _asks(q):
        said, chunk = _passage(hits, ask)
        said = [st for st in said if st not in seen]
        if chunk is not None and said:
            seen.update(said)
            out.append((chunk, said))
    return out


def _section_run(chunk: Chunk, hits: list[Retrieved]) -> list[Chunk]:
    """A passage and the retrieved passages that continue its section (a list of 主要职责 or of 预算单位, the parts
    of a 三公 total, are often cut between two chunks)."""
    following = next_in_section([chunk, *(h.chunk for h in hits)])  # the retriever's relation, among the hits
    out = [chunk]
    while (nxt := following.get(out[-1].id)) is not None:
        out.append(nxt)
    return out


def _section_sentences(chunk: Chunk, hits: list[Retrieved]) -> list[str]:
    """A passage's sentences, run on into the retrieved passages that continue its section."""
    sents: list[str] = []
    for c in _section_run(chunk, hits):
        sents += [st for st in c.sentences if not sents or st != sents[-1]]  # a sentence cut between two is in both
    return sents


_LIST_OPENER = re.compile(r"[：:]$|分别是|分别为|包括|如下|有：")
# a sentence opening a list: "一是…", "较大的项目变动，一是…", "具体为：1.…" (not a bare "1.…", the next numbered item)
_LIST_GOES_ON = re.compile(r"^[^，,。；;]{0,12}[，,：:]?一是|^[^，,。；;]{2,12}[，,：:](?:1[.、．]|[（(][一1][）)]|①)")
_LIST_ITEM = re.compile(r"^(?:\d+[.、．]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、是]|[①-⑳])")
_LIST_ITEMS = 20  # a list's items quoted at most (主要职责 run to 15–20)
_ITEM_TITLE = 12  # a numbered item's sentence this long at most is its title alone ("八、维护社区平安。")
_ITEM_SENTENCES = 3  # …and the sentences after it quoted as its text, at most


def _with_list(sents: list[str], i: int) -> range:
    """Sentence i, and when it opens a list ("主要职能包括：", "下属单位有15家，分别是："), the numbered items after it,
    or when it is an item's title alone, the item's sentences; then the sentences saying which of what it counts
    ("设有19个内设机构、6个直属单位。" "其中含…特勤局…；" "另…")."""
    end = i + 1
    if _LIST_ITEM.match(sents[i]) and len(sents[i]) <= _ITEM_TITLE:  # "八、维护社区平安。": the item goes on after its title
        while end < len(sents) and end - i <= _ITEM_SENTENCES and not _LIST_ITEM.match(sents[end]):
            end += 1
    elif _LIST_OPENER.search(sents[i]):
        end += 1 if end < len(sents) and not _LIST_ITEM.match(sents[end]) else 0  # "分别是：" then one run-on sentence
        while end < len(sents) and end - i <= _LIST_ITEMS and _LIST_ITEM.match(sents[end]):
            end += 1
    while end < len(sents) and end - i <= _LIST_ITEMS and _SAYS_WHICH.match(sents[end]):
        end += 1
    return range(i, end)


_SAYS_WHICH = re.compile(r"其中|另")


# The parts a total is explained by, part by part, in the 说明 (三公经费 → its three parts), in the forms printed
PARTS = {"“三公”经费": (("因公出国（境）费",), ("公务接待费",),
                      ("公务用车购置及运行费", "公务用车购置和运行维护费", "公务用车购置及运行维护费"))}
# …and the parts of a part, stated one by one where the 说明 states no amount for the part itself ("公务用车运行维护费
# 248.50万元，比2025年减少9.60万元…；公务用车购置费0.00万元，与上年持平。")
SUBPARTS = {"公务用车购置及运行费": (("公务用车购置费", "公务用车购置支出"), ("公务用车运行维护费", "公务用车运行费"))}


@dataclass
class Part:
    """One part of a total as the 说明 states it: "公务接待费2.00万元，与上年相比预算数减少8.00万元，主要原因是：…"."""

    name: str
    raw: str  # the part's amount as printed
    unit: str
    change: str | None  # the stated change as printed, None when unchanged
    up: bool | None  # direction of the change; None when unchanged
    reason: str  # the document's reason clause, or ""

    def describe(self) -> str:
        moved = "与上年持平" if self.change is None else f"{'增加' if self.up else '减少'}{self.change}{self.unit}"
        return f"{self.name}{self.raw}{self.unit}，{moved}" + (f"（{self.reason}）" if self.reason else "")

    def to_dict(self) -> dict:
        return {"part": self.name, "raw": self.raw, "unit": self.unit, "change": self.change,
                "direction": None if self.up is None else ("增加" if self.up else "减少"), "reason": self.reason}


def _breakdown(chunks: list[Chunk], q: Question) -> list[Part]:
    """The parts of the total asked about, each with its amount, stated change and reason, from the statements of
    the passages given: a part is named by its figure's words or by the numbered line heading them ("1.因公出国（境）
    费用。" then "2026年预算数123.60万元，较2025年年初预算减少56.71万元，主要是出访计划和人数减少。")."""
    parts = next((ps for total, ps in PARTS.items() if total in q.items), None)
    if not parts:
        return []
    statements = [st for c in chunks for st in c.statements]

    def stated(forms: tuple[str, ...], whole: tuple[str, ...] = ()) -> Part | None:
        return next(filter(None, (_part(st, nxt, forms, whole) for st, nxt in zip(statements, [*statements[1:], None]))), None)

    out = []
    for forms in parts:
        part = stated(forms)
        # …and where the part's own statement gives no reason, its parts' with theirs ("其中，公务用车购置支出…比上年预算数
        # 增加37.97万元，…主要原因是计划购车数较上年增加；公务用车运行维护费支出…减少26.00万元")
        subparts = [] if part and part.reason else [p for sub in SUBPARTS.get(forms[0], ()) if (p := stated(sub, forms))]
        out += ([part] if part else []) + subparts
    return out if len(out) >= 2 else []


_USE = re.compile(r"^是?用于")  # "主要是用于接待来深考察…": what the money is for, not why it changed


def _part(st: Statement, following: Statement | None, forms: tuple[str, ...], whole: tuple[str, ...] = ()) -> Part | None:
    """The part a statement states the amount and change of, if it is one of these printed forms (and not of the
    whole it is a part of: 公务用车运行维护费 is printed inside 公务用车购置及运行维护费); its reason is the statement's
    own, or the next one's where this one says only what the money is for ("…减少1.98万元，主要是用于接待来深考察…。
    减少的主要原因是落实习惯过紧日子相关要求，以及预计来深人员减少。")."""
    fig = next((f for f in st.figures if f.unit in _MONEY_UNITS and not CHANGED_BY.search(f.short)
                and any(_prints(name, f.label) for name in forms) and not any(_prints(w, f.label) for w in whole)), None)
    change = fig and next((c for c in stated_changes(st.text, unchanged=True) if c.current == fig.raw), None)
    if change is None:
        return None
    reason = REASON.split(st.text[st.text.find(change.text) + len(change.text):], maxsplit=1)[1:]
    if (not reason or _USE.match(reason[0])) and following and not following.figures and REASON.search(following.text):
        reason = REASON.split(following.text, maxsplit=1)[1:]
    reason = [r for r in reason if not _USE.match(r)]
    # the reason ends where the next figure's clause begins ("…购置公务用车一辆，公务用车运行维护费56.00万元…")
    kept = re.split(r"(?<=[，,])", reason[0]) if reason else []
    cut = next((i for i, seg in enumerate(kept) if i and AMOUNT.search(seg)), len(kept))
    moved = bool(parse_decimal(change.change))
    return Part(forms[0], fig.raw, fig.unit, change.change if moved else None, change.up if moved else None,
                "".join(kept[:cut]).strip("，,：:；;。 "))


def _contradiction(quotes: list[str], parts: list[Part]) -> str:
    """The total rose (fell) while the reason the document gives names only a part that fell (rose): say so, once,
    and name the parts that moved the total's way."""
    total = next((c for qt in quotes for c in stated_changes(qt)), None)
    said = direction("".join(re.split(r"(?:主要)?原因(?:是|为)?[：:]?", "".join(quotes), maxsplit=1)[1:]))
    if total is None or said is None or said == ("up" if total.up else "down"):
        return ""
    moved = [p for p in parts if p.up is total.up]
    which = "；".join(p.describe() for p in moved) or "无"
    return (f"注意：原文说总额{'增加' if total.up else '减少'}{total.change}{total.unit}，所述原因却是"
            f"{'增加' if said == 'up' else '减少'}的项目；实际{'增加' if total.up else '减少'}的是：{which}。")


def _sentence_of(chunk: Chunk, segment: str, hits: list[Retrieved]) -> tuple[list[str], Chunk | None]:
    """The whole sentence a counted number stands in, and the list it opens ("下属单位有15家，分别是：…")."""
    sents = _section_sentences(chunk, hits)
    at = next((i for i, st in enumerate(sents) if segment in st), None)
    if at is None:
        return [], None
    return [sents[j] for j in _with_list(sents, at)], chunk


def _definition(hits: list[Retrieved], q: Question) -> tuple[list[str], Chunk | None]:
    """The 名词解释-style sentence defining the term asked about ("机关运行经费：指…")."""
    terms = [_norm(t) for t in (q.items or [q.key]) if _norm(t)]
    for hit in hits:
        c = hit.chunk
        if c.type != "section":
            continue
        segs = c.clauses
        heading = c.own_heading
        if heading.endswith(("：", ":")) and any(t in _norm(heading) for t in terms) and segs:
            return [heading + segs[0]], c  # "六、财政专户管理资金：" printed as its own line
        for i, seg in enumerate(segs):
            head = _norm(LABEL_PREFIX.sub("", re.split(r"[：:]|是指", seg)[0]))
            # the term is what the words before the colon name ("（六）项目支出预算：是…"), not a sentence holding it
            # ("本单位重点项目绩效目标情况如下：")
            if any(head.startswith(t) or head.endswith(t) for t in terms) and re.search(r"[：:]|是指|指", seg) \
                    and len(head) <= 30:
                return (segs[i : i + 2] if seg.endswith(("：", ":")) else [seg]), c
    return [], None


def _describe(f: Figure) -> str:
    where = f"《{f.table}》" if f.table else "说明部分"
    source = f"（{f.unit_name or ''}{f.year or ''}年，{where}，第{f.page}页）"
    if not f.table or f.column is None:  # a prose number reads on from its own words: "比上年减少674.36万元"
        return f"{f.label}{f.raw}{f.unit or ''}{source}"
    column = "/".join(p for p in f.column.split("/") if p != f.label)
    return f"{f.label}{f'（{column}）' if column else ''}为{f.raw}{f.unit or ''}{source}"


def _convert(figs: list[Figure], q: Question) -> list[Figure]:
    """On request only: 万元 → 元 ("折合多少元")."""
    if not re.search(r"(多少|折合|换算成?|合)\s*元|单位.?元", q.text) or not figs or figs[0].unit != "万元":
        return []
    f = figs[0]
    v = f.value * 10000
    return [Figure(f"{f.label}（换算）", v, f"{v:f}".rstrip("0").rstrip(".") if "." in f"{v:f}" else f"{v:f}", "元",
                   f.table, f.page, f.doc, f.doc_id, f.unit_name, f.year, f.column, f.context, f.bbox, member=f.member)]


def compose(q: Question, hits: list[Retrieved], k: int = 5) -> Answer:
    """Pick the figures and quotes for a question from its retrieved chunks."""
    if q.not_found:
        return Answer(q.text, False, f"未找到：{q.not_found.rstrip('。？')}{'？' if q.not_found.endswith('？') else '。'}",
                      intent=q.intent, candidates=q.candidates)
    if not hits:
        return Answer(q.text, False, "未找到：所选范围（单位、年度、预算/决算）内没有已收录的文件。", intent=q.intent)
    cands = candidates(hits)
    if q.member:  # a unit without documents of its own: only what its department's documents print of it
        cands = [c for c in cands if _prints(q.member, f"{c.near} {c.subject} {c.where} {c.figure.context}")]
    for c in cands:
        c.score = score(c, q)
    cands.sort(key=lambda c: -c.score)
    cands = _extreme_first(cands, q)
    seen: set[tuple] = set()
    figures: list[Figure] = []
    for c in cands:
        key = (c.figure.doc_id, c.figure.label, c.figure.raw, c.figure.column, c.figure.page)
        if key not in seen:
            seen.add(key)
            figures.append(c.figure)
    best_rel = cands[0].match if cands else 0.0

    quotes: list[str] = []
    quote_chunk: Chunk | None = None
    further: list[tuple[Chunk, list[str]]] = []  # the passages of a text fact's further asks
    if q.intent == "reason":
        quotes, quote_chunk = _reason_after(hits, cands)
        if not quotes:
            quotes, quote_chunk = _quote(hits, q, REASON_WORD)
        if not quotes:
            quotes, quote_chunk = _change_stated(hits, cands)
    elif q.intent == "definition":
        quotes, quote_chunk = _definition(hits, q)
    elif q.intent == Intent.LIST:
        quotes, quote_chunk = _definition(hits, q)
        if not quotes:
            quotes, quote_chunk = _quote(hits, q, re.compile(r"包括|用于|主要|其中"), listing=True)
        if not quotes:
            quotes, quote_chunk = _passage(hits, q)
        if (asked := _asked_items(q)) and not _prints_asked("".join(quotes), asked) \
                or q.listed and not _prints_listed("".join(quotes), q.listed):
            quotes, quote_chunk = [], None  # "政府购买服务项目有哪些": a passage on 政府采购 lists none of them
    elif q.intent == Intent.TEXT_FACT:
        (quote_chunk, quotes), *further = _passages(hits, q) or [(None, [])]
    elif q.intent == Intent.CHANGE and not any(_change_named(c) for c in cands[:1]):
        quotes, quote_chunk = _quote(hits, q, UNCHANGED)  # no change stated: the words saying it did not change

    if q.member and quotes and not _prints(q.member, "".join(quotes)):
        quotes, quote_chunk = [], None  # the department's words, not the member's
    answered = bool(cands) and (best_rel >= _MIN_MATCH or _prints_item(cands[0], q) or _counted_as_asked(cands[0], q))
    if q.codes and cands:  # a 科目编码 names its row, whatever the question calls it; no other 科目's row stands in
        answered = _names_code(cands[0], q)
    if answered and _item_unprinted(cands, q):
        answered = False  # 机关运行经费 asked of a file that prints none: no 办公费 row stands in for it
    if answered and q.intent in (Intent.FIGURE, Intent.LIST) and (asked := _asked_items(q)) \
            and not _names_asked_item(cands[0], asked):
        answered = False  # 退休费 asked, 离休费 the nearest row: another row's figure never stands in for the item
    if answered and q.intent == Intent.LIST and q.listed and not _prints_listed(_words_of(cands[0]), q.listed):
        answered = False  # "有哪些绩效指标": a figure whose words name no 指标 lists none
    if answered and q.measure and (cands[0].figure.unit in _MONEY_UNITS or cands[0].figure.unit == "%"
                                   or q.measure in _PEOPLE_UNITS and cands[0].figure.unit not in _PEOPLE_UNITS):
        answered = False  # "床位数是多少张": the best figure is money, so no figure counts what was asked
    if answered and q.asks_money and q.intent == Intent.FIGURE and cands[0].figure.unit in COUNT_UNITS:
        answered = False  # "失业保险基金支出是多少": a count (共7个部门) is no amount of money
    found = bool(quotes) or (bool(figures) and answered and q.intent != "definition")
    if not found and q.member:
        return Answer(q.text, False, f"未找到：“{q.member}”没有单独的公开文件；它所属的{_scope_words(hits)}中也没有列明它的"
                      f"{'、'.join(q.items) or '所问内容'}。", sources=_sources(hits, k, None), intent=q.intent)
    if not found:
        named = [*(f"科目编码{c}" for c in q.codes), *q.items, *filter(None, [q.listed])]
        items = "、".join(dict.fromkeys(named)) or "所问内容"
        held = list(dict.fromkeys(h.chunk.table or h.chunk.own_heading for h in hits[:10]))
        there = f"检索到的相关表格和章节有：{'、'.join(filter(None, held[:5]))}。" if any(held) else ""
        return Answer(
            q.text, False, f"未找到：在{_scope_words(hits)}中没有找到关于{items}的明确数据或说明。{there}",
            sources=_sources(hits, k, None), intent=q.intent,
        )
    figures = figures[:10]
    if q.intent in ("reason", "definition", "list") and quotes and quote_chunk is not None:
        # Figures stated in the quoted explanation come first: they are what the reason explains.
        quoted = [f for f in figures if any(f.context in qt for qt in quotes)]
        figures = quoted + [f for f in figures if f not in quoted]
    if not quotes and cands and not cands[0].is_cell and (q.intent == Intent.COUNT or cands[0].figure.unit in COUNT_UNITS):
        # a count read in prose ("有多少内设处室" → "委本级内设处室27个，包括：…"): its sentence and the list it opens;
        # each further count asked, its own ("编制多少名？实际在编多少人？" → "编制339名…", "实际在编在职人员274名…")
        quotes, quote_chunk = _sentence_of(hits[cands[0].rank].chunk, cands[0].figure.context, hits)
        counts = [c for c in cands if not c.is_cell and c.figure.unit in COUNT_UNITS]
        for ask in _asks(q) if quote_chunk is not None else []:
            if counts and (best := max(counts, key=lambda c: score(c, ask))).figure.context not in "".join(quotes):
                said, chunk = _sentence_of(hits[best.rank].chunk, best.figure.context, hits)
                if chunk is quote_chunk:  # in the order the passage prints them
                    quotes = sorted(quotes + [st for st in said if st not in quotes],
                                    key=lambda st: chunk.text.find(st) % (len(chunk.text) + 1))
                elif chunk is not None:
                    further.append((chunk, said))
    figures = _convert(figures, q) + figures
    lead = figures[0] if figures else None
    parts = [f"（“{q.member}”没有单独的公开文件；以下出自它所属单位文件中列明它的内容。）"] if q.member else []
    if quotes and quote_chunk is not None:
        where = quote_chunk.section or quote_chunk.table or ""
        parts.append(
            f"{quote_chunk.unit or ''}{quote_chunk.year or ''}年{quote_chunk.kind or ''}文件（{where}，第{quote_chunk.page}页）写道："
            + "".join(f"“{s}”" for s in quotes)
        )
        for chunk, said in further:
            parts.append(f"（{chunk.section or chunk.table or ''}，第{chunk.page}页）：" + "".join(f"“{s}”" for s in said))
            quotes = quotes + said
    breakdown = []
    if q.intent == Intent.REASON:  # from the quoted passage, else the one stating the total's change (其中：…)
        stating = _lead_changes(hits, cands)
        breakdown = next((b for ch in (quote_chunk, stating[0][0] if stating else None) if ch is not None
                          for b in [_breakdown(_section_run(ch, hits), q)] if b), [])
    if breakdown:
        parts.append("分项：" + "；".join(p.describe() for p in breakdown) + "。")
        if flag := _contradiction(quotes, breakdown):
            parts.append(flag)
    elif lead and q.intent not in (Intent.DEFINITION, Intent.TEXT_FACT):
        parts.append(_describe(lead) + "。")
        others = [f for f in figures[1:4] if f.doc_id == lead.doc_id and f.label == lead.label and f.column != lead.column]
        if others:
            parts.append("同一行其他栏：" + "；".join(f"{f.column or f.label} {f.raw}{f.unit or ''}" for f in others) + "。")
        if not q.units:  # no unit named in a multi-unit index: say that other units report the item too
            elsewhere = {}
            for c in cands[:30]:
                f = c.figure
                if f.unit_name != lead.unit_name and c.match >= _MIN_MATCH and f.unit_name not in elsewhere:
                    elsewhere[f.unit_name] = f
            if elsewhere:
                parts.append("索引中其他单位：" + "；".join(_describe(f) for f in list(elsewhere.values())[:3])
                             + "。如需特定单位，请在问题中写明单位名称。")
    first_chunk_id = None
    if quote_chunk is not None:
        first_chunk_id = quote_chunk.id
    elif lead:
        first_chunk_id = next((h.chunk.id for h in hits if h.chunk.doc_id == lead.doc_id and h.chunk.page == lead.page
                               and lead.context in h.chunk.text), None)
    sources = _sources(_by_evidence(hits, cands), k, first_chunk_id, _printing_lead(hits, lead))
    return Answer(q.text, True, "".join(parts) + _ocr_note(sources), figures=figures if q.intent not in (Intent.DEFINITION, Intent.TEXT_FACT) else [],
                  sources=sources, intent=q.intent, quotes=quotes, breakdown=[p.to_dict() for p in breakdown])


def _scope_words(hits: list[Retrieved]) -> str:
    units = sorted({f"{h.chunk.unit or h.chunk.file}{h.chunk.year or ''}年{h.chunk.kind or ''}" for h in hits[:5]})
    return "、".join(units[:3]) or "已收录的文件"


def _by_evidence(hits: list[Retrieved], cands: list[_Candidate]) -> list[Retrieved]:
    """Passages holding the best-scored figures (the figure scoring reads a passage more closely than
    retrieval does) taken in turn with the passages retrieval ranks first (prose that explains but holds
    no figure asked about)."""
    best: dict[int, float] = {}
    for c in cands:
        best[c.rank] = max(best.get(c.rank, c.score), c.score)
    by_figures = sorted(best, key=lambda i: -best[i])
    order = [i for pair in zip_longest(by_figures, range(len(hits))) for i in pair if i is not None]
    return [hits[i] for i in dict.fromkeys(order)]


def _printing_lead(hits: list[Retrieved], lead: Figure | None) -> set[str]:
    """The passages of the lead figure's document that print its amount too: the same figure in the 说明 and in a
    table, cited together (an amount of money: a count or a zero stands in many rows)."""
    if lead is None or lead.unit not in _MONEY_UNITS or not lead.value:
        return set()
    return {h.chunk.id for h in hits if h.chunk.doc_id == lead.doc_id and (
        any(c.value == lead.value for c in h.chunk.cells)
        or any(parse_decimal(f.raw) == lead.value for st in h.chunk.statements for f in st.figures))}


def _sources(hits: list[Retrieved], k: int, first_chunk_id: str | None, printing: set[str] = frozenset()) -> list[Source]:
    """At most k passages, one per page (a second passage from a page already cited adds little): the answer's own
    first, then those printing its figure too, then the others."""
    ordered = sorted(hits, key=lambda h: (h.chunk.id != first_chunk_id, h.chunk.id not in printing))
    pages: set[tuple[str, int]] = set()
    out: list[Source] = []
    for h in ordered:
        if (h.chunk.doc_id, h.chunk.page) in pages:
            continue
        pages.add((h.chunk.doc_id, h.chunk.page))
        out.append(_source(h.chunk, h.score))
        if len(out) == k:
            break
    return out


def _source(c: Chunk, score: float) -> Source:
    return Source(c.file, c.unit, c.year, c.page, c.section, c.table, c.text, score, c.doc_id, c.type, c.ocr_confidence,
                  c.bbox)


_CITED_PRINTING = 2  # passages printing the answer's amount cited besides those retrieved, at most
_PRINTED_DIGITS = 4  # …for an amount of this many digits at least: "5.00" or "12" stands in many rows


def cite_printing(ans: Answer, printing: list[Chunk], k: int = 5) -> None:
    """Cite, after the answer's own passage and those printing its amount, the other pages of its document that print
    it (a 说明 figure's table row; a 上年 figure reckoned from a stated change, printed in the 三公 table's 2025年 row),
    which retrieval did not bring: the reader checks the figure where the document prints it."""
    lead = ans.figures[0] if ans.found and ans.figures else None
    if lead is None or lead.unit not in _MONEY_UNITS or len(re.sub(r"\D", "", lead.raw)) < _PRINTED_DIGITS:
        return
    cited = {(s.doc_id, s.page) for s in ans.sources}
    more: list[Source] = []
    for c in printing:
        if (c.doc_id, c.page) not in cited and len(more) < _CITED_PRINTING:
            cited.add((c.doc_id, c.page))
            more.append(_source(c, 0.0))
    if not more:
        return
    at = 1 + sum(1 for _ in takewhile(lambda s: lead.raw in s.text, ans.sources[1:]))
    ans.sources = [*ans.sources[:at], *more, *ans.sources[at:]][:k]


def _ocr_note(sources: list[Source]) -> str:
    """Said when the passage an answer rests on was read by OCR: its digits deserve a look at the page."""
    lead = sources[0] if sources else None
    if lead is None or lead.ocr_confidence is None:
        return ""
    return f"（注意：第{lead.page}页是扫描图像，文字由 OCR 识别，置信度{lead.ocr_confidence:.2f}，请以原件为准。）"
