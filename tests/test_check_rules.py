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


def test_a_part_checked_against_its_own_cell(doc, sample_doc):
    # 18.00 is printed in the 三公 table, but as 公务用车购置费: it is not the 公务接待费 the prose gives
    _edit_prose(doc, "公务接待费2.00万元，与上年相比", "公务接待费18.00万元，与上年相比")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.PROSE_TABLE]
    assert len(found) == 1 and "公务接待费为18.00万元" in found[0].message and "为2.00" in found[0].message


def test_a_share_whose_whole_the_document_never_prints(doc, sample_doc):
    # no whole in the sentence: 100.00% implies 15,753.96万元, which the document prints (基本支出); 80.00% implies
    # 19,692.45万元, which it prints nowhere
    doc.sections.append(Section(["十三、支出"], [Paragraph("按功能分类：公共安全支出15753.96万元，占100.00%。", 50)]))
    assert not [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]
    doc.sections[-1].paragraphs[0].text = doc.sections[-1].paragraphs[0].text.replace("100.00%", "80.00%")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]
    assert len(found) == 1 and "文件中没有这一数额" in found[0].message and found[0].pages == [50]


def test_the_documents_own_year_is_not_another_years_budget(doc, sample_doc):
    # "2026年“三公”经费预算76.00万元" in a 2026 document is this year's figure, checked against the 三公 table
    _edit_prose(doc, "2026年山西省阳泉第二监狱财政拨款安排的“三公”经费预算76.00万元", "2026年“三公”经费预算67.00万元")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.PROSE_TABLE]
    assert len(found) == 1 and "“三公”经费为67.00万元" in found[0].message


def test_named_shares_of_one_whole(doc, sample_doc):
    doc.sections.append(Section(["十三、支出"], [Paragraph(
        "基本支出预算7485.22万元，占本年支出预算77.75%。项目支出预算2141.55万元，占本年支出预算62.25%。", 50)]))
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]
    assert len(found) == 1 and "不一致" in found[0].message
    doc.sections[-1].paragraphs[0].text = doc.sections[-1].paragraphs[0].text.replace("62.25%", "22.25%")
    assert not [f for f in _new(doc, sample_doc) if f.kind == Kind.SHARE]


def test_breakdowns_as_printed():
    """政府采购 by kind and vehicles by use, in the wordings of the corpus: the total and each listed part."""
    from qa.prose import procurement_breakdowns, vehicle_breakdowns

    def read(text, reader=procurement_breakdowns):
        return [(b.total, b.unit, b.parts) for b in reader(text)]

    assert read("国家信访局2026年政府采购预算总额4,308.39万元，其中：政府采购货物预算2,315.5万元；政府采购工程预算417.8万元；"
                "政府采购服务预算1,575.09万元。") == [("4,308.39", "万元", [("货物", "2,315.5"), ("工程", "417.8"), ("服务", "1,575.09")])]
    assert read("纳入2026年部门预算的政府采购项目共有3,790.75万元，其中：货物类项目242.80万元、工程类项目0.00万元、服务类项目3,547.95万元。"
                )[0][2][0] == ("货物", "242.80")
    assert read("2019年度政府采购支出预算总额1422.50万元，其中：拟采购货物支出84万元、拟购买服务支出1338.50万元。")[0][2] == [
        ("货物", "84"), ("服务", "1338.50")]
    assert read("政府采购预算446.71万元，其中：政府采购货物预算7.2万元、政府采购工程预算为0、政府采购服务预算439.51万元。")[0][2][1] == ("工程", "0")
    # the whole and, after it, one fund's share: two breakdowns
    assert [t for t, _, _ in read("政府采购预算总额30万元:政府采购货物预算10万元、政府采购工程预算0万元、政府采购服务预算20万元;"
                                  "其中一般公共预算拨款政府采购12万元:政府采购货物预算2万元、政府采购工程预算0万元、政府采购服务预算10万元。")] == ["30", "12"]
    assert read("截至2025年12月31日，本部门共有车辆324辆，其中，一般公务用车45辆、执法执勤用车0辆、特种专业技术用车34辆、其他用车245辆。",
                vehicle_breakdowns) == [("324", "辆", [("一般公务用车", "45"), ("执法执勤用车", "0"), ("特种专业技术用车", "34"), ("其他用车", "245")])]
    assert read("共有公务用车编制15辆，实有15辆，其中：领导用车0辆，机要通信用车0辆，其他公务用车15辆。", vehicle_breakdowns)[0][0] == "15"
    assert read("本部门共有车辆127辆，其中，一般公务用车127辆。", vehicle_breakdowns) == []  # one part: a 其中, not a split
    assert len(read("共有车辆15辆，其中，机要通信用车2辆、应急保障用车3辆、其他用车10辆，其他用车主要是一般公务用车；",
                    vehicle_breakdowns)[0][2]) == 3
    assert read("政府采购预算446.71万元，其中：政府采购货物预算7.2万元、政府采购工程预算为2、政府采购服务预算439.51万元。")[0][2][1] == (
        "工程", "2")  # a part without a unit is in the total's
    # a list going on past what can be read is not judged on the parts read
    assert read("政府采购预算总额30万元，其中：政府采购货物预算10万元，政府采购工程预算0万元，，政府采购服务预算20万元。") == []


def test_breakdown_parts_against_their_total(doc, sample_doc):
    """"政府采购预算总额778.56万元。其中：货物542.51万元、工程0万元、服务236.05万元" (the total in the sentence before) and
    "实有15辆，其中：…" must add up; a paragraph cut at a page's end is read with its rest."""
    _edit_prose(doc, "政府采购货物预算542.51万元", "政府采购货物预算552.51万元")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.PARTS]
    assert len(found) == 1 and "各项之和为788.56万元，与总数778.56万元不符（相差10.00）" in found[0].message
    assert found[0].pages == [22] and found[0].severity == Severity.ERROR and "552.51" in found[0].quote
    assert [r.label for r in found[0].figures] == ["总数", "货物", "工程", "服务"]
    doc = copy.deepcopy(sample_doc)
    _edit_prose(doc, "执法执勤用车7辆", "执法执勤用车6辆")
    found = [f for f in _new(doc, sample_doc) if f.kind == Kind.PARTS]
    assert len(found) == 1 and "各项之和为14辆，与总数15辆不符（相差1）" in found[0].message and found[0].pages == [43]
    doc = copy.deepcopy(sample_doc)
    doc.sections.append(Section(["十三、政府采购"], [Paragraph("政府采购预算总额7万元，其中，货物类采购预算0万元；工程类采购预算0万元；", 8),
                                                     Paragraph("服务类采购预算7万元。", 9)]))
    assert [f for f in _new(doc, sample_doc) if f.kind == Kind.PARTS] == []


def test_procurement_and_vehicles_against_their_tables(doc, sample_doc):
    """The 说明's 货物/工程/服务 against the rows of a 政府采购 table that total each kind; the vehicles held against
    a table's 公务用车保有量, a blank cell included."""
    from qa.model import Row, Table

    rows = [Row("A-货物", 30, [Cell("金额", "542.510000", Decimal("542.51"))]),
            Row("C-服务", 30, [Cell("金额", "236.050000", Decimal("236.05"))]),
            Row("合计", 30, [Cell("金额", "778.560000", Decimal("778.56"))])]
    doc.tables.append(Table("政府采购预算明细表", [30], unit="万元", headers=["金额"], rows=rows))
    held = Row("公务用车保有量（辆）", 31, [Cell("2026年", "15", Decimal(15))])
    doc.tables.append(Table("其他重要事项情况表", [31], headers=["2026年"], rows=[held]))
    base = copy.deepcopy(doc)
    assert [f for f in _new(doc, sample_doc) if f.kind == Kind.PROSE_TABLE] == []
    rows[1].cells[0] = Cell("金额", "263.050000", Decimal("263.05"))
    held.cells[0] = Cell("2026年", "", None)
    found = [f for f in _new(doc, base) if f.kind == Kind.PROSE_TABLE]
    assert sorted(f.message for f in found) == [
        "说明中政府采购服务为236.05万元（第22页），《政府采购预算明细表》“C-服务”为263.050000万元",
        "说明中车辆数为15辆（第43页），《其他重要事项情况表》中为空白"]
    assert sorted(p for f in found for p in f.pages) == [22, 30, 31, 43]


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


def test_an_item_printed_only_under_its_economic_class_is_read_for_keying_errors():
    """公用经费 that no row or column names, against the 基本支出 table's 商品和服务支出 (with its 资本性支出 where the
    document counts that in): equal is fine, a sum of another count is no finding, one digit off is a keying error."""
    from qa.model import Document, Row, Table

    def found(said: str) -> list[Finding]:
        rows = [Row("302 商品和服务支出", 40, [Cell("总计", "642.01", Decimal("642.01"))]),
                Row("310 资本性支出", 40, [Cell("总计", "3.00", Decimal("3.00"))])]
        prose = Section(["二、基本支出"], [Paragraph(f"（二）公用经费{said}万元，主要包括公用综合定额经费、水电费。", 39)])
        doc = Document("d1", "x.pdf", "某局2026年部门预算", "某局", 2026, "预算", "部门", 50, sections=[prose],
                       tables=[Table("基本支出总表", [40], unit="万元", headers=["总计"], rows=rows)])
        return [f for f in check_document(doc) if f.kind == Kind.PROSE_TABLE]

    assert found("645.01") == [] and found("642.01") == []  # 642.01 + 3.00; 642.01 alone
    assert found("1,149.22") == []  # counted otherwise: many digits apart
    (typo,) = found("643.01")
    assert "仅一位数字不同" in typo.message and "642.01" in typo.message and typo.pages == [39, 40]


def test_a_sangong_part_printed_as_its_spending_is_compared_with_its_own_row():
    """"其中：（一）因公出国（境）支出" is the 说明's 因公出国（境）费: a mistyped 5 → 3 is not matched by another row's 3.00."""
    from qa.model import Document, Row, Table

    def found(said: str) -> list[Finding]:
        rows = [Row("“三公”经费合计", 20, [Cell("合计", "8.00", Decimal("8.00"))]),
                Row("其中：（一）因公出国（境）支出", 20, [Cell("合计", "5.00", Decimal("5.00"))]),
                Row("（二）公务接待支出", 20, [Cell("合计", "3.00", Decimal("3.00"))])]
        prose = Section(["三、“三公”经费情况说明"], [Paragraph(f"其中：因公出国（境）费{said}万元，比上年减少15万元。", 19)])
        doc = Document("d1", "x.pdf", "某局2026年部门预算", "某局", 2026, "预算", "部门", 30, sections=[prose],
                       tables=[Table("财政拨款安排的行政经费及“三公”经费预算", [20], unit="万元", headers=["合计"], rows=rows)])
        return [f for f in check_document(doc) if f.kind == Kind.PROSE_TABLE]

    assert found("5") == []
    assert [f.pages for f in found("3")] == [[19, 20]]


def test_a_funds_share_of_an_item_is_compared_with_that_funds_row():
    """"一般公共预算财政拨款收入37,891.58万元" where no row is named 财政拨款收入: the 一般公共预算 rows and total columns."""
    from qa.model import Document, Row, Table

    def found(said: str) -> list[Finding]:
        rows = [Row("合计", 9, [Cell("总计", "45,369.18", Decimal("45369.18")),
                                Cell("一般公共预算拨款收入", "37,891.58", Decimal("37891.58"))])]
        prose = Section(["三、财政拨款情况说明"], [Paragraph(f"2026年一般公共预算财政拨款收入{said}万元。", 4)])
        doc = Document("d1", "x.pdf", "某局2026年部门预算", "某局", 2026, "预算", "部门", 30, sections=[prose],
                       tables=[Table("2026年单位收入总体情况表", [9], unit="万元", headers=["总计", "一般公共预算拨款收入"], rows=rows)])
        return [f for f in check_document(doc) if f.kind == Kind.PROSE_TABLE]

    assert found("37,891.58") == []
    assert [f.pages for f in found("32,891.58")] == [[4, 9]]
