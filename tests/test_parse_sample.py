"""The sample disclosure (山西省阳泉第二监狱 2026年度单位预算公开): exact cells, pages, forms, sections."""
from decimal import Decimal

import pytest


def table(doc, title_part):
    found = [t for t in doc.tables if title_part in t.title]
    assert found, f"no table titled …{title_part}… in {[t.title for t in doc.tables]}"
    return found[0]


def row(t, label):
    found = [r for r in t.rows if r.label == label]
    assert found, f"no row {label} in {t.title}: {[r.label for r in t.rows]}"
    return found[0]


def cells(r):
    return {c.header: c.value for c in r.cells}


def test_metadata(sample_doc):
    d = sample_doc
    assert (d.unit, d.year, d.kind, d.scope, d.page_count) == ("山西省阳泉第二监狱", 2026, "预算", "单位", 100)
    assert len(d.id) == 16


def test_sangong_table(sample_doc):
    t = table(sample_doc, "“三公”经费支出预算表")
    assert (t.number, t.unit, t.unit_name, t.pages) == ("预算公开表10", "万元", "山西省阳泉第二监狱", [16])
    assert t.headers[1:3] == ["2026年预算数/合计", "2026年预算数/一般公共预算"]
    assert row(t, "因公出国（境）费").cells == []
    assert cells(row(t, "公务接待费")) == {"2026年预算数/合计": Decimal("2.00"), "2026年预算数/一般公共预算": Decimal("2.00")}
    assert cells(row(t, "①公务用车购置费"))["2026年预算数/合计"] == Decimal("18.00")
    assert cells(row(t, "②公务用车运行维护费"))["2026年预算数/合计"] == Decimal("56.00")
    total = row(t, "合计")
    assert total.cells[0].raw == "76.00" and total.page == 16


def test_table1_continues_over_page_break_without_header(sample_doc):
    t = table(sample_doc, "2026年预算收支总表")
    assert t.pages == [5, 6] and t.number == "预算公开表1"
    assert t.headers == ["收入/项目", "收入/2026年", "支出/项目", "支出/2026年合计", "支出/当年预算安排", "支出/上年结转安排"]
    r = row(t, "支出总计")
    assert r.page == 6
    assert [c.raw for c in r.cells] == ["18061.36", "17990.34", "71.02"]
    assert cells(row(t, "上年结转"))["收入/2026年"] == Decimal("71.02")
    assert row(t, "四、公共安全支出").page == 5
    # the row wrapped over two lines in its cell is joined without a space
    assert any(r.label == "二十三、灾害防治及应急管理支出" for r in t.rows)


def test_table6_economic_classification(sample_doc):
    t = table(sample_doc, "基本支出分经济科目表")
    assert t.pages == [12]
    assert t.headers[2:] == ["2026年预算数/合计", "2026年预算数/人员经费", "2026年预算数/公用经费"]
    total = row(t, "合计")
    assert [c.raw for c in total.cells] == ["15753.96", "13600.97", "2152.99"]
    assert cells(row(t, "办公费 办公经费"))["2026年预算数/公用经费"] is not None


def test_budget_codes_form_a_hierarchy(sample_doc):
    t = table(sample_doc, "2026年预算收入总表")
    r = next(r for r in t.rows if r.code == "2040701")
    assert r.path == "204 公共安全支出 › 20407 监狱 › 2040701 行政运行"
    assert r.cells[0].value == Decimal("12180.84")


def test_empty_table_is_recorded(sample_doc):
    t = table(sample_doc, "政府性基金预算收入表")
    assert t.empty and "注：本表无数据" in t.notes


def test_performance_forms_amounts_in_yuan(sample_doc):
    forms = [t for t in sample_doc.tables if t.is_form]
    assert len(forms) >= 11
    first = forms[0]
    f = {x.label: x.value for x in first.fields}
    assert f["项目名称"] == "补助监狱大病统筹经费"
    assert f["项目资金（元）/实施期资金总额"] == "556,500"
    assert f["项目资金（元）/年度资金总额"] == "456,500"
    assert first.page == 24


def test_sections_heading_paths_and_joined_paragraphs(sample_doc):
    secs = {s.heading: s for s in sample_doc.sections}
    key = "第三部分2026年度单位预算情况说明 › 七、“三公”经费增减变动原因说明"
    assert key in secs
    text = secs[key].text
    assert "“三公”经费预算76.00万元比2025年增加10.00万元，主要原因是：本年度公务接待费减少8.00万元。" in text
    assert secs[key].pages == (22, 22)
    # a paragraph broken across pages is joined (四、财政拨款收支预算总体情况说明)
    four = next(s for h, s in secs.items() if h.endswith("四、财政拨款收支预算总体情况说明"))
    assert "国有资本经营预算拨款0万元。" in four.text


def test_glossary_definitions(sample_doc):
    glossary = [s for s in sample_doc.sections if s.path and "名词解释" in s.path[0]]
    text = "\n".join(s.text for s in glossary)
    assert "四、机关运行经费：指行政单位和参照公务员法管理的事业单位使用财政拨款安排的基本支出中的公用经费支出。" in text
    assert "“三公”经费：指省直部门用财政拨款安排的因公出国（境）费用" in text
    assert {p.page for s in glossary for p in s.paragraphs} <= {99, 100}


def test_page_furniture_dropped(sample_doc):
    text = "\n".join(s.text for s in sample_doc.sections)
    assert "- 22 -" not in text and "......" not in text


def _inside(inner, outer, slack=1.0):
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


def test_cells_rows_and_sentences_keep_where_they_are_printed(sample_doc):
    """Boxes in page coordinates (the evidence viewer marks them): each holds the characters pdfplumber finds there."""
    import pdfplumber

    from conftest import SAMPLE
    from qa.answer import Figure
    from qa.chunk import chunk_document

    t = table(sample_doc, "“三公”经费支出预算表")
    r = row(t, "公务接待费")
    chunks = chunk_document(sample_doc)
    prose = next(c for c in chunks if c.page == 22 and "本年度公务接待费减少8.00万元" in c.text)
    sentence = prose.box_of("2026年山西省阳泉第二监狱财政拨款安排的“三公”经费预算76.00万元比2025年增加10.00万元，"
                            "主要原因是：本年度公务接待费减少8.00万元。")
    with pdfplumber.open(SAMPLE) as pdf:
        cell = pdf.pages[15].search(r"2\.00")
        said = pdf.pages[21].search(r"本年度公务接待费减少\s*8\.00")
        other = pdf.pages[21].search(r"机关运行经费财政拨款预算")
    assert r.bbox and all(c.bbox for c in r.cells)
    assert any(_inside((m["x0"], m["top"], m["x1"], m["bottom"]), r.cells[0].bbox) for m in cell)
    assert all(_inside(c.bbox, r.bbox) for c in r.cells)
    assert said and sentence and _inside((said[0]["x0"], said[0]["top"], said[0]["x1"], said[0]["bottom"]), sentence)
    assert _inside(sentence, prose.bbox) and sentence != prose.bbox  # the sentence's lines, not the whole passage
    assert other and not any(_inside((m["x0"], m["top"], m["x1"], m["bottom"]), sentence) for m in other)
    f = Figure("公务接待费", Decimal("2.00"), "2.00", "万元", t.title, 16, "x.pdf", "d", None, 2026, bbox=r.cells[0].bbox)
    assert f.to_dict()["bbox"] == list(r.cells[0].bbox)  # `qa ask --json`: an added key
