"""Each distinct text is embedded once: vectors the store holds (any document's chunk, by model and exact text) are
reused, by one process and by worker processes, against the embedded store and a Chroma server."""
import shutil
from decimal import Decimal

import numpy as np

import qa.ingest
from conftest import DATA
from qa.assistant import Assistant
from qa.chunk import chunk_document
from qa.ingest import Parsed, _Vectors
from qa.model import Cell, Document, Row, Table
from qa.store import ChunkStore, DocRecord, make_client

TEXT = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"
TABLES = DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"


def _vectors(a: Assistant) -> dict[str, np.ndarray]:
    got = a.store.chunks.get(include=["documents", "embeddings"])
    return dict(zip(got["documents"], np.asarray(got["embeddings"])))


def test_a_reingest_after_a_parser_change_embeds_nothing(index, monkeypatch):
    first = Assistant(**index).ingest([TEXT])
    assert first[0].embedded == len({c for c in _vectors(Assistant(**index))}) <= first[0].chunks
    before = _vectors(Assistant(**index))

    monkeypatch.setattr(qa.ingest, "pipeline_version", lambda: "changed-code")  # as after a commit to qa/parse
    a = Assistant(**index)
    again = a.ingest([TEXT])
    assert [(r.status, r.embedded) for r in again] == [("replaced", 0)]
    assert not a.embedder.loaded  # every vector came from the store: the model was never needed
    assert {i.split(":")[1] for i in a.store.chunks.get(include=[])["ids"]} == {"changed-code"}
    after = _vectors(a)
    assert after.keys() == before.keys()
    # the stored vectors themselves (chroma renormalises cosine vectors: ~1e-8); recomputing them would differ by ~1e-3
    assert max(np.abs(after[t] - before[t]).max() for t in before) < 1e-6
    assert a.ask("北京市审计局2026年“三公”经费为什么增加？").figures[0].raw == "16.03"


def test_workers_embed_only_texts_no_stored_chunk_holds(tmp_path, embedder):
    """Another file with the same text (here the same PDF with bytes appended, so another document) reuses the
    first one's vectors; a new file beside it is embedded by the workers, whose vectors match this process's."""
    same = tmp_path / "same.pdf"
    shutil.copy(TEXT, same)
    with same.open("ab") as fh:
        fh.write(b"\n%other bytes")
    assert [r.status for r in Assistant(index_dir=tmp_path / "index").ingest([TEXT])] == ["added"]
    a = Assistant(index_dir=tmp_path / "index")
    results = a.ingest([same, TABLES], workers=2)
    assert [(r.file, r.status) for r in results] == [("same.pdf", "added"), (TABLES.name, "added")]
    assert results[0].embedded == 0 and results[1].embedded > 100
    assert not a.embedder.loaded  # this process embedded nothing: the workers did, or the store had them
    stored = _vectors(a)
    texts = list(stored)
    cosine = np.sum(np.asarray([stored[t] for t in texts]) * embedder.embed_passages(texts), axis=1)
    assert cosine.min() > 0.999


def test_a_row_is_embedded_without_the_cells_that_print_nothing(tmp_path, embedder):
    """A row's vector is embedded from its text less its zero and blank cells (a 支出总表 row is mostly zeros under
    long headers); its text, what is searched by words and shown, keeps them all. The store keys the vector by the
    text embedded, so a later file embedding the same is given it."""
    headers = ["支出总计", "基本支出", "项目支出", "备注"]
    rows = [Row("20508 进修及培训", 3, [Cell("支出总计", "3.78", Decimal("3.78")), Cell("基本支出", "3.78", Decimal("3.78")),
                                        Cell("项目支出", "0.00", Decimal("0.00")), Cell("备注", "-", None)]),
            Row("205 教育支出", 3, [Cell(h, "3.78", Decimal("3.78")) for h in headers[:3]]),
            Row("2050803 培训支出", 3, [Cell(h, "0", Decimal(0)) for h in headers[:3]])]
    doc = Document("d1", "x.pdf", "某局2026年部门预算", "某局", 2026, "预算", "部门", 3)
    doc.tables.append(Table("支出总表", [3], number="表3", unit="万元", headers=headers, rows=rows))
    mixed, full, zeros = chunk_document(doc)
    assert mixed.text.endswith("项目支出 0.00万元；备注 -")
    assert mixed.embedded_text == "某局 2026年 部门预算 · 支出总表（表3，单位：万元）\n" \
                                  "20508 进修及培训：支出总计 3.78万元；基本支出 3.78万元"
    assert full.dense_text is None and full.embedded_text == full.text
    assert zeros.embedded_text.endswith("2050803 培训支出：无数值（空白）")

    store = ChunkStore(make_client(tmp_path / "index"), embed_model=embedder.name)
    parsed = Parsed(doc, [mixed, full, zeros], [], 0.0)
    vectors = _Vectors.look_up(store, parsed)
    assert vectors.missing == [c.embedded_text for c in (mixed, full, zeros)]
    vectors.embed_here(embedder)
    np.testing.assert_allclose(parsed.vectors[0], embedder.embed_passages([mixed.embedded_text])[0], atol=1e-3)
    rec = DocRecord(doc.id, doc.file, doc.file, doc.title, doc.unit, doc.year, doc.kind, doc.scope, 3, 1, 3, [])
    store.add_document(rec, parsed.chunks, parsed.vectors)
    assert _Vectors.look_up(store, parsed).missing == []
    assert store.stored_vectors([mixed.text]) == {}  # keyed by what was embedded, not by the text shown
