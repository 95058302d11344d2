"""Load: many askers at once, through the Python API and through the web page, with ingestion running meanwhile.

    python bench/load.py [--threads 8] [--clients 20] [--rounds 40] [--work /tmp/qa-load]

1. One Assistant over an index of the sample disclosure and the 北京市审计局 narrative answers every question
   single-threaded: those answers are the reference, and their timings the unloaded latency.
2. `--threads` threads ask through the same Assistant, `--rounds` questions each, all at once and each a
   different question at any moment.
3. The same while another document (北京市审计局's tables) is ingested: answers about the other documents
   must not change.
4. `app.py` is started over the same index and `--clients` gradio clients ask through the page at once while
   one more client uploads that document again (re-ingested as new content: a copy with another name).
Every answer is compared with the reference; the table gives throughput and latency p50/p95 per phase.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
BJ_TEXT = ROOT / "tests" / "data" / "bj_audit-bureau_2026_dept-budget-text.pdf"
BJ_TABLES = ROOT / "tests" / "data" / "bj_audit-bureau_2026_dept-budget-tables.pdf"

# About the documents indexed from the start; the concurrent ingest adds 北京市审计局's tables, which may
# rightly change answers about 北京市审计局, so only the 阳泉 questions are held to "unchanged" then.
QUESTIONS = [
    "阳泉第二监狱2026年公务接待费是多少", "阳泉第二监狱三公经费为何增加", "阳泉第二监狱机关运行经费是多少",
    "阳泉第二监狱2026年行政运行支出多少", "阳泉第二监狱上年结转多少", "阳泉第二监狱一般公共预算支出合计",
    "阳泉第二监狱政府采购预算是多少", "阳泉第二监狱项目支出是多少", "阳泉第二监狱人员经费是多少",
    "阳泉第二监狱2026年收入总计", "阳泉第二监狱公务用车购置及运行费是多少", "阳泉第二监狱基本支出是多少",
    "阳泉二监因公出国经费", "阳泉第二监狱国有资产占有使用情况", "北京市审计局2026年三公经费为什么增加",
    "北京市审计局2026年机关运行经费是多少", "北京市审计局政府采购预算总额", "北京市审计局2026年收入预算是多少",
    "北京市审计局公务接待费是多少", "北京市审计局部门预算收支总额",
]
OTHER_DOCS = [q for q in QUESTIONS if "北京" not in q]


def answer_key(ans) -> str:
    """An answer as compared: everything `qa ask --json` prints but its timing."""
    d = ans.to_dict()
    d.pop("elapsed_ms")
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds per question
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    overlapped: int = 0  # answers given while the side job (an ingest or upload) was running
    wall: float = 0.0
    note: str = ""

    def row(self) -> str:
        n = len(self.latencies)
        ms = sorted(x * 1000 for x in self.latencies) or [float("nan")]
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        return (f"| {self.name} | {n} | {len(self.wrong)} | {len(self.errors)} | {n / self.wall:.2f} | "
                f"{statistics.median(ms):.0f} | {p95:.0f} | {self.overlapped} | {self.note} |")


def run_load(name: str, askers: int, rounds: int, questions: list[str], ask, right, side_job=None) -> Phase:
    """`askers` threads each ask `rounds` questions (asker i starting at the i-th, so askers ask different
    questions at once), and go on asking while `side_job` (returning a note) runs, so the two overlap.
    `ask(i, q)` answers as asker i; `right(q, got)` judges it."""
    phase = Phase(name)
    lock = threading.Lock()
    running = threading.Event()

    def asker(i: int) -> None:
        order = [questions[(i + k) % len(questions)] for k in range(rounds)]
        n = 0
        while n < len(order) or running.is_set():
            q = order[n % len(order)]
            n += 1
            t0 = time.perf_counter()
            try:
                got = ask(i, q)
            except Exception as e:  # counted, never fatal: the point is to see them
                with lock:
                    phase.errors.append(f"{q}: {type(e).__name__}: {e}")
                continue
            with lock:
                phase.latencies.append(time.perf_counter() - t0)
                phase.overlapped += running.is_set()
                if not right(q, got):
                    phase.wrong.append(q)

    def side() -> None:
        try:
            phase.note = side_job()
        finally:
            running.clear()

    t0 = time.perf_counter()
    if side_job:
        running.set()
        thread = threading.Thread(target=side)
        thread.start()
    with ThreadPoolExecutor(askers) as pool:
        list(pool.map(asker, range(askers)))
    if side_job:
        thread.join()
    phase.wall = time.perf_counter() - t0
    return phase


def api_load(a, questions: list[str], reference: dict[str, str], threads: int, rounds: int,
             side_job=None) -> Phase:
    """Threads sharing one Assistant; each answer must equal the single-threaded one exactly."""
    return run_load(f"Python API, {threads} threads" + (" + ingest" if side_job else ""), threads, rounds,
                    questions, lambda _i, q: answer_key(a.ask(q)), lambda q, got: got == reference[q], side_job)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(index: Path, log: Path, timeout: float = 300) -> tuple[subprocess.Popen, str]:
    """`python app.py` over an existing index on a free port; returns the process and its URL once it serves."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("QA_HOST", "QA_PORT", "QA_INDEX", "QA_CHROMA_URL")}
    with log.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(index),
                                 "--no-sample"], stdout=fh, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("app.py did not start serving")
            time.sleep(1)


def app_reply(client, question: str) -> str:
    chat, *_ = client.predict(question, [], "全部", "全部", "全部", api_name="/ask")
    content = chat[-1]["content"]
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content if isinstance(c, dict))


def app_load(url: str, questions: list[str], expected: dict[str, str], clients: int, rounds: int,
             upload: Path | None = None) -> Phase:
    """Gradio clients, each its own connection, asking at once (one more uploads `upload` meanwhile);
    each reply must start with the single-threaded answer's text as the page shows it."""
    from gradio_client import Client, handle_file

    connected = [Client(url, verbose=False) for _ in range(clients + bool(upload))]

    def send_upload() -> str:
        t0 = time.perf_counter()
        report, *_ = connected[-1].predict([handle_file(str(upload))], "全部", "全部", "全部", api_name="/upload")
        return f"upload {'ok' if '已导入' in report else 'FAILED: ' + report} in {time.perf_counter() - t0:.0f} s"

    return run_load(f"web page, {clients} clients" + (" + upload" if upload else ""), clients, rounds, questions,
                    lambda i, q: app_reply(connected[i], q), lambda q, got: got.startswith(expected[q]),
                    send_upload if upload else None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=40, help="questions each asker asks")
    ap.add_argument("--work", default="/tmp/qa-load", help="a scratch folder for the index (emptied first)")
    args = ap.parse_args()
    from qa.assistant import Assistant
    from webui.render import cite

    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    a = Assistant(index_dir=work / "index")
    a.ingest([SAMPLE, BJ_TEXT])
    phases = []

    serial = Phase("single thread (reference)")
    t0 = time.perf_counter()
    reference, replies = {}, {}
    for q in QUESTIONS:
        t1 = time.perf_counter()
        ans = a.ask(q)
        serial.latencies.append(time.perf_counter() - t1)
        reference[q], replies[q] = answer_key(ans), cite(ans.answer, ans.sources)
    serial.wall = time.perf_counter() - t0
    phases.append(serial)

    phases.append(api_load(a, QUESTIONS, reference, args.threads, args.rounds))

    def ingest_tables() -> str:
        t = time.perf_counter()
        [r] = a.ingest([BJ_TABLES])
        return f"ingest {r.status} in {time.perf_counter() - t:.0f} s"

    phases.append(api_load(a, OTHER_DOCS, reference, args.threads, args.rounds, side_job=ingest_tables))
    # back to the reference set of documents for the page
    a.remove(next(d.id for d in a.documents() if d.file == BJ_TABLES.name))

    proc, url = start_app(work / "index", work / "app.log")
    try:
        phases.append(app_load(url, QUESTIONS, replies, args.clients, args.rounds))
        copy = shutil.copy(BJ_TABLES, work / "北京审计局预算表格.pdf")
        phases.append(app_load(url, OTHER_DOCS, replies, args.clients, args.rounds, Path(copy)))
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"{len(QUESTIONS)} questions; {os.cpu_count()} CPU cores; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print("| phase | answers | wrong | errors | answers/s | p50 ms | p95 ms | during ingest | note |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in phases:
        print(p.row())
    for p in phases:
        for line in (p.errors + [f"wrong: {q}" for q in p.wrong])[:5]:
            print(f"{p.name}: {line}")


if __name__ == "__main__":
    main()
