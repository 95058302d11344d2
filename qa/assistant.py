"""The one facade the CLI, the web page and scripts share."""
from __future__ import annotations

import re
import time
from collections.abc import Iterable
from pathlib import Path

from .answer import Answer, cite_printing, compose
from .check import warnings_for
from .derive import derive, plan
from .embedding import Embedder
from .ingest import IngestResult, Ingestor
from .period import Period
from .question import Question, analyze
from .retrieve import Retrieved, Retriever
from .store import ChunkStore, DocRecord, index_path, make_client, server_url
from .units import registry_of


# a percentage stated as a share of something ("…18.00万元，占23.68%"), not any percentage (a 绩效指标's "≥95%")
_STATES_SHARE = re.compile(r"占|比例|比重")


class Assistant:
    """`Assistant(index_dir="index").ask("…")` — load models once, then ingest and ask."""

    def __init__(self, index_dir: str | Path | None = None, chroma_url: str | None = None,
                 embed_model: str | None = None, device: str | None = None):
        self.embedder = Embedder(embed_model, device)
        url = server_url(chroma_url)
        self.index_dir = None if url else index_path(index_dir)
        self.store = ChunkStore(make_client(index_dir, url), embed_model=self.embedder.name, lock_dir=self.index_dir)
        self.retriever = Retriever(self.store, self.embedder)

    def ingest(self, paths: Iterable[str | Path], progress: bool = False, on_result=None, on_page=None,
               workers: int = 1) -> list[IngestResult]:
        """Index PDFs; on_result(IngestResult) after each file, on_page(file, page, pages) while parsing
        (with ``workers`` > 1 files are parsed in that many processes, and on_page is not called)."""
        with self.store.writing():
            return Ingestor(self.store, self.embedder).ingest(paths, progress=progress, on_result=on_result,
                                                              on_page=on_page, workers=workers)

    def warm(self) -> None:
        """Load the embedding model and build the in-memory lexical index and the unit registry of the committed
        documents now rather than on the next question (≈ 3 s, and ≈ 9 s at 35k chunks once per change of the
        index; the registry ≈ 2 s, most of it jieba's dictionary)."""
        self.embedder.load()
        self.retriever.lexical(self.retriever.committed())
        registry_of(self.documents())

    def documents(self) -> list[DocRecord]:
        return self.store.documents()

    def remove(self, doc_id: str) -> None:
        with self.store.writing():
            self.store.remove_document(doc_id)

    def compact(self) -> int:
        """Rebuild the index's chunk collection without the deleted chunks' vectors (see `ChunkStore.compact`);
        returns the chunks kept. An embedded index does it by itself when worn; on a Chroma server, run it while no
        other process writes."""
        with self.store.writing():
            return self.store.compact()
    def analyze(self, question: str, context: Question | None = None, unit: str | None = None,
                year: int | None = None, kind: str | None = None, docs: list[DocRecord] | None = None) -> Question:
        """Question analysis, narrowed by explicit filters (the web page's unit/year/kind pickers)."""
        docs = self.documents() if docs is None else docs
        picked = [d for d in docs if (not unit or d.unit == unit) and (not year or d.year == year) and (not kind or d.kind == kind)]
        q = analyze(question, picked if (unit or year or kind) else docs, context, unit=unit)
        if (unit or year or kind) and q.doc_ids is None:
            q.doc_ids = [d.id for d in picked]
        return q

    def ask(self, question: str, k: int = 5, mode: str = "hybrid", context: Question | None = None,
            unit: str | None = None, year: int | None = None, kind: str | None = None) -> Answer:
        t0 = time.perf_counter()
        docs = self.documents()
        if not docs:
            return Answer(question, False, "未找到：索引中还没有文件，请先导入预决算公开文件（PDF）。")
        q, ans = self._lookup(question, k, mode, context, unit, year, kind, docs)
        computed = None if q.not_found else plan(q, docs)
        lead = ans.figures[0] if ans.found and ans.figures else None
        # a share the document states is quoted, not recomputed; last year's figure it prints is read, not derived
        stated = lead is not None and computed is not None and (
            (computed.op == "share" and lead.unit == "%" and bool(_STATES_SHARE.search(f"{lead.label} {lead.context}")))
            or (computed.op == "previous" and Period.PREVIOUS in lead.periods))
        if computed and not stated:
            def ask_one(text: str, unit: str | None = None, year: int | None = None) -> Answer:
                return self._lookup(text, k, mode, None, unit, year, kind, docs)[1]  # inputs are looked up, never derived

            ans = derive(q, computed, ask_one, k, looked_up=ans)
        if ans.found and ans.figures and ans.figures[0].value is not None:
            lead = ans.figures[0]
            cite_printing(ans, self.retriever.printing(lead.doc_id, lead.value, sorted(d.id for d in docs)), k)
        ans.warnings = warnings_for(ans.figures, {d.id: d.findings for d in docs})
        ans.elapsed_ms = (time.perf_counter() - t0) * 1000
        ans.analysis = q
        return ans

    def _lookup(self, question: str, k: int, mode: str, context: Question | None, unit: str | None,
                year: int | None, kind: str | None, docs: list[DocRecord]) -> tuple[Question, Answer]:
        """Question analysis, retrieval and the composed answer, without derived figures."""
        q = self.analyze(question, context, unit, year, kind, docs=docs)
        return q, compose(q, self.retrieve(q, docs, k, mode), k=k)

    def retrieve(self, q: Question, docs: list[DocRecord], k: int = 5, mode: str = "hybrid") -> list[Retrieved]:
        """The passages an analysed question is answered from (none when it cannot be): at least 20, since the
        answer layer reads every figure they hold."""
        return [] if q.not_found else self.retriever.search(q, k=max(20, k), mode=mode, committed=sorted(d.id for d in docs))
