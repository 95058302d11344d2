"""Shared fixtures: the sample disclosure shipped in the repo, the larger corpus beside it, one embedder."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
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


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server on loopback (`chroma run`, installed with chromadb), for tests run against a server too."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("chroma-server")
    log = open(folder / "server.log", "wb")
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"chroma run did not start: {(folder / 'server.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(params=["embedded", "server"])
def index(request, tmp_path, embedder):
    """Where a test's index lives, as Assistant/make_client keyword arguments: a folder, or a fresh database on a
    real Chroma server (the same tests, both stores)."""
    if request.param == "embedded":
        return {"index_dir": tmp_path / "index"}
    return {"chroma_url": f"{request.getfixturevalue('chroma_server')}/qa-test-{uuid.uuid4().hex[:12]}"}
