"""Ingestion: files → parse → chunk → embed → store, one file at a time, each all-or-nothing."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from functools import cache
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from .check import check_document
from .chunk import ChunkSettings, chunk_document
from .embedding import Embedder
from .parse import ParseError, ParseSettings, parse_pdf
from .parse.document import file_id
from .store import ChunkStore, DocRecord


@dataclass
class IngestResult:
    file: str
    status: str  # added | replaced | unchanged | duplicate | failed
    doc_id: str | None = None
    unit: str | None = None
    year: int | None = None
    pages: int = 0
    tables: int = 0
    chunks: int = 0
    reason: str | None = None  # for failures: not-pdf, corrupt, encrypted, empty, scanned, garbled, …
    message: str | None = None
    parse_seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_dict(self) -> dict:
        return asdict(self)


@cache
def pipeline_version() -> str:
    """A fingerprint of the parsing and chunking code: an index built by older code is rebuilt on ingest."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted([*here.glob("parse/*.py"), here / "chunk.py", here / "model.py", here / "numbers.py"]):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


@cache
def checks_version() -> str:
    """A fingerprint of the consistency checks: findings made by older checks are made again on ingest."""
    return hashlib.sha256((Path(__file__).parent / "check.py").read_bytes()).hexdigest()[:12]


def findings(doc) -> list[dict]:
    return [f.to_dict() for f in check_document(doc)]


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly (whatever their type, so bad ones get reported) and PDFs found in folders."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".pdf"))
        else:
            out.append(p)
    seen: set[Path] = set()
    return [f for f in out if not (f.resolve() in seen or seen.add(f.resolve()))]


class Ingestor:
    def __init__(self, store: ChunkStore, embedder: Embedder, parse_settings: ParseSettings | None = None,
                 chunk_settings: ChunkSettings | None = None):
        self.store = store
        self.embedder = embedder
        self.parse_settings = parse_settings or ParseSettings()
        self.chunk_settings = chunk_settings or ChunkSettings()

    def ingest_file(self, path: Path, on_page=None) -> IngestResult:
        try:
            doc_id = file_id(path)
        except OSError as e:
            return IngestResult(path.name, "failed", reason="unreadable", message=f"{path.name}: {e.strerror or e}")
        path_key = str(path.resolve())
        previous = [r for r in self.store.documents() if r.path == path_key and r.id != doc_id]
        rec = self.store.document(doc_id)
        if rec and rec.version != pipeline_version():
            previous.append(rec)  # parsed by older code: parse again and replace
            rec = None
        if rec and rec.checks != checks_version():
            rec = self._recheck(path, rec)
        if rec:
            for old in previous:  # this path's old content is gone; its new content is indexed already
                self.store.remove_document(old.id)
            status = "unchanged" if rec.path == path_key else "duplicate"
            message = None if status == "unchanged" else f"{path.name}: same content as {rec.file}, indexed once"
            return IngestResult(path.name, status, doc_id, rec.unit, rec.year, rec.pages, rec.tables, rec.chunks, message=message)
        t0 = time.perf_counter()
        try:
            doc = parse_pdf(path, self.parse_settings, on_page=on_page)
        except ParseError as e:
            return IngestResult(path.name, "failed", doc_id, reason=e.reason, message=str(e))
        except Exception as e:  # a layout the parser chokes on must not stop the batch
            return IngestResult(path.name, "failed", doc_id, reason="parse-error", message=f"{path.name}: {type(e).__name__}: {e}")
        t1 = time.perf_counter()
        # ids carry the pipeline version, so a re-parse never overwrites the committed version in place
        chunks = chunk_document(doc, self.chunk_settings, id_prefix=f"{doc.id}:{pipeline_version()}")
        vectors = self.embedder.embed_passages([c.text for c in chunks])
        t2 = time.perf_counter()
        # The same path indexed before with other content is replaced once the new version is committed.
        rec = DocRecord(
            id=doc.id, file=doc.file, path=path_key, title=doc.title, unit=doc.unit, year=doc.year,
            kind=doc.kind, scope=doc.scope, pages=doc.page_count, tables=len(doc.tables), chunks=len(chunks),
            warnings=doc.warnings, version=pipeline_version(), findings=findings(doc), checks=checks_version(),
        )
        try:
            self.store.add_document(rec, chunks, vectors)
        except Exception as e:
            self.store.delete_chunks(doc.id, ids=[c.id for c in chunks])
            return IngestResult(path.name, "failed", doc.id, reason="store-error", message=f"{path.name}: {e}")
        for old in previous:
            if old.id != doc.id:  # a re-parse of the same file already replaced its chunks in place
                self.store.remove_document(old.id)
        return IngestResult(
            doc.file, "replaced" if previous else "added", doc.id, doc.unit, doc.year, doc.page_count,
            len(doc.tables), len(chunks), parse_seconds=t1 - t0, embed_seconds=t2 - t1,
        )

    def _recheck(self, path: Path, rec: DocRecord) -> DocRecord:
        """Run newer consistency checks over an indexed document: parse again, keep its chunks."""
        try:
            doc = parse_pdf(path, self.parse_settings)
        except Exception:  # it parsed when it was indexed; keep the findings it has
            return rec
        rec.findings, rec.checks = findings(doc), checks_version()
        self.store.put_record(rec)
        return rec

    def ingest(self, paths: Iterable[str | Path], progress: bool = True, on_result=None, on_page=None) -> list[IngestResult]:
        files = collect_files(paths)
        self.store.cleanup()
        results: list[IngestResult] = []
        bar = tqdm(files, unit="file", disable=not progress, desc="ingest")
        for f in bar:
            bar.set_postfix_str(f.name[:40])

            def page_done(i: int, n: int, f: Path = f) -> None:
                bar.set_postfix_str(f"{f.name[:30]} page {i}/{n}")
                if on_page:
                    on_page(f.name, i, n)

            r = self.ingest_file(f, on_page=page_done)
            results.append(r)
            if on_result:
                on_result(r)
        return results
