"""Parse every PDF of the corpus and report what the parser made of each file, plus throughput.

    python bench/parse_report.py [FOLDER ...] [--out bench/results/parse_report.tsv] [--workers 2]

Per file (TSV, --out): pages, unit, year, kind, tables, rows, form fields, sections, chunks, parse
seconds, sec/page, status/reason, warnings, plus diagnostic counts (untitled tables, rows with empty
labels, tables whose headers are all empty, empty tables) with the pages they are on.
Summary (stdout): OK / failed by reason, totals, parse pages/s per core (total pages / total worker
seconds), wall time, and embedding throughput on a sample of 512 chunks (one Embedder, batch 32).
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = Path("/work/shared/corpus")
DEFAULT_DIRS = [CORPUS / "real", CORPUS / "scale"]
SAMPLE_PER_FILE = 8  # chunk texts each worker hands back for the embedding sample
EMBED_SAMPLE = 512
EMBED_BATCH = 32

COLUMNS = [
    "file", "pages", "unit", "year", "kind", "scope", "tables", "rows", "form_fields", "sections", "chunks",
    "parse_s", "cpu_s", "s_per_page", "status", "warnings",
    "untitled_tables", "untitled_pages", "empty_label_rows", "empty_label_pages",
    "empty_header_tables", "empty_header_pages", "empty_tables", "title", "error",
]


def _pages(ps) -> str:
    return ",".join(str(p) for p in sorted(set(ps))[:20])


def _page_count(path: Path) -> int:
    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return len(pdf.pages)
    except Exception:
        return 0


def parse_one(path_str: str) -> dict:
    """Worker: parse + chunk one file; return a small dict (never the Document)."""
    from qa.chunk import chunk_document
    from qa.model import UNTITLED_TABLE
    from qa.parse import ParseError, parse_pdf

    path = Path(path_str)
    rel = f"{path.parent.name}/{path.name}"
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        doc = parse_pdf(path)
        chunks = chunk_document(doc)
    except ParseError as e:
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"file": rel, "pages": _page_count(path), "parse_s": secs, "cpu_s": cpu, "status": e.reason, "error": str(e)[:300]}
    except Exception as e:  # a bug, not a judged failure: report it as such
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        return {"file": rel, "pages": _page_count(path), "parse_s": secs, "cpu_s": cpu, "status": "crash",
                "error": f"{type(e).__name__}: {e}"[:300]}
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    untitled = [t for t in doc.tables if t.title == UNTITLED_TABLE or not t.title]
    empty_label = [r for t in doc.tables for r in t.rows if not r.label.strip()]
    empty_header = [t for t in doc.tables if not t.is_form and not any(h.strip() for h in t.headers)]
    rng = random.Random(path.name)
    sample = [c.text for c in rng.sample(chunks, min(SAMPLE_PER_FILE, len(chunks)))]
    return {
        "file": rel,
        "pages": doc.page_count,
        "unit": doc.unit or "",
        "year": doc.year or "",
        "kind": doc.kind or "",
        "scope": doc.scope or "",
        "tables": len(doc.tables),
        "rows": sum(len(t.rows) for t in doc.tables),
        "form_fields": sum(len(t.fields) for t in doc.tables),
        "sections": len(doc.sections),
        "chunks": len(chunks),
        "parse_s": secs,
        "cpu_s": cpu,
        "status": "ok",
        "warnings": len(doc.warnings),
        "untitled_tables": len(untitled),
        "untitled_pages": _pages(t.page for t in untitled),
        "empty_label_rows": len(empty_label),
        "empty_label_pages": _pages(r.page for r in empty_label),
        "empty_header_tables": len(empty_header),
        "empty_header_pages": _pages(t.page for t in empty_header),
        "empty_tables": sum(1 for t in doc.tables if t.empty),
        "title": doc.title[:80],
        "error": "",
        "_sample": sample,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=DEFAULT_DIRS)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/parse_report.tsv")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-embed", action="store_true", help="skip the embedding throughput measurement")
    args = ap.parse_args()

    files = sorted(str(p) for d in args.folders for p in d.rglob("*") if p.suffix.lower() == ".pdf")
    if not files:
        print("no PDFs found under " + ", ".join(map(str, args.folders)), file=sys.stderr)
        return 1
    # Longest files first so one big file does not finish the run alone.
    files.sort(key=lambda f: -os.path.getsize(f))
    print(f"parsing {len(files)} PDFs with {args.workers} workers ...", file=sys.stderr)

    wall0 = time.perf_counter()
    results = []
    with Pool(args.workers, maxtasksperchild=20) as pool:
        for i, r in enumerate(pool.imap_unordered(parse_one, files), start=1):
            results.append(r)
            print(f"  [{i}/{len(files)}] {r['file']} {r['status']} {r['parse_s']:.1f}s", file=sys.stderr)
    wall = time.perf_counter() - wall0
    results.sort(key=lambda r: r["file"])

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        for r in results:
            row = dict(r)
            row["s_per_page"] = f"{r['parse_s'] / r['pages']:.3f}" if r.get("pages") else ""
            row["parse_s"] = f"{r['parse_s']:.2f}"
            row["cpu_s"] = f"{r['cpu_s']:.2f}"
            w.writerow([str(row.get(c, "")).replace("\t", " ").replace("\n", " ") for c in COLUMNS])

    ok = [r for r in results if r["status"] == "ok"]
    failed = Counter(r["status"] for r in results if r["status"] != "ok")
    worker_s = sum(r["parse_s"] for r in results)
    worker_cpu = sum(r["cpu_s"] for r in results)
    pages_all = sum(r.get("pages") or 0 for r in results)
    pages_ok = sum(r["pages"] for r in ok)
    tot = lambda k: sum(r[k] for r in ok)  # noqa: E731

    print(f"report: {args.out}")
    print(f"files: {len(results)}  ok: {len(ok)}  failed: {sum(failed.values())}"
          + (" (" + ", ".join(f"{k}: {n}" for k, n in failed.most_common()) + ")" if failed else ""))
    for r in results:
        if r["status"] != "ok":
            print(f"  {r['status']:<10} {r['file']}  {r['error'][:120]}")
    print(f"pages: {pages_all} (parsed ok: {pages_ok})  tables: {tot('tables')}  rows: {tot('rows')}  "
          f"form fields: {tot('form_fields')}  sections: {tot('sections')}  chunks: {tot('chunks')}")
    print(f"warnings: {tot('warnings')}  untitled tables: {tot('untitled_tables')} in "
          f"{sum(1 for r in ok if r['untitled_tables'])} files  empty-label rows: {tot('empty_label_rows')} in "
          f"{sum(1 for r in ok if r['empty_label_rows'])} files  all-empty-header tables: {tot('empty_header_tables')}  "
          f"unit None: {sum(1 for r in ok if not r['unit'])}  year None: {sum(1 for r in ok if not r['year'])}  "
          f"kind None: {sum(1 for r in ok if not r['kind'])}")
    print(f"parse: {worker_s:.1f} worker-s for {pages_all} pages = {pages_all / worker_s:.2f} pages/s per core; "
          f"wall {wall:.1f}s with {args.workers} workers ({pages_all / wall:.2f} pages/s)")
    print(f"parse CPU: {worker_cpu:.1f} worker CPU-s = {pages_all / worker_cpu:.2f} pages/CPU-s "
          f"(differs from the above when the machine is shared; load avg now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    slow = sorted((r for r in results if r.get("pages")), key=lambda r: -r["parse_s"] / r["pages"])[:5]
    print("slowest per page: " + ", ".join(f"{r['file']} {r['parse_s'] / r['pages']:.2f}s/p" for r in slow))

    if args.no_embed:
        return 0
    pool_texts = [t for r in ok for t in r["_sample"]]
    sample = random.Random(0).sample(pool_texts, min(EMBED_SAMPLE, len(pool_texts)))
    from qa.embedding import Embedder

    t0 = time.perf_counter()
    emb = Embedder()
    load = time.perf_counter() - t0
    emb.embed_passages(sample[:EMBED_BATCH], batch_size=EMBED_BATCH)  # warm-up, not timed
    t0, c0 = time.perf_counter(), time.process_time()
    vecs = emb.embed_passages(sample, batch_size=EMBED_BATCH)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    chars = sum(len(t) for t in sample) / max(1, len(sample))
    print(f"embed: {len(sample)} chunks (mean {chars:.0f} chars) in {secs:.1f}s = {len(sample) / secs:.1f} chunks/s "
          f"(batch {EMBED_BATCH}, dim {vecs.shape[1]}, torch threads {_torch_threads()}, {cpu:.1f} CPU-s, model load {load:.1f}s)")
    return 0


def _torch_threads() -> int:
    try:
        import torch

        return torch.get_num_threads()
    except Exception:
        return -1


if __name__ == "__main__":
    sys.exit(main())
