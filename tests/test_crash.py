"""Crash safety: `qa ingest` SIGKILLed at several points leaves an index that opens, answers and holds only
complete documents, and the next `qa ingest` finishes the job.

Each run is a real subprocess on a real persistent chromadb index. The kill points are picked from the
progress the command prints (how many files it has committed) plus a random delay, and one at a random time.
Every check runs in a fresh process too, the way a user would next open the index.
"""
from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DATA, SAMPLE

QA = [sys.executable, "-m", "qa.cli"]
FILES = [DATA / "bj_audit-bureau_2026_dept-budget-text.pdf", SAMPLE, DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"]
# question → (a document that holds the answer, the figure to 2 decimals): once that document is committed the
# answer must be this figure (the Beijing narrative states the tables' 32,365.090089 as 32365.09 too)
QUESTIONS = {
    "阳泉第二监狱2026年公务接待费是多少": ("yangquan2_2026_budget.pdf", Decimal("2.00")),
    "北京市审计局2026年一般公共预算拨款收入是多少": ("bj_audit-bureau_2026_dept-budget-tables.pdf", Decimal("32365.09")),
}

# Opens the index the way a reader does and reports what it holds, and what it answers.
CHECK = r"""
import json, sys
from qa.assistant import Assistant
a = Assistant(index_dir=sys.argv[1])
docs = a.documents()
got = a.store.chunks.get(include=["metadatas"])
per_doc = {}
for cid, m in zip(got["ids"], got["metadatas"]):
    per_doc.setdefault(m["doc_id"], []).append(cid)
report = {
    "docs": {d.file: {"id": d.id, "chunks": d.chunks,
                      "stored": sum(c.startswith(f"{d.id}:{d.version}:") for c in per_doc.get(d.id, []))} for d in docs},
    "total_chunks": len(got["ids"]),
    "answers": {},
}
committed = {d.id for d in docs}
for q in json.loads(sys.argv[2]):
    ans = a.ask(q)
    report["answers"][q] = {"found": ans.found, "raw": ans.figures[0].raw if ans.figures else None,
                            "doc": ans.figures[0].doc if ans.figures else None,
                            "sources_committed": all(s.doc_id in committed for s in ans.sources)}
print(json.dumps(report, ensure_ascii=False))
"""


def _check(index: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHECK, str(index), json.dumps(list(QUESTIONS), ensure_ascii=False)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"the index does not open or answer after the kill:\n{out.stderr[-3000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def _assert_consistent(report: dict, finished: bool = False) -> None:
    for name, d in report["docs"].items():
        assert d["stored"] == d["chunks"] > 0, f"{name}: registry says {d['chunks']} chunks, index holds {d['stored']}"
    committed = {name for name in report["docs"]}
    for q, (doc, value) in QUESTIONS.items():
        ans = report["answers"][q]
        assert ans["sources_committed"], f"{q}: an answer cited a document that is not committed"
        if doc in committed:
            assert ans["found"] and round(Decimal(ans["raw"].replace(",", "")), 2) == value, (q, ans)
    if finished:
        assert committed == {f.name for f in FILES}
        # nothing left over: the chunks are exactly the committed documents' chunks
        assert report["total_chunks"] == sum(d["chunks"] for d in report["docs"].values())


def _ingest_until(index: Path, trigger: str | None, delay: float, timeout: float = 600) -> int | None:
    """Run `qa ingest`; SIGKILL it `delay` seconds after `trigger` (a regex) appears in its progress output.

    Returns the exit code, or None when it was killed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TQDM_MININTERVAL": "0"}
    proc = subprocess.Popen([*QA, "ingest", "--index", str(index), *map(str, FILES)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    seen = []
    fired = threading.Event()

    def read() -> None:
        buf = ""
        while chunk := proc.stderr.read1(4096) if hasattr(proc.stderr, "read1") else proc.stderr.read(4096):
            buf = (buf + chunk.decode("utf-8", "replace"))[-4000:]
            seen.append(buf)
            if trigger and re.search(trigger, buf):
                fired.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    t0 = time.monotonic()
    if trigger is None:
        proc.wait(timeout=timeout)
        reader.join(5)
        return proc.returncode
    while not fired.is_set() and proc.poll() is None and time.monotonic() - t0 < timeout:
        time.sleep(0.02)
    time.sleep(delay)
    if proc.poll() is not None:  # finished before the kill point: nothing to kill
        reader.join(5)
        return proc.returncode
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    reader.join(5)
    return None


@pytest.mark.slow
def test_sigkill_during_ingest_loses_nothing(tmp_path, embedder):
    rng = random.Random(os.environ.get("QA_CRASH_SEED", "6"))
    index = tmp_path / "index"
    # `qa ingest` parses in worker processes (the default) and commits file by file, so its progress says
    # which file was committed last: the kill points walk through the files of the batch.
    kills = [
        (r"ingest:", rng.uniform(1, 3)),  # the first file parsing or embedding: nothing committed yet
        (r"\| 1/3", rng.uniform(0, 0.3)),  # right after a commit: dropping stale chunks, the next file's start
        (r"\| 1/3", rng.uniform(8, 20)),  # the 100-page file embedding or being written
        (r"\| 2/3", rng.uniform(0, 0.3)),  # right after the 100-page file's commit
        (r"ingest:", rng.uniform(0, 15)),  # any time at all
    ]
    killed = 0
    for trigger, delay in kills:
        code = _ingest_until(index, trigger, delay)
        killed += code is None
        assert code in (None, 0), f"qa ingest failed on its own (exit {code})"
        report = _check(index)
        print(f"kill {delay:.1f}s after {trigger!r}: {'killed' if code is None else 'finished'}; committed "
              f"{sorted(report['docs'])}, {report['total_chunks']} chunks stored")
        _assert_consistent(report)
    assert killed >= 3, "the kill points should mostly land while ingest is running"
    assert _ingest_until(index, None, 0) == 0  # the next run finishes the job
    _assert_consistent(_check(index), finished=True)
