"""Which 预算单位 a row or section is of, in a department's document that goes unit by unit (parse/members.py)."""
from decimal import Decimal

from qa.model import Cell, Document, Paragraph, Row, Section, Table
from qa.parse.members import mark_members

DEPT = "深圳市人力资源和社会保障局"


def _row(label, parents=(), member=None):
    return Row(label, 1, [Cell("支出总计", "1.00", Decimal("1.00"))], parents=list(parents), member=member)


def test_blocks_printed_by_nesting_and_sections_named_by_their_heading_take_their_unit():
    columned = Table("支出总表", [1], rows=[  # the 预算单位 column printed these blocks (tables.py sets them)
        _row(DEPT, member=DEPT), _row(f"{DEPT}（本级）", [DEPT], member=f"{DEPT}（本级）"),
        _row("深圳市考试院", [DEPT], member="深圳市考试院"), _row("205 教育支出", ["深圳市考试院"], member="深圳市考试院")])
    nested = Table("基本支出总表", [2], rows=[
        _row(DEPT), _row(f"{DEPT}（本级）", [DEPT]), _row("基本工资", [DEPT, f"{DEPT}（本级）", "工资福利支出"]),
        _row("深圳鹏城技师学院", [DEPT]), _row("办公费", [DEPT, "深圳鹏城技师学院"]), _row("合计")])
    sections = [Section(["第三部分部门预算支出具体情况", f"一、{DEPT}（本级）"], [Paragraph("本级预算…", 3)]),
                Section(["第三部分部门预算支出具体情况", "二十一、深圳市考试院", "（一）项目支出"], [Paragraph("…", 4)]),
                Section(["第四部分政府采购预算情况"], [Paragraph("…", 5)])]
    doc = Document("d", "f.pdf", "t", DEPT, 2026, "预算", "部门", 5, sections=sections, tables=[columned, nested],
                   members=["深圳鹏城技师学院"])  # its 单位构成 lists one unit

    # the units only the 预算单位 column names join those the 单位构成 lists; the department and its 本级 do not
    assert mark_members(doc) == ["深圳市考试院"]
    assert [r.member for r in nested.rows] == [DEPT, f"{DEPT}（本级）", f"{DEPT}（本级）", "深圳鹏城技师学院",
                                               "深圳鹏城技师学院", None]
    assert [s.member for s in sections] == [f"{DEPT}（本级）", "深圳市考试院", None]


def test_a_text_cell_running_on_over_a_page_break_is_its_rows():
    from qa.parse.tables import RawTable, build_table

    grid = [["二级预算单位名称", "一级项目名称", "预算数（万元）", "绩效目标"],
            [f"{DEPT}（本级）", "市级人才专项经费", "114,908.00", "大力引进博士后，为高校和科研单位以及高科技企业作为人"],
            ["", "", "", "才智力支撑。新引进且完成开题考核博士后数量≥1,600人等。"],
            [f"{DEPT}（本级）", "民办技校从教津贴", "445.00", "发放人数≥300人。"]]
    raw = RawTable(grid, [39, 39, 40, 40], [[0] * 4 for _ in grid], [[None] * 4 for _ in grid])
    table = build_table(raw)
    assert [r.label for r in table.rows] == [f"{DEPT}（本级） 市级人才专项经费", f"{DEPT}（本级） 民办技校从教津贴"]
    assert table.rows[0].cells[-1].raw.endswith("作为人才智力支撑。新引进且完成开题考核博士后数量≥1,600人等。")
    assert all(r.member == f"{DEPT}（本级）" for r in table.rows)  # a 二级预算单位名称 column names their unit
