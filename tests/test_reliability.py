"""Reliability: OCR of scanned and garbled files, and every kind of bad input a batch may hold.

Each bad input gets a named reason, leaves the index as it was, and the rest of its batch still ingests.
"""
from __future__ import annotations

import pytest

from conftest import DATA, corpus_path
from qa.parse import ParseError, ParseSettings, parse_pdf

SCANNED_3 = DATA / "yangquan2_2026_budget_scanned_p1-4-7.pdf"  # pages 1, 4, 7 of the scanned fixture: images only
BLANK_SCAN = DATA / "blank_scan.pdf"  # one image page with a frame and no text


@pytest.fixture(scope="module")
def scanned_doc():
    return parse_pdf(SCANNED_3)


# --- OCR ------------------------------------------------------------------------------------------
def test_scanned_pages_are_read_by_ocr_into_tables_sections_and_metadata(scanned_doc):
    doc = scanned_doc
    assert set(doc.ocr_pages) == {1, 2, 3} and min(doc.ocr_pages.values()) > 0.9
    assert doc.unit == "山西省阳泉第二监狱" and doc.year == 2026 and doc.kind == "预算"
    assert any("read by OCR" in w for w in doc.warnings)
    duties = next(s for s in doc.sections if "本单位职责" in s.heading)
    assert "依法对罪犯实行监管" in duties.text
    table = next(t for t in doc.tables if t.title == "2026年预算收入总表")
    assert table.number == "预算公开表2" and table.unit == "万元" and table.page == 3
    assert table.headers[:4] == ["项目/科目编码", "项目/科目名称", "本年收入/合计", "本年收入/一般公共预算"]
    rows = {r.label: r for r in table.rows}
    assert [(c.header, c.raw) for c in rows["2040701 行政运行"].cells] == [
        ("本年收入/合计", "12180.84"), ("本年收入/一般公共预算", "12180.84")]
    assert rows["2040701 行政运行"].parents == ["204 公共安全支出", "20407 监狱"]
    assert rows["合计"].cells[-1].header == "上年结转" and rows["合计"].cells[-1].raw == "71.02"


def test_ocr_chunks_carry_the_flag_and_confidence(scanned_doc):
    from qa.chunk import chunk_document

    chunks = chunk_document(scanned_doc)
    assert chunks and all(c.ocr and 0.9 < c.ocr_confidence <= 1.0 for c in chunks)


def test_ocr_can_be_switched_off_and_a_textless_image_has_a_named_reason():
    with pytest.raises(ParseError) as e:
        parse_pdf(SCANNED_3, ParseSettings(ocr=False))
    assert e.value.reason == "scanned"
    with pytest.raises(ParseError) as e:
        parse_pdf(BLANK_SCAN)
    assert e.value.reason == "no-text" and "OCR" in str(e.value)


def test_answers_from_ocr_pages_say_so(tmp_path, embedder):
    from qa.assistant import Assistant

    a = Assistant(index_dir=tmp_path / "index")
    assert [r.status for r in a.ingest([SCANNED_3])] == ["added"]
    ans = a.ask("阳泉第二监狱2026年预算收入总表中行政运行是多少")
    assert ans.found and ans.figures[0].raw == "12180.84"
    assert "OCR" in ans.answer
    lead = ans.to_dict()["sources"][0]
    assert lead["ocr"] is True and 0.9 < lead["ocr_confidence"] <= 1.0


def _pages(src, numbers: list[int], out):
    """A PDF of some pages of another (0-based page numbers), written with pdfium."""
    import pypdfium2

    new = pypdfium2.PdfDocument.new()
    new.import_pages(pypdfium2.PdfDocument(src), numbers)
    new.save(out)
    return out


@pytest.mark.corpus
def test_broken_font_map_is_read_by_ocr(tmp_path):
    broken = corpus_path("real/huaian_2025-exec_2026-draft_budget-report_BROKEN-FONTS.pdf")
    two = _pages(broken, [0, 1], tmp_path / "huaian_p1-2.pdf")
    with pytest.raises(ParseError) as e:
        parse_pdf(two, ParseSettings(ocr=False))
    assert e.value.reason == "garbled"
    doc = parse_pdf(two)
    assert set(doc.ocr_pages) == {1, 2}
    assert "淮安市" in doc.title and doc.year == 2025
    text = "".join(s.text for s in doc.sections)
    assert "受市人民政府委托，我向大会报告淮安市2025年预算执行情况和2026年预算草案" in text
    assert "一般公共预算收入335.3亿元" in text


def test_ocr_text_fixes_keep_length():
    from qa.parse.ocr import fix_ocr_text

    cases = {"一2一": "—2—", "其中－般债务": "其中一般债务", "安排数12.542.74万元": "安排数12,542.74万元",
             "3.5分钟": "3.5分钟", "-5.00%": "-5.00%", "2.大院运行": "2.大院运行"}
    for raw, fixed in cases.items():
        assert fix_ocr_text(raw) == fixed and len(fixed) == len(raw)
