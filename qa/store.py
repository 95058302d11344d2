"""The chromadb store: chunk vectors + metadata, and a registry of committed documents.

Embedded (PersistentClient at index/) by default, or a Chroma server (HttpClient) for larger deployments.
Vectors are computed by our own Embedder and passed in; chromadb's default embedding function
(which downloads a model) is never used. Each chunk records the sha256 of its model and exact text (``text_key``),
so a text any stored chunk holds is never embedded again: by another document, or by a re-ingest after the parser
changed (its old chunks are still stored while the new version is embedded).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings
from chromadb.errors import ChromaError, NotFoundError

from .model import BBox, Cell, Chunk, FormField, ProseFigure, Statement
from .numbers import parse_decimal
from .period import Period

DEFAULT_INDEX_DIR = Path("index")
CHUNKS = "qa_chunks"
COMPACTING = "qa_chunks_compacting"  # the chunks collection being rebuilt by `compact`
DOCS = "qa_documents"
# Measured: default HNSW settings lost recall against exact search; ef 256 recovers it.
HNSW = {"space": "cosine", "ef_construction": 256, "ef_search": 256}
_BATCH = 2000
_SCAN_PAGE = 5000  # chunks per read: well under SQLite's 32,766 variables per statement
_LOOKUP = 1000  # text keys per `$in` lookup of stored vectors, for the same limit
TEXT_KEY = "text_key"  # chunk metadata: sha256 of the embedding model's name and the chunk's exact text
WRITTEN = "written"  # chunk metadata: when its write began (time.time_ns()), which also tells one write from another
# A server's orphans younger than this are spared: a writer takes seconds from its chunks to its commit, and the
# machines' clocks may differ by a little
ORPHAN_GRACE_S = 3600
GENERATION = "generation"  # registry collection metadata: when a writer last changed it (time.time_ns())
DELETED = "deleted"  # chunks collection metadata: chunks deleted since it was built, whose HNSW nodes it still holds
_SEGMENT_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a uuid
COMPLETE = "complete"  # a rebuilt collection's metadata: every record copied, it may replace the old one


class IndexModelMismatch(Exception):
    """The index was built with another embedding model; vectors of two models must not mix."""


@dataclass
class DocRecord:
    """One committed document in the registry (what `qa docs` lists)."""

    id: str
    file: str
    path: str
    title: str
    unit: str | None
    year: int | None
    kind: str | None
    scope: str | None
    pages: int
    tables: int
    chunks: int
    warnings: list[str]
    version: str = ""  # the parsing/chunking code that built it (qa.ingest.pipeline_version)
    findings: list[dict] = field(default_factory=list)  # consistency findings (qa.check.Finding.to_dict)
    checks: str = ""  # the checking code that made them (qa.ingest.checks_version)
    aliases: list[str] = field(default_factory=list)  # other names the document gives its unit (加挂牌子)
    members: list[str] = field(default_factory=list)  # the units its budget covers (单位构成)

    def to_meta(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if v is not None}
        d["warnings"] = json.dumps(self.warnings, ensure_ascii=False)
        d["findings"] = json.dumps(self.findings, ensure_ascii=False)
        d["aliases"] = json.dumps(self.aliases, ensure_ascii=False)
        d["members"] = json.dumps(self.members, ensure_ascii=False)
        return d

    @classmethod
    def from_meta(cls, doc_id: str, m: dict) -> DocRecord:
        return cls(
            id=doc_id, file=m.get("file", ""), path=m.get("path", ""), title=m.get("title", ""),
            unit=m.get("unit"), year=m.get("year"), kind=m.get("kind"), scope=m.get("scope"),
            pages=m.get("pages", 0), tables=m.get("tables", 0), chunks=m.get("chunks", 0),
            warnings=json.loads(m.get("warnings", "[]")), version=m.get("version", ""),
            findings=json.loads(m.get("findings", "[]")), checks=m.get("checks", ""),
            aliases=json.loads(m.get("aliases", "[]")), members=json.loads(m.get("members", "[]")),
        )


def chunk_metadata(c: Chunk) -> dict:
    meta = {
        "doc_id": c.doc_id, "file": c.file, "type": c.type, "page": c.page, "unit": c.unit, "year": c.year,
        "kind": c.kind, "section": c.section, "table": c.table, "row_label": c.row_label, "table_unit": c.table_unit,
        "cells": json.dumps([[x.header, x.raw, x.bbox] for x in c.cells], ensure_ascii=False) if c.cells else None,
        "ocr_confidence": c.ocr_confidence,
        "bbox": json.dumps(c.bbox) if c.bbox else None,
        "lines": json.dumps(c.lines) if c.lines else None,
        "path": json.dumps(c.path, ensure_ascii=False) if c.path else None,
        "statements": json.dumps([[s.text, s.page, s.paragraph, s.start, [asdict(f) for f in s.figures]]
                                  for s in c.statements], ensure_ascii=False) if c.statements else None,
        "fields": json.dumps([[f.label, f.value, f.page, f.bbox] for f in c.fields], ensure_ascii=False) if c.fields else None,
        "member": c.member,
        "code": c.code,
    }
    return {k: v for k, v in meta.items() if v is not None}


def _statements(stored: str | None) -> list[Statement]:
    return [Statement(text, page, paragraph, start, [_prose_figure(f) for f in figures])
            for text, page, paragraph, start, figures in json.loads(stored or "[]")]


def _prose_figure(stored: dict) -> ProseFigure:
    return ProseFigure(**{**stored, "periods": [Period(p) for p in stored["periods"]]})


def chunk_from_record(chunk_id: str, text: str, m: dict) -> Chunk:
    # cells stored before boxes were kept are [header, raw] pairs
    cells = [Cell(h, raw, parse_decimal(raw), _box(box[0] if box else None)) for h, raw, *box in json.loads(m["cells"])] \
        if m.get("cells") else []
    return Chunk(
        id=chunk_id, doc_id=m["doc_id"], text=text, type=m["type"], page=m["page"], file=m["file"],
        unit=m.get("unit"), year=m.get("year"), kind=m.get("kind"), section=m.get("section"), table=m.get("table"),
        row_label=m.get("row_label"), table_unit=m.get("table_unit"), cells=cells,
        ocr_confidence=m.get("ocr_confidence"), bbox=_box(json.loads(m["bbox"]) if m.get("bbox") else None),
        lines=[(off, tuple(box)) for off, box in json.loads(m.get("lines") or "[]")],
        path=json.loads(m.get("path") or "[]"), statements=_statements(m.get("statements")),
        fields=[FormField(label, value, page, _box(box)) for label, value, page, box in json.loads(m.get("fields") or "[]")],
        member=m.get("member"), code=m.get("code"),
    )


def _box(stored: list | None) -> BBox | None:
    """A box read back from JSON (None where unknown, and in records written before boxes were kept)."""
    return tuple(stored) if stored else None


def index_path(index_dir: str | Path | None = None) -> Path:
    return Path(index_dir or os.environ.get("QA_INDEX") or DEFAULT_INDEX_DIR)


def server_url(url: str | None = None) -> str | None:
    """The Chroma server to use, if any: the one given, else ``$QA_CHROMA_URL``; None means the embedded store."""
    return url or os.environ.get("QA_CHROMA_URL") or None


def make_client(index_dir: str | Path | None = None, chroma_url: str | None = None):
    """An embedded index in a folder, or a Chroma server: ``http://HOST:PORT`` or ``http://HOST:PORT/DATABASE``.

    A database named in the URL path is created on first use, so one server can hold several separate indexes.
    """
    url = server_url(chroma_url)
    settings = Settings(anonymized_telemetry=False)
    if url:
        u = urlparse(url if "://" in url else f"http://{url}")
        host, port, ssl = u.hostname, u.port or 8000, u.scheme == "https"
        database = u.path.strip("/") or chromadb.DEFAULT_DATABASE
        if database != chromadb.DEFAULT_DATABASE:
            _ensure_database(host, port, ssl, database)
        return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings, database=database)
    path = index_path(index_dir)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def _ensure_database(host: str, port: int, ssl: bool, database: str) -> None:
    admin = chromadb.AdminClient(Settings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host, chroma_server_http_port=port,
        chroma_server_ssl_enabled=ssl, anonymized_telemetry=False,
    ))
    try:
        admin.get_database(database)
    except NotFoundError:
        try:
            admin.create_database(database)
        except ChromaError:  # another writer created it meanwhile (a server says so with no error class of its own)
            admin.get_database(database)  # there now, or the create's error stands


class ChunkStore:
    """Chunks and the document registry. A document counts as indexed only once its registry record exists."""

    def __init__(self, client, embed_model: str | None = None, lock_dir: Path | None = None):
        self.client = client
        self._lock_file = lock_dir / ".write.lock" if lock_dir else None
        self._finish_compaction(writer=False)
        self.chunks = client.get_or_create_collection(CHUNKS, embedding_function=None, configuration={"hnsw": HNSW})
        self.docs = client.get_or_create_collection(DOCS, embedding_function=None)
        self.embed_model = self._check_model(embed_model)
        self._registry: tuple[int, list[DocRecord]] | None = None  # (the stamp it was read under, the records)

    def _check_model(self, embed_model: str | None) -> str | None:
        recorded = (self.chunks.metadata or {}).get("embed_model")
        if recorded and embed_model and recorded != embed_model and self.chunks.count():
            raise IndexModelMismatch(
                f"this index was built with embedding model '{recorded}', not '{embed_model}': "
                f"use --embed-model {recorded} or a new --index directory"
            )
        if embed_model and recorded != embed_model:
            self.chunks.modify(metadata={**(self.chunks.metadata or {}), "embed_model": embed_model})
        return embed_model or recorded

    def text_key(self, text: str) -> str:
        """What a chunk's vector depends on: the model and the exact text it embeds."""
        return hashlib.sha256(f"{self.embed_model or ''}\0{text}".encode()).hexdigest()

    def stored_vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors stored chunks already hold for these texts (any document's, committed or not: a vector
        depends on the model and the text alone), by text."""
        by_key = {self.text_key(t): t for t in texts}
        keys = list(by_key)
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), _LOOKUP):
            got = self.chunks.get(where={TEXT_KEY: {"$in": keys[i : i + _LOOKUP]}}, include=["metadatas", "embeddings"])
            for m, v in zip(got["metadatas"], got["embeddings"]):
                found[by_key[m[TEXT_KEY]]] = np.asarray(v, dtype=np.float32)
        return found

    # --- registry -------------------------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        """The committed documents. Read again only when a writer has stamped the registry since (`_registry_changed`):
        the records' metadata took 9.7 ms of every question at 134 documents, the stamp 0.4 ms."""
        generation = (self.client.get_collection(DOCS, embedding_function=None).metadata or {}).get(GENERATION)
        if generation is None or self._registry is None or self._registry[0] != generation:
            got = self.docs.get(include=["metadatas"])
            recs = [DocRecord.from_meta(i, m) for i, m in zip(got["ids"], got["metadatas"])]
            self._registry = (generation, sorted(recs, key=lambda r: (r.unit or "", r.year or 0, r.file)))
        return [replace(r) for r in self._registry[1]]  # copies: a caller may change one (a re-check's findings)

    def _registry_changed(self) -> None:
        """Stamp the registry after a write to it, so readers read it again (a new stamp each time: writers of one
        server may race on it, but any write leaves a stamp no reader has cached)."""
        self.docs.modify(metadata={GENERATION: time.time_ns()})

    def document(self, doc_id: str) -> DocRecord | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas"])
        return DocRecord.from_meta(got["ids"][0], got["metadatas"][0]) if got["ids"] else None

    def find_documents(self, key: str) -> list[DocRecord]:
        """Documents whose id starts with key, or whose file name or path equals it."""
        return [r for r in self.documents() if r.id.startswith(key) or key in (r.file, r.path)]

    # --- writes ---------------------------------------------------------------------------------
    @contextmanager
    def writing(self):
        """Serialise writers across processes: two processes writing one embedded index corrupt it. A writer that
        leaves the embedded index worn (more chunks deleted than held) compacts it before letting go."""
        if self._lock_file is None:  # a Chroma server orders its own writes
            self._open_for_writing()
            yield
            return
        with open(self._lock_file, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self._open_for_writing()
                yield
                if self.worn():  # the lock keeps every other writer out, as compaction needs
                    self.compact()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _open_for_writing(self) -> None:
        """Finish a compaction that crashed midway, and take the chunks collection by name: another process may
        have compacted it since this one opened it."""
        self._finish_compaction(writer=True)
        self.chunks = self.client.get_collection(CHUNKS, embedding_function=None)

    def add_document(self, rec: DocRecord, chunks: list[Chunk], vectors) -> None:
        """Write chunks, then the registry record that commits them, then drop the document's older chunks.

        Readers only use committed documents, so a new document appears whole or not at all. Chunk ids carry
        the pipeline version ("doc:version:n"), so a re-parse never overwrites in place; until its old chunks
        are dropped (the last step), a reader may briefly see both versions of that one document.

        Many writers at once (processes, or machines sharing a Chroma server, where no lock can order them):
        chunk ids derive from the document's content hash, so two writers of one file write the same records and
        the later upsert changes nothing, and the registry upsert (last) is as idempotent. Each write stamps its
        chunks (``written``), and a writer deletes chunks only under the stamp it saw them with (the server checks
        it as it deletes), so what another writer has written since under the same ids stays. `cleanup` spares a
        server's young orphans: they may be another writer's chunks on their way to a commit. Writers of one server
        must run one pipeline version: a writer of another version drops this version's chunks as stale.
        """
        written = time.time_ns()
        try:
            self._write_chunks(chunks, vectors, written)
            self.put_record(rec)
        except Exception:
            self._abandon(rec, [c.id for c in chunks], written)
            raise
        keep = {c.id for c in chunks}
        self._delete_as_seen((i, m) for i, _, m in self._scan(["metadatas"], where={"doc_id": rec.id}) if i not in keep)

    def _write_chunks(self, chunks: list[Chunk], vectors, written: int) -> None:
        for i in range(0, len(chunks), _BATCH):
            part = chunks[i : i + _BATCH]
            self.chunks.upsert(
                ids=[c.id for c in part], documents=[c.text for c in part],
                metadatas=[{**chunk_metadata(c), TEXT_KEY: self.text_key(c.embedded_text), WRITTEN: written}
                           for c in part],
                embeddings=[list(map(float, v)) for v in vectors[i : i + _BATCH]],
            )

    def _abandon(self, rec: DocRecord, ids: list[str], written: int) -> None:
        """Undo a write that failed: its chunks, unless its record landed all the same (a reply lost) or another
        writer committed the same document meanwhile, and not those another writer has written again since."""
        committed = self.document(rec.id)
        if not (committed and committed.version == rec.version):
            self._delete_as_seen((i, {WRITTEN: written}) for i in ids)

    def put_record(self, rec: DocRecord) -> None:
        """Rewrite a committed document's registry record (its findings after a re-check), chunks untouched."""
        self.docs.upsert(ids=[rec.id], metadatas=[rec.to_meta()], documents=[rec.title], embeddings=[[1.0]])
        self._registry_changed()

    def remove_document(self, doc_id: str) -> None:
        """Uncommit first, so a crash midway leaves orphans that `cleanup` removes, never a half document. The
        chunks go as they were before the uncommit: a writer storing the document again meanwhile keeps its own."""
        seen = [(i, m) for i, _, m in self._scan(["metadatas"], where={"doc_id": doc_id})]
        self.docs.delete(ids=[doc_id])
        self._registry_changed()
        self._delete_as_seen(seen)

    def cleanup(self) -> int:
        """Delete chunks no committed document owns: an ingest killed midway, or a version replaced. Returns how many.

        Where no lock orders the writers (a server), only orphans older than ORPHAN_GRACE_S: a younger one may be
        another writer's, not committed yet. The embedded store's writers hold its lock: every orphan there is one."""
        committed = {r.id: r.version for r in self.documents()}
        before = time.time_ns() - (0 if self._lock_file else ORPHAN_GRACE_S * 10**9)
        return self._delete_as_seen(
            (i, m) for i, _, m in self._scan(["metadatas"])
            if m.get(WRITTEN, 0) < before
            and (m["doc_id"] not in committed or not i.startswith(f"{m['doc_id']}:{committed[m['doc_id']]}:"))
        )

    def _delete_as_seen(self, seen: Iterable[tuple[str, dict]]) -> int:
        """Delete chunks (id, metadata as read), each only if still as read: one written again since under its id
        carries another stamp and stays. Chunks stored before writes were stamped go by id. Returns how many were
        given."""
        by_stamp: dict[int | None, list[str]] = defaultdict(list)
        for i, m in seen:
            by_stamp[m.get(WRITTEN)].append(i)
        for stamp, ids in by_stamp.items():
            for j in range(0, len(ids), _BATCH):
                self.chunks.delete(ids=ids[j : j + _BATCH], where=None if stamp is None else {WRITTEN: stamp})
        given = sum(map(len, by_stamp.values()))
        if given:  # a count only: writers of one server may race on it, and then it is low
            meta = self.client.get_collection(CHUNKS, embedding_function=None).metadata or {}  # another writer's count too
            self.chunks.modify(metadata={**meta, DELETED: meta.get(DELETED, 0) + given})
        return given

    # --- compaction -----------------------------------------------------------------------------
    # A deleted chunk's vector stays in chroma's HNSW graph as a deleted node, and searches filtered to a document
    # walk through them: on the eval index after four re-parses (126,495 nodes for 20,442 chunks), a search within
    # one document took 72 ms (p50 over the 79 documents), 13 ms once the collection was rebuilt (28 s).
    def worn(self) -> bool:
        """More chunks deleted since the collection was built than it holds now."""
        return (self.chunks.metadata or {}).get(DELETED, 0) > self.chunks.count()

    def compact(self) -> int:
        """Rebuild the chunks collection from its records: copy them into a new collection, mark it complete, drop
        the old one, give the new one its name. Returns the chunks copied.

        A crash before the mark leaves the old collection whole and an incomplete copy, which the next compaction
        drops; after it, a complete copy that the next writer (or, the old one gone already, any opener) puts in
        place (`_finish_compaction`). Readers holding the old collection
        reopen it by name (`nearest`). Writers must not run meanwhile: the embedded store's lock keeps them out (take
        `writing()`); a server's writers are not ordered by anything, so run it there when none is writing."""
        if COMPACTING in self._collection_names():
            self.client.delete_collection(COMPACTING)
        meta = {k: v for k, v in (self.chunks.metadata or {}).items() if k != DELETED}
        fresh = self.client.create_collection(COMPACTING, embedding_function=None, configuration={"hnsw": HNSW}, metadata=meta)
        copied = 0
        for page in self._pages(["documents", "metadatas", "embeddings"]):
            fresh.add(ids=page["ids"], documents=page["documents"], metadatas=page["metadatas"], embeddings=page["embeddings"])
            copied += len(page["ids"])
        fresh.modify(metadata={**meta, COMPLETE: True})
        self._finish_compaction(writer=True)
        self.chunks = self.client.get_collection(CHUNKS, embedding_function=None)
        self._drop_unowned_segment_folders()
        return copied

    def _drop_unowned_segment_folders(self) -> None:
        """Delete the embedded index's HNSW folders that no collection owns: chroma 1.x drops a deleted collection
        from its catalogue but leaves its folder (chroma-core/chroma#5259), which would keep every compacted-away
        graph on disk (the eval index's: 212 MB). The folders are named by segment id, the catalogue is chroma.sqlite3."""
        if self._lock_file is None:
            return
        folder = self._lock_file.parent
        try:
            with closing(sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
                owned = {row[0] for row in db.execute("SELECT id FROM segments")}
        except sqlite3.Error:  # chroma's own catalogue, read where its API says nothing: another layout, nothing removed
            return
        for d in folder.iterdir():
            if d.is_dir() and _SEGMENT_FOLDER.fullmatch(d.name) and d.name not in owned:
                shutil.rmtree(d, ignore_errors=True)

    def _finish_compaction(self, writer: bool) -> None:
        """Put a complete rebuilt collection in the old one's place. Only a writer, which holds the lock, drops the
        old one; a reader only names a copy whose old collection is gone already (a crash between the two steps)."""
        names = self._collection_names()
        if COMPACTING not in names:
            return
        fresh = self.client.get_collection(COMPACTING, embedding_function=None)
        if not (fresh.metadata or {}).get(COMPLETE) or (CHUNKS in names and not writer):
            return  # being copied (the old collection stands), or the writer that copied it finishes it
        if CHUNKS in names:
            self.client.delete_collection(CHUNKS)
        try:
            fresh.modify(name=CHUNKS, metadata={k: v for k, v in fresh.metadata.items() if k != COMPLETE})
        except ChromaError:
            if writer:
                raise  # a reader may have named it just now; a writer holds the lock and must not lose it

    def _collection_names(self) -> set[str]:
        return {c.name for c in self.client.list_collections()}

    # --- reads ----------------------------------------------------------------------------------
    def _scan(self, include: list[str], where: dict | None = None) -> Iterator[tuple[str, str | None, dict]]:
        """(id, text, metadata) of the chunks, a page at a time: one unbounded get fails past ~32k chunks
        (SQLite's limit on variables in one statement, met with the 112-document scale corpus)."""
        for got in self._pages(include, where):
            texts = got["documents"] if "documents" in include else [None] * len(got["ids"])
            yield from zip(got["ids"], texts, got["metadatas"])

    def _pages(self, include: list[str], where: dict | None = None) -> Iterator[dict]:
        offset = 0
        while True:
            got = self._reading(lambda chunks: chunks.get(where=where, include=include, limit=_SCAN_PAGE, offset=offset))
            if got["ids"]:
                yield got
            if len(got["ids"]) < _SCAN_PAGE:
                return
            offset += _SCAN_PAGE

    def all_chunks(self, doc_ids: list[str]) -> list[Chunk]:
        """The chunks of these documents, read document by document: a page boundary can then only shift
        while that one document is being replaced, not whenever any other document is written."""
        return [
            chunk_from_record(i, t, m)
            for d in doc_ids
            for i, t, m in self._scan(["documents", "metadatas"], where={"doc_id": d})
        ]

    def vectors(self, doc_id: str) -> tuple[list[str], np.ndarray]:
        """The ids of one document's stored chunks and their vectors, one row each (unit length: cosine is a dot)."""
        ids, rows = [], []
        for got in self._pages(["embeddings"], where={"doc_id": doc_id}):
            ids += got["ids"]
            rows.append(np.asarray(got["embeddings"], dtype=np.float32))
        matrix = np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return ids, matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)

    def count(self) -> int:
        """Stored chunks: committed, and any a writer has not committed yet or has not dropped yet."""
        return self._reading(lambda chunks: chunks.count())

    def nearest(self, vector, k: int, doc_ids: list[str] | None) -> list[str]:
        """The ids of the k chunks of these documents (None: of any, stored committed or not) nearest to ``vector``
        by cosine (HNSW), best first. Ids only: reading the 40 records' texts and metadata too took half of the
        query's time (8.5 vs 4.1 ms p50, 17 documents); the retriever holds the committed chunks in memory."""
        if doc_ids is not None and not doc_ids:
            return []
        where = None if doc_ids is None else {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}
        vector = [list(map(float, vector))]
        return self._reading(lambda chunks: chunks.query(query_embeddings=vector, n_results=k, where=where, include=[]))["ids"][0]

    def _reading(self, read):
        """read(the chunks collection), again with the collection reopened by name if another process compacted it
        meanwhile: the same chunks, in a new collection."""
        try:
            return read(self.chunks)
        except NotFoundError:
            self.chunks = self.client.get_collection(CHUNKS, embedding_function=None)
            return read(self.chunks)
