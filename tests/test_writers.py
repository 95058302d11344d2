"""Many writers on one Chroma server: two `qa ingest` processes (two machines) at once, one file given to both and one
to each, index every document once, lose no chunk, and answer as one writer's embedded index of the same files does.

Both writers start at once and are steered into the interleavings that matter: each one's first registry commit
is held until the test lets it go, and B's start-up cleanup waits until A's first document is written but not yet
committed (it must not take it for an orphan); both write the shared file's chunks before either commits it (both
found it absent). The answers are asked of a reader started before B's last commit, and of one writer's index.
Then two narrower races, each at the point it happens: a write that fails while another writer commits the same
file, and a new database two writers open at once.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from conftest import DATA, ROOT, SAMPLE, pdf_pages

QA = [sys.executable, "-m", "qa.cli"]
QUESTIONS = ["阳泉第二监狱2026年公务接待费是多少", "三公经费为何增加", "北京市审计局2026年“三公”经费为什么增加？",
             "阳泉第二监狱2026年一般公共预算财政拨款支出是多少"]
# `qa ingest` whose first registry commit waits (its chunks written) until the test creates <gate>/go, and whose
# start-up cleanup waits, where QA_TEST_CLEANUP_AFTER names a file, until that file exists
GATED_INGEST = r"""
import os, sys, time
from pathlib import Path
import qa.store
from qa.cli import main

gate = Path(os.environ["QA_TEST_GATE"])
cleanup_after = os.environ.get("QA_TEST_CLEANUP_AFTER")
commit, cleanup = qa.store.ChunkStore.put_record, qa.store.ChunkStore.cleanup

def wait_for(marker):
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

def held_commit(self, rec):
    if not (gate / "paused").exists():
        (gate / "paused").touch()
        wait_for(gate / "go")
    commit(self, rec)

def late_cleanup(self):
    if cleanup_after:
        wait_for(Path(cleanup_after))
    return cleanup(self)

qa.store.ChunkStore.put_record, qa.store.ChunkStore.cleanup = held_commit, late_cleanup
main(sys.argv[1:], prog_name="qa")
"""


def _machine(folder: Path, *files: Path) -> list[Path]:
    """The files as one machine holds them: copies in its own folder."""
    folder.mkdir()
    return [Path(shutil.copy(f, folder / f.name)) for f in files]


def _writer(files: list[Path], url: str, gate: Path, cleanup_after: Path | None = None) -> subprocess.Popen:
    gate.mkdir()
    env = {**os.environ, "QA_TEST_GATE": str(gate), "QA_TEST_CLEANUP_AFTER": str(cleanup_after or "")}
    return subprocess.Popen([sys.executable, "-c", GATED_INGEST, "ingest", "--json", "--workers", "1",
                             "--chroma-url", url, *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _await(marker: Path, *procs: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        for p in procs:
            assert p.poll() is None, f"a writer ended before {marker}: {p.stderr.read()[-3000:]}"
        assert time.monotonic() < deadline, f"no {marker} after {timeout} s"
        time.sleep(0.05)


def _results(proc: subprocess.Popen) -> dict[str, str]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return {r["file"]: r["status"] for r in map(json.loads, out.splitlines())}


def _reader(*where: str) -> subprocess.Popen:
    """`qa ask --json` started now, to load its models while the test goes on; `_answers` gives it the questions."""
    return subprocess.Popen([*QA, "ask", "--json", *where], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _answers(reader: subprocess.Popen) -> list[dict]:
    out, err = reader.communicate("\n".join(QUESTIONS) + "\n", timeout=120)
    assert reader.returncode == 0, err[-3000:]
    return [{k: v for k, v in json.loads(line).items() if k != "elapsed_ms"} for line in out.splitlines()]


def test_two_writers_at_once_index_every_document_once(chroma_server, tmp_path):
    from qa.store import ChunkStore, make_client

    shared = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"
    # three pages of the sample each (small documents that embed in a second): the 三公 table and its reasons, expenses
    only_a = pdf_pages(SAMPLE, [0, 15, 21], tmp_path / "yangquan2_sanggong.pdf")
    only_b = pdf_pages(SAMPLE, [0, 11, 12], tmp_path / "yangquan2_expenses.pdf")
    url = f"{chroma_server}/writers-{uuid.uuid4().hex[:12]}"
    reference = subprocess.Popen([*QA, "ingest", "--json", "--workers", "1", "--index", str(tmp_path / "one-writer"),
                                  str(shared), str(only_a), str(only_b)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)

    a = _writer(_machine(tmp_path / "machine-a", only_a, shared), url, tmp_path / "gate-a")
    # B's start-up cleanup runs once A has written its first document's chunks (A's commit is held)
    b = _writer(_machine(tmp_path / "machine-b", shared, only_b), url, tmp_path / "gate-b",
                cleanup_after=tmp_path / "gate-a" / "paused")
    _await(tmp_path / "gate-b" / "paused", a, b)  # B cleaned up, wrote the shared file's chunks, holds its commit
    assert reference.wait(timeout=120) == 0, reference.stderr.read()[-3000:]
    one_writer = _reader("--index", str(tmp_path / "one-writer"))
    (tmp_path / "gate-a" / "go").touch()
    assert _results(a) == {only_a.name: "added", shared.name: "added"}  # B had not committed it: A wrote it too
    many_writers = _reader("--chroma-url", url)  # a reader of the server, started before B's commits
    (tmp_path / "gate-b" / "go").touch()
    assert _results(b) == {shared.name: "added", only_b.name: "added"}

    store = ChunkStore(make_client(chroma_url=url))
    docs = store.documents()
    assert sorted(d.file for d in docs) == sorted([shared.name, only_a.name, only_b.name])  # each registered once
    stored = store.chunks.get(include=[])["ids"]
    for d in docs:  # none lost: every committed document holds all its chunks, of its own version
        assert sum(i.startswith(f"{d.id}:{d.version}:") for i in stored) == d.chunks > 0, d.file
    assert len(stored) == sum(d.chunks for d in docs)  # none duplicated, none left over
    assert _answers(many_writers) == _answers(one_writer)


def test_a_failed_write_keeps_the_same_document_another_writer_committed(chroma_server, monkeypatch):
    """Writer 2 found the file absent and wrote its chunks; writer 1 committed the same file (the same chunk ids)
    before writer 2's commit failed: undoing writer 2's write must leave writer 1's document whole."""
    import numpy as np

    from qa.chunk import ChunkSettings
    from qa.ingest import Ingestor, _Job, parse_file
    from qa.parse import ParseSettings
    from qa.store import ChunkStore, make_client

    url = f"{chroma_server}/failed-write-{uuid.uuid4().hex[:12]}"
    path = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"
    parsed = parse_file(path, ParseSettings(), ChunkSettings())
    parsed.vectors = np.random.default_rng(0).random((len(parsed.chunks), 8), dtype=np.float32)  # no model needed
    first, second = ChunkStore(make_client(chroma_url=url)), ChunkStore(make_client(chroma_url=url))
    other_commits = Ingestor(first, embedder=None)._commit

    def commit_lost(rec):
        other_commits(_Job(path, rec.id, []), parsed)  # writer 1 commits meanwhile
        raise ConnectionError("the server went away")

    monkeypatch.setattr(second, "put_record", commit_lost)
    result = Ingestor(second, embedder=None)._commit(_Job(path, parsed.doc.id, []), parsed)
    assert result.status == "failed" and result.reason == "store-error"
    [doc] = first.documents()
    assert first.chunks.count() == doc.chunks == len(parsed.chunks)


def test_a_database_another_writer_creates_meanwhile_is_opened(chroma_server, monkeypatch):
    """Two writers open a new database at once: both find it absent, one creates it, the other's create fails."""
    from chromadb.api.client import AdminClient
    from chromadb.errors import NotFoundError

    from qa.store import make_client

    url = f"{chroma_server}/opened-{uuid.uuid4().hex[:12]}"
    make_client(chroma_url=url)  # the other writer creates it
    looked = AdminClient.get_database

    def absent_at_first(self, name, *args, **kwargs):  # as this writer saw it just before
        monkeypatch.setattr(AdminClient, "get_database", looked)
        raise NotFoundError(f"Database [{name}] not found")

    monkeypatch.setattr(AdminClient, "get_database", absent_at_first)
    assert make_client(chroma_url=url).heartbeat()
