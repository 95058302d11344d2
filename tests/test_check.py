"""Consistency checks (勾稽校验): the fixture's known quirks are found, injected errors are found, and consistent
real layouts give no findings."""
from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from qa.check import check_document
from qa.prose import stated_changes
from qa.cli import main
from qa.parse import parse_pdf

from conftest import SAMPLE, corpus_path


def _kinds(findings) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.kind, []).append(f)
    return out


def _table(doc, word):
    return next(t for t in doc.tables if word in t.title)


def _set(row, header_part, raw):
    cell = next(c for c in row.cells if header_part in c.header)
    cell.raw, cell.value = raw, Decimal(raw)


def test_fixture_known_quirks_and_nothing_else(sample_doc):
    found = _kinds(check_document(sample_doc))
    reason = found.pop("reason")
    assert len(reason) == 1 and reason[0].pages == [22] and "三公" in reason[0].message
    assert [r.value for r in reason[0].figures] == ["76.00", "10.00"]
    parts = found.pop("parts")  # "共计金额2,532.21万元。其中：…涉及金额3,312.21万元"
    assert len(parts) == 1 and parts[0].pages == [23] and "3,312.21" in parts[0].message
    assert found == {}, [f.message for fs in found.values() for f in fs]  # every table and stated figure agrees


def test_injected_table_error_is_found_in_rows_and_against_the_prose(sample_doc):
    doc = copy.deepcopy(sample_doc)
    row = next(r for r in _table(doc, "三公").rows if r.label == "公务接待费")
    _set(row, "合计", "3.00")
    found = _kinds(check_document(doc))
    total = [f for f in found["row_total"] if "三公" in f.message]
    assert total and "76.00" in total[0].message and "77.00" in total[0].message and total[0].pages == [16]
    assert "3.00" in found["column_total"][0].message  # 合计 3.00 ≠ 一般公共预算 2.00
    assert "prose_table" not in found  # the prose's 2.00 is still printed in the row
    _set(row, "一般公共预算", "3.00")
    prose = _kinds(check_document(doc))["prose_table"]
    assert len(prose) == 1 and "公务接待费为2.00万元" in prose[0].message and prose[0].pages == [16, 22]


def test_injected_cross_table_and_hierarchy_errors(sample_doc):
    doc = copy.deepcopy(sample_doc)
    total = next(r for r in _table(doc, "基本支出分经济科目").rows if r.label == "合计")
    _set(total, "合计", "15763.96")
    coded = next(r for r in _table(doc, "预算支出总表").rows if r.code == "20407")
    _set(coded, "项目支出", "2300.00")
    found = _kinds(check_document(doc))
    assert any("15763.96" in f.message and "一般公共预算支出" in f.message for f in found["cross_table"])
    assert any("20407" in f.message and "下级科目" in f.message for f in found["row_total"])


def test_injected_prose_errors_in_shares_and_changes(sample_doc):
    doc = copy.deepcopy(sample_doc)
    for sec in doc.sections:
        for p in sec.paragraphs:
            p.text = p.text.replace("占87.22%", "占78.22%").replace("下降3.60%", "下降6.30%")
    found = _kinds(check_document(doc))
    assert "15753.96÷18061.36=87.22%，文中为78.22%" in found["share"][0].message
    assert "3.60%，文中为6.30%" in found["change"][0].message
    assert found["change"][0].pages == [20]


def test_stated_change_implies_last_year():
    got = stated_changes("“三公”经费预算76.00万元比2025年增加10.00万元，主要原因是：…")
    assert [(c.current, c.change, c.up, c.previous) for c in got] == [("76.00", "10.00", True, Decimal("66.00"))]
    total = stated_changes("预算收入总计18,061.36万元，其中：本年收入17,990.34万元，上年结转71.02万元，比上年减少674.36万元，下降3.60%")
    assert total[0].current == "18,061.36" and total[0].previous == Decimal("18735.72") and total[0].percent == "3.60"


@pytest.mark.parametrize("rel, kinds", [
    ("fixtures/yangquan2_2025_budget.pdf", {"reason", "parts"}),  # the same quirks, a year earlier
    ("fixtures/taiyuan1_2026_budget.pdf", {"parts", "row_total", "column_total"}),  # ×1.37 leaves 0.02 尾差
])
def test_fixture_variants(rel, kinds):
    found = check_document(parse_pdf(corpus_path(rel)))
    assert {f.kind for f in found} == kinds
    assert all(f.severity == "warning" for f in found if f.kind in ("row_total", "column_total"))  # 尾差 only


@pytest.mark.parametrize("rel, printed", [
    ("real/gz_gov-office_2026_dept-budget.pdf", []), ("real/bj_audit-bureau_2026_dept-budget-text.pdf", []),
    ("real/sh-putuo_justice-bureau_2026_dept-budget.pdf", [("hygiene", [8])]),  # "…等方面的支出。。2025年" on p8
    ("real/changsha_petition-bureau_2026_dept-budget.pdf", []), ("real/hangzhou_justice-bureau_2026_dept-budget.pdf", []),
])
def test_consistent_real_layouts_give_no_findings(rel, printed):
    assert [(f.kind, f.pages) for f in check_document(parse_pdf(corpus_path(rel)))] == printed


def test_real_inconsistencies_are_found():
    # 国家信访局: "委托业务费…1,391.68万元，比2025年预算增加333.83万元，增长31.35%" — 333.83 / 1,057.85 is 31.56%
    found = check_document(parse_pdf(corpus_path("real/central_natl-petition-bureau_2026_dept-budget.pdf")))
    assert [(f.kind, f.pages) for f in found] == [("change", [25])] and "应为31.56%" in found[0].message
    # 杭州市交通运输局: 公路水路运输 基本支出 printed 51,417.49 while 人员经费 + 公用经费 = 51,468.09,
    # and the 基本支出 table's total 82,529.89 is not the 一般公共预算支出表's 82,479.29
    found = check_document(parse_pdf(corpus_path("scale/rw-杭州-01.pdf")))
    assert any("公路水路运输" in f.message and "51,468.09" in f.message for f in found if f.kind == "column_total")
    assert any("82,529.89" in f.message for f in found if f.kind == "cross_table")
    # 北京: "资金18,225.94万元，其中：安排基本公共卫生服务方向35,541.8万元"
    found = check_document(parse_pdf(corpus_path("scale/rw-北京-10.pdf")))
    assert [f.pages for f in found if f.kind == "parts"] == [[10]]


def test_qa_check_cli_on_a_file():
    res = CliRunner().invoke(main, ["check", "--json", str(SAMPLE)])
    assert res.exit_code == 1, res.output  # the parts finding has error severity
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert {r["kind"] for r in rows} == {"reason", "parts"}
    assert all(r["pages"] and r["figures"] for r in rows)


def test_findings_are_stored_at_ingest_and_warn_answers(sample_assistant):
    rec = sample_assistant.documents()[0]
    assert {f["kind"] for f in rec.findings} == {"reason", "parts"} and rec.checks
    res = CliRunner().invoke(main, ["check", rec.id[:8], "--index", str(sample_assistant.index_dir)])
    assert res.exit_code == 1 and "第22页" in res.output and "第23页" in res.output, res.output
    ans = sample_assistant.ask("三公经费为何增加")
    assert ans.figures[0].raw == "10.00"
    assert ans.warnings and "变动方向与原因相反" in ans.warnings[0]
    assert ans.to_dict()["warnings"] == ans.warnings
    assert "warnings" not in sample_assistant.ask("公务接待费是多少").to_dict()  # no finding involves 2.00 on p16
