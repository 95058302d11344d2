#!/usr/bin/env python3
"""Fit the answer ranking's weights (qa.answer.RankWeights) on the fit documents; report them on validation.

    python eval/fit_ranking.py [--index eval/.index] [--mode hybrid] [--C 1.0]

For every question with an expected figure (eval/questions.jsonl and eval/questions/*.jsonl; follow-ups and
computed questions left out), the question is read and retrieved as `qa ask` does, every candidate figure of the
retrieved passages gets its named features (qa.answer.features), and a candidate is a positive when it is the
expected figure. A logistic regression (scikit-learn) on pairwise feature differences — each right candidate
against each wrong one of the same question — learns weights that put right figures first; it sees fit questions
only. Printed: how often the top-ranked candidate is right (rank@1, over questions whose candidates hold the
expected figure at all) with the hand-set weights and with the fitted ones, fit and validation side by side, by
type; then the fitted weights, scaled to the hand-set ones' total, as RankWeights(...) to paste.

The index must hold the questions' documents: `qa eval` builds eval/.index.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.answer import WEIGHTS, RankWeights, candidates, features  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.evaluate import SPLITS, EvalItem, load_items, read_split, same_figure  # noqa: E402

EVAL = ROOT / "eval"
NAMES = [f.name for f in dataclasses.fields(RankWeights)]
_SKIP = {"followup", "compare", "derived", "multi_doc"}  # asked with a context or computed from several answers


def question_sets(items: list[EvalItem], a: Assistant, mode: str) -> list[tuple[EvalItem, np.ndarray, np.ndarray]]:
    """(item, feature matrix, right-or-not) per question whose candidates hold its expected figure."""
    docs = a.documents()
    out = []
    for item in items:
        q = a.analyze(item.question, docs=docs)
        if q.not_found:
            continue
        cands = candidates(a.retrieve(q, docs, mode=mode))
        if not cands:
            continue
        x = np.array([[features(c, q).get(n, 0.0) for n in NAMES] for c in cands])
        y = np.array([same_figure(c.figure.value, c.figure.unit, item) for c in cands])
        if y.any():
            out.append((item, x, y))
    return out


def pairs(sets) -> tuple[np.ndarray, np.ndarray]:
    """Right-minus-wrong feature differences (label 1) and their negations (label 0), per question, capped so that
    questions with hundreds of candidates do not outweigh the rest."""
    rng = np.random.default_rng(0)
    xs = []
    for _, x, y in sets:
        pos, neg = x[y], x[~y]
        if not len(neg):
            continue
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1])
        xs.append(d[rng.choice(len(d), size=min(len(d), 200), replace=False)])
    d = np.vstack(xs)
    return np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))]


def rank1(sets, w: np.ndarray) -> dict[str, list[bool]]:
    by: dict[str, list[bool]] = defaultdict(list)
    for item, x, y in sets:
        hit = bool(y[int(np.argmax(x @ w))])
        by[f"{item.split}"].append(hit)
        by[f"{item.split}:{item.type}"].append(hit)
    return by


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default=str(EVAL / ".index"))
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression

    split = read_split(EVAL / "split.tsv")
    files = [EVAL / "questions.jsonl", *sorted((EVAL / "questions").glob("*.jsonl"))]
    items = [i for f in files for i in load_items(f, split=split) if i.found and i.value is not None and i.type not in _SKIP]
    a = Assistant(index_dir=args.index)
    sets = question_sets(items, a, args.mode)
    fit = [s for s in sets if s[0].split == "fit"]
    x, y = pairs(fit)
    model = LogisticRegression(C=args.C, fit_intercept=False, max_iter=2000).fit(x, y)
    hand = np.array([getattr(WEIGHTS, n) for n in NAMES])
    fitted = model.coef_[0] * (np.abs(hand).sum() / np.abs(model.coef_[0]).sum())

    by_hand, by_fit = rank1(sets, hand), rank1(sets, fitted)
    print(f"{len(items)} questions with a figure; {len(sets)} whose candidates hold it "
          f"({len(fit)} fit, {len(sets) - len(fit)} validation); {len(x) // 2} training pairs\n")
    print(f"{'rank@1':<26}" + "".join(f"{s + ' hand':>17}{s + ' fitted':>19}" for s in SPLITS))
    keys = ["all"] + sorted({k.split(":", 1)[1] for k in by_hand if ":" in k})
    for key in keys:
        cells = []
        for s in SPLITS:
            k = s if key == "all" else f"{s}:{key}"
            h, f = by_hand.get(k, []), by_fit.get(k, [])
            cells += [f"{sum(h) / len(h):.3f} ({len(h)})" if h else "–", f"{sum(f) / len(f):.3f}" if f else "–"]
        print(f"{key:<26}" + "".join(f"{c:>17}{d:>19}" for c, d in zip(cells[::2], cells[1::2])))
    print("\nRankWeights(" + ", ".join(f"{n}={v:.2f}" for n, v in zip(NAMES, fitted)) + ")")


if __name__ == "__main__":
    main()
