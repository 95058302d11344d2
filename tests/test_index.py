"""Ingest → query round trips through real chromadb, embedded and a server: re-ingest, replace, remove, bad files."""
import shutil

import pytest

from conftest import DATA, SAMPLE
from qa.assistant import Assistant
from qa.store import ChunkStore, IndexModelMismatch, make_client


def test_round_trip_reingest_and_remove(index, tmp_path):
    a = Assistant(**index)
    bj_tables = tmp_path / "tables.pdf"
    shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf", bj_tables)
    first = a.ingest([bj_tables])
    assert [r.status for r in first] == ["added"]
    n_chunks = first[0].chunks
    assert a.store.chunks.count() == n_chunks
    ans = a.ask("北京市审计局2026年一般公共预算拨款收入是多少")
    assert ans.found and ans.figures[0].raw == "32,365.090089" and ans.sources[0].page == 1

    # unchanged files are skipped, and the index reopens from disk with the same content
    again = Assistant(**index).ingest([bj_tables])
    assert [r.status for r in again] == ["unchanged"]
    assert ChunkStore(make_client(**index)).chunks.count() == n_chunks

    # the same path with other content replaces the old document
    shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-text.pdf", bj_tables)
    replaced = a.ingest([bj_tables])
    assert [r.status for r in replaced] == ["replaced"]
    ans = a.ask("北京市审计局2026年“三公”经费为什么增加？")
    assert ans.found
    assert "车辆达到报废年限" in ans.answer
    assert ans.figures[0].raw == "16.03" and ans.figures[0].unit == "万元"
    assert ans.sources[0].page == 8 and ans.sources[0].doc == "tables.pdf"
    # the old content's cells left with it: the tables file printed this 一般公共预算拨款收入
    assert "32,365.090089" not in [f.raw for f in a.ask("北京市审计局2026年一般公共预算拨款收入是多少").figures]

    # the same content under another name is indexed once
    dup = a.ingest([DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"])
    assert [r.status for r in dup] == ["duplicate"]
    docs = a.documents()
    assert [d.file for d in docs] == ["tables.pdf"]
    assert a.store.chunks.count() == docs[0].chunks

    for d in docs:
        a.remove(d.id)
    assert a.documents() == [] and a.store.chunks.count() == 0
    assert not a.ask("北京市审计局2026年三公经费是多少").found


def test_bad_files_are_reported_and_skipped(index, tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes((DATA / "bj_audit-bureau_2026_dept-budget-text.pdf").read_bytes()[:5000])
    a = Assistant(**index)
    results = {r.file: r for r in a.ingest([junk, empty, truncated, DATA / "blank_scan.pdf", DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"])}
    assert results["junk.pdf"].reason == "not-pdf"
    assert results["empty.pdf"].reason == "empty"
    assert results["truncated.pdf"].status == "failed"
    assert results["blank_scan.pdf"].reason == "no-text"  # an image page OCR reads nothing on
    assert results["bj_audit-bureau_2026_dept-budget-text.pdf"].status == "added"
    assert [d.file for d in a.documents()] == ["bj_audit-bureau_2026_dept-budget-text.pdf"]
    assert a.store.chunks.count() == a.documents()[0].chunks


def test_index_refuses_another_embedding_model(index, tmp_path):
    a = Assistant(**index)
    a.ingest([DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"])
    with pytest.raises(IndexModelMismatch):
        ChunkStore(make_client(**index), embed_model="some-other-model")


def test_orphan_chunks_of_an_interrupted_ingest_are_cleaned(index, embedder):
    from qa.chunk import chunk_document
    from qa.parse import parse_pdf

    a = Assistant(**index)
    doc = parse_pdf(DATA / "bj_audit-bureau_2026_dept-budget-text.pdf")
    chunks = chunk_document(doc)
    # chunks written, registry record never committed: what a kill between the two leaves behind
    a.store.chunks.add(ids=[c.id for c in chunks[:5]], documents=[c.text for c in chunks[:5]],
                       metadatas=[{"doc_id": doc.id, "type": "section", "page": 1, "file": doc.file} for _ in chunks[:5]],
                       embeddings=embedder.embed_passages([c.text for c in chunks[:5]]).tolist())
    assert not a.ask("北京市审计局三公经费为什么增加").found  # uncommitted chunks are never answered from
    results = a.ingest([DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"])
    assert results[0].status == "added"
    assert a.store.chunks.count() == results[0].chunks


def test_reads_page_through_a_large_index(index, monkeypatch):
    """Reads go a page at a time (one unbounded get fails past ~32k chunks); pages of 7 exercise the seams."""
    import qa.store

    a = Assistant(**index)
    a.ingest([DATA / "bj_audit-bureau_2026_dept-budget-text.pdf", DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"])
    docs = sorted(d.id for d in a.documents())
    whole = {c.id: c.text for c in a.store.all_chunks(docs)}
    monkeypatch.setattr(qa.store, "_SCAN_PAGE", 7)
    paged = a.store.all_chunks(docs)
    assert len(paged) == len(whole) == a.store.chunks.count() > 7 * 10
    assert {c.id: c.text for c in paged} == whole
    first = next(d for d in a.documents() if d.id == docs[0])
    assert [c.doc_id for c in a.store.all_chunks(docs[:1])] == [docs[0]] * first.chunks
    assert a.store.cleanup() == 0  # every chunk seen, none taken for an orphan
    a.warm()  # the web page builds the lexical index ahead of the first question
    assert a.retriever._indexes[0] == tuple(docs) and len(a.retriever._indexes[1].chunks) == len(whole)


def test_sample_answers(sample_assistant):
    ans = sample_assistant.ask("三公经费为何增加")
    assert ans.found and ans.intent == "reason"
    assert "10.00" in ans.answer and "公务接待费减少8.00万元" in ans.answer
    assert ans.figures[0].value == 10 and ans.figures[0].unit == "万元"
    assert ans.sources[0].page == 22
    ans = sample_assistant.ask("公务接待费是多少")
    assert (ans.figures[0].raw, ans.figures[0].unit) == ("2.00", "万元")
    assert ans.figures[0].page in (12, 16, 22)
    d = sample_assistant.ask("阳泉二监的招待费").to_dict()
    assert d["found"] and d["figures"][0]["value"] == 2.0
    missing = sample_assistant.ask("北京市教育委员会2026年三公经费是多少")
    assert not missing.found and "北京市教育委员会" in missing.answer and missing.figures == []
    other_year = sample_assistant.ask("阳泉第二监狱2019年三公经费是多少")
    assert not other_year.found and "2019" in other_year.answer


def test_chunk_boxes_survive_the_store_and_old_records_read_without_them():
    import json
    from decimal import Decimal

    from qa.model import Cell, Chunk
    from qa.store import chunk_from_record, chunk_metadata

    box = (56.7, 190.6, 326.1, 207.3)
    c = Chunk("d:1", "d", "头\n公务接待费：2.00", "row", 16, "x.pdf", "某单位", 2026, "预算",
              cells=[Cell("合计", "2.00", Decimal("2.00"), (194.3, 190.6, 238.9, 207.3))], bbox=box, lines=[(0, box)])
    back = chunk_from_record(c.id, c.text, chunk_metadata(c))
    assert (back.bbox, back.cells[0].bbox, back.lines) == (box, c.cells[0].bbox, [(0, box)])
    old = {k: v for k, v in chunk_metadata(c).items() if k not in ("bbox", "lines")}
    old["cells"] = json.dumps([["合计", "2.00"]], ensure_ascii=False)  # as written before boxes were kept
    back = chunk_from_record(c.id, c.text, old)
    assert (back.bbox, back.cells[0].bbox, back.lines, back.cells[0].raw) == (None, None, [], "2.00")


def test_dense_search_over_every_document_skips_what_is_not_committed(index, embedder):
    """Asked of every document, dense search runs unfiltered (a filter over every document id is slow): chunks
    stored but not committed must still be left out, and k committed ones returned, as the filtered search does."""
    a = Assistant(**index)
    a.ingest([DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"])  # 21 chunks
    committed = a.retriever.committed()
    vector = embedder.embed_queries(["北京市审计局三公经费为什么增加"])[0]
    nearest = a.store.nearest(vector, 12, committed)
    got = a.store.chunks.get(ids=nearest, include=["embeddings", "documents"])
    # uncommitted copies of the nearest chunks (a writer's chunks before its commit): nearer than anything held
    a.store.chunks.add(ids=[f"uncommitted:{i}" for i in got["ids"]], documents=got["documents"],
                       embeddings=got["embeddings"], metadatas=[{"doc_id": "uncommitted", "type": "section"}] * len(got["ids"]))
    assert [c.id for c in a.retriever.dense(committed, vector, 12, committed)] == nearest


def test_compaction_keeps_every_chunk_and_answer(index, tmp_path):
    """Deleted chunks' vectors stay in chroma's HNSW graph and slow filtered searches: compaction rebuilds the
    collection from its records. An embedded index does it when a writer leaves more deleted than held; a reader
    opened before it still answers; a compaction that crashed midway is finished or dropped."""
    from qa.store import CHUNKS, COMPACTING, COMPLETE, DELETED

    a = Assistant(**index)
    text, tables = tmp_path / "text.pdf", tmp_path / "tables.pdf"
    shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-text.pdf", text)
    shutil.copy(DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf", tables)
    a.ingest([text])
    reader = Assistant(**index)
    question = "北京市审计局2026年“三公”经费为什么增加？"
    before = reader.ask(question).to_dict()
    before.pop("elapsed_ms")
    a.ingest([tables])  # 436 chunks beside the text's 21, then deleted
    held = a.store.count()
    old_id = a.store.chunks.id

    a.remove(a.store.find_documents("tables.pdf")[0].id)
    removed = held - a.store.count()
    embedded = "index_dir" in index
    if embedded:  # more deleted than held: compacted as the writer let go
        assert a.store.chunks.id != old_id and not (a.store.chunks.metadata or {}).get(DELETED)
        # chroma leaves a deleted collection's HNSW folder behind (chroma-core/chroma#5259): ours are removed
        assert len([d for d in index["index_dir"].iterdir() if d.is_dir()]) <= 2  # the chunks' and the registry's
    else:  # a server's writers are not ordered: only `compact` does it
        assert a.store.chunks.metadata[DELETED] == removed and a.store.worn()
        assert a.compact() == held - removed and a.store.chunks.id != old_id
    assert {c.name for c in a.store.client.list_collections()} == {CHUNKS, "qa_documents"}
    after = reader.ask(question).to_dict()  # its collection was dropped: reopened by name
    after.pop("elapsed_ms")
    assert after == before and a.store.count() == a.documents()[0].chunks == held - removed

    # a crash after the copy was marked complete and the old collection dropped: the next open finishes it
    copy = a.store.client.get_collection(CHUNKS)
    copy.modify(name=COMPACTING, metadata={**copy.metadata, COMPLETE: True})
    again = Assistant(**index)
    assert again.store.count() == held - removed and COMPACTING not in {c.name for c in again.store.client.list_collections()}
    # a crash midway through the copy: the old collection stands, and the next compaction starts afresh
    again.store.client.create_collection(COMPACTING)
    assert Assistant(**index).ask(question).found
    assert again.compact() == held - removed
    assert {c.name for c in again.store.client.list_collections()} == {CHUNKS, "qa_documents"}


def test_registry_read_again_only_after_a_write(index):
    """The registry is cached under a stamp its writers change: another store (process) sees every write to it."""
    from qa.store import DocRecord

    reader, writer = ChunkStore(make_client(**index)), ChunkStore(make_client(**index))
    assert reader.documents() == []
    rec = DocRecord("d1", "a.pdf", "/a.pdf", "t", "某单位", 2026, "预算", "部门", pages=1, tables=0, chunks=0, warnings=[])
    writer.put_record(rec)
    assert [r.id for r in reader.documents()] == ["d1"]
    reader.documents()[0].findings.append("changed by a caller")  # the cache hands out copies…
    rec.findings = ["a finding"]
    writer.put_record(rec)  # …and a re-check's new findings are read again
    assert reader.documents()[0].findings == ["a finding"]
    writer.remove_document("d1")
    assert reader.documents() == []
