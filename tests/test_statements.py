"""Prose read once at parse: statements and their figures, carried by chunks and through the store unchanged."""
from qa.chunk import ChunkSettings, chunk_document
from qa.model import Document, Paragraph, Period, Section
from qa.parse.statements import read_statements, read_text_statements
from qa.store import chunk_from_record, chunk_metadata

HEAD = "（1）因公出国（境）费。"
BODY = ("2026年预算数59.00万元，比上年减少8.00万元，主要原因是：出访团组减少。2025年预算数67.00万元，"
        "其中：培训团组12.00万元，考察团组47.00万元。")


def _doc(paragraphs: list[Paragraph]) -> Document:
    sec = Section(["七、“三公”经费情况说明"], paragraphs)
    sec.statements = read_statements(sec, 2026)
    return Document("d1", "x.pdf", "某局2026年部门预算", "某局", 2026, "预算", "部门", 30, sections=[sec])


def test_a_numbered_line_names_the_figures_after_it_across_the_chunk_cut():
    doc = _doc([Paragraph(HEAD, 22), Paragraph(BODY, 22)])
    chunks = chunk_document(doc, ChunkSettings(max_chars=40))
    assert len(chunks) >= 3  # cut well inside the item's figures
    figures = {f.raw: f for c in chunks for s in c.statements for f in s.figures}
    assert set(figures) == {"59.00", "8.00", "67.00", "12.00", "47.00"}
    assert all(f.label.startswith("因公出国（境）费：") for f in figures.values())
    assert figures["59.00"].periods == [Period.CURRENT] and figures["67.00"].periods == [Period.PREVIOUS]
    assert figures["8.00"].periods == []  # a change is of neither year
    assert figures["59.00"].states_change and not figures["67.00"].states_change
    assert figures["47.00"].whole == "2025年预算数" and figures["47.00"].short == "考察团组"


def test_each_figure_is_held_by_the_one_chunk_it_is_printed_in():
    doc = _doc([Paragraph(BODY, 22)])
    chunks = chunk_document(doc, ChunkSettings(max_chars=40))
    held = [f.raw for c in chunks for s in c.statements for f in s.figures]
    assert sorted(held) == sorted(["59.00", "8.00", "67.00", "12.00", "47.00"])
    for c in chunks:
        for s in c.statements:
            assert s.text.startswith(("2026年", "2025年")), s.text  # whole clauses, not the chunk's cut
            assert all(f.raw in c.body for f in s.figures)


def test_a_figure_is_cited_at_the_page_it_is_printed_on():
    text = "机关运行经费预算120.00万元，比上年增加3.00万元。"
    para = Paragraph(text, 5, page_starts=[(text.index("比"), 6)])
    figures = {f.raw: f for s in read_statements(Section(["x"], [para]), 2026) for f in s.figures}
    assert (figures["120.00"].page, figures["3.00"].page) == (5, 6)


def test_statements_and_form_fields_survive_the_store():
    doc = _doc([Paragraph(HEAD, 22), Paragraph(BODY, 22)])
    for c in chunk_document(doc):
        back = chunk_from_record(c.id, c.text, chunk_metadata(c))
        assert back.statements == c.statements and back.path == c.path and back.fields == c.fields


def test_an_indicators_count_is_read_in_its_measure_word():
    """绩效指标 count in many measure words: each figure keeps its own, so "控制在每年几起" finds the 起."""
    sts = read_text_statements("安排考试场次不少于450场；大厅冲突事件控制在2起以内；接待群众1.2万人次", 17,
                               "建设工程质量安全监督", "三级指标", 2026)
    assert [(f.raw, f.unit) for s in sts for f in s.figures] == [("450", "场"), ("2", "起"), ("1.2", "万人次")]
    sts = read_text_statements("全年组织国防教育主题活动不少于24场次", 23, "专项工作经费", "年度绩效目标", 2026)
    assert [(f.raw, f.unit) for s in sts for f in s.figures] == [("24", "场次")]  # not 24场 of a 次 activity


def test_after_a_closing_bracket_the_subject_is_what_the_bracket_followed():
    text = ("公务用车购置及运行维护费74.1万元（公务用车购置费0万元，比上年减少18.1万元；公务用车运行维护费74.1万元，"
            "比上年增加57.2万元。）比上年增加39.2万元，增长112.3%，主要原因是按有关规定将长期租车经费纳入管理。")
    figures = {f.raw: f for st in read_statements(Section(["二、“三公”经费安排情况"], [Paragraph(text, 25)]), 2026)
               for f in st.figures}
    assert figures["39.2"].near == "公务用车购置及运行维护费比上年增加"
    assert figures["57.2"].near == "公务用车运行维护费比上年增加"


def test_a_subject_named_by_its_levels_is_named_by_its_last():
    para = Paragraph("36.卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）。年初预算2147.25万元，支出决算2,150.1万元。", 18)
    (st, fig) = [(st, f) for st in read_statements(Section(["x"], [para]), 2022) for f in st.figures][0]
    assert fig.topic.split(" ")[-1] == "行政单位医疗" and "（" not in fig.topic


def test_what_a_count_counts_keeps_the_bracketed_part_of_its_name():
    para = Paragraph("内下设办公室（信访办公室）、财务处、民航发展处、机关党委（人事处），共16个处（室）。", 6)
    fig = next(f for st in read_statements(Section(["二、机构编制"], [para]), 2026) for f in st.figures)
    assert (fig.raw, fig.unit) == ("16", "个") and fig.near.endswith("共处（室）") and fig.counted == "处（室）"


def test_a_completion_rate_is_of_the_amount_before_it():
    text = ("“三公”经费财政拨款支出年初预算为0.95万元，支出决算为0.00万元，完成预算的0%，其中：因公出国（境）费决算为"
            "0.00万元，完成预算的0%；公务接待费支出决算为0.00万元，完成预算的0%。")
    rates = [f for st in _doc([Paragraph(text, 23)]).sections[0].statements for f in st.figures if f.unit == "%"]
    assert [r.near[:5] for r in rates] == ["支出决算为", "因公出国（", "公务接待费"]
    assert all(Period.COMPLETION in r.periods for r in rates)


def test_a_paragraph_opening_with_a_name_and_a_colon_speaks_of_it():
    paras = [Paragraph("四环主路维修专项工程：对四环主路进行一体化更新。本项目计划安排年初预算21384.60万元。", 10),
             Paragraph("另安排其他支出500.00万元。", 10),
             Paragraph("预算收支增加主要原因说明：增加科技研发资金预算41,626.00万元。", 10)]
    first, other, reason = (f for st in _doc(paras).sections[0].statements for f in st.figures)
    assert first.topic == "四环主路维修专项工程" and first.label == "四环主路维修专项工程：本项目计划安排年初预算"
    assert "四环主路" not in other.topic and "四环主路" not in other.label  # the name speaks of its own paragraph
    assert "说明" not in reason.topic  # words introducing what follows name nothing


def test_a_figure_is_of_what_its_own_clause_says_not_of_the_clauses_before_it():
    # "56,831.85" has no unit (no figure), so the words before 483,923.17 run back to the last figure; its own clause,
    # "比2025年预算支出执行数", says it is last year's 执行数: neither the 年初预算 nor a change
    text = ("国有资本经营预算支出495,836.20万元比2025年初预算数56,831.85增加较多，主要原因是2026年初批复率提高，"
            "比2025年预算支出执行数483,923.17万元增加11,913.03万元，增长2.46%。")
    figures = {f.raw: f for st in _doc([Paragraph(text, 4)]).sections[0].statements for f in st.figures}
    assert Period.PREVIOUS in figures["483,923.17"].periods and Period.INITIAL not in figures["483,923.17"].periods
    assert figures["11,913.03"].periods == []


def test_a_change_after_what_the_money_is_for_is_the_amounts():
    text = ("政府性基金预算支出4,066.60万元，主要用于支持全市电影事业高质量发展等重点工作，比2025年增加1,066.60万元，"
            "主要原因是2025年度结转1,036.60万元。")
    figures = {f.raw: f for st in read_statements(Section(["三、财政拨款情况说明"], [Paragraph(text, 4)]), 2026)
               for f in st.figures}
    assert figures["1,066.60"].near.startswith("政府性基金预算支出") and "电影" not in figures["1,066.60"].near
    text = "项目支出148,941.8万元，主要用于创新平台等，如支持基础研究计划、成果转移等，比2025年增加8,385.34万元。"
    figures = {f.raw: f for st in read_statements(Section(["三、财政拨款情况说明"], [Paragraph(text, 3)]), 2026)
               for f in st.figures}
    assert figures["8,385.34"].near == "项目支出比2025年增加"  # …and its examples (如…)


def test_a_statement_opening_with_what_a_change_is_measured_from_speaks_of_the_amount_before():
    text = ("项目支出148,941.8万元，主要用于创新平台、科技攻关等。比2025年增加8,385.34万元，主要原因是新增事项。")
    figures = {f.raw: f for st in read_statements(Section(["三、财政拨款情况说明"], [Paragraph(text, 3)]), 2026)
               for f in st.figures}
    assert figures["8,385.34"].near == "项目支出比2025年增加"
