"""Layout rules on real disclosures: framed prose, wrapped headings, indented 科目 labels, page-true citations."""
from decimal import Decimal
from functools import lru_cache

from conftest import corpus_path
from qa.chunk import chunk_document
from qa.parse import parse_pdf

PETITION = "real/central_natl-petition-bureau_2026_dept-budget.pdf"
HANGZHOU = "real/hangzhou_justice-bureau_2026_dept-budget.pdf"
CHANGSHA = "real/changsha_petition-bureau_2026_dept-budget.pdf"
PUTUO = "real/sh-putuo_finance-bureau_2024_dept-final.pdf"
WANLI = "real/sh-putuo_wanli-subdistrict_2023_dept-budget.pdf"
XIAN = "real/xian_health-commission_2022_dept-final.pdf"
JSNPC = "real/js_npc-standing-office_2017_dept-budget.pdf"


@lru_cache(maxsize=None)
def parsed(rel):
    return parse_pdf(corpus_path(rel))


def paragraph_with(doc, text):
    found = [(s, p) for s in doc.sections for p in s.paragraphs if text in p.text]
    assert found, f"no paragraph with {text!r}"
    return found[0]


def section_chunk_with(doc, text):
    found = [c for c in chunk_document(doc) if c.type == "section" and text in c.text]
    assert found, f"no section chunk with {text!r}"
    return found[0]


def test_glossary_framed_line_by_line_is_prose_not_a_table():
    doc = parsed(PETITION)
    assert not [t for t in doc.tables if set(t.pages) & {36, 37}]
    sec, para = paragraph_with(doc, "十四、委托业务费：反映因委托外单位办理业务")
    assert para.page == 37 and sec.heading == "第四部分名词解释"
    assert "运行用于购买货物和服务的各项资金" in sec.text


def test_wrapped_numbered_line_is_prose_not_a_heading():
    doc = parsed(PETITION)
    # "四、一般公共服务（类）政府办公厅（室）及相关机构" runs to the margin; "事务（款）：指…" goes on below it
    sec, _ = paragraph_with(doc, "四、一般公共服务（类）政府办公厅（室）及相关机构事务（款）：指国家信访局")
    assert sec.heading == "第四部分名词解释"
    hz = parsed(HANGZHOU)  # the same across a page break: "…律师管理（项）" | page 8: "25.00万元，主要用于…"
    sec, para = paragraph_with(hz, "（7）公共安全支出（类）司法（款）律师管理（项）25.00万元，主要用于")
    assert "律师管理" not in sec.heading and para.page == 7


def test_a_numbered_line_the_next_line_closes_is_prose_not_a_heading():
    # "5、社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休" stops short of the margin, and "（项）。主要用于：…"
    # below it closes the 科目's name: one paragraph, whose figures are that 科目's
    doc = parsed(PUTUO)
    sec, para = paragraph_with(doc, "行政单位离退休（项）。主要用于：退休人员经费支出。年初预算为85.55万元")
    assert "行政单位离退休" not in sec.path[-1] and para.page == 22
    figures = {f.raw: f for st in sec.statements for f in st.figures}
    assert figures["85.55"].topic.endswith("行政事业单位养老支出 行政单位离退休") and "购房补贴" in figures["258.50"].topic


def test_a_numbered_line_going_on_after_its_amount_is_prose_though_its_page_ends_there():
    # "9.交通运输专项资金-民航业领域 102,420.00 万元，主要" ends page 12; "用于…" opens page 13
    doc = parsed("scale/rw-深圳-01.pdf")
    sec, para = paragraph_with(doc, "9.交通运输专项资金-民航业领域102,420.00万元，主要")
    assert "民航业领域" not in sec.path[-1]
    assert "民航业领域" in next(f.label for st in sec.statements for f in st.figures if f.raw == "102,420.00")


def test_wrapped_heading_is_one_heading():
    doc = parsed(PUTUO)
    headings = {s.path[0] for s in doc.sections if s.path}
    assert "第三部分上海市普陀区财政局2024年度部门决算情况说明" in headings
    assert "第三部分上海市普陀区财政局2024年度部门决算情况" not in headings


def test_indented_labels_carry_their_parents():
    doc = parsed(HANGZHOU)
    table = next(t for t in doc.tables if t.page == 26)
    rows = {r.path: r for r in table.rows}
    prison = rows["公共安全支出 › 监狱 › 行政运行"]
    assert (prison.cells[0].value, prison.page) == (Decimal("48375.27"), 26)
    assert "公共安全支出 › 强制隔离戒毒 › 行政运行" in rows
    assert rows["公共安全支出"].parents == []


def test_a_total_label_spanning_the_code_columns_is_only_the_total():
    # "合计" merged across 类 | 款 | 项 | 名称 under the row "221 02 03 购房补贴": not "合计 02 03 购房补贴"
    doc = parsed(WANLI)
    totals = [r for t in doc.tables for r in t.rows if r.label.startswith(("合计", "总计"))]
    assert totals and all(r.label in ("合计", "总计") for r in totals)


def test_a_header_spanning_its_columns_names_each_of_them():
    # "公务用车购置及运行费" spans 小计 | 购置费 | 运行费 under "2023年“三公”经费预算数", which spans them all
    table = next(t for t in parsed(WANLI).tables if "三公" in t.title)
    assert "2023年“三公”经费预算数/公务用车购置及运行费/运行费" in table.headers


def test_caption_lines_cut_into_cells_and_name_columns_under_a_note_word():
    doc = parsed(JSNPC)
    # "部门：" | "江苏省人大常委会办公厅" | "单位：万元" inside the ruled area is a caption, not a header row
    sangong = next(t for t in doc.tables if t.title.startswith("“三公”经费、会议费"))
    assert sangong.unit == "万元" and "“三公”经费/公务接待费" in sangong.headers
    # "支出用途/项目名称" is a column of names (the 支出 side's labels), not a note on the 收入 rows
    summary = next(t for t in doc.tables if t.title == "财政拨款收支预算总表")
    rows = {r.label: [c.raw for c in r.cells] for r in summary.rows}
    assert rows["一、基本支出"] == ["7,666.68"] and rows["一、一般公共预算"] == ["13,649.07"]


def test_section_chunk_is_cited_at_the_page_it_is_printed_on():
    # The paragraph starts on page 5; "收入较去年增加54.13万元" is printed on page 6.
    assert section_chunk_with(parsed(CHANGSHA), "收入较去年增加54.13万元").page == 6
    # A sentence broken by the page break is cut at the clause nearest it: "人均月补贴90元。" is on page 36.
    assert section_chunk_with(parsed(PETITION), "人均月补贴90元").page == 36
    # …and never inside a number: "增加7,331.92万元" straddles pages 4 and 5 of 杭州 and stays whole
    income = [c for c in chunk_document(parsed(HANGZHOU)) if c.type == "section" and "收入预算情况说明" in c.section]
    assert any("增加7,331.92万元" in c.text for c in income)


BEIJING_TABLES = "real/bj_audit-bureau_2026_dept-budget-tables.pdf"


def test_a_grid_form_names_each_figure_by_its_row_and_column():
    fields = {f.label: f.value for t in parsed(BEIJING_TABLES).tables if t.is_form for f in t.fields}
    assert fields["11000022T0000004602 16-《北京审计》杂志办刊经费/项目总额"] == "17.398000"
    # continued on pages 13–16 (page 12's grid has a blank margin column), with the 度量单位 printed after the value
    assert fields["11000024T0000028723 26-信息化设备购置/产出指标/数量指标/购置便携式计算机/＝/本年绩效指标值（台）"] == "209"
    # a row of numbers under a block of column names inside a label：value form
    assert fields["总体资金情况（万元）/财政拨款/项目支出"] == "7,583.399054"


def test_a_form_row_of_several_pairs_and_a_self_evaluation_block_name_each_value():
    """Whole-document corpus PDFs: the 项目名称 row of a 绩效目标表 holds three label | value pairs; a 绩效自评表's
    money block prints a row label before numbers under 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分."""
    wanli = [{f.label: f.value for f in t.fields} for t in parsed(WANLI).tables if t.is_form]
    form = next(f for f in wanli if f.get("项目名称") == "就业援助基地补贴")
    assert form["项目性质"] == "经常性项目" and form["项目类别"] == "特定目标类"
    assert form["项目资金（元）/项目资金总额"] == form["项目资金（元）/年度资金申请总额"] == "6,351,000.00"
    xian = [{f.label: f.value for f in t.fields} for t in parsed(XIAN).tables if t.is_form]
    form = next(f for f in xian if f.get("项目名称") == "疾控新址实验设备采购")
    assert form["项目资金（万元）/年度资金总额/年初预算数"] == "3,350.00"
    assert form["项目资金（万元）/年度资金总额/全年执行数（B）"] == "2,174.20"
    assert form["项目资金（万元）/其中：当年财政拨款/全年预算数（A）"] == "2,277.00"


def test_a_list_of_numbered_names_after_its_opening_is_prose_not_headings():
    # "预算单位24个，具体包括：" then "（一）广州市第一人民医院" … "（二十四）…（本级）", a line each: the list's items,
    # which were read as 24 headings with nothing under them, and lost
    doc = parsed("scale/rw-广州-01.pdf")
    sec, _ = paragraph_with(doc, "（一）广州市第一人民医院")
    assert sec.path[-1] == "三、部门预算构成" and len(sec.paragraphs) == 25
    sec, _ = paragraph_with(doc, "（一）贯彻执行国家和省、市卫生健康工作法律法规")  # duties under "主要职责是：" stay prose
    assert sec.path[-1] == "一、主要职责"


def test_a_table_printed_again_under_its_title_page_after_page_is_one_table_of_unit_blocks():
    # 深圳 prints "表8 一般公共预算支出表（按功能分类） 部门名称：…" and the header on every page of it: one table, whose
    # 科目 rows keep the parents and the 预算单位 block the page before opened ("深圳市交通运输局（本级）" in the 预算单位
    # column above "205 教育支出"), read as a table a page with neither
    doc = parsed("scale/rw-深圳-01.pdf")
    table = next(t for t in doc.tables if t.title == "一般公共预算支出表（按功能分类）")
    assert table.pages == [40, 41, 42]
    row = next(r for r in table.rows if r.code == "2140199")
    assert row.page == 42 and row.member == "深圳市交通运输局（本级）"
    assert row.parents == ["深圳市交通运输局（本级）", "214 交通运输支出", "21401 公路水路运输"]
    forms = [t for t in doc.tables if "绩效目标" in t.title]  # a form's pages are each a project's, under one title
    assert all(len(t.pages) <= 2 for t in forms)
