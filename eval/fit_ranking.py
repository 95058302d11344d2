#!/usr/bin/env python3
"""Fit the answer ranking's weights (qa.answer.RankWeights) on the fit documents; report them on validation.

    python eval/fit_ranking.py [--index eval/.index] [--mode hybrid] [--l2 1.0]

For every question with an expected figure (eval/questions.jsonl and eval/questions/*.jsonl; follow-ups and
computed questions left out), the question is read and retrieved as `qa ask` does, every candidate figure of the
retrieved passages gets its named features (qa.answer.features), and a candidate is a positive when it is the
expected figure. The weights are fitted for the top place, which is all an answer shows: a listwise softmax over
each question's candidates (the probability that the first-ranked is a right one; ListNet's top-one model),
starting from the hand-set weights and kept near them by an L2 penalty (`--l2`), minimised with L-BFGS (scipy);
it sees fit questions only. (A pairwise logistic regression, which counts every misordered pair alike, lowered
rank@1 on both splits: fit 0.902 → 0.862, validation 0.911 → 0.875, session 6.) Printed: how often the
top-ranked candidate is right (rank@1, over questions whose candidates hold the expected figure at all) with the
hand-set weights and with the fitted ones, fit and validation side by side, by type; then the fitted weights as
RankWeights(...) to paste, and the ten that moved most.

The index must hold the questions' documents: `qa eval` builds eval/.index.
"""
from __future__ import annotations

import argparse
import dataclasses
import pickle
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


def listwise_fit(sets, start: np.ndarray, l2: float) -> np.ndarray:
    """Weights minimising Σ −log P(a right candidate ranks first) + l2 · |w − start|², P a softmax of the scores."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp, softmax

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float((w - start) @ (w - start)), 2 * l2 * (w - start)
        for _, x, y in sets:
            s = x @ w
            total += logsumexp(s) - logsumexp(s[y])
            grad += softmax(s) @ x - softmax(s[y]) @ x[y]
        return total, grad

    return minimize(loss, start, jac=True, method="L-BFGS-B").x


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
    ap.add_argument("--sets", type=Path, help="a pickle of the questions' features: read if it exists, else written "
                                                "(to refit with another --l2 without retrieving again)")
    ap.add_argument("--l2", type=float, default=1.0, help="how strongly the weights are kept near the hand-set ones")
    args = ap.parse_args()

    split = read_split(EVAL / "split.tsv")
    files = [EVAL / "questions.jsonl", *sorted((EVAL / "questions").glob("*.jsonl"))]
    items = [i for f in files for i in load_items(f, split=split) if i.found and i.value is not None and i.type not in _SKIP]
    if args.sets and args.sets.exists():
        sets = pickle.loads(args.sets.read_bytes())
    else:
        sets = question_sets(items, Assistant(index_dir=args.index), args.mode)
        if args.sets:
            args.sets.write_bytes(pickle.dumps(sets))
    fit = [s for s in sets if s[0].split == "fit"]
    hand = np.array([getattr(WEIGHTS, n) for n in NAMES])
    fitted = listwise_fit(fit, hand, args.l2)

    by_hand, by_fit = rank1(sets, hand), rank1(sets, fitted)
    print(f"{len(items)} questions with a figure; {len(sets)} whose candidates hold it "
          f"({len(fit)} fit, {len(sets) - len(fit)} validation)\n")
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
    print("largest moves: " + ", ".join(f"{n} {h:+.2f}→{v:+.2f}" for n, h, v in
                                        sorted(zip(NAMES, hand, fitted), key=lambda t: -abs(t[2] - t[1]))[:10]))


if __name__ == "__main__":
    main()
