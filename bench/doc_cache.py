"""Parsed corpus documents, cached as pickles so the check benchmarks do not re-parse ~130 PDFs every run.

    nice -n 10 python bench/doc_cache.py            # parse what is not cached yet (fixtures/, real/, scale/)

A cache entry is keyed by the file's bytes and the parsing code's fingerprint (`qa.ingest.pipeline_version`: qa/parse
and the prose, period and number readers it uses), so a parser change re-parses. Files that
cannot be parsed without OCR (scanned, broken font maps) are recorded with their ParseError reason and skipped.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.ingest import pipeline_version  # noqa: E402
from qa.model import Document  # noqa: E402
from qa.parse import ParseError, ParseSettings, parse_pdf  # noqa: E402

CORPUS = Path(os.environ.get("QA_CORPUS", ROOT.parent / "shared" / "corpus"))
CACHE = ROOT / "bench" / ".cache" / "docs"
FOLDERS = ("fixtures", "real", "scale")
# OCR is minutes per scanned file and its text is not what the checks are measured on: such files are skipped.
SETTINGS = ParseSettings(ocr=False)


@dataclass
class Parsed:
    rel: str  # path under the corpus, e.g. "real/gz_gov-office_2026_dept-budget.pdf"
    doc: Document | None
    skipped: str | None = None  # ParseError reason when the file could not be parsed


def corpus_files() -> list[Path]:
    return [p for f in FOLDERS for p in sorted((CORPUS / f).glob("*.pdf"))]


def load(path: Path, version: str | None = None) -> Parsed:
    """The parsed document of one corpus file, from the cache or parsed now (and cached)."""
    rel = str(path.relative_to(CORPUS))
    key = hashlib.sha256(path.read_bytes()).hexdigest()[:16] + "-" + (version or pipeline_version())
    cached = CACHE / f"{key}.pkl"
    if cached.exists():
        return Parsed(**pickle.loads(cached.read_bytes()))
    try:
        got = Parsed(rel, parse_pdf(path, SETTINGS))
    except ParseError as e:
        got = Parsed(rel, None, e.reason)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(vars(got)))  # a plain dict: this script's classes live in __main__ when it runs
    return got


def load_all() -> list[Parsed]:
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS} (set QA_CORPUS)")
    files = corpus_files()
    with ProcessPoolExecutor(os.cpu_count()) as pool:  # what is not cached yet, parsed on every core
        return list(pool.map(load, files, [pipeline_version()] * len(files)))


if __name__ == "__main__":
    docs = load_all()
    ok = [d for d in docs if d.doc]
    print(f"{len(ok)} parsed, {len(docs) - len(ok)} skipped: " + ", ".join(f"{d.rel} ({d.skipped})" for d in docs if not d.doc))
