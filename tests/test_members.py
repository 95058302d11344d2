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
