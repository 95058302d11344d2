"""The eval runner: answer the Q/A set with each retriever and report accuracy, recall, MRR, not-found, latency."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .answer import Answer
from .assistant import Assistant
from .retrieve import MODES


@dataclass
class EvalItem:
    id: str
    question: str
    type: str
    found: bool
    docs: list[str]
    value: Decimal | None
    unit: str | None
    page: int | None
    contains: list[str]
    scope_doc: str | None

    @classmethod
    def from_json(cls, d: dict) -> EvalItem:
        exp = d.get("expected") or {}
        v = exp.get("value")
        return cls(
            d["id"], d["question"], d["type"], d["found"], [Path(x).name for x in d.get("docs", [])],
            Decimal(str(v).replace(",", "")) if v not in (None, "") else None, exp.get("unit"), d.get("page"),
            d.get("answer_contains", []), Path(d["scope_doc"]).name if d.get("scope_doc") else None,
        )


@dataclass
class ModeReport:
    mode: str
    n: int = 0
    answer_n: int = 0
    answer_at1: int = 0
    answer_at3: int = 0
    source_n: int = 0
    recall_at1: int = 0
    recall_at5: int = 0
    rr_sum: float = 0.0
    quote_n: int = 0
    quote_ok: int = 0
    nf_tp: int = 0
    nf_fp: int = 0
    nf_fn: int = 0
    latencies: list[float] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    by_type: dict[str, list[int]] = field(default_factory=dict)  # type → [questions with a value, first figure right]

    def row(self) -> dict:
        def ratio(a, b):
            return round(a / b, 4) if b else None

        lat = sorted(self.latencies)
        return {
            "mode": self.mode, "questions": self.n,
            "answer@1": ratio(self.answer_at1, self.answer_n), "answer@3": ratio(self.answer_at3, self.answer_n),
            "recall@1": ratio(self.recall_at1, self.source_n), "recall@5": ratio(self.recall_at5, self.source_n),
            "mrr": ratio(self.rr_sum, self.source_n), "quotes": ratio(self.quote_ok, self.quote_n),
            "nf_precision": ratio(self.nf_tp, self.nf_tp + self.nf_fp), "nf_recall": ratio(self.nf_tp, self.nf_tp + self.nf_fn),
            "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        }


def load_items(path: Path, small: bool = False) -> list[EvalItem]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [EvalItem.from_json(r) for r in rows if not small or r.get("small")]


def same_value(got: Decimal, expected: Decimal) -> bool:
    """Equal, or equal once rounded to the expected figure's printed decimals (split files print
    244.848000 in the table and 244.85 in the text: both are the document's own figure)."""
    if got == expected:
        return True
    places = -expected.as_tuple().exponent
    return places >= 0 and -got.as_tuple().exponent > places and got.quantize(Decimal(1).scaleb(-places)) == expected


_PER_WAN = {"万元": Decimal(10000), "元": Decimal(1)}


def same_figure(value: Decimal, unit: str | None, item: EvalItem) -> bool:
    """The expected figure, in its unit or printed in the other money unit (2,278,800.00元 = 227.88万元)."""
    if not item.unit or (unit or "") == item.unit:
        return same_value(value, item.value)
    if unit in _PER_WAN and item.unit in _PER_WAN:
        return same_value(value * _PER_WAN[unit] / _PER_WAN[item.unit], item.value)
    return False


def _figure_ok(ans: Answer, item: EvalItem, n: int) -> bool:
    return any(same_figure(f.value, f.unit, item) for f in ans.figures[:n])


def score_answer(rep: ModeReport, item: EvalItem, ans: Answer) -> None:
    rep.n += 1
    rep.latencies.append(ans.elapsed_ms)
    problems = []
    if not item.found:
        if ans.found:
            rep.nf_fn += 1
            problems.append("answered an unanswerable question")
        else:
            rep.nf_tp += 1
    elif not ans.found:
        rep.nf_fp += 1
        problems.append("said not found")
    if item.found and item.value is not None:
        rep.answer_n += 1
        rep.answer_at1 += _figure_ok(ans, item, 1)
        rep.answer_at3 += _figure_ok(ans, item, 3)
        counts = rep.by_type.setdefault(item.type, [0, 0])
        counts[0] += 1
        counts[1] += _figure_ok(ans, item, 1)
        if not _figure_ok(ans, item, 1):
            problems.append(f"figure {ans.figures[0].raw if ans.figures else None} != {item.value}")
    if item.found and item.page:
        rep.source_n += 1
        ranks = [i for i, s in enumerate(ans.sources) if s.doc in item.docs and s.page == item.page]
        if ranks:
            rep.recall_at1 += ranks[0] == 0
            rep.recall_at5 += ranks[0] < 5
            rep.rr_sum += 1.0 / (ranks[0] + 1)
        else:
            problems.append(f"page {item.page} not in sources {[s.page for s in ans.sources]}")
    if item.found and item.contains:
        rep.quote_n += 1
        ok = all(c in ans.answer for c in item.contains)
        rep.quote_ok += ok
        if not ok:
            problems.append("quote missing " + "/".join(item.contains))
    if problems:
        rep.failures.append({"id": item.id, "q": item.question, "problems": problems, "answer": ans.answer[:200]})


def run_eval(assistant: Assistant, items: list[EvalItem], modes=MODES, k: int = 5) -> dict[str, ModeReport]:
    by_file = {}
    for d in assistant.documents():
        by_file.setdefault(d.file, []).append(d)
    reports = {m: ModeReport(m) for m in modes}
    for item in items:
        for mode in modes:
            if item.scope_doc:
                recs = by_file.get(item.scope_doc, [])
                ans = assistant.ask(item.question, k=k, mode=mode, unit=recs[0].unit if recs else None,
                                    year=recs[0].year if recs else None)
            else:
                ans = assistant.ask(item.question, k=k, mode=mode)
            score_answer(reports[mode], item, ans)
    return reports


def format_table(reports: dict[str, ModeReport]) -> str:
    rows = [r.row() for r in reports.values()]
    cols = list(rows[0].keys())
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(width[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).ljust(width[c]) for c in cols) for r in rows]
    for rep in reports.values():  # comparisons and derived figures are computed: show them apart
        parts = [f"{t} {ok / n:.3f} ({ok}/{n})" for t, (n, ok) in sorted(rep.by_type.items())]
        lines.append(f"answer@1 by type, {rep.mode}: " + ", ".join(parts))
    return "\n".join(lines)
