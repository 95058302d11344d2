"""Parsing and embedding in worker processes: the same results as one process, in order, and a dying worker costs
one file."""
import os
import shutil
from pathlib import Path

import numpy as np

from conftest import DATA
from qa.assistant import Assistant
from qa.ingest import Ingestor

TEXT = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"


class _KillsTheWorker(type(Path())):
    """A path whose unpickling in a worker process ends that process, as a crash in native code would."""

    def __reduce__(self):
        return os._exit, (1,)


def test_parallel_ingest_reports_every_file_in_order(tmp_path, embedder):
    copy = tmp_path / "copy.pdf"
    shutil.copy(TEXT, copy)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 truncated")
    a = Assistant(index_dir=tmp_path / "index")
    results = a.ingest([TEXT, junk, copy], workers=2)
    assert [(r.file, r.status) for r in results] == [
        ("bj_audit-bureau_2026_dept-budget-text.pdf", "added"), ("junk.pdf", "failed"), ("copy.pdf", "duplicate")]
    assert results[1].reason == "corrupt"
    assert [d.unit for d in a.documents()] == ["北京市审计局"]
    assert a.store.chunks.count() == results[0].chunks
    ans = a.ask("北京市审计局2026年“三公”经费为什么增加？")
    assert ans.found and ans.figures[0].raw == "16.03"

    # a second run over the same files parses nothing
    again = a.ingest([TEXT, copy], workers=2)
    assert [r.status for r in again] == ["unchanged", "duplicate"]


def test_workers_embed_what_this_process_would(tmp_path, embedder, monkeypatch):
    """Each file's texts are embedded in slices, by whichever worker is free; its vectors come back in its order."""
    import qa.ingest

    monkeypatch.setattr(qa.ingest, "_EMBED_SLICE", 16)  # every file in many slices
    a = Assistant(index_dir=tmp_path / "index", device="cpu")  # on a GPU this process embeds (the test below)
    results = a.ingest([TEXT, DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"], workers=2)
    assert all(r.embedded > 16 for r in results)
    assert not a.embedder.loaded  # the workers embedded: this process never needed the model
    got = a.store.chunks.get(include=["documents", "embeddings"])
    assert len(got["ids"]) > 100
    cosine = np.sum(np.asarray(got["embeddings"]) * embedder.embed_passages(got["documents"]), axis=1)
    assert cosine.min() > 0.999


def test_parses_go_first_then_the_texts_of_the_file_taken_first():
    """A parse is never queued behind embedding (a long parse started last would end the batch alone), and the texts
    of the file taken first (the largest) go first, slice by slice."""
    from qa.ingest import IngestResult, _Flight, _Job, _next_parse, _next_slice

    def job(name):
        return _Job(Path(name), name, [])

    embedding = _Flight(job("a"), parsed=object(), slices=[["x"], ["y"], ["z"]], queued=1)
    unparsed = _Flight(job("b"))
    later = _Flight(job("c"), parsed=object(), slices=[["w"]])
    pending = [_Flight(IngestResult("done.pdf", "unchanged")), embedding, unparsed, later]
    assert _next_parse(pending) is unparsed and _next_slice(pending) is embedding
    unparsed.parsing = True
    assert _next_parse(pending) is None
    embedding.queued = 3
    assert _next_slice(pending) is later
    later.queued = 1
    assert _next_slice(pending) is None


def test_a_file_commits_when_ready_unless_one_taken_before_has_its_content():
    """Files commit as they are ready (the largest, taken first, holds no finished one back), but of two with the same
    content the one taken first commits first: it is added, the other a duplicate, whichever finished first."""
    from qa.ingest import IngestResult, _committable, _Flight, _Job

    first = _Flight(_Job(Path("a.pdf"), "same", []), index=2)
    copy = _Flight(_Job(Path("copy.pdf"), "same", []), index=0, parsed=IngestResult("copy.pdf", "failed"))
    other = _Flight(_Job(Path("b.pdf"), "other", []), index=1)
    pending = [first, copy, other]
    assert _committable(pending) is None
    other.parsed = IngestResult("b.pdf", "failed")
    assert _committable(pending) is other
    pending.remove(other)
    first.parsed = IngestResult("a.pdf", "failed")
    assert _committable(pending) is first


def test_embedding_takes_the_cores_the_parses_leave(monkeypatch):
    """One torch thread per embedding worker while files are parsed; all the cores once none is."""
    from qa.ingest import _threads

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert [_threads(2, parses) for parses in (3, 2, 1, 0)] == [1, 1, 1, 2]
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert [_threads(16, parses) for parses in (17, 8, 0)] == [1, 1, 2]  # 8 embedding workers share the cores


def test_only_the_embedding_workers_load_the_model(tmp_path, monkeypatch):
    """Parsing processes never load the model: on a CPU, one embedding process beside two parsing ones."""
    import psutil

    import qa.ingest

    seen: dict[int, int] = {}
    real_advance = qa.ingest.Ingestor._advance

    def advance(self, fl, index, result):  # after each step, the resident memory of every worker
        for child in psutil.Process().children(recursive=True):
            seen[child.pid] = max(seen.get(child.pid, 0), child.memory_info().rss)
        real_advance(self, fl, index, result)

    monkeypatch.setattr(qa.ingest.Ingestor, "_advance", advance)
    a = Assistant(index_dir=tmp_path / "index", device="cpu")
    results = a.ingest([TEXT, DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"], workers=2)
    assert [r.status for r in results] == ["added", "added"]
    with_model = [pid for pid, rss in seen.items() if rss > 700 * 2**20]  # the model alone is ≈ 0.5 GB more
    assert len(with_model) == 1, {pid: rss >> 20 for pid, rss in seen.items()}


def test_with_the_model_on_a_gpu_workers_only_parse(tmp_path, embedder, monkeypatch):
    """On a GPU one model in the writing process embeds every file (this machine's CPU model stands in for it)."""
    import qa.ingest

    monkeypatch.setattr(type(embedder), "on_gpu", property(lambda self: True))
    monkeypatch.setattr(qa.ingest, "embed_in_worker", None)  # a worker asked to embed would fail the file
    a = Assistant(index_dir=tmp_path / "index")
    results = a.ingest([TEXT, DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"], workers=2)
    assert [r.status for r in results] == ["added", "added"] and all(r.embedded > 0 for r in results)
    assert a.embedder.loaded  # this process embedded
    got = a.store.chunks.get(include=["documents", "embeddings"])
    cosine = np.sum(np.asarray(got["embeddings"]) * embedder.embed_passages(got["documents"]), axis=1)
    assert cosine.min() > 0.999


def test_a_dying_worker_fails_only_its_own_file(tmp_path, embedder):
    crasher = _KillsTheWorker(tmp_path / "crash.pdf")
    shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf", crasher)
    a = Assistant(index_dir=tmp_path / "index")
    ingestor = Ingestor(a.store, a.embedder)
    placed = dict(ingestor._ingest_parallel([crasher, TEXT], workers=2))  # as committed: (place given, result)
    results = [placed[i] for i in range(2)]
    assert [(r.file, r.status, r.reason) for r in results] == [
        ("crash.pdf", "failed", "parse-crash"), ("bj_audit-bureau_2026_dept-budget-text.pdf", "added", None)]
    assert [d.file for d in a.documents()] == ["bj_audit-bureau_2026_dept-budget-text.pdf"]


def test_workers_die_with_a_killed_ingest(tmp_path):
    """SIGKILL of `qa ingest` must not leave parser processes behind (they would hold memory and CPU)."""
    import subprocess
    import sys
    import time

    import psutil

    folder = tmp_path / "pdfs"
    folder.mkdir()
    for i in range(6):
        shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf", folder / f"{i}.pdf")
        (folder / f"{i}.pdf").open("ab").write(b"\n%" + bytes([i]))  # other content, so each file is parsed
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "ingest", "--workers", "2", "--index", str(tmp_path / "index"),
                             str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 300
    while len(workers := parent.children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers) >= 2, "the pool never started"
    proc.kill()
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
