"""Shared fixtures: the sample disclosure shipped in the repo, the larger corpus beside it, one embedder."""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "bench"))  # the benchmarks' helpers
from chroma_server import chroma_server as chroma_server_at  # noqa: E402
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(os.environ.get("QA_CORPUS", ROOT.parent / "shared" / "corpus"))


def corpus_path(rel: str) -> Path:
    """A file of ../shared/corpus, or a skip saying the corpus is absent."""
    p = CORPUS / rel
    if not p.exists():
        pytest.skip(f"corpus file {rel} not found under {CORPUS} (set QA_CORPUS to the shared corpus)")
    return p


def pdf_pages(src: Path, numbers: list[int], out: Path) -> Path:
    """A PDF of some pages of another (0-based page numbers), written with pdfium."""
    import pypdfium2

    new = pypdfium2.PdfDocument.new()
    new.import_pages(pypdfium2.PdfDocument(src), numbers)
    new.save(out)
    return out


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


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server on loopback (`chroma run`, installed with chromadb), for tests run against a server too."""
    with chroma_server_at(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(params=["embedded", "server"])
def index(request, tmp_path, embedder):
    """Where a test's index lives, as Assistant/make_client keyword arguments: a folder, or a fresh database on a
    real Chroma server (the same tests, both stores)."""
    if request.param == "embedded":
        return {"index_dir": tmp_path / "index"}
    return {"chroma_url": f"{request.getfixturevalue('chroma_server')}/qa-test-{uuid.uuid4().hex[:12]}"}
