"""The eval runner: answer the Q/A set with each retriever and report accuracy, recall, MRR, not-found, latency,
overall and on the fit and validation documents of eval/split.tsv side by side."""
from __future__ import annotations

import json
import re
import statistics
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .answer import Answer
from .assistant import Assistant
from .retrieve import MODES

SPLITS = ("fit", "validation")
# older types whose phrases are reported as "quotes" rather than scored in answer@1 (kept comparable with before)
_QUOTES_APART = {"definition", "reason"}


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
    split: str = "fit"
    follows: str | None = None

    @classmethod
    def from_json(cls, d: dict, split: str = "fit") -> EvalItem:
        exp = d.get("expected") or {}
        v = exp.get("value")
        return cls(
            d["id"], d["question"], d["type"], d["found"], [Path(x).name for x in d.get("docs", [])],
            Decimal(str(v).replace(",", "")) if v not in (None, "") else None, exp.get("unit"), d.get("page"),
            d.get("answer_contains") or [], Path(d["scope_doc"]).name if d.get("scope_doc") else None,
            split, d.get("follows"),
        )


@dataclass
class Result:
    """One question answered with one retriever."""
    id: str
    split: str
    type: str
    expected_found: bool
    found: bool
    right: bool | None  # None: not scored on its answer (older types without a figure)
    right3: bool | None
    rank: int | None  # the expected page's place among the sources; None when absent or the question has no page
    has_page: bool
    quote_ok: bool | None
    ms: float
    answer: str
    figure: str | None
    problems: list[str]

    def to_dict(self) -> dict:
        return {"id": self.id, "split": self.split, "type": self.type,
                "right": {True: "right", False: "wrong", None: "-"}[self.right],
                "answer": self.answer, "figure": self.figure, "problems": self.problems,
                "found": self.found, "expected_found": self.expected_found, "source_rank": self.rank}


@dataclass
class ModeReport:
    mode: str
    results: list[Result] = field(default_factory=list)

    @property
    def failures(self) -> list[dict]:
        return [r.to_dict() for r in self.results if r.problems]

    def row(self, split: str | None = None, type: str | None = None) -> dict:
        """The measures over all results, or those of one split and/or question type."""
        rs = [r for r in self.results if split in (None, r.split) and type in (None, r.type)]

        def ratio(a, b):
            return round(a / b, 4) if b else None

        scored = [r for r in rs if r.expected_found and r.right is not None]
        paged = [r for r in rs if r.has_page]
        quoted = [r for r in rs if r.quote_ok is not None]
        tp = sum(1 for r in rs if not r.expected_found and not r.found)
        fp = sum(1 for r in rs if r.expected_found and not r.found)
        fn = sum(1 for r in rs if not r.expected_found and r.found)
        lat = sorted(r.ms for r in rs)
        return {
            "mode": self.mode, "questions": len(rs),
            "answer@1": ratio(sum(r.right for r in scored), len(scored)),
            "answer@3": ratio(sum(r.right3 for r in scored), len(scored)),
            "recall@1": ratio(sum(r.rank == 0 for r in paged), len(paged)),
            "recall@5": ratio(sum(r.rank is not None and r.rank < 5 for r in paged), len(paged)),
            "mrr": ratio(sum(1.0 / (r.rank + 1) for r in paged if r.rank is not None), len(paged)),
            "quotes": ratio(sum(r.quote_ok for r in quoted), len(quoted)),
            "nf_precision": ratio(tp, tp + fp) if tp + fn else None, "nf_recall": ratio(tp, tp + fn),
            "p50_ms": round(statistics.median(lat), 1) if lat else None,
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        }


def read_split(path: Path) -> dict[str, str]:
    """eval/split.tsv: corpus-relative PDF path → fit | validation."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
    return {r[0].strip(): r[1].strip() for r in rows if len(r) >= 2}


def split_of(d: dict, split: dict[str, str], original: bool) -> str:
    """A question's split is its documents' (validation when any is); questions naming no document are fit in the
    original eval/questions.jsonl (it was tuned on) and alternate by id elsewhere (the rule of eval/verify.py)."""
    docs = d.get("docs") or []
    if docs:
        return "validation" if any(split.get(x) == "validation" for x in docs) else "fit"
    return "fit" if original else SPLITS[zlib.crc32(str(d.get("id")).encode()) % 2]


def load_items(path: Path, small: bool = False, split: dict[str, str] | None = None) -> list[EvalItem]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    original = path.name == "questions.jsonl"
    return [EvalItem.from_json(r, split_of(r, split or {}, original)) for r in rows if not small or r.get("small")]


def item_docs(path: Path) -> list[str]:
    """The corpus-relative documents a question file draws on (docs, scope_doc and computed inputs)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out += d.get("docs") or []
            out += [d["scope_doc"]] if d.get("scope_doc") else []
            out += [i["doc"] for i in d.get("inputs") or [] if isinstance(i, dict) and i.get("doc")]
    return list(dict.fromkeys(out))


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


def quotes_all(item: EvalItem, ans: Answer) -> bool:
    """Every answer_contains phrase is in the answer, whitespace aside (as eval/verify.py reads the page: "5 个" is
    how the PDF's text layer spaces "5个")."""
    said = re.sub(r"\s+", "", ans.answer)
    return all(re.sub(r"\s+", "", c) in said for c in item.contains)


def judge(item: EvalItem, ans: Answer, n: int = 1) -> bool | None:
    """Right or wrong, with the figure among the first n: a not-found question must be answered not found; a figure
    must be among the first n (a `why` also quotes every answer_contains phrase); a question without a figure
    (text_fact, …) must be answered with every phrase. None: an older type without a figure (its quotes count apart)."""
    if not item.found:
        return not ans.found
    quoted = quotes_all(item, ans)
    if item.value is None:
        return (ans.found and quoted) if item.contains and item.type not in _QUOTES_APART else None
    return _figure_ok(ans, item, n) and (quoted or item.type != "why")


def score_answer(rep: ModeReport, item: EvalItem, ans: Answer) -> None:
    right = judge(item, ans)
    problems = []
    if not item.found and ans.found:
        problems.append("answered an unanswerable question")
    elif item.found and not ans.found:
        problems.append("said not found")
    elif right is False and item.value is not None and not _figure_ok(ans, item, 1):
        problems.append(f"figure {ans.figures[0].raw if ans.figures else None} != {item.value}")
    rank = None
    if item.found and item.page:
        ranks = [i for i, s in enumerate(ans.sources) if s.doc in item.docs and s.page == item.page]
        rank = ranks[0] if ranks else None
        if not ranks:
            problems.append(f"page {item.page} not in sources {[s.page for s in ans.sources]}")
    quote_ok = quotes_all(item, ans) if item.found and item.contains else None
    if quote_ok is False:
        problems.append("quote missing " + "/".join(item.contains))
    rep.results.append(Result(
        item.id, item.split, item.type, item.found, ans.found, right, judge(item, ans, 3), rank,
        bool(item.found and item.page), quote_ok, ans.elapsed_ms, ans.answer,
        ans.figures[0].raw if ans.figures else None, problems))


def run_eval(assistant: Assistant, items: list[EvalItem], modes=MODES, k: int = 5,
             pool: list[EvalItem] | None = None, on_result: Callable[[str, Result], None] | None = None
             ) -> dict[str, ModeReport]:
    """Ask every item with each retriever. A follow-up is asked with the analysis of the question it follows as
    context, right after that question (asked again, unscored, when it was not the one just asked; looked up in
    pool, default items). on_result(mode, result) after each scored answer (a long run keeps what it measured)."""
    by_file = {}
    for d in assistant.documents():
        by_file.setdefault(d.file, []).append(d)
    by_id = {i.id: i for i in pool or items}
    last: dict[str, tuple[str, Answer]] = {}  # mode → (id, answer) of the question asked last

    def ask(item: EvalItem, mode: str) -> Answer:
        context = None
        if item.follows in by_id:
            if last.get(mode, ("",))[0] != item.follows:
                ask(by_id[item.follows], mode)
            context = last[mode][1].analysis
        recs = by_file.get(item.scope_doc, []) if item.scope_doc else []
        ans = assistant.ask(item.question, k=k, mode=mode, context=context, unit=recs[0].unit if recs else None,
                            year=recs[0].year if recs else None)
        last[mode] = (item.id, ans)
        return ans

    reports = {m: ModeReport(m) for m in modes}
    for item in items:
        for mode in modes:
            score_answer(reports[mode], item, ask(item, mode))
            if on_result:
                on_result(mode, reports[mode].results[-1])
    return reports


def _cell(v, ratio: bool = True) -> str:
    return "-" if v is None else f"{v:.3f}" if ratio else f"{v:.0f}"


def format_table(reports: dict[str, ModeReport]) -> str:
    """All questions, every measure, one row per retriever; then answer@1 by type."""
    rows = [r.row() for r in reports.values()]
    cols = list(rows[0].keys())
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(width[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).ljust(width[c]) for c in cols) for r in rows]
    for rep in reports.values():
        parts = [f"{t} {_cell(rep.row(type=t)['answer@1'])} ({rep.row(type=t)['questions']})"
                 for t in sorted({r.type for r in rep.results})]
        lines.append(f"answer@1 by type, {rep.mode}: " + ", ".join(parts))
    return "\n".join(lines)


_SPLIT_COLS = ("questions", "answer@1", "recall@5", "nf_precision", "nf_recall", "p50_ms", "p95_ms")
_RATIOS = ("answer@1", "recall@5", "nf_precision", "nf_recall")
_HEADS = ("n", "ans@1", "rec@5", "nf P", "nf R", "p50", "p95")


def format_splits(reports: dict[str, ModeReport], splits=SPLITS) -> str:
    """Fit and validation side by side: overall, then by question type, one row per retriever."""
    types = sorted({r.type for rep in reports.values() for r in rep.results})
    group = "".join(f"{h:>7}" for h in _HEADS)
    lines = [f"{'':22}" + " | ".join(f"{s:^{len(group)}}" for s in splits),
             f"{'type':14}{'mode':8}" + " | ".join(group for _ in splits)]
    for t in [None, *types]:
        for mode, rep in reports.items():
            rows = [rep.row(s, t) for s in splits]
            cells = [" ".join(f"{_cell(r[c], c in _RATIOS):>6}" for c in _SPLIT_COLS) for r in rows]
            lines.append(f"{t or 'ALL':14}{mode:8}" + " | ".join(" " + c for c in cells))
    return "\n".join(lines)
