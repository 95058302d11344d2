"""Reliability: OCR of scanned and garbled files, and every kind of bad input a batch may hold.

Each bad input gets a named reason, leaves the index as it was, and the rest of its batch still ingests.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import DATA, corpus_path, pdf_pages
from qa.parse import ParseError, ParseSettings, parse_pdf

SCANNED_3 = DATA / "yangquan2_2026_budget_scanned_p1-4-7.pdf"  # pages 1, 4, 7 of the scanned fixture: images only
BLANK_SCAN = DATA / "blank_scan.pdf"  # one image page with a frame and no text
BJ_TEXT = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"  # 10 pages, 北京市审计局
BJ_TABLES = DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf"


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


@pytest.mark.corpus
def test_broken_font_map_is_read_by_ocr(tmp_path):
    broken = corpus_path("real/huaian_2025-exec_2026-draft_budget-report_BROKEN-FONTS.pdf")
    two = pdf_pages(broken, [0, 1], tmp_path / "huaian_p1-2.pdf")
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


# --- bad and hard input ---------------------------------------------------------------------------
def many_page_pdf(path: Path, pages: int) -> Path:
    """A PDF of `pages` small pages, each one Chinese sentence naming its page, in a standard (unembedded) CJK font."""
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 "
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
           b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
           b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >> >>",
    }
    kids = []
    for n in range(1, pages + 1):
        page_id, content_id = 3 + 2 * n, 4 + 2 * n
        text = f"测试单位第{n}页的说明：本页编号为{n}号。".encode("utf-16-be").hex().upper().encode()
        stream = b"BT /F1 12 Tf 72 720 Td <" + text + b"> Tj ET"
        objs[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objs[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_id)
        kids.append(b"%d 0 R" % page_id)
    objs[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    out, offsets = bytearray(b"%PDF-1.7\n"), {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref, size = len(out), max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n" for i in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.write_bytes(bytes(out))
    return path


def _encrypted(path: Path, user_password: str) -> Path:
    from pypdf import PdfWriter

    w = PdfWriter(clone_from=BJ_TABLES)
    w.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def _zero_pages(path: Path) -> Path:
    from pypdf import PdfWriter

    with open(path, "wb") as fh:
        PdfWriter().write(fh)
    return path


# name → (how to make it in a folder, the reason it must be reported with)
BAD_INPUTS = {
    "truncated.pdf": (lambda p: p.write_bytes(BJ_TEXT.read_bytes()[: BJ_TEXT.stat().st_size // 2]), "corrupt"),
    "random.pdf": (lambda p: p.write_bytes(os.urandom(50_000)), "not-pdf"),
    "random_with_header.pdf": (lambda p: p.write_bytes(b"%PDF-1.7\n" + os.urandom(50_000)), "corrupt"),
    "empty.pdf": (lambda p: p.write_bytes(b""), "empty"),
    "zero_pages.pdf": (_zero_pages, "no-pages"),
    "encrypted.pdf": (lambda p: _encrypted(p, "user-secret"), "encrypted"),
    "blank_scan.pdf": (lambda p: shutil.copy(BLANK_SCAN, p), "no-text"),
    "missing.pdf": (lambda p: None, "unreadable"),
}


def snapshot(a) -> tuple:
    """Everything a reader sees: committed records and every chunk id."""
    docs = sorted((d.id, d.path, d.chunks, d.version) for d in a.documents())
    return docs, sorted(a.store.chunks.get(include=[])["ids"])


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder):
    """An index holding one document, the state every bad input must leave untouched."""
    from qa.assistant import Assistant

    a = Assistant(index_dir=tmp_path_factory.mktemp("reliability") / "index")
    assert [r.status for r in a.ingest([BJ_TEXT])] == ["added"]
    return a


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_named_and_leaves_the_index_as_it_was(base, tmp_path, name):
    make, reason = BAD_INPUTS[name]
    path = tmp_path / name
    make(path)
    before = snapshot(base)
    [result] = base.ingest([path])
    assert (result.status, result.reason) == ("failed", reason), result.message
    assert result.message and result.file == name
    assert snapshot(base) == before


def test_a_batch_of_bad_inputs_still_ingests_the_good_file(base, tmp_path):
    for name, (make, _reason) in BAD_INPUTS.items():
        make(tmp_path / name)
    good = shutil.copy(BJ_TABLES, tmp_path / "good.pdf")
    before = snapshot(base)
    results = {r.file: r for r in base.ingest([tmp_path / n for n in sorted(BAD_INPUTS)] + [good])}
    assert {n: results[n].reason for n in BAD_INPUTS} == {n: reason for n, (_, reason) in BAD_INPUTS.items()}
    assert results["good.pdf"].status == "added"
    docs, chunks = snapshot(base)
    assert set(before[0]) < set(docs) and len(docs) == len(before[0]) + 1
    assert set(before[1]) < set(chunks)
    base.remove(results["good.pdf"].doc_id)
    assert snapshot(base) == before


def test_encrypted_with_an_empty_user_password_opens(tmp_path):
    doc = parse_pdf(_encrypted(tmp_path / "owner_only.pdf", ""))
    assert doc.unit == "北京市审计局" and doc.tables


def test_thousand_page_pdf(tmp_path, embedder):
    from qa.assistant import Assistant

    big = many_page_pdf(tmp_path / "thousand.pdf", 1000)
    a = Assistant(index_dir=tmp_path / "index")
    [r] = a.ingest([big])
    assert (r.status, r.pages) == ("added", 1000)
    ans = a.ask("第873页的说明是什么")
    assert any("本页编号为873号" in s.text for s in ans.sources)


def test_image_only_page_in_a_text_document_is_read_by_ocr(tmp_path):
    mixed = tmp_path / "mixed.pdf"
    _pages_from([(BJ_TEXT, [0, 1]), (SCANNED_3, [2])], mixed)
    doc = parse_pdf(mixed)
    assert set(doc.ocr_pages) == {3}  # only the image page: the text pages keep their text layer
    assert "北京市审计局" in doc.title  # from the text layer of page 1
    table = next(t for t in doc.tables if t.title == "2026年预算收入总表")
    assert table.page == 3 and any(r.label == "2040701 行政运行" for r in table.rows)


def _pages_from(parts: list[tuple[Path, list[int]]], out: Path) -> Path:
    import pypdfium2

    new = pypdfium2.PdfDocument.new()
    for src, numbers in parts:
        new.import_pages(pypdfium2.PdfDocument(src), numbers)
    new.save(out)
    return out


def test_duplicates_under_other_names_are_indexed_once(base, tmp_path):
    copies = [shutil.copy(BJ_TEXT, tmp_path / n) for n in ("副本.pdf", "again.PDF")]
    before = snapshot(base)
    results = base.ingest(copies)
    assert [r.status for r in results] == ["duplicate", "duplicate"]
    assert all(BJ_TEXT.name in r.message for r in results)
    assert snapshot(base) == before


def test_non_utf8_and_very_long_file_names(tmp_path, embedder):
    from qa.assistant import Assistant

    gbk = os.fsdecode("北京审计局预算.pdf".encode("gbk"))  # a name from a Windows zip archive
    stray = os.fsdecode(b"\xff\xfe-budget.pdf")  # bytes no encoding decodes
    long = "北京市审计局二〇二六年部门预算" * 5 + "说明附件表格第一v2.pdf"  # 255 bytes, the longest a name can be
    assert len(long.encode()) == 255
    a = Assistant(index_dir=tmp_path / "index")
    results = a.ingest([shutil.copy(BJ_TEXT, tmp_path / gbk), shutil.copy(BJ_TABLES, tmp_path / stray),
                        shutil.copy(BJ_TEXT, tmp_path / long)])
    assert [(r.file, r.status) for r in results] == [
        ("北京审计局预算.pdf", "added"), ("\ufffd\ufffd-budget.pdf", "added"), (long, "duplicate")]
    json.dumps([r.to_dict() for r in results], ensure_ascii=False).encode("utf-8")  # printable, serialisable
    assert sorted(d.file for d in a.documents()) == sorted(["北京审计局预算.pdf", "\ufffd\ufffd-budget.pdf"])
    assert a.ask("北京市审计局2026年三公经费为什么增加").found


def test_a_folder_of_thousands_of_files(tmp_path, embedder):
    from qa.assistant import Assistant

    folder = tmp_path / "crawl"
    good = BJ_TEXT.read_bytes()
    for i in range(2000):
        sub = folder / f"batch{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 5 == 0:
            (sub / f"copy{i}.pdf").write_bytes(good)  # the same disclosure saved again and again
        elif i % 5 == 1:
            (sub / f"page{i}.html").write_bytes(b"<html>not a pdf</html>")  # not a .pdf: not collected
        else:
            (sub / f"junk{i}.pdf").write_bytes(os.urandom(200) if i % 2 else b"%PDF-1.4\n" + os.urandom(200))
    a = Assistant(index_dir=tmp_path / "index")
    results = a.ingest([folder])
    assert len(results) == 1600
    statuses = {}
    for r in results:
        statuses[r.status, r.reason] = statuses.get((r.status, r.reason), 0) + 1
    assert statuses == {("added", None): 1, ("duplicate", None): 399, ("failed", "not-pdf"): 600, ("failed", "corrupt"): 600}
    [doc] = a.documents()
    assert a.store.chunks.count() == doc.chunks
