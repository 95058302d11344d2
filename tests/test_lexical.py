"""BM25 over character n-grams: an index of some documents taken from the full one is the index built from them."""
from qa.lexical import LexicalIndex, char_ngrams
from qa.model import Chunk

TEXTS = {
    "a": ["2026年公务接待费2.00万元", "机关运行经费比上年减少10.00万元", "政府采购预算总额356.20万元"],
    "b": ["公务接待费预算为零", "“三公”经费合计76.00万元", "机关运行经费主要用于办公费、印刷费"],
    "c": ["本单位无政府性基金预算", "公务用车运行维护费18.5万元"],
}


def test_a_subset_is_the_index_of_its_documents():
    chunks = [Chunk(id=f"{d}:{i}", doc_id=d, text=t, type="section", page=1, file=f"{d}.pdf",
                    unit=None, year=2026, kind="预算")
              for d, texts in TEXTS.items() for i, t in enumerate(texts)]
    full = LexicalIndex(chunks)
    subset = full.subset(["c", "a"])
    built = LexicalIndex([c for c in chunks if c.doc_id in ("a", "c")])
    assert subset.chunks == built.chunks
    for query in ("公务接待费是多少", "机关运行经费", "运行维护费", "政府采购"):
        assert [(c.id, s) for c, s in subset.search(query, 5)] == [(c.id, s) for c, s in built.search(query, 5)]
    # its own term weights: 公务接待费 in one of five chunks, not in two of eight
    assert subset.search("公务接待费", 1)[0][1] != full.search("公务接待费", 1, ["a", "c"])[0][1]


def test_the_longest_colloquial_word_is_read_and_its_words_not_again():
    from qa.lexicon import expand
    assert expand("2026年年终结转结余资金多少？") == ["年末结转和结余"]  # not the 上年结转 that 结转 alone means
    assert expand("结转多少") == ["上年结转"]


def test_every_chunk_refers_to_one_string_per_ngram():
    """The index keeps each chunk's n-grams: the same n-gram of two chunks is one string (at 35,069 chunks, separate
    strings held 631 MB of a serving process's memory)."""
    first, second = char_ngrams("公务接待费2.00万元"), char_ngrams("".join(["公务接待", "费", "2.00万元"]))
    assert first == second and all(a is b for a, b in zip(first, second))
