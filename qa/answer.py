"""Answers from retrieved chunks: exact figures from table cells and prose, quoted reasons, cited sources.

No text is generated freely: every number is a parsed cell or a number printed in a sentence, and
every answer sentence is a template filled with those and the document's own words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .model import Chunk
from .numbers import parse_decimal
from .question import Question
from .retrieve import Retrieved

_PROSE_NUMBER = re.compile(
    r"(?P<num>[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-+]?\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|千元|元|%|％|个|辆|人|台（套）|台|套|项|平方米|家|次|名)"
)
_SEGMENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_CHANGE_WORD = re.compile(r"增加|减少|增长|下降|上升|降低|持平|增|减|少|多")
_REASON_WORD = re.compile(r"原因|由于|因为|主要是|主要用于|系|导致")
_COUNT_UNITS = {"个", "辆", "人", "台", "台（套）", "套", "项", "平方米", "家", "次", "名"}
_MONEY_UNITS = {"万元", "亿元", "千元", "元"}
_TOTAL_LABEL = re.compile(r"^(合计|总计|小计|部门合计|单位合计|本年.*合计)$")
_NOISE = re.compile(r"[“”\"'‘’\s①②③④⑤⑥⑦⑧⑨⑩]|^\d{3,9}")


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

    def to_dict(self) -> dict:
        return {
            "label": self.label, "value": float(self.value), "unit": self.unit or "", "table": self.table,
            "page": self.page, "doc": self.doc, "raw": self.raw, "column": self.column,
            "unit_name": self.unit_name, "year": self.year,
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

    def to_dict(self) -> dict:
        return {
            "doc": self.doc, "unit": self.unit or "", "year": self.year, "page": self.page, "section": self.section,
            "table": self.table, "text": self.text, "score": round(self.score, 6), "doc_id": self.doc_id, "type": self.type,
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

    def to_dict(self) -> dict:
        return {
            "question": self.question, "found": self.found, "answer": self.answer,
            "figures": [f.to_dict() for f in self.figures], "sources": [s.to_dict() for s in self.sources],
            "elapsed_ms": round(self.elapsed_ms, 1), "intent": self.intent, "quotes": self.quotes,
        }


@dataclass
class _Candidate:
    figure: Figure
    near: str  # words right before the number (or the row label)
    subject: str  # the whole clause up to the number (or table title + label)
    rank: int
    first_cell: bool = False
    is_cell: bool = False
    score: float = 0.0


def _norm(s: str) -> str:
    return _NOISE.sub("", s or "").replace("（", "(").replace("）", ")")


def _bigrams(s: str) -> set[str]:
    s = _norm(s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def item_match(items: list[str], text: str) -> float:
    """1 for an exact printed item, less for containment, a bigram overlap otherwise."""
    t = _norm(text)
    best = 0.0
    for item in items:
        i = _norm(item)
        if not i or not t:
            continue
        if t == i:
            return 1.0
        if i in t:
            best = max(best, 0.85 - min(0.25, (len(t) - len(i)) * 0.01))
        elif t in i and len(t) >= 2:
            best = max(best, 0.5)
        else:
            a, b = _bigrams(i), _bigrams(t)
            if a:
                best = max(best, 0.5 * len(a & b) / len(a))
    return best


def segments(text: str) -> list[str]:
    return [m.group(0).strip() for m in _SEGMENT.finditer(text) if m.group(0).strip()]


def _figure(chunk: Chunk, label: str, raw: str, unit: str | None, column: str | None, context: str) -> Figure | None:
    value = parse_decimal(raw)
    if value is None:
        return None
    return Figure(
        label=label, value=value, raw=raw, unit=unit, table=chunk.table, page=chunk.page, doc=chunk.file,
        doc_id=chunk.doc_id, unit_name=chunk.unit, year=chunk.year, column=column, context=context,
    )


def candidates(hits: list[Retrieved]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for rank, hit in enumerate(hits):
        c = hit.chunk
        if c.type == "row":
            label = c.row_label or ""
            subject = label
            if _TOTAL_LABEL.match(label.strip()) or label == c.unit:
                subject = f"{c.table or ''} {label}"  # a 合计 row is the table's own total
            for i, cell in enumerate(c.cells):
                unit = "%" if cell.raw.endswith("%") else c.table_unit
                f = _figure(c, label, cell.raw.rstrip("%"), unit, cell.header, c.text.split("\n", 1)[-1])
                if f:
                    out.append(_Candidate(f, label, subject, rank, first_cell=i == 0, is_cell=True))
            continue
        body = c.text.split("\n", 1)[-1]
        for seg in segments(body):
            last = 0
            for m in _PROSE_NUMBER.finditer(seg):
                near = re.sub(r"^[，,：:、（(\s其中]+", "", seg[last : m.start()])
                unit = "%" if m.group("unit") in ("%", "％") else m.group("unit")
                f = _figure(c, near.strip("，,：: ") or seg[: m.start()][-12:], m.group("num"), unit, None, seg)
                if f:
                    out.append(_Candidate(f, near, seg[: m.start()], rank))
                last = m.end()
    return out


def score(cand: _Candidate, q: Question) -> float:
    f = cand.figure
    s = 2.0 / (1 + cand.rank)
    if q.items:
        s += 3.0 * max(item_match(q.items, cand.near), 0.7 * item_match(q.items, cand.subject))
    else:
        a = _bigrams(re.sub(r"20\d\d年?|是多少|多少|是什么|哪些", "", q.text))
        s += 2.0 * (len(a & _bigrams(cand.subject)) / len(a) if a else 0.0)
    if q.columns:
        s += 1.0 if f.column and any(col in f.column for col in q.columns) else 0.0
    elif cand.first_cell:
        s += 0.5
    change_near = bool(_CHANGE_WORD.search(cand.near)) and not cand.is_cell
    if q.intent in ("change", "reason"):
        s += 2.0 if change_near else -0.5
    elif q.intent == "share":
        s += 2.0 if f.unit == "%" else -1.0
    elif q.intent == "count":
        s += 2.0 if f.unit in _COUNT_UNITS else -1.0
    else:
        s += (0.5 if f.unit in _MONEY_UNITS or f.unit is None else -1.0) + (0.3 if cand.is_cell else 0.0)
        s -= 0.8 if change_near else 0.0
    return s


def relevance(cand: _Candidate, q: Question) -> float:
    if q.items:
        return max(item_match(q.items, cand.near), item_match(q.items, cand.subject))
    a = _bigrams(re.sub(r"20\d\d年?|是多少|多少|是什么|哪些|为什么|为何", "", q.text))
    return len(a & _bigrams(cand.subject)) / len(a) if a else 0.0


def _quote(hits: list[Retrieved], q: Question, pattern: re.Pattern) -> tuple[list[str], Chunk | None]:
    """The document's own sentences that explain (pattern) the item asked about, from the best section chunk."""
    for hit in hits:
        c = hit.chunk
        if c.type != "section":
            continue
        body = c.text.split("\n", 1)[-1]
        segs = segments(body)
        picked = [s for s in segs if pattern.search(s) and (not q.items or item_match(q.items, s) >= 0.5)]
        if picked:
            return picked[:3], c
    return [], None


def _definition(hits: list[Retrieved], q: Question) -> tuple[list[str], Chunk | None]:
    terms = q.items or [re.sub(r"什么是|是什么意思|是什么|指什么|的含义|含义|定义|何谓|是指|什么叫|解释一下|[？?。]", "", q.text)]
    for hit in hits:
        c = hit.chunk
        if c.type != "section":
            continue
        for seg in segments(c.text.split("\n", 1)[-1]):
            head = _norm(seg.split("：")[0].split(":")[0])
            if any(_norm(t) and _norm(t) in head for t in terms) and re.search(r"[：:]|是指|指", seg):
                return [seg], c
    return [], None


def _describe(f: Figure) -> str:
    col = f"（{f.column}）" if f.column else ""
    where = f"《{f.table}》" if f.table else "说明部分"
    return f"{f.label}{col}为{f.raw}{f.unit or ''}（{f.unit_name or ''}{f.year or ''}年，{where}，第{f.page}页）"


def _convert(figs: list[Figure], q: Question) -> list[Figure]:
    """On request only: 万元 → 元 ("折合多少元")."""
    if not re.search(r"(多少|折合|换算成?|合)\s*元|单位.?元", q.text) or not figs or figs[0].unit != "万元":
        return []
    f = figs[0]
    v = f.value * 10000
    return [Figure(f"{f.label}（换算）", v, f"{v:f}".rstrip("0").rstrip(".") if "." in f"{v:f}" else f"{v:f}", "元",
                   f.table, f.page, f.doc, f.doc_id, f.unit_name, f.year, f.column, f.context)]


def compose(q: Question, hits: list[Retrieved], k: int = 5) -> Answer:
    """Pick the figures and quotes for a question from its retrieved chunks."""
    if q.not_found:
        return Answer(q.text, False, f"未找到：{q.not_found}。", intent=q.intent)
    if not hits:
        return Answer(q.text, False, "未找到：索引中没有可检索的文件，请先导入预决算公开文件。", intent=q.intent)
    cands = candidates(hits)
    for c in cands:
        c.score = score(c, q)
    cands.sort(key=lambda c: -c.score)
    seen: set[tuple] = set()
    figures: list[Figure] = []
    for c in cands:
        key = (c.figure.doc_id, c.figure.label, c.figure.raw, c.figure.column, c.figure.page)
        if key not in seen:
            seen.add(key)
            figures.append(c.figure)
    best_rel = relevance(cands[0], q) if cands else 0.0

    quotes: list[str] = []
    quote_chunk: Chunk | None = None
    if q.intent == "reason":
        quotes, quote_chunk = _quote(hits, q, _REASON_WORD)
    elif q.intent == "definition":
        quotes, quote_chunk = _definition(hits, q)
    elif q.intent == "list":
        quotes, quote_chunk = _quote(hits, q, re.compile(r"包括|用于|主要|其中"))

    found = bool(quotes) or (bool(figures) and best_rel >= 0.5 and q.intent not in ("definition",))
    if not found:
        items = "、".join(q.items) or "所问内容"
        return Answer(
            q.text, False, f"未找到：在{_scope_words(hits)}中没有找到关于{items}的明确数据或说明。",
            sources=_sources(hits, k, None), intent=q.intent,
        )
    figures = figures[:10]
    if q.intent in ("reason", "definition", "list") and quotes and quote_chunk is not None:
        # Figures stated in the quoted explanation come first: they are what the reason explains.
        quoted = [f for f in figures if f.context in quotes or any(f.context in qt for qt in quotes)]
        figures = quoted + [f for f in figures if f not in quoted]
    figures = _convert(figures, q) + figures
    lead = figures[0] if figures else None
    parts: list[str] = []
    if quotes and quote_chunk is not None:
        where = quote_chunk.section or quote_chunk.table or ""
        parts.append(
            f"{quote_chunk.unit or ''}{quote_chunk.year or ''}年{quote_chunk.kind or ''}文件（{where}，第{quote_chunk.page}页）写道："
            + "".join(f"“{s}”" for s in quotes)
        )
    if lead and q.intent not in ("definition",):
        parts.append(_describe(lead) + "。")
        others = [f for f in figures[1:4] if f.doc_id == lead.doc_id and f.label == lead.label and f.column != lead.column]
        if others:
            parts.append("同一行其他栏：" + "；".join(f"{f.column or f.label} {f.raw}{f.unit or ''}" for f in others) + "。")
    first_chunk_id = None
    if quote_chunk is not None:
        first_chunk_id = quote_chunk.id
    elif lead:
        first_chunk_id = next((h.chunk.id for h in hits if h.chunk.doc_id == lead.doc_id and h.chunk.page == lead.page
                               and lead.context in h.chunk.text), None)
    return Answer(q.text, True, "".join(parts), figures=figures if q.intent != "definition" else [],
                  sources=_sources(hits, k, first_chunk_id), intent=q.intent, quotes=quotes)


def _scope_words(hits: list[Retrieved]) -> str:
    units = sorted({f"{h.chunk.unit or h.chunk.file}{h.chunk.year or ''}年{h.chunk.kind or ''}" for h in hits[:5]})
    return "、".join(units[:3]) or "已收录的文件"


def _sources(hits: list[Retrieved], k: int, first_chunk_id: str | None) -> list[Source]:
    ordered = sorted(hits, key=lambda h: h.chunk.id != first_chunk_id) if first_chunk_id else hits
    return [
        Source(h.chunk.file, h.chunk.unit, h.chunk.year, h.chunk.page, h.chunk.section, h.chunk.table, h.chunk.text,
               h.score, h.chunk.doc_id, h.chunk.type)
        for h in ordered[:k]
    ]
