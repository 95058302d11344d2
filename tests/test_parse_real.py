"""Real published disclosures of many layouts: known cells by value and page, split files, bad text layers."""
from decimal import Decimal
from functools import lru_cache

import pytest

from conftest import DATA, corpus_path
from qa.parse import ParseError, ParseSettings, parse_pdf


@lru_cache(maxsize=None)
def parsed(rel):
    return parse_pdf(corpus_path(rel))


def find_table(doc, title_part):
    found = [t for t in doc.tables if title_part in t.title]
    assert found, f"no table …{title_part}… in {[t.title for t in doc.tables]}"
    return found[0]


def cell(table, row_label, header_part):
    for r in table.rows:
        if r.label == row_label:
            for c in r.cells:
                if header_part in c.header:
                    return c.value, r.page
    raise AssertionError(f"no cell {row_label}/{header_part} in {table.title}: {[(r.label, [c.header for c in r.cells]) for r in table.rows][:8]}")


def test_beijing_tables_file_title_inside_ruling():
    doc = parse_pdf(DATA / "bj_audit-bureau_2026_dept-budget-tables.pdf")
    assert (doc.unit, doc.year, doc.kind) == ("北京市审计局", 2026, "预算")
    t = find_table(doc, "收支总表")
    assert (t.number, t.unit) == ("预算01表", "万元")
    assert cell(t, "一、一般公共预算拨款收入", "收入/预算数") == (Decimal("32365.090089"), 1)
    assert cell(t, "支出总计", "支出/预算数") == (Decimal("32852.053832"), 1)
    spend = find_table(doc, "支出总表")
    assert cell(spend, "2010801-行政运行 50206-公务接待费 30217-公务接待费", "合计") == (Decimal("6.000000"), 3)


def test_beijing_narrative_file_has_no_tables_but_the_reason():
    doc = parse_pdf(DATA / "bj_audit-bureau_2026_dept-budget-text.pdf")
    assert (doc.unit, doc.year) == ("北京市审计局", 2026)
    assert doc.tables == [] and "no ruled tables found" in doc.warnings
    sec = next(s for s in doc.sections if "三公" in s.heading)
    assert "增加16.03万元，增长7.01%，主要原因：车辆达到报废年限，进行更新。" in sec.text
    assert sec.pages == (8, 8)


def test_scanned_file_is_reported_when_ocr_is_off():
    with pytest.raises(ParseError) as e:
        parse_pdf(DATA / "changsha_traffic-police_2023_perf-eval_SCANNED.pdf", ParseSettings(ocr=False))
    assert e.value.reason == "scanned"


def test_broken_font_map_is_reported_as_garbled_when_ocr_is_off():
    with pytest.raises(ParseError) as e:
        parse_pdf(corpus_path("real/huaian_2025-exec_2026-draft_budget-report_BROKEN-FONTS.pdf"), ParseSettings(ocr=False))
    assert e.value.reason == "garbled"


@pytest.mark.parametrize(
    "rel, unit, year, kind, title, row_label, header, value, page",
    [
        ("real/gz_gov-office_2026_dept-budget.pdf", "广州市人民政府办公厅", 2026, "预算", "“三公”经费预算表",
         "“三公”经费", "合计", "226.86", 17),
        ("real/gz_gov-office_2026_dept-budget.pdf", "广州市人民政府办公厅", 2026, "预算", "“三公”经费预算表",
         "（三）公务接待费支出", "一般公共预算", "11.26", 17),
        ("real/hangzhou_justice-bureau_2026_dept-budget.pdf", "杭州市司法局", 2026, "预算", "“三公”经费预算表",
         "合计", "公务接待费", "74.00", 34),
        ("real/central_natl-petition-bureau_2026_dept-budget.pdf", "国家信访局", 2026, "预算", "“三公”经费支出表",
         "", "公务接待费", "5.51", 16),
        ("real/changsha_petition-bureau_2026_dept-budget.pdf", "长沙市信访局", 2026, "预算", "“三公”经费支出情况表",
         "长沙市信访局", "其中：公务用车运行费", "5.00", 20),
        ("real/sh_finance-bureau_2025_unit-budget.pdf", "上海市财政局", 2025, "预算", "“三公”经费和机关运行经费预算表",
         "", "机关运行经费预算数", "2517.78", 20),
        ("real/sz_finance-bureau_2026_dept-budget.pdf", "深圳市财政局（本级）", 2026, "预算", "“三公”经费支出表",
         "增减变化金额", "总计/一般公共预算", "-1.20", 38),
        ("real/js_party-cttee-office_2019_dept-budget-tables.pdf", "中共江苏省委办公厅", 2019, "预算", "“三公”经费、会议费",
         "", "“三公”经费/小计", "508.20", 9),
        ("real/xian_health-commission_2022_dept-final.pdf", "西安市卫生健康委员会（汇总）", 2022, "决算", "收入支出决算总表",
         "一、一般公共预算财政拨款收入", "收入/决算数", "296030.91", 146),
    ],
)
def test_known_cells_in_real_layouts(rel, unit, year, kind, title, row_label, header, value, page):
    doc = parsed(rel)
    assert (doc.unit, doc.year, doc.kind) == (unit, year, kind)
    assert cell(find_table(doc, title), row_label, header) == (Decimal(value), page)
