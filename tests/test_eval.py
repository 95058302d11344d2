"""The eval set's CI subset: fails when answer quality drops below what was measured (see eval/ and README)."""
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from qa.evaluate import load_items, run_eval

# Measured on the small corpus (6 documents, 254 questions with the comparisons), hybrid retrieval: answer@1 0.986,
# recall@5 0.996, not-found precision 1.0 / recall 1.0 (`qa eval --small`, 2026-11-29 session 4). The floors sit a
# little below (a few questions), so only a real regression fails.
FLOORS = {"answer@1": 0.97, "recall@5": 0.98, "nf_precision": 0.90, "nf_recall": 0.95}


@pytest.mark.slow
def test_small_eval_meets_floors(tmp_path_factory, embedder):
    from qa.assistant import Assistant

    files = [CORPUS / line.strip() for line in (ROOT / "eval/corpus_small.txt").read_text().splitlines() if line.strip()]
    if not all(f.exists() for f in files):
        pytest.skip(f"eval corpus not found under {CORPUS} (set QA_CORPUS to the shared corpus)")
    a = Assistant(index_dir=tmp_path_factory.mktemp("eval-index"))
    results = a.ingest(files)
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    items = load_items(ROOT / "eval/questions.jsonl", small=True)
    row = run_eval(a, items, modes=("hybrid",))["hybrid"].row()
    print(row)
    for metric, floor in FLOORS.items():
        assert row[metric] >= floor, f"{metric} {row[metric]} < {floor}"
