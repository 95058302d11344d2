"""Concurrency: many askers at once get the answers one asker gets, and ingestion meanwhile changes nothing
about the other documents. Through the Python API (threads sharing one Assistant) and through the web page
(gradio clients against a running app.py). The load runner is bench/load.py's, which also measures it.
"""
from __future__ import annotations

import shutil
import sys

import pytest

from conftest import DATA, ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "bench"))
from load import OTHER_DOCS, QUESTIONS, answer_key, api_load, app_load, start_app  # noqa: E402

BJ_TEXT = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"
BJ_TABLES = DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    from qa.assistant import Assistant

    a = Assistant(index_dir=tmp_path_factory.mktemp("concurrency") / "index")
    assert [r.status for r in a.ingest([SAMPLE, BJ_TEXT])] == ["added", "added"]
    return a


@pytest.fixture(scope="module")
def reference(assistant):
    """Every question answered by one asker, one at a time."""
    answers = {q: assistant.ask(q) for q in QUESTIONS}
    assert sum(a.found for a in answers.values()) >= len(QUESTIONS) - 2  # real questions, mostly answerable
    return answers


def _clean(phase) -> None:
    assert phase.errors == [] and phase.wrong == [], (phase.errors[:3], phase.wrong[:3])


def test_eight_threads_get_the_single_threaded_answers(assistant, reference):
    assistant.retriever._indexes = None  # the indexes are rebuilt while the threads race for them
    expected = {q: answer_key(a) for q, a in reference.items()}
    phase = api_load(assistant, QUESTIONS, expected, threads=8, rounds=len(QUESTIONS))  # every thread every question
    assert len(phase.latencies) == 8 * len(QUESTIONS)
    _clean(phase)


def test_ingestion_meanwhile_does_not_change_answers_about_other_documents(assistant, reference):
    def ingest() -> str:
        [r] = assistant.ingest([BJ_TABLES])
        return r.status

    expected = {q: answer_key(a) for q, a in reference.items()}
    phase = api_load(assistant, OTHER_DOCS, expected, threads=8, rounds=len(OTHER_DOCS), side_job=ingest)
    assert phase.note == "added" and phase.overlapped > 0  # the questions overlapped the ingestion
    _clean(phase)
    # once committed, the new document still changes nothing about the others
    assert {q: answer_key(assistant.ask(q)) for q in OTHER_DOCS} == {q: expected[q] for q in OTHER_DOCS}
    assistant.remove(next(d.id for d in assistant.documents() if d.file == BJ_TABLES.name))


def test_twenty_clients_through_the_web_page_with_an_upload_meanwhile(assistant, reference, tmp_path):
    sys.path.insert(0, str(ROOT))
    from webui.render import cite

    replies = {q: cite(a.answer, a.sources) for q, a in reference.items()}  # the answer as the page shows it
    index = assistant.index_dir
    proc, url = start_app(index, tmp_path / "app.log")
    try:
        _clean(app_load(url, QUESTIONS, replies, clients=20, rounds=2))  # 20 different questions at a time
        upload = shutil.copy(BJ_TABLES, tmp_path / "北京审计局预算表格.pdf")
        phase = app_load(url, OTHER_DOCS, replies, clients=20, rounds=1, upload=upload)
        assert phase.note.startswith("upload ok") and phase.overlapped > 0, phase.note
        _clean(phase)
    finally:
        proc.terminate()
        proc.wait(30)
