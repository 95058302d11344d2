"""Ingestion: files → parse → chunk → embed → store, each file all-or-nothing; parsing and embedding optionally in
worker processes (embedding in the writing process where the model runs on a GPU). Only texts the store holds no
vector for are embedded (`ChunkStore.stored_vectors`)."""
from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import cache, cached_property
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .check import check_document
from .chunk import ChunkSettings, chunk_document
from .embedding import Embedder
from .model import Chunk, Document, FailReason
from .parse import ParseError, ParseSettings, parse_pdf
from .parse.document import file_id
from .parse.pdf import readable
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
    reason: FailReason | None = None  # for failures
    message: str | None = None
    parse_seconds: float = 0.0
    embed_seconds: float = 0.0
    embedded: int = 0  # distinct chunk texts embedded; the other chunks' vectors were in the store already

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def __post_init__(self) -> None:
        # file names that are not UTF-8 (GBK from Windows archives, stray bytes) must print and serialise
        self.file = readable(self.file)
        self.message = self.message and readable(self.message)

    def to_dict(self) -> dict:
        return asdict(self)


@cache
def pipeline_version() -> str:
    """A fingerprint of the parsing and chunking code: an index built by older code is rebuilt on ingest. prose.py
    and period.py are parsing code too: statements and their figures' periods are read with them at parse."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    files = [*here.glob("parse/*.py"), *(here / n for n in ("chunk.py", "model.py", "numbers.py", "prose.py", "period.py"))]
    for f in sorted(files):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


@cache
def checks_version() -> str:
    """A fingerprint of the consistency checks: findings made by older checks are made again on ingest."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for f in sorted([*here.glob("check*.py"), here / "finding.py", here / "prose.py", here / "tablekind.py"]):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


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


@dataclass
class Parsed:
    """A parsed and chunked file, what the parse step hands to the store step (picklable), embedded or not yet."""

    doc: Document
    chunks: list[Chunk]
    findings: list[dict]
    seconds: float
    vectors: np.ndarray | None = None
    embed_seconds: float = 0.0
    embedded: int = 0


@dataclass
class _Vectors:
    """A parsed file's chunk vectors: those the store holds for its texts, and the distinct texts still to embed."""

    parsed: Parsed
    found: dict[str, np.ndarray]
    missing: list[str]

    @classmethod
    def look_up(cls, store: ChunkStore, parsed: Parsed) -> _Vectors:
        texts = [c.embedded_text for c in parsed.chunks]
        found = store.stored_vectors(texts)
        return cls(parsed, found, list(dict.fromkeys(t for t in texts if t not in found)))

    def complete(self, embedded: np.ndarray, seconds: float) -> None:
        """Give the file its vectors, in chunk order, with ``embedded`` the vectors of the missing texts."""
        self.found.update(zip(self.missing, embedded))
        chunks = self.parsed.chunks
        vectors = [self.found[c.embedded_text] for c in chunks]
        self.parsed.vectors = np.stack(vectors) if vectors else np.zeros((0, 0), np.float32)
        self.parsed.embed_seconds, self.parsed.embedded = seconds, len(self.missing)

    def embed_here(self, embedder: Embedder) -> None:
        t0 = time.perf_counter()
        embedded = embedder.embed_passages(self.missing) if self.missing else np.zeros((0, 0), np.float32)
        self.complete(embedded, time.perf_counter() - t0)


def parse_file(path: Path, parse_settings: ParseSettings, chunk_settings: ChunkSettings, on_page=None) -> Parsed | IngestResult:
    """Parse, chunk and check one file, or say why it failed. Runs in a worker process when ingesting in parallel."""
    t0 = time.perf_counter()
    try:
        doc = parse_pdf(path, parse_settings, on_page=on_page)
    except ParseError as e:
        return IngestResult(path.name, "failed", reason=e.reason, message=str(e))
    except Exception as e:  # a layout the parser chokes on must not stop the batch
        return IngestResult(path.name, "failed", reason=FailReason.PARSE_ERROR, message=f"{path.name}: {type(e).__name__}: {e}")
    # ids carry the pipeline version, so a re-parse never overwrites the committed version in place
    chunks = chunk_document(doc, chunk_settings, id_prefix=f"{doc.id}:{pipeline_version()}")
    return Parsed(doc, chunks, findings(doc), time.perf_counter() - t0)


def parse_in_worker(path: Path, parse_settings: ParseSettings, chunk_settings: ChunkSettings) -> Parsed | IngestResult:
    """A parsing worker's job: parse a file (the writer then looks up which of its texts need embedding)."""
    parsed = parse_file(path, parse_settings, chunk_settings)
    _return_freed_memory()
    return parsed


def embed_in_worker(texts: list[str], embedder_settings: tuple, threads: int) -> tuple[np.ndarray, float]:
    """An embedding worker's job: embed a slice of a file's texts the store holds no vectors for on ``threads`` torch
    threads, and how long it took."""
    import torch

    t0 = time.perf_counter()
    torch.set_num_threads(threads)
    vectors = _worker_embedder(embedder_settings).embed_passages(texts)
    seconds = time.perf_counter() - t0
    _return_freed_memory()
    return vectors, seconds


def _return_freed_memory() -> None:
    """Hand the heap a file's parse and embedding freed back to the system (glibc keeps it): over the ten longest
    files of scale/, a worker grew 1.23 → 1.57 GB resident without this and held 1.08–1.14 GB with it."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform.startswith("linux") else None
    if trim:  # glibc only
        trim(0)


# Texts per embedding job: small enough that the texts of one long file are spread over every worker, large enough
# for batches of similar lengths (about 3 s of one core).
_EMBED_SLICE = 256


@cache
def _worker_embedder(embedder_settings: tuple) -> Embedder:
    return Embedder(*embedder_settings)


@dataclass
class _Job:
    """A file that needs parsing: its content id and the records it will replace once committed."""

    path: Path
    doc_id: str
    previous: list[DocRecord]


@dataclass
class _Flight:
    """A file on its way through the worker pools: parsed, then the texts the store lacks embedded, in slices that
    any embedding worker may take; or a file that needs no parse (``job`` is then its result)."""

    job: _Job | IngestResult
    index: int = 0  # its place among the files given
    parsing: bool = False  # its parse is queued or running
    parsed: Parsed | IngestResult | None = None
    vectors: _Vectors | None = None
    slices: list[list[str]] = field(default_factory=list)  # the texts to embed, cut in slices
    queued: int = 0  # slices handed to the pool so far
    slice_vectors: dict[int, tuple[np.ndarray, float]] = field(default_factory=dict)  # slice → vectors, seconds

    @property
    def doc_id(self) -> str | None:
        return self.job.doc_id if isinstance(self.job, _Job) else None

    @property
    def to_parse(self) -> bool:
        return isinstance(self.job, _Job) and self.parsed is None and not self.parsing

    @property
    def ready(self) -> bool:
        """Nothing left to run before it is committed (a file parsed apart is embedded as it is committed)."""
        if isinstance(self.job, IngestResult) or isinstance(self.parsed, IngestResult):
            return True
        return self.parsed is not None and (self.vectors is None or self.parsed.vectors is not None)

    def slice_done(self, index: int, vectors: np.ndarray, seconds: float) -> None:
        self.slice_vectors[index] = (vectors, seconds)
        if len(self.slice_vectors) == len(self.slices):
            parts = [self.slice_vectors[i] for i in range(len(self.slices))]
            self.vectors.complete(np.concatenate([v for v, _ in parts]), sum(t for _, t in parts))

    def restart(self) -> None:
        """Its steps in a pool that died are lost: run them again in the next."""
        self.parsing = False
        if not self.ready:
            self.queued, self.slice_vectors = 0, {}


class Ingestor:
    """Files → parse → embed (both in worker processes when ``workers`` > 1) → store, each file all-or-nothing."""

    def __init__(self, store: ChunkStore, embedder: Embedder, parse_settings: ParseSettings | None = None,
                 chunk_settings: ChunkSettings | None = None):
        self.store = store
        self.embedder = embedder
        self.parse_settings = parse_settings or ParseSettings()
        self.chunk_settings = chunk_settings or ChunkSettings()

    @cached_property
    def _embeds_here(self) -> bool:
        """Where the model runs on a GPU, workers only parse: one model there, in this process, embeds every file
        (a model and a CUDA context per worker would each hold GPU memory to embed a few hundred texts at a time)."""
        return self.embedder.on_gpu

    def ingest_file(self, path: Path, on_page=None) -> IngestResult:
        job = self._plan(path)
        if isinstance(job, IngestResult):
            return job
        return self._commit(job, parse_file(path, self.parse_settings, self.chunk_settings, on_page))

    def _plan(self, path: Path) -> _Job | IngestResult:
        """What a file needs: nothing (unchanged, duplicate, unreadable) or a parse."""
        try:
            doc_id = file_id(path)
        except OSError as e:
            return IngestResult(path.name, "failed", reason=FailReason.UNREADABLE, message=f"{path.name}: {e.strerror or e}")
        path_key = readable(str(path.resolve()))
        previous = [r for r in self.store.documents() if r.path == path_key and r.id != doc_id]
        rec = self.store.document(doc_id)
        if rec and rec.version != pipeline_version():
            previous.append(rec)  # parsed by older code: parse again and replace
            rec = None
        if rec and rec.checks != checks_version():
            rec = self._recheck(path, rec)
        if not rec:
            return _Job(path, doc_id, previous)
        for old in previous:  # this path's old content is gone; its new content is indexed already
            self.store.remove_document(old.id)
        status = "unchanged" if rec.path == path_key else "duplicate"
        message = None if status == "unchanged" else f"{path.name}: same content as {rec.file}, indexed once"
        return IngestResult(path.name, status, doc_id, rec.unit, rec.year, rec.pages, rec.tables, rec.chunks, message=message)

    def _commit(self, job: _Job, parsed: Parsed | IngestResult) -> IngestResult:
        """Embed a parsed file and write it; the same path indexed before with other content is replaced after."""
        if isinstance(parsed, IngestResult):
            parsed.doc_id = job.doc_id
            return parsed
        rec = self.store.document(job.doc_id)
        if rec and rec.version == pipeline_version():  # an earlier file of this batch had the same content
            for old in job.previous:
                if old.id != job.doc_id:
                    self.store.remove_document(old.id)
            return IngestResult(job.path.name, "duplicate", job.doc_id, rec.unit, rec.year, rec.pages, rec.tables,
                                rec.chunks, message=f"{job.path.name}: same content as {rec.file}, indexed once")
        doc, chunks = parsed.doc, parsed.chunks
        if parsed.vectors is None:
            _Vectors.look_up(self.store, parsed).embed_here(self.embedder)
        rec = DocRecord(
            id=doc.id, file=doc.file, path=readable(str(job.path.resolve())), title=doc.title, unit=doc.unit, year=doc.year,
            kind=doc.kind, scope=doc.scope, pages=doc.page_count, tables=len(doc.tables), chunks=len(chunks),
            warnings=doc.warnings, version=pipeline_version(), findings=parsed.findings, checks=checks_version(),
            aliases=doc.aliases, members=doc.members,
        )
        try:
            self.store.add_document(rec, chunks, parsed.vectors)
        except Exception as e:  # the store has undone what it wrote
            return IngestResult(job.path.name, "failed", doc.id, reason=FailReason.STORE_ERROR, message=f"{job.path.name}: {e}")
        for old in job.previous:
            if old.id != doc.id:  # a re-parse of the same file already replaced its chunks in place
                self.store.remove_document(old.id)
        return IngestResult(
            doc.file, "replaced" if job.previous else "added", doc.id, doc.unit, doc.year, doc.page_count,
            len(doc.tables), len(chunks), parse_seconds=parsed.seconds, embed_seconds=parsed.embed_seconds,
            embedded=parsed.embedded,
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

    def ingest(self, paths: Iterable[str | Path], progress: bool = True, on_result=None, on_page=None,
               workers: int = 1) -> list[IngestResult]:
        """Ingest files and folders; their results in the order given. With ``workers`` > 1, files are parsed and
        embedded in that many processes while this one writes each as it is ready (``on_result`` is then called as each
        is written, and per-page progress is not reported, only per file)."""
        files = collect_files(paths)
        self.store.cleanup()
        results: list[IngestResult] = [None] * len(files)  # in the order given, whichever was written first
        bar = tqdm(total=len(files), unit="file", disable=not progress, desc="ingest")

        def done(index: int, r: IngestResult) -> None:
            results[index] = r
            bar.update()
            bar.set_postfix_str(r.file[:40])
            if on_result:
                on_result(r)

        if workers > 1 and len(files) > 1:
            for index, r in self._ingest_parallel(files, workers):
                done(index, r)
        else:
            for index, f in enumerate(files):
                def page_done(i: int, n: int, f: Path = f) -> None:
                    bar.set_postfix_str(f"{f.name[:30]} page {i}/{n}")
                    if on_page:
                        on_page(f.name, i, n)

                done(index, self.ingest_file(f, on_page=page_done))
        bar.close()
        return results

    def _ingest_parallel(self, files: list[Path], workers: int) -> Iterator[tuple[int, IngestResult]]:
        """Parse in a pool of ``workers`` processes and embed in a pool of its own (see _embedders); (each file's
        index in ``files``, its result) as it is committed. Files are taken largest first, so the longest parse does
        not end the batch alone (issue 18's twelve files, in the order given, waited 7 s on the largest, last), and
        each is committed as soon as it is parsed and embedded, so a large file does not hold finished ones in the
        window (committed in the order taken, the largest held seven and the parsers idled 24 s). The window of files
        in flight is bounded, so parsed files don't pile up. Parses are queued first, then the slices of texts to
        embed of the file taken first (see _next_parse, _next_slice)."""
        pools = self._pools(workers)
        pending: list[_Flight] = []
        running: dict[Future, tuple[_Flight, int | None]] = {}  # a step and its file: a slice's index, None a parse
        todo = iter(sorted(range(len(files)), key=lambda i: -_size(files[i])))  # stable: same content, same size
        try:
            while True:
                while len(pending) < 4 * workers and (i := next(todo, None)) is not None:
                    pending.append(_Flight(self._plan(files[i]), index=i))
                if not pending:
                    return
                if ready := _committable(pending):
                    pending.remove(ready)
                    job = ready.job
                    yield ready.index, job if isinstance(job, IngestResult) else self._commit(job, ready.parsed)
                    continue
                try:
                    self._fill(pools, pending, running, workers)
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        fl, index = running.pop(future)
                        self._advance(fl, index, future.result())
                except BrokenProcessPool:
                    # A worker died (killed, out of memory, a crash in native code): parse the first unfinished file
                    # taken alone, if it was not parsed, to learn whether it is the culprit (or embed its texts here),
                    # then go on with fresh pools for the others.
                    for pool in pools:
                        pool.shutdown(cancel_futures=True)
                    running.clear()
                    first = next(fl for fl in pending if not fl.ready)
                    if first.parsed is None:
                        first.parsing, first.parsed = False, self._parse_alone(first.job.path)
                    else:
                        first.vectors.embed_here(self.embedder)
                    for fl in pending:
                        fl.restart()
                    pools = self._pools(workers)
        finally:
            for pool in pools:
                pool.shutdown(cancel_futures=True)

    def _pools(self, workers: int) -> list[ProcessPoolExecutor]:
        """The parsing pool, and the embedding pool where the model runs on the CPU (on a GPU this process embeds)."""
        return [_pool(workers)] if self._embeds_here else [_pool(workers), _pool(_embedders(workers))]

    def _fill(self, pools: list[ProcessPoolExecutor], pending: list[_Flight], running: dict, workers: int) -> None:
        """Queue what each pool can take: one step beyond its processes, so none waits for this process between two."""
        parses = sum(index is None for _, index in running.values())
        while parses <= workers and (fl := _next_parse(pending)):
            fl.parsing = True
            running[pools[0].submit(parse_in_worker, fl.job.path, self.parse_settings, self.chunk_settings)] = (fl, None)
            parses += 1
        slices = len(running) - parses
        while len(pools) > 1 and slices <= _embedders(workers) and (fl := _next_slice(pending)):
            fl.queued += 1
            running[pools[1].submit(embed_in_worker, fl.slices[fl.queued - 1], self.embedder.settings,
                                    _threads(workers, parses))] = (fl, fl.queued - 1)
            slices += 1

    def _advance(self, fl: _Flight, index: int | None, result) -> None:
        """The step after a finished one: a parse's texts looked up in the store and what it lacks cut into slices
        to embed (or embedded here, on a GPU); a slice's vectors given to its file."""
        if index is not None:
            fl.slice_done(index, *result)
            return
        fl.parsing, fl.parsed = False, result
        if isinstance(result, Parsed):
            fl.vectors = _Vectors.look_up(self.store, result)
            if fl.vectors.missing and not self._embeds_here:
                missing = fl.vectors.missing
                fl.slices = [missing[i : i + _EMBED_SLICE] for i in range(0, len(missing), _EMBED_SLICE)]
            else:
                fl.vectors.embed_here(self.embedder)

    def _parse_alone(self, path: Path) -> Parsed | IngestResult:
        """Parse in a fresh process of its own; this process embeds the result when it commits it."""
        with _pool(1) as pool:
            try:
                return pool.submit(parse_in_worker, path, self.parse_settings, self.chunk_settings).result()
            except BrokenProcessPool:
                return IngestResult(path.name, "failed", reason=FailReason.PARSE_CRASH,
                                    message=f"{path.name}: the parser process died on this file")


def _committable(pending: list[_Flight]) -> _Flight | None:
    """A file ready to commit, unless a file taken before it has the same content (that one is then added, this
    one a duplicate, whichever finished first)."""
    for n, fl in enumerate(pending):
        if fl.ready and not (fl.doc_id and any(other.doc_id == fl.doc_id for other in pending[:n])):
            return fl
    return None


def _size(path: Path) -> int:
    """Bytes, standing in for the time a file takes to parse; 0 where unreadable (planning reports it)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _next_parse(pending: list[_Flight]) -> _Flight | None:
    """The next file to parse. Parsing has processes of its own, never queued behind embedding: in one pool the last
    of issue 18's 12 files started its 18 s parse behind queued embedding and ended the batch alone."""
    return next((fl for fl in pending if fl.to_parse), None)


def _next_slice(pending: list[_Flight]) -> _Flight | None:
    """The file whose next slice of texts to embed goes first: the one taken first (the largest), so the longest work
    starts first, and one file's thousands of texts are embedded by every embedding worker (that same file's 2,234
    texts took one worker 28 s)."""
    return next((fl for fl in pending if fl.queued < len(fl.slices)), None)


def _embedders(workers: int) -> int:
    """Embedding processes beside ``workers`` parsing ones: half as many, one at least. A parsing process never loads
    the model (≈ 1 GB resident with its tokenizer and imports); on this 2-core machine one embedding process beside
    the parsers embeds ≈ 100 texts/s, two ≈ 115 together (they share the cores), at a second model's memory."""
    return max(1, workers // 2)


def _threads(workers: int, parses: int) -> int:
    """Torch threads for a slice: the cores no parse holds, shared by the embedding workers — one each while files
    are parsed (torch's threads would contend with the parsers), all of them once the last parse is done (one process
    on this machine's two cores embeds 226 texts/s on two threads, 137 on one)."""
    return max(1, ((os.cpu_count() or 1) - parses) // _embedders(workers))


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds torch's thread pools, which a forked child can deadlock on
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """A worker ends when the ingesting process is killed, instead of lingering (Linux prctl PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # killed while this worker was still starting up
        os._exit(1)
