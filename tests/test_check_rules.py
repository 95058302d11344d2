"""Consistency checks v2: each rule family finds an error planted in the sample's parsed model, and the unmodified
sample gives none of these kinds (test_check.py pins the sample's own two findings)."""
from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from qa.check import check_document
from qa.cli import main
from qa.finding import Finding, Kind, Severity
from qa.model import Cell, Paragraph, Section
from qa.tablekind import table_kind

from conftest import SAMPLE


def _new(doc, base) -> list[Finding]:
    """The findings the edit added."""
    seen = {(f.kind, f.message) for f in check_document(base)}
    return [f for f in check_document(doc) if (f.kind, f.message) not in seen]


def _edit_prose(doc, old: str, new: str) -> None:
    hits = [p for sec in doc.sections for p in sec.paragraphs if old in p.text]
    assert hits, old
    hits[0].text = hits[0].text.replace(old, new, 1)


@pytest.fixture
def doc(sample_doc):
    return copy.deepcopy(sample_doc)


def test_the_sample_has_no_finding_of_the_new_kinds(sample_doc):
    new = {Kind.MISSING_TABLE, Kind.EMPTY_TABLE, Kind.MISSING_SECTION, Kind.YEAR, Kind.UNIT_NAME, Kind.PLACEHOLDER,
           Kind.HYGIENE, Kind.DIRECTION, Kind.COMPLETION}
    assert [f.message for f in check_document(sample_doc) if f.kind in new] == []
    assert len(sample_doc.contents) > 20 and any(e.text.startswith("表十2026年") for e in sample_doc.contents)


def test_a_missing_standard_table_and_its_contents_entry(doc, sample_doc):
    doc.tables = [t for t in doc.tables if table_kind(t.title) != "三公"]
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.MISSING_TABLE]
    assert any("“三公”经费支出表" in f.message and f.severity == Severity.ERROR for f in found)
    assert any(f.message.startswith("目录列出") and f.quote.startswith("表十") for f in found)  # 表十…三公 in the 目录


def test_a_table_printed_empty_without_a_note(doc, sample_doc):
    t = next(t for t in doc.tables if table_kind(t.title) == "基本支出表")
    for r in t.rows:
        r.cells = []
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.EMPTY_TABLE]
    assert [f.pages for f in found] == [t.pages]
    t.notes.append("注：本单位无一般公共预算基本支出，本表无数据。")
    assert not [f for f in _new(doc, sample_doc) if f.kind == Kind.EMPTY_TABLE]


def test_a_required_section_removed(doc, sample_doc):
    doc.sections = [s for s in doc.sections if "政府采购" not in s.heading]
    for s in doc.sections:
        for p in s.paragraphs:
            p.text = p.text.replace("政府采购", "采买")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.MISSING_SECTION]
    assert [f.message for f in found] == ["说明中未见政府采购情况"]


def test_prose_figure_against_its_table(doc, sample_doc):
    _edit_prose(doc, "基本支出15753.96万元", "基本支出15735.96万元")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.PROSE_TABLE]
    assert found and "15735.96" in found[0].message and 20 in found[0].pages


def test_direction_word_against_the_table(doc, sample_doc):
    # the 机关运行经费 table gains last year's column (2,189.75), then the prose says 增加 where the figures fall
    t = next(t for t in doc.tables if table_kind(t.title) == "机关运行经费")
    row = next(r for r in t.rows if any(c.raw == "2152.99" for c in r.cells))
    row.cells.append(Cell("2025年预算数", "2,189.75", Decimal("2189.75")))
    base = copy.deepcopy(doc)
    _edit_prose(doc, "比2025年预算减少36.76万元，下降1.68%", "比2025年预算增加36.76万元")
    found = _new(doc, base)
    assert [f.kind for f in found] == [Kind.DIRECTION] and "实为减少" in found[0].message
    doc2 = copy.deepcopy(base)
    _edit_prose(doc2, "比2025年预算减少36.76万元，下降1.68%", "与上年持平")
    assert [f.kind for f in _new(doc2, base)] == [Kind.DIRECTION]


def test_completion_and_budget_comparison(doc, sample_doc):
    doc.sections.append(Section(["十三、决算说明"], [Paragraph(
        "一般公共预算财政拨款支出年初预算为2993.92万元，支出决算为2940.05万元，完成年初预算的89.20%。"
        "决算数大于预算数的主要原因：项目调减。", 50)]))
    found = {f.kind: f for f in _new(doc, sample_doc)}
    assert "2940.05÷预算2993.92=98.20%，文中为89.20%" in found[Kind.COMPLETION].message
    assert "小于预算" in found[Kind.DIRECTION].message and found[Kind.DIRECTION].pages == [50]


def test_named_shares_of_one_whole(doc, sample_doc):
    doc.sections.append(Section(["十三、支出"], [Paragraph(
        "基本支出预算7485.22万元，占本年支出预算77.75%。项目支出预算2141.55万元，占本年支出预算62.25%。", 50)]))
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]
    assert len(found) == 1 and "不一致" in found[0].message
    doc.sections[-1].paragraphs[0].text = doc.sections[-1].paragraphs[0].text.replace("62.25%", "22.25%")
    assert not [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]


def test_year_unit_placeholder_and_hygiene(doc, sample_doc):
    t = next(t for t in doc.tables if table_kind(t.title) == "三公")
    t.title = t.title.replace("2026", "2025")
    for s in doc.sections:
        s.path = [h.replace("2026年度单位预算", "2025年度单位预算") for h in s.path]
    _edit_prose(doc, "截至2025年12月31日", "截至2024年12月31日")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.YEAR]
    assert len(found) == 3 and {16, 43} <= {p for f in found for p in f.pages}
    doc = copy.deepcopy(sample_doc)
    for s in doc.sections:
        s.path = [h.replace("第一部分概况", "第一部分杭州市司法局概况") for h in s.path]
    _edit_prose(doc, "山西省阳泉第二监狱政府采购预算总额", "XX局政府采购预算总额")
    _edit_prose(doc, "。", "。。")
    _edit_prose(doc, "778.56万元", "778.5.6万元")
    kinds = [f.kind for f in _new(doc, sample_doc)]
    assert kinds.count(Kind.UNIT_NAME) == 1 and kinds.count(Kind.PLACEHOLDER) == 1 and kinds.count(Kind.HYGIENE) == 2


def test_qa_check_exit_code_and_json_quote(tmp_path):
    res = CliRunner().invoke(main, ["check", "--json", str(SAMPLE)])
    assert res.exit_code == 1  # the sample's 其中 part larger than its whole is an error
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert all({"kind", "severity", "message", "pages", "figures", "quote"} <= r.keys() for r in rows)
    assert [r["kind"] for r in rows if "3,312.21" in r["quote"]] == ["parts"] and all(r["quote"] for r in rows)
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"not a pdf")
    assert CliRunner().invoke(main, ["check", str(bad)]).exit_code == 2
