"""Each distinct text is embedded once: vectors the store holds (any document's chunk, by model and exact text) are
reused, by one process and by worker processes, against the embedded store and a Chroma server."""
import shutil

import numpy as np

import qa.ingest
from conftest import DATA
from qa.assistant import Assistant

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
