"""Benchmarks for issue 5: ingestion throughput, query latency and accuracy as the index grows, and baselines.

    python bench/bench.py ingest     [--workers 1 2] [--files N] [--scale-only] [--every N] [--device D] [--index DIR]
                                                                   ingest the first N corpus files per worker count
    python bench/bench.py read       [--files 12] [--every 9]      the same pages read alone (ingest's floor)
    python bench/bench.py embed      [--device cuda] [--batch 256 1024]
                                                                   embedding alone: chunks/s and cosine to CPU float32
    python bench/bench.py reingest   [--files 12] [--every 9]      scale/ files ingested, then again after a parser change
    python bench/bench.py scale      [--sizes 10 50 0]             one index grown to each size (0 = all), eval at each
    python bench/bench.py baselines                                naive RAG and BM25 over page text vs ours
    python bench/bench.py query      --index DIR [--answers FILE]  warm `Assistant.ask` latency over a fixed question list
    python bench/bench.py writers    [--files 6] [--every 18]      two `qa ingest` at once on one Chroma server vs one
    python bench/bench.py all                                      the three above, in one run

Corpus: eval/corpus.txt's documents first (the eval questions are about them), then every PDF of
../shared/corpus/scale. Each step prints a Markdown table and appends a JSON line to bench/results/bench.jsonl.
Ingestion runs `qa ingest` in a subprocess, sampled every 0.5 s for the resident memory of its whole process
tree (workers included).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = Path(os.environ.get("QA_CORPUS", ROOT.parent / "shared" / "corpus"))
RESULTS = ROOT / "bench" / "results" / "bench.jsonl"


def eval_corpus() -> list[Path]:
    """The documents the eval questions are about (eval/corpus.txt)."""
    return [CORPUS / line.strip() for line in (ROOT / "eval" / "corpus.txt").read_text().splitlines() if line.strip()]


def scale_files() -> list[Path]:
    return sorted((CORPUS / "scale").glob("*.pdf"))


def corpus_files() -> list[Path]:
    return list(dict.fromkeys(eval_corpus() + scale_files()))


def record(step: str, rows: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"step": step, "time": time.strftime("%Y-%m-%d %H:%M"), "loadavg": load, "rows": rows},
                            ensure_ascii=False) + "\n")
    cols = list(rows[0])
    print(f"\n{step} (load average at the end {load[0]:.1f} on {os.cpu_count()} cores)")
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.5):
        self.peak = 0
        self._proc = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            self._stop.wait(every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_ingest(files: list[Path], index: Path | str, workers: int, code: Path = ROOT, device: str | None = None) -> dict:
    """`qa ingest --json` as a user runs it (with the qa package of ``code``, embedding on ``device``) into an index
    folder or a Chroma server's URL; returns throughput, wall time, CPU, peak memory, index size (of a folder)."""
    store = ["--chroma-url", index] if isinstance(index, str) else ["--index", str(index)]
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "ingest", "--json", "--workers", str(workers),
                             *(["--device", device] if device else []), *store, *map(str, files)],
                            stdout=subprocess.PIPE, text=True, cwd=code)
    mem = TreeMemory(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    peak = mem.stop()
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    parsed = [r for r in results if r["status"] in ("added", "replaced")]
    pages, chunks = sum(r["pages"] for r in parsed), sum(r["chunks"] for r in parsed)
    parse_s, embed_s = sum(r["parse_seconds"] for r in parsed), sum(r["embed_seconds"] for r in parsed)
    return {
        "workers": workers, **({"device": device} if device else {}), "files": len(files), "indexed": len(parsed),
        "failed": sum(r["status"] == "failed" for r in results), "pages": pages, "chunks": chunks,
        "embedded": sum(r.get("embedded", r["chunks"]) for r in parsed),  # code before the vector reuse: all
        "parse pages/s per worker": round(pages / parse_s, 1) if parse_s else None,
        "embed chunks/s per embedder": round(chunks / embed_s, 1) if embed_s else None,
        "wall s": round(wall, 1), "wall pages/s": round(pages / wall, 1),
        "peak RSS MB": round(peak / 2**20), "index MB": round(du(index) / 2**20, 1) if store[0] == "--index" else None,
    }


def cmd_ingest(args) -> None:
    files = (scale_files() if args.scale_only else corpus_files())[:: args.every][: args.files or None]
    rows = []
    for w in args.workers:
        index = Path(args.index) if args.index else Path(tempfile.mkdtemp(prefix=f"bench-ingest-{w}-"))
        try:
            rows.append(run_ingest(files, index, w, device=args.device))
        finally:
            if not args.index:
                shutil.rmtree(index, ignore_errors=True)
    record("ingest", rows)


def cmd_read(args) -> None:
    """The floor ingest is measured against (issue 18's ratio): the same files' pages read with pdfplumber's
    extract_text, in one process."""
    import pdfplumber

    files = scale_files()[:: args.every][: args.files]
    t0, pages = time.perf_counter(), 0
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    record("read", [{"files": len(files), "pages": pages, "wall s": round(time.perf_counter() - t0, 1)}])


def _texts_to_embed(path: Path) -> list[str]:
    """The chunk texts ingest embeds for one file."""
    from qa.chunk import ChunkSettings
    from qa.ingest import Parsed, parse_file
    from qa.parse import ParseSettings

    parsed = parse_file(path, ParseSettings(), ChunkSettings())
    return [c.text for c in parsed.chunks] if isinstance(parsed, Parsed) else []


def cmd_embed(args) -> None:
    """Embedding alone on one device: the distinct chunk texts of every ``--every``-th scale/ file (real chunk
    lengths), embedded at each batch size after a warm-up, and the vectors' cosine to float32 on the CPU."""
    import numpy as np
    from concurrent.futures import ProcessPoolExecutor

    from qa.embedding import Embedder

    files = scale_files()[:: args.every][: args.files]
    with ProcessPoolExecutor(min(len(files), os.cpu_count() or 1)) as pool:
        texts = list(dict.fromkeys(t for per_file in pool.map(_texts_to_embed, files) for t in per_file))
    embedder = Embedder(device=args.device)
    embedder.embed_passages(texts[:64])  # loads the model, warms the kernels
    rows = []
    for batch in args.batch:
        t0 = time.perf_counter()
        vectors = embedder.embed_passages(texts, batch_size=batch)
        seconds = time.perf_counter() - t0
        rows.append({"device": embedder.device, "batch": batch, "texts": len(texts), "seconds": round(seconds, 2),
                     "chunks/s": round(len(texts) / seconds)})
    sample = slice(0, len(texts), max(1, len(texts) // args.agreement))  # spread over the files
    reference = Embedder(device="cpu", bf16=False).embed_passages(texts[sample])
    cosine = np.sum(vectors[sample] * reference, axis=1)
    for row in rows:
        row.update({"cosine to cpu float32 (min)": round(float(cosine.min()), 5),
                    "(mean)": round(float(cosine.mean()), 5)})
    record("embed", rows)


def cmd_reingest(args) -> None:
    """Every ``--every``-th file of scale/ (``--files`` of them) ingested into a fresh index, then ingested again as
    after a parser change: by a copy of qa/ whose chunk.py differs by a comment, so every document's pipeline
    version changes and each is parsed and written again, its texts mostly unchanged."""
    files = scale_files()[:: args.every][: args.files]
    index = Path(tempfile.mkdtemp(prefix="bench-reingest-"))
    changed = Path(tempfile.mkdtemp(prefix="bench-changed-code-"))
    try:
        shutil.copytree(ROOT / "qa", changed / "qa", ignore=shutil.ignore_patterns("__pycache__"))
        with (changed / "qa" / "chunk.py").open("a", encoding="utf-8") as fh:
            fh.write("\n# bench/bench.py reingest: a parser change\n")
        rows = [{"run": "first ingest", **run_ingest(files, index, args.workers)},
                {"run": "after a parser change", **run_ingest(files, index, args.workers, code=changed)}]
    finally:
        shutil.rmtree(index, ignore_errors=True)
        shutil.rmtree(changed, ignore_errors=True)
    record("reingest", rows)


def cmd_scale(args) -> None:
    from chromadb.api.client import SharedSystemClient

    from qa.assistant import Assistant
    from qa.evaluate import load_items, run_eval

    files = corpus_files()
    items = [i for i in load_items(ROOT / "eval" / "questions.jsonl") if i.found and i.value is not None]
    index = Path(args.index or tempfile.mkdtemp(prefix="bench-scale-"))
    rows, done = [], 0
    for size in args.sizes:
        n = len(files) if size == 0 else size
        ingest = run_ingest(files[done:n], index, args.ingest_workers) if n > done else None
        done = n
        a = Assistant(index_dir=index)
        indexed = {d.file for d in a.documents()}
        a.embedder.load()  # loaded on first use: not part of what the first query measures
        t0 = time.perf_counter()
        a.ask("公务接待费是多少")  # the first query loads the lexical index of the committed chunks
        first_ms = (time.perf_counter() - t0) * 1000
        for subset, chosen in (("multi_doc", [i for i in items if i.type == "multi_doc"]), ("all answerable", items)):
            chosen = [i for i in chosen if set(i.docs) <= indexed]
            if not chosen:
                continue
            rep = run_eval(a, chosen, modes=("hybrid",))["hybrid"].row()
            rows.append({
                "documents": len(indexed), "chunks": a.store.chunks.count(), "questions": f"{subset} ({len(chosen)})",
                "answer@1": rep["answer@1"], "recall@5": rep["recall@5"], "p50 ms": rep["p50_ms"],
                "p95 ms": rep["p95_ms"], "first query ms": round(first_ms), "RSS MB": round(psutil.Process().memory_info().rss / 2**20),
                "ingest wall s": ingest["wall s"] if ingest else None,
            })
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)  # a long run shows each size as it is done
        del a
        # the next step's `qa ingest` writes this index from another process: drop chromadb's cached client
        SharedSystemClient.clear_system_cache()
    record("scale", rows)
    if not args.index:
        shutil.rmtree(index, ignore_errors=True)


def cmd_query(args) -> None:
    """Warm latency of the whole `Assistant.ask` on an existing index over a fixed list of questions (every
    ``--every``-th of eval/questions.jsonl), ``--rounds`` times, and the process's memory (serving's ≤ 2 GB target);
    ``--answers`` writes each answer (its JSON without elapsed_ms), so two versions of the code can be checked to
    answer identically."""
    from qa.assistant import Assistant

    a = Assistant(index_dir=args.index)
    if args.indexed_only:  # every eval question about the indexed documents alone
        files = {d.file for d in a.documents()}
        items = [json.loads(line) for path in [ROOT / "eval" / "questions.jsonl", *sorted((ROOT / "eval" / "questions").glob("*.jsonl"))]
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        items = [d for d in items if d.get("docs") and {Path(x).name for x in d["docs"]} <= files]
    else:
        items = [json.loads(line) for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [d["question"] for d in items[:: args.every]]
    a.warm()
    a.ask(questions[0])
    ms, answers = [], []
    for _ in range(args.rounds):
        for q in questions:
            t0 = time.perf_counter()
            ans = a.ask(q)
            ms.append((time.perf_counter() - t0) * 1000)
            answers.append({k: v for k, v in ans.to_dict().items() if k != "elapsed_ms"})
    if args.answers:
        Path(args.answers).write_text("".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n"
                                              for d in answers[: len(questions)]), encoding="utf-8")
    ms.sort()
    import resource

    record("query", [{"documents": len(a.documents()), "chunks": a.store.chunks.count(), "questions": len(questions),
                      "rounds": args.rounds, "p50 ms": round(ms[len(ms) // 2], 1),
                      "p95 ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
                      # the serving process: resident after the questions, and at its peak (Linux: ru_maxrss in KiB)
                      "RSS MB": round(psutil.Process().memory_info().rss / 2**20),
                      "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}])


def cmd_writers(args) -> None:
    """Two `qa ingest` processes writing one Chroma server at once (two machines, one worker each), against one
    writer with two workers: every ``--every``-th scale/ file (``--files`` of them), a third given to both writers
    first (both parse and embed them at the same moment: the worst case), then a third to each. The two-writer
    database must hold what the one-writer one does: each document once and whole, the same chunks, the same
    answers (two questions a document, through `qa ask --json`; the one-writer row asks its own twice)."""
    from chroma_server import chroma_server

    files = scale_files()[:: args.every][: args.files]
    third = len(files) // 3
    shared = files[:third]
    parts = (shared + files[third : 2 * third], shared + files[2 * third :])
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as tmp, chroma_server(Path(tmp)) as url:
        one, two = f"{url}/one-writer", f"{url}/two-writers"
        t0 = time.perf_counter()
        alone = run_ingest(files, one, 2)
        one_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.map(lambda part: run_ingest(part, two, 1), parts)
        two_wall = time.perf_counter() - t0
        reference = stored_chunks(one)
        questions = [f"{d.unit}{d.year}年{item}是多少" for d in reference[0] for item in ("“三公”经费", "一般公共预算财政拨款支出")]
        expected = ask_json(one, questions)
        rows = [
            {"run": "one writer", "files": str(len(files)), "written": alone["indexed"], "wall s": round(one_wall, 1),
             **store_check(one, reference, questions, expected)},
            {"run": "two writers at once", "files": f"{len(parts[0])} + {len(parts[1])} ({third} to both)",
             "written": a["indexed"] + b["indexed"], "wall s": round(two_wall, 1),
             **store_check(two, reference, questions, expected)},
        ]
    record("writers", rows)


def stored_chunks(url: str) -> tuple[list, dict[str, str], int]:
    """A server database's committed documents, their chunks' texts by id, and how many chunks it stores in all."""
    from qa.store import ChunkStore, make_client

    store = ChunkStore(make_client(chroma_url=url))
    docs = store.documents()
    return docs, {c.id: c.text for c in store.all_chunks([d.id for d in docs])}, store.chunks.count()


def store_check(url: str, reference: tuple, questions: list[str], expected: list[dict]) -> dict:
    docs, chunks, count = stored_chunks(url)
    return {
        "documents": len(docs), "registry chunks": sum(d.chunks for d in docs), "stored chunks": count,
        "documents whole": sum(sum(i.startswith(f"{d.id}:{d.version}:") for i in chunks) == d.chunks for d in docs),
        "chunks as one writer": chunks == reference[1],
        "answers as one writer": f"{sum(x == y for x, y in zip(ask_json(url, questions), expected))}/{len(questions)}",
    }


def ask_json(url: str, questions: list[str]) -> list[dict]:
    """`qa ask --json` of a server database, elapsed_ms left out."""
    out = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "--json", "--chroma-url", url], cwd=ROOT,
                         input="\n".join(questions) + "\n", capture_output=True, text=True, check=True).stdout
    return [{k: v for k, v in json.loads(line).items() if k != "elapsed_ms"} for line in out.splitlines()]


# --------------------------------------------------------------------------- baselines


def page_chunks(path: Path, size: int = 500, overlap: int = 50) -> list[tuple[str, int, str]]:
    """The naive pipeline: each page's text, cut into fixed windows of `size` characters overlapping by `overlap`."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            for start in range(0, max(len(text) - overlap, 1), size - overlap):
                if text[start : start + size].strip():
                    out.append((path.name, page.page_number, text[start : start + size]))
    return out


def value_in(text: str, value: Decimal) -> bool:
    """The expected figure printed in the text, with or without thousands separators (lenient scoring)."""
    plain = text.replace(",", "").replace("，", "")
    return f"{value:f}" in plain or (value == value.to_integral() and f"{value:.2f}" in plain)


def cmd_baselines(args) -> None:
    import bm25s

    from qa.assistant import Assistant
    from qa.embedding import Embedder
    from qa.evaluate import load_items, same_figure
    from qa.lexical import char_ngrams

    listed = eval_corpus()
    items = [i for i in load_items(ROOT / "eval" / "questions.jsonl") if i.found and i.value is not None]
    chunks = [c for f in listed for c in page_chunks(f)]
    texts = [c[2] for c in chunks]
    embedder = Embedder()
    t0 = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    embed_s = time.perf_counter() - t0
    bm25 = bm25s.BM25()
    bm25.index([char_ngrams(t) or ["∅"] for t in texts], show_progress=False)
    queries = embedder.embed_queries([i.question for i in items])
    dense_top = (queries @ vectors.T).argmax(axis=1)
    lex_top = [bm25.retrieve([char_ngrams(i.question) or ["∅"]], k=1, show_progress=False)[0][0][0] for i in items]

    index = Path(args.index) if args.index else ROOT / "eval" / ".index"
    a = Assistant(index_dir=index)
    a.ingest(listed)
    ours_chunk = ours_fig = 0
    for i in items:
        ans = a.ask(i.question)
        ours_chunk += bool(ans.sources) and value_in(ans.sources[0].text, i.value)
        ours_fig += bool(ans.figures) and same_figure(ans.figures[0].value, ans.figures[0].unit, i)
    n = len(items)
    rows = [
        {"system": "naive RAG: page text, 500/50 chunks, dense (e5-small), top chunk",
         "evidence in top chunk": round(sum(value_in(texts[j], i.value) for i, j in zip(items, dense_top)) / n, 3),
         "first figure exact": None, "chunks": len(texts)},
        {"system": "BM25 (char 1+2-grams) over the same chunks, top chunk",
         "evidence in top chunk": round(sum(value_in(texts[j], i.value) for i, j in zip(items, lex_top)) / n, 3),
         "first figure exact": None, "chunks": len(texts)},
        {"system": "ours (hybrid, parsed tables)", "evidence in top chunk": round(ours_chunk / n, 3),
         "first figure exact": round(ours_fig / n, 3), "chunks": a.store.chunks.count()},
    ]
    print(f"{n} answerable questions with a figure over {len(listed)} documents; baseline embedding {embed_s:.0f} s")
    record("baselines", rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("ingest")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--files", type=int, default=0, help="first N corpus files (0 = all)")
    p.add_argument("--scale-only", action="store_true", help="only ../shared/corpus/scale (the 15-minute target's set)")
    p.add_argument("--every", type=int, default=1, help="every N-th file (9 with --scale-only --files 12: issue 18's set)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="qa ingest --device (default: its own)")
    p.add_argument("--index", help="ingest into this folder and keep it (default: a temporary one, removed)")
    p = sub.add_parser("read")
    p.add_argument("--files", type=int, default=12)
    p.add_argument("--every", type=int, default=9, help="every N-th file of sorted scale/ (issue 18's ingest set)")
    p = sub.add_parser("embed")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--batch", type=int, nargs="+", default=[256, 1024])
    p.add_argument("--files", type=int, default=12)
    p.add_argument("--every", type=int, default=9, help="every N-th file of sorted scale/ (issue 18's ingest set)")
    p.add_argument("--agreement", type=int, default=512, help="texts also embedded in float32 on the CPU")
    p = sub.add_parser("reingest")
    p.add_argument("--files", type=int, default=12)
    p.add_argument("--every", type=int, default=9, help="every N-th file of sorted scale/ (issue 18's ingest set)")
    p.add_argument("--workers", type=int, default=2)
    p = sub.add_parser("scale")
    p.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 0], help="documents indexed at each step (0 = all)")
    p.add_argument("--ingest-workers", type=int, default=2)
    p.add_argument("--index", help="keep the grown index here (default: a temporary folder)")
    p = sub.add_parser("query")
    p.add_argument("--index", required=True, help="an index built beforehand (`qa ingest`)")
    p.add_argument("--every", type=int, default=10, help="ask every N-th question of eval/questions.jsonl")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--answers", help="write the first round's answers here (JSON lines, elapsed_ms left out)")
    p.add_argument("--indexed-only", action="store_true",
                   help="the questions of every eval file about the indexed documents (default: eval/questions.jsonl)")
    p = sub.add_parser("writers")
    p.add_argument("--files", type=int, default=6)
    p.add_argument("--every", type=int, default=18, help="every N-th file of sorted scale/")
    p = sub.add_parser("baselines")
    p.add_argument("--index", help="our index of the eval corpus (default eval/.index)")
    sub.add_parser("all")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS} (set QA_CORPUS)")
    if args.step == "all":
        defaults = {"workers": [1, 2], "files": 10, "scale_only": False, "every": 1, "device": None, "sizes": [10, 50, 0], "ingest_workers": 2, "index": None}
        for step in (cmd_ingest, cmd_scale, cmd_baselines):
            step(argparse.Namespace(**defaults))
        return
    {"ingest": cmd_ingest, "read": cmd_read, "embed": cmd_embed, "reingest": cmd_reingest, "scale": cmd_scale, "query": cmd_query, "writers": cmd_writers,
     "baselines": cmd_baselines}[args.step](args)


if __name__ == "__main__":
    main()
