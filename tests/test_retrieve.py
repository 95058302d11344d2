"""Relations the retriever reads among stored chunks: a section's next passage, a table's total rows."""
from qa.model import Chunk, ChunkType
from qa.retrieve import next_in_section, table_totals


def _row(n: int, label: str, table: str | None, doc: str = "d1") -> Chunk:
    return Chunk(id=f"{doc}:v1:{n:05d}", doc_id=doc, text=f"{label}：…", type=ChunkType.ROW, page=3, file="x.pdf",
                 unit="深圳市医疗保障局（本级）", year=2026, kind="预算", table=table, path=[label])


def test_a_tables_total_rows_are_found_from_any_of_its_rows():
    chunks = [
        _row(10, "深圳市医疗保障局（本级）", "支出总表"),  # the unit's own row is the department's total
        _row(11, "208 社会保障和就业支出", "支出总表"),
        _row(12, "20805 行政事业单位养老支出", "支出总表"),
        _row(13, "合计", "收入总表"),  # the next table: its own totals
        _row(14, "一、财政拨款收入", "收入总表"),
        _row(20, "合计", "支出总表"),  # numbered apart: another table of the same title
        _row(21, "办公费", "支出总表"),
        _row(30, "办公费", "（无标题表格）"),  # untitled tables are not told apart
        _row(31, "合计", "（无标题表格）"),
    ]
    totals = table_totals(chunks)
    first = [c.id for c in totals["d1:v1:00012"]]
    assert first == ["d1:v1:00010"]
    assert [c.id for c in totals["d1:v1:00014"]] == ["d1:v1:00013"]
    assert [c.id for c in totals["d1:v1:00021"]] == ["d1:v1:00020"]
    assert "d1:v1:00030" not in totals


def test_a_table_with_a_subtotal_under_every_group_has_no_total_rows():
    chunks = [_row(i, "小计" if i % 2 else f"项目{i}", "项目支出表") for i in range(10)]
    assert table_totals(chunks) == {}


def test_a_sections_next_passage_is_the_one_numbered_after_it_in_that_section():
    def passage(n, section):
        return Chunk(id=f"d1:v1:{n:05d}", doc_id="d1", text="…", type=ChunkType.SECTION, page=2, file="x.pdf",
                     unit=None, year=2026, kind="预算", section=section)

    chunks = [passage(1, "一、主要职责"), passage(2, "一、主要职责"), passage(3, "二、机构设置"), passage(5, "二、机构设置")]
    following = next_in_section(chunks)
    assert following["d1:v1:00001"].id == "d1:v1:00002"
    assert "d1:v1:00002" not in following and "d1:v1:00003" not in following


def test_a_documents_nearest_chunks_are_found_in_memory_as_the_store_finds_them(sample_assistant):
    """Dense search scoped to some documents reads their vectors once and ranks in memory: chroma's filter cost
    13 ms a query; the same chunks, in the same order (the store's search over one document is exhaustive)."""
    a = sample_assistant
    committed = a.retriever.committed()
    vector = a.embedder.embed_queries(["公务接待费为什么减少"])[0]
    # a second committed document (with no chunks) makes the sample's a scope of some documents, not of every one
    held = [c.id for c in a.retriever.dense([*committed, "another"], vector, 40, committed)]
    stored = a.store.nearest(vector, 40, committed[:1])
    assert len(held) == 40 and held[:20] == stored[:20] and set(held) == set(stored)
    assert committed[0] in a.retriever._vectors  # ranked in memory, not by the store
