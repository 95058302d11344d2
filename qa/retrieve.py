"""Hybrid retrieval: BM25 over character n-grams + dense chromadb search, fused by reciprocal rank. The committed
chunks are read into memory once per change of the committed documents; dense search returns ids into them."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .embedding import Embedder
from .lexical import LexicalIndex
from .model import UNTITLED_TABLE, Chunk, ChunkType
from .numbers import parse_decimal
from .question import Intent, Question
from .store import ChunkStore

MODES = ("lexical", "dense", "hybrid")
_RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the head, keeps the tail
# Dense ranks count for less than lexical ones: on the eval set (523 q) hybrid answer@1 was 0.9455 at weight 1.0,
# 0.9497 at 0.8 and 0.9476 at 0.6 (= lexical alone; paraphrases fell from 0.93 to 0.90); recall@5 0.990 at 0.8 and 1.0.
_DENSE_WEIGHT = 0.8
_POOL = 40
_MIN_PROSE = 4
_UNFILTERED_EXTRA = 2000  # stored chunks not held that an unfiltered search may skip: 2,040 neighbours took 17.5 ms
# (40: 2.0 ms) on the 79-document eval index, against 68 ms for the filter over every document
_SCOPED_INDEXES = 64  # BM25 indexes kept for recently asked-about document sets
_CONTINUED = 3  # the first prose passages whose section's next passage is fetched with them; not tuned apart:
# with it and the statements at parse (session 7) why went 0.796 | 0.747 → 0.815 | 0.780, text facts 0.700 | 0.728 → 0.700 | 0.753
_LISTED = 6  # …and how many passages on, where the question asks a list or a text fact (主要职责 run to 15–20 items,
# 2–5 passages)
_CODED = 12  # rows of an asked 科目编码 joined to the hits: its row in the 收支总表, the 支出表, the 功能分类表… of a
# document or two
_TOTALLED = 3  # the first tables among the hits whose total rows are fetched with them
_TOTALS_KEPT = 3  # …where the table has no more total rows than this (a 小计 under every group is no table total)


@dataclass
class Retrieved:
    chunk: Chunk
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None


class Retriever:
    """Search the committed documents. Their chunks are read from the store again when they change.

    Safe to share between threads: indexes are built under a lock and never changed once built.
    """

    def __init__(self, store: ChunkStore, embedder: Embedder):
        self.store = store
        self.embedder = embedder
        self._lock = threading.Lock()
        # (committed ids, BM25 over their chunks, their chunks by id, each prose chunk's next one in its section,
        # each table row's table's total rows, the rows of each 科目编码, the passages printing each amount of a document)
        self._indexes: tuple[tuple[str, ...], LexicalIndex, dict[str, Chunk], dict[str, Chunk],
                             dict[str, tuple[Chunk, ...]], dict[str, list[Chunk]],
                             dict[tuple[str, Decimal], list[Chunk]]] | None = None
        self._scoped: OrderedDict[tuple[str, ...], LexicalIndex] = OrderedDict()
        self._vectors: dict[str, tuple[list[Chunk], np.ndarray]] = {}  # a committed document's held chunks, vectors

    def committed(self) -> list[str]:
        return sorted(r.id for r in self.store.documents())

    def _read(self, committed: list[str]) -> tuple[LexicalIndex, dict[str, Chunk], dict[str, Chunk],
                                                   dict[str, tuple[Chunk, ...]], dict[str, list[Chunk]],
                                                   dict[tuple[str, Decimal], list[Chunk]]]:
        """The indexes of these committed documents, read from the store when they changed. Holds the lock."""
        generation = tuple(committed)
        if self._indexes is None or self._indexes[0] != generation:
            chunks = self.store.all_chunks(committed)
            by_code: dict[str, list[Chunk]] = {}
            for c in chunks:
                if c.code:
                    by_code.setdefault(c.code, []).append(c)
            self._indexes = (generation, LexicalIndex(chunks), {c.id: c for c in chunks}, next_in_section(chunks),
                             table_totals(chunks), by_code, amounts_printed(chunks))
            self._scoped.clear()
            self._vectors.clear()
        return self._indexes[1:]

    def _document_vectors(self, doc_id: str, by_id: dict[str, Chunk]) -> tuple[list[Chunk], np.ndarray]:
        """One document's held chunks and their vectors, read once per change of the committed documents (a
        chunk stored but not held, of a version being written, is left out). Holds the lock."""
        if doc_id not in self._vectors:
            ids, matrix = self.store.vectors(doc_id)
            held = [i for i, chunk_id in enumerate(ids) if chunk_id in by_id]
            self._vectors[doc_id] = ([by_id[ids[i]] for i in held], matrix[held])
        return self._vectors[doc_id]

    def lexical(self, committed: list[str], scope: list[str] | None = None) -> LexicalIndex:
        """BM25 over the committed chunks, or over only the scope's documents.

        A scoped index weighs terms (IDF) by the documents asked about alone, so an answer about one
        document does not change when another document is added to the index.
        """
        with self._lock:
            full = self._read(committed)[0]
            if scope is None or set(scope) >= set(committed):
                return full
            key = tuple(sorted(scope))
            if key not in self._scoped:
                self._scoped[key] = full.subset(key)
                if len(self._scoped) > _SCOPED_INDEXES:
                    self._scoped.popitem(last=False)
            self._scoped.move_to_end(key)
            return self._scoped[key]

    def dense(self, committed: list[str], vector, k: int, scope: list[str]) -> list[Chunk]:
        """The k chunks of the scope's documents nearest to ``vector``, best first. A chunk written since the
        committed documents were read (one of them written again under the same id) is left out until they change."""
        if set(scope) >= set(committed):
            # Every document asked: no filter, and as many more neighbours as there are stored chunks not held (a
            # document being written, a version not dropped yet), which are then left out. chroma's `$in` filter
            # over every document cost 68 ms a query at 79 documents (20,442 chunks), unfiltered 1.7 + 1.2 (count).
            with self._lock:
                by_id = self._read(committed)[1]
            extra = self.store.count() - len(by_id)
            if extra <= _UNFILTERED_EXTRA:
                return [by_id[i] for i in self.store.nearest(vector, k + max(extra, 0), None) if i in by_id][:k]
        # Some documents asked: exact cosine over their vectors held in memory. chroma's filter on one document
        # cost 13.5 ms a query at 79 documents, five 12.7 ms; the dot products over one document's ~400 chunks, 0.1 ms.
        with self._lock:  # the chunks and the vectors of one reading of the committed documents
            by_id = self._read(committed)[1]
            held = [self._document_vectors(d, by_id) for d in scope]
        chunks = [c for cs, _ in held for c in cs]
        if not chunks:
            return []
        scores = np.concatenate([m @ np.asarray(vector, dtype=np.float32) for cs, m in held if cs])
        best = np.argsort(-scores, kind="stable")[:k]
        return [chunks[i] for i in best]

    def printing(self, doc_id: str, value: Decimal, committed: list[str] | None = None) -> list[Chunk]:
        """The passages of a document that print an amount, in a cell or a sentence, as the store holds them."""
        committed = self.committed() if committed is None else committed
        with self._lock:
            return list(self._read(committed)[5].get((doc_id, value), ()))

    def search(self, q: Question, k: int = 20, mode: str = "hybrid", committed: list[str] | None = None) -> list[Retrieved]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        committed = self.committed() if committed is None else committed
        held = set(committed)
        scope = committed if q.doc_ids is None else [d for d in q.doc_ids if d in held]
        if not scope:
            return []
        fused: dict[str, Retrieved] = {}
        if mode in ("lexical", "hybrid"):
            for rank, (chunk, _) in enumerate(self.lexical(committed, scope).search(q.search_text, _POOL, scope)):
                r = fused.setdefault(chunk.id, Retrieved(chunk, 0.0))
                r.lexical_rank = rank
                r.score += 1.0 / (_RRF_K + rank)
        if mode in ("dense", "hybrid"):
            vector = self.embedder.embed_queries([q.search_text])[0]
            for rank, chunk in enumerate(self.dense(committed, vector, _POOL, scope)):
                r = fused.setdefault(chunk.id, Retrieved(chunk, 0.0))
                r.dense_rank = rank
                r.score += _DENSE_WEIGHT / (_RRF_K + rank)
        ranked = sorted(fused.values(), key=lambda r: -r.score)
        top = ranked[:k]
        if q.codes:  # a 科目编码 asked: its rows, wherever the n-grams of seven digits ranked them
            with self._lock:
                by_code = self._read(committed)[4]
            inside, held_ids = set(scope), {r.chunk.id for r in top}
            top += [Retrieved(c, 0.0) for code in q.codes for c in by_code.get(code, [])
                    if c.doc_id in inside and c.id not in held_ids][:_CODED]
        # Keep the best prose passages in view: changes, shares and reasons are stated in sentences,
        # and a table's many similar rows can otherwise crowd them out.
        wanted = _MIN_PROSE * 3 if q.intent in ("definition", "reason", "list") else _MIN_PROSE  # answered in words
        prose = [r for r in ranked[k:] if r.chunk.type == "section"][:wanted]
        run = _LISTED if q.intent in (Intent.TEXT_FACT, Intent.LIST) else 1
        return self._continued(committed, top + prose, run, totals=all(i in q.columns for i in q.items))

    def _continued(self, committed: list[str], hits: list[Retrieved], run: int = 1,
                   totals: bool = False) -> list[Retrieved]:
        """The hits, and after them the next passage of the first prose passages' sections where retrieval left it
        out (a list (主要职责, 单位构成) or a total's parts often run on past the chunk that names what was asked;
        ``run`` passages on where the question asks for the list itself), and with ``totals`` (the question names
        no item but a column's: "基本支出是多少", "收入预算总计") the total rows of the first tables whose rows were
        found: such a question finds the rows of every 科目 under that column, and its answer is the table's 合计
        row, which says no more than they do."""
        with self._lock:
            following, total_rows = self._read(committed)[2:4]
        held = {r.chunk.id for r in hits}
        added = []
        for r in [r for r in hits if r.chunk.type == ChunkType.SECTION][:_CONTINUED]:
            nxt = r.chunk
            for _ in range(run):
                if (nxt := following.get(nxt.id)) is None:
                    break
                added.append(nxt)
        tables = {rows[0].id: rows for r in hits if totals and (rows := total_rows.get(r.chunk.id))}  # by its first
        added += [c for rows in list(tables.values())[:_TOTALLED] for c in rows]
        out = list(hits)
        for c in added:
            if c.id not in held:
                held.add(c.id)
                out.append(Retrieved(c, 0.0))
        return out


def amounts_printed(chunks: list[Chunk]) -> dict[tuple[str, Decimal], list[Chunk]]:
    """(document, amount) → the passages printing it: a table's cells and the figures of its sentences, read at parse."""
    out: dict[tuple[str, Decimal], list[Chunk]] = {}
    for c in chunks:
        values = {cell.value for cell in c.cells if cell.value} | {
            v for st in c.statements for f in st.figures if (v := parse_decimal(f.raw))}
        for v in values:
            out.setdefault((c.doc_id, v), []).append(c)
    return out


def table_totals(chunks: list[Chunk]) -> dict[str, tuple[Chunk, ...]]:
    """Each table row's table's total rows (Chunk.total_row), for tables that have one to _TOTALS_KEPT of them.
    A table is a run of rows of one titled table, numbered one after another (qa.chunk numbers a document's chunks
    in order); untitled tables are left out (their rows are all "（无标题表格）")."""
    runs: list[list[Chunk]] = []
    last: Chunk | None = None
    for c in sorted((c for c in chunks if c.type == ChunkType.ROW and c.table and c.table != UNTITLED_TABLE),
                    key=lambda c: c.id):
        prefix, n = _numbered(c)
        if last is None or c.table != last.table or _numbered(last) != (prefix, n - 1):
            runs.append([])
        runs[-1].append(c)
        last = c
    out: dict[str, tuple[Chunk, ...]] = {}
    for run in runs:
        totals = tuple(c for c in run if c.total_row)
        if 0 < len(totals) <= _TOTALS_KEPT:
            out.update((c.id, totals) for c in run)
    return out


def _numbered(c: Chunk) -> tuple[str, int]:
    """Its document version and its place in that version's numbering: "doc:version:00042" → ("doc:version", 42)."""
    prefix, _, n = c.id.rpartition(":")
    return prefix, int(n) if n.isdigit() else -1


def next_in_section(chunks: list[Chunk]) -> dict[str, Chunk]:
    """Each prose chunk's next passage of the same section among these chunks: the one numbered right after it
    (qa.chunk numbers a document's chunks in order, "doc:version:00042", its prose first)."""
    prose = {_numbered(c): c for c in chunks if c.type == ChunkType.SECTION}
    out = {}
    for (prefix, n), c in prose.items():
        if n >= 0 and (nxt := prose.get((prefix, n + 1))) and nxt.section == c.section:
            out[c.id] = nxt
    return out
