"""Shared fixtures: the sample disclosure shipped in the repo, the larger corpus beside it, one embedder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(os.environ.get("QA_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_path(rel: str) -> Path:
    """A file of ../shared/corpus, or a skip saying the corpus is absent."""
    p = CORPUS / rel
    if not p.exists():
        pytest.skip(f"corpus file {rel} not found under {CORPUS} (set QA_CORPUS to the shared corpus)")
    return p


@pytest.fixture(scope="session")
def sample_doc():
    from qa.parse import parse_pdf

    return parse_pdf(SAMPLE)


@pytest.fixture(scope="session")
def embedder():
    from qa.embedding import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def sample_assistant(tmp_path_factory, embedder):
    """An Assistant over a fresh persistent index holding the sample disclosure."""
    from qa.assistant import Assistant

    index = tmp_path_factory.mktemp("index")
    a = Assistant(index_dir=index)
    results = a.ingest([SAMPLE])
    assert [r.status for r in results] == ["added"]
    return a
