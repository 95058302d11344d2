"""False findings on real documents: run the checks over every unmodified corpus PDF and count findings by kind,
by file and by verdict (docs/checks_judged.tsv: each finding judged on its page, genuine or ours).

    nice -n 10 python bench/checks_real.py [--list]

A finding not yet in the verdicts file is counted as unjudged (and listed with --list), so a new check shows up
here before anyone has read its findings.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from doc_cache import load_all  # noqa: E402

from qa.check import check_document  # noqa: E402

VERDICTS = ROOT / "docs" / "checks_judged.tsv"  # file, kind, message, verdict (true | false), note


def _verdicts() -> dict[tuple[str, str, str], str]:
    if not VERDICTS.exists():
        return {}
    with VERDICTS.open(encoding="utf-8") as fh:
        return {(r["file"], r["kind"], r["message"]): r["verdict"] for r in csv.DictReader(fh, delimiter="\t")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print every finding with its verdict")
    args = ap.parse_args()
    parsed = load_all()
    docs = [p for p in parsed if p.doc]
    verdicts = _verdicts()
    by_kind: Counter = Counter()
    by_verdict: Counter = Counter()
    files_with: set[str] = set()
    for p in docs:
        for f in check_document(p.doc):
            v = verdicts.get((p.rel, f.kind.value, f.message), "unjudged")
            by_kind[(f.kind.value, v)] += 1
            by_verdict[v] += 1
            files_with.add(p.rel)
            if args.list:
                print(f"{v}\t{p.rel}\t{f.kind.value}\t{f.severity.value}\t{f.pages}\t{f.message}")
    skipped = [f"{p.rel} ({p.skipped})" for p in parsed if not p.doc]
    total = sum(by_verdict.values())
    print(f"{len(docs)} documents checked; skipped {len(skipped)}: {', '.join(skipped)}")
    print(f"{total} findings in {len(files_with)} documents; {len(docs) - len(files_with)} documents have none")
    print(f"\n{'kind':<16} {'true':>5} {'false':>6} {'unjudged':>9}")
    for kind in sorted({k for k, _ in by_kind}):
        print(f"{kind:<16} {by_kind[(kind, 'true')]:>5} {by_kind[(kind, 'false')]:>6} {by_kind[(kind, 'unjudged')]:>9}")
    false, unjudged = by_verdict["false"], by_verdict["unjudged"]
    print(f"{'all':<16} {by_verdict['true']:>5} {false:>6} {unjudged:>9}")
    print(f"\nfalse findings per 10 documents: {10 * false / len(docs):.2f} "
          f"(counting unjudged as false: {10 * (false + unjudged) / len(docs):.2f}); "
          f"precision on real documents: {by_verdict['true'] / total:.3f}" if total else "no findings")


if __name__ == "__main__":
    main()
