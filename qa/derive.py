"""Comparisons and derived figures: two documents side by side, sums, shares, differences, last year's value.

Every input is an ordinary answer (a parsed cell or a printed number, with its source); the arithmetic is
exact (decimal.Decimal) and shown as a formula. When an input cannot be found, the question is refused,
never guessed.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .answer import Answer, Figure
from .prose import UNCHANGED, dec, stated_changes
from .lexicon import ITEMS
from .period import Period
from .question import DocInfo, Question

AskOne = Callable[..., Answer]  # ask_one(text, unit=None, year=None) → the ordinary answer for one input

_SUM = re.compile(r"合计|一共|总共|共计|加起来|之和|总和|相加")
_SHARE = re.compile(r"(?P<a>.+?)占(?P<b>.+?)的?(?:比例|比重|百分比|占比|多少|几成|%|％)")
# "减少多少" asks for a stated change, not for a comparison: (?<!减) keeps it out
_DIFF = re.compile(r"哪个多|哪个少|哪个高|哪个低|谁多|谁少|相差|差多少|差距|差额|多多少|(?<!减)少多少|对比|比较")
_JOIN = re.compile(r"[和与及、跟同]|以及|加上|对比|比较|相比")
_FILLER = re.compile(r"合计|一共|总共|共计|加起来|之和|总和|相加|哪个多|哪个少|哪个高|哪个低|谁多|谁少|相差|差多少|差距|差额|"
                     r"对比|比较|情况|分别|多多少|少多少|是多少|多少|的|[？?。，,\s]")
_PER_WAN = {"万元": Decimal(10000), "元": Decimal(1)}


@dataclass
class Plan:
    op: str  # compare | sum | share | difference | previous
    items: list[str]  # what each input asks about
    scopes: list[tuple[str | None, int | None]]  # (unit, year) per input; None = the question's own scope


def _items(text: str) -> list[str]:
    """The budget items a question names, in the order it names them ("办公费和印刷费" → [办公费, 印刷费])."""
    text = text.replace("三公经费", "“三公”经费").replace('"三公"', "“三公”")
    spans: list[tuple[int, str]] = []
    for item in ITEMS:  # longest first: 公务用车购置费 before 公务用车
        i = text.find(item)
        if i >= 0 and not any(s <= i < s + len(t) for s, t in spans):
            spans.append((i, item))
    return [t for _, t in sorted(spans)]


def _free_items(key: str) -> list[str]:
    """Items not in the lexicon: the key words split at 和/与/、 ("奖励金和生活补助合计" → [奖励金, 生活补助])."""
    protected = {f"\0{i}\0": item for i, item in enumerate(t for t in ITEMS if _JOIN.search(t))}
    for mark, item in protected.items():
        key = key.replace(item, mark)
    parts = [_FILLER.sub("", p) for p in _JOIN.split(key)]
    out = []
    for p in parts:
        for mark, item in protected.items():
            p = p.replace(mark, item)
        if len(p) >= 2:
            out.append(p)
    return out


def _joined(text: str, items: list[str]) -> list[str]:
    """The items the question joins with 和/与/、…: summands. Others qualify them ("财政拨款收支总表中本年支出合计")."""
    spans = sorted((text.find(i), i) for i in items)
    run = spans[:1]
    for (a, left), (b, right) in zip(spans, spans[1:]):
        gap = text[a + len(left) : b].strip(" 的")
        if _JOIN.fullmatch(gap) or gap in ("比", "较"):  # "办公费比差旅费多多少"
            run.append((b, right))
        elif len(run) < 2:
            run = [(b, right)]
    return [i for _, i in run] if len(run) >= 2 else []


def plan(q: Question, docs: list[DocInfo]) -> Plan | None:
    """What to compute for a question, or None for an ordinary lookup."""
    text = q.text
    units = list(dict.fromkeys(r.units[0] for r in q.resolutions if r.units))
    item_text = text
    for name in [*(r.mention for r in q.resolutions), *units]:
        item_text = item_text.replace(name or "\0", " ")
    item_text = re.sub(r"(?<!\d)20\d\d(?!\d)\s*年?度?", " ", item_text)
    items = _items(item_text) or _free_items(item_text)
    if (q.intent == "compare" or _DIFF.search(text)) and items:
        if len(units) >= 2:
            year = max(q.years) if q.years else None
            return Plan("compare", [items[0]] * 2, [(u, year) for u in units[:2]])
        if len(q.years) >= 2:
            unit = units[0] if units else (q.units[0] if q.units else None)
            years = sorted(q.years, reverse=True)[:2]
            # "比2025年减少多少" with only the 2026 document indexed: the document states the change itself
            if all(any(d.unit == unit and d.year == y for d in docs) for y in years):
                return Plan("compare", [items[0]] * 2, [(unit, y) for y in years])
            return None
        if len(joined := _joined(item_text, items)) >= 2:
            return Plan("difference", joined[:2], [(None, None)] * 2)
        return None
    share = _SHARE.search(item_text)
    if share and q.intent in ("share", "figure"):
        a, b = _items(share.group("a")) or _free_items(share.group("a")), _items(share.group("b")) or _free_items(share.group("b"))
        if a and b:
            return Plan("share", [a[0], b[0]], [(None, None)] * 2)
    if _SUM.search(text) and len(joined := _joined(item_text, items)) >= 2:
        return Plan("sum", joined, [(None, None)] * len(joined))
    # "那上年呢？" names no item: the one asked before (analyze carried it over); "2025年…" of a 2026 document
    if Period.PREVIOUS in q.periods and (items := _items(item_text) or q.items or items):
        # the year of the document that prints or states it: "2025年…" may be read from the 2026 document
        years = [d.year for d in docs if d.year and (q.doc_ids is None or d.id in q.doc_ids)]
        return Plan("previous", items[:1], [(None, max(years, default=None))])
    return None


def _in(f: Figure, unit: str | None) -> Decimal:
    """A figure's value in the given money unit (万元 ↔ 元), else as printed."""
    if unit in _PER_WAN and f.unit in _PER_WAN:
        return f.value * _PER_WAN[f.unit] / _PER_WAN[unit]
    return f.value


def _plain(v: Decimal, places: int) -> str:
    return f"{v.quantize(Decimal(1).scaleb(-places)):f}"


def _input(f: Figure) -> dict:
    return {"label": f.label, "value": f.raw, "unit": f.unit or "", "doc": f.doc, "page": f.page, "table": f.table,
            "unit_name": f.unit_name, "year": f.year}


def _cite(f: Figure) -> str:
    where = f"《{f.table}》" if f.table else "说明部分"
    return f"{f.unit_name or ''}{f.year or ''}年{f.label}{f.raw}{f.unit or ''}（{where}，第{f.page}页）"


def _result(label: str, value: Decimal, unit: str, like: Figure) -> Figure:
    return Figure(label, value, f"{value:f}", unit, None, like.page, like.doc, like.doc_id, like.unit_name, like.year,
                  column=None, context="")


def _previous(q: Question, p: Plan, ask_one: AskOne, looked_up: Answer | None) -> tuple[Figure, Figure, Decimal, Answer] | None:
    """Last year's value from a stated change: "2,152.99万元，比2025年预算减少36.76万元" → 2,189.75;
    "35.00万元，与2025年预算持平" → 35.00."""
    ans = ask_one(f"{p.items[0]}变化多少", unit=q.units[0] if q.units else None, year=p.scopes[0][1])
    # the question's own figures first: "2025年三公经费" finds "2026年…5.58万元，较2025年年初预算增加0.00万元"
    for source, f in [(a, f) for a in (looked_up, ans) if a is not None for f in a.figures[:5]]:
        for c in stated_changes(f.context, unchanged=True):
            if f.raw in (c.change, c.current) and _names(f.context, p.items[0]):
                current = Figure(p.items[0], Decimal(c.current.replace(",", "")), c.current, c.unit, f.table, f.page,
                                 f.doc, f.doc_id, f.unit_name, f.year, context=f.context, bbox=f.bbox)
                moved = "持平" if not dec(c.change) else "增加" if c.up else "减少"
                change = Figure(f"{p.items[0]}比上年{moved}", dec(c.change),
                                c.change, c.unit, f.table, f.page, f.doc, f.doc_id, f.unit_name, f.year, context=f.context,
                                bbox=f.bbox)
                return current, change, c.previous, source
    return _said_unchanged(p.items[0], [a for a in (looked_up, ans) if a is not None], looked_up)


def _names(text: str, item: str) -> bool:
    """The text names the item, quotes aside (“三公”经费 printed as 三公经费, or the reverse)."""
    return re.sub(r"[“”\"]", "", item) in re.sub(r"[“”\"]", "", text)


def _said_unchanged(item: str, answers: list[Answer], looked_up: Answer | None) -> tuple[Figure, Figure, Decimal, Answer] | None:
    """Last year's value where the document says the item did not change, with no amount ("2026年“三公”经费预算与
    2025年持平"): this year's figure, as looked up, cited at the sentence that says so."""
    said = next(((a, t) for a in answers for t in a.quotes if UNCHANGED.search(t) and _names(t, item)), None)
    money = [f for f in (looked_up.figures if looked_up and looked_up.found else []) if f.unit in _PER_WAN]
    if said is None or not money:
        return None
    stating, quote = said
    f, page = money[0], stating.sources[0].page if stating.sources else money[0].page
    current = Figure(item, f.value, f.raw, f.unit, f.table, page, f.doc, f.doc_id, f.unit_name, f.year, context=quote,
                     bbox=f.bbox)
    change = Figure(f"{item}比上年持平", Decimal(0), "0", f.unit, f.table, page, f.doc, f.doc_id, f.unit_name, f.year,
                    context=quote)
    return current, change, f.value, stating


def derive(q: Question, p: Plan, ask_one: AskOne, k: int = 5, looked_up: Answer | None = None) -> Answer:
    """Answer a planned computation from its inputs' ordinary answers (`looked_up`: the question's own)."""
    if p.op == "previous":
        got = _previous(q, p, ask_one, looked_up)
        if got is None:
            return Answer(q.text, False, f"未找到：文件中没有{p.items[0]}与上年相比的增减说明，无法推算上年数。", intent="derived")
        cur, chg, prev, stated = got
        sign = "−" if chg.label.endswith("增加") else "+"
        formula = (f"{cur.raw}（与上年持平）" if not chg.value else f"{cur.raw} {sign} {chg.raw}") + f" = {prev:f}（{cur.unit}）"
        res = _result(f"上年{p.items[0]}（推算）", prev, cur.unit or "", cur)
        res.periods = [Period.PREVIOUS]
        text = (f"按{cur.unit_name or ''}{cur.year or ''}年文件所述（说明部分，第{cur.page}页：“{cur.context.strip()}”），"
                f"上年{p.items[0]}为 {formula}。这是由本年数和增减额推算的，不是文件直接列出的数。")
        cited = sorted(stated.sources, key=lambda s: (s.doc, s.page) != (cur.doc, cur.page))  # the stating page first
        return Answer(q.text, True, text, figures=[res, cur, chg], sources=cited[:k], intent="derived",
                      derived={"op": "previous", "formula": formula, "inputs": [_input(cur), _input(chg)],
                               "result": {"value": f"{prev:f}", "unit": cur.unit or ""}})
    figs: list[Figure] = []
    sources = []
    for item, (unit, year) in zip(p.items, p.scopes):
        scope_unit = unit or (q.units[0] if q.units else None)
        scope_year = year or (max(q.years) if q.years else None)
        ans = ask_one(f"{scope_unit or ''}{scope_year or ''}{'年' if scope_year else ''}{item}是多少", unit=scope_unit, year=scope_year)
        money = [f for f in ans.figures if f.unit in _PER_WAN]
        if not ans.found or not money:
            who = f"{scope_unit or ''}{scope_year or ''}{'年' if scope_year else ''}"
            return Answer(q.text, False, f"未找到：缺少{who}{item}的数据，无法计算。", intent="derived", sources=ans.sources[:k])
        figs.append(money[0])
        sources += ans.sources[:2]
    if looked_up is not None and len({(f.doc_id, f.page, f.label, f.raw) for f in figs}) < len(figs):
        # both inputs are one printed figure: the words joined were one row's name ("实验室及相关设施"), not two items
        return looked_up
    unit = figs[0].unit
    vals = [_in(f, unit) for f in figs]
    places = max(-v.as_tuple().exponent for v in vals)
    cites = "；".join(_cite(f) for f in figs)
    if p.op == "sum":
        total = sum(vals, Decimal(0))
        formula = " + ".join(_plain(v, places) for v in vals) + f" = {_plain(total, places)}（{unit}）"
        res = _result("、".join(p.items) + "合计（计算）", total, unit, figs[0])
        text = f"{'、'.join(p.items)}合计：{formula}。依据：{cites}。"
        derived = {"op": "sum", "formula": formula, "result": {"value": _plain(total, places), "unit": unit}}
    elif p.op == "share":
        if not vals[1]:
            return Answer(q.text, False, f"未找到：{p.items[1]}为0，无法计算占比。", intent="derived")
        share = vals[0] / vals[1] * 100
        formula = f"{_plain(vals[0], places)} ÷ {_plain(vals[1], places)} × 100% = {_plain(share, 2)}%"
        res = _result(f"{p.items[0]}占{p.items[1]}的比例（计算）", share.quantize(Decimal("0.01")), "%", figs[0])
        text = f"{p.items[0]}占{p.items[1]}的比例：{formula}。依据：{cites}。"
        derived = {"op": "share", "formula": formula, "result": {"value": _plain(share, 2), "unit": "%"}}
    else:  # compare two documents, or two items of one
        a, b = vals
        diff = a - b
        ratio = a / b if b else None
        names = [f"{f.unit_name or ''}{f.year or ''}年{item}" if p.op == "compare" else item for f, item in zip(figs, p.items)]
        more = names[0] if diff > 0 else names[1] if diff < 0 else None
        formula = f"{_plain(a, places)} − {_plain(b, places)} = {_plain(diff, places)}（{unit}）"
        if ratio is not None:
            formula += f"；{_plain(a, places)} ÷ {_plain(b, places)} = {_plain(ratio, 4)}（倍）"
        res = _result(f"{names[0]}与{names[1]}之差（计算）", diff, unit, figs[0])
        verdict = f"{more}较多，多{_plain(abs(diff), places)}{unit}" if more else "两者相等"
        text = f"{verdict}。计算：{formula}。依据：{cites}。"
        derived = {"op": p.op, "formula": formula, "result": {"value": _plain(diff, places), "unit": unit},
                   "ratio": _plain(ratio, 4) if ratio is not None else None}
    derived["inputs"] = [_input(f) for f in figs]
    return Answer(q.text, True, text, figures=[res, *figs], sources=sources[:k], intent="derived", derived=derived)
