"""Figure choice, reason quotes and sources on hand-made chunks: each rule seen deciding an answer."""
from dataclasses import replace
from decimal import Decimal

import pytest

from qa.answer import cite_printing, compose
from qa.model import Cell, Chunk, FormField, Paragraph, Section
from qa.parse.statements import read_statements, read_text_statements
from qa.question import analyze
from qa.retrieve import Retrieved, amounts_printed
from test_question import DOCS

UNIT = "山西省阳泉第二监狱"


def _chunk(n: int, text: str, page: int, type_: str = "section", **kw) -> Chunk:
    """A passage as the chunker makes it (its paragraphs joined by line ends); prose read into statements as the
    parser reads a section."""
    if type_ == "section":
        paragraphs = [Paragraph(p, page) for p in text.split("\n")]
        kw.setdefault("statements", read_statements(Section([kw.get("section") or "x"], paragraphs), 2026))
    if type_ == "form":  # "label：value；…", as the parser's fields
        kw.setdefault("fields", [FormField(*f.rsplit("：", 1), page) for f in text.split("；")])
    return Chunk(id=f"d0:{n:05d}", doc_id="d0", text=f"{UNIT} 2026年 单位预算 · x\n{text}", type=type_, page=page,
                 file="yq.pdf", unit=UNIT, year=2026, kind="预算", **kw)


def _row(n: int, label: str, cells: dict[str, str], page: int, table: str) -> Chunk:
    body = "；".join(f"{h} {v}万元" for h, v in cells.items())
    return _chunk(n, f"{label}：{body}", page, "row", table=table, row_label=label, path=label.split(" › "), table_unit="万元",
                  cells=[Cell(h, v, Decimal(v.replace(",", ""))) for h, v in cells.items()])


def _ask(question: str, chunks: list[Chunk]):
    return compose(analyze(question, DOCS), [Retrieved(c, 1.0 / (60 + i)) for i, c in enumerate(chunks)])


def _breakdown(question: str, chunks: list[Chunk]) -> dict[str, dict]:
    """The answer's parts (三公 by part), by name."""
    return {p["part"]: p for p in _ask(question, chunks).to_dict()["breakdown"]}


SANGONG = _chunk(1, "“三公”经费预算104.12万元，比上年增加21.52万元，主要原因是：承办现场推进会，公务接待费相应增加。"
                    "其中：公务接待费2.74万元，与上年相比预算数增加1.24万元，主要原因是：需接待兄弟监狱观摩人员；"
                    "公务用车购置费24.66万元，与上年相比预算数增加24.66万元，主要原因是：更新购置执法执勤用车一辆。", 22)


def test_reason_is_quoted_from_the_items_own_clause():
    ans = _ask("阳泉第二监狱2026年公务接待费增加的原因是什么？", [SANGONG])
    assert ans.figures[0].raw == "1.24"
    assert len(ans.quotes) == 1 and "兄弟监狱观摩人员" in ans.quotes[0]
    assert "21.52" not in ans.quotes[0] and "24.66" not in ans.quotes[0]  # not the total's nor the next item's reason


def test_a_change_in_the_other_direction_does_not_answer():
    text = ("行政运行支出预算为300.00万元，比上年执行数增加20.00万元，主要原因是人员增加。"
            "2014099其他支出预算为50.00万元，比上年执行数减少80.00万元，主要原因是基建投资年初暂无安排。")
    ans = _ask("阳泉第二监狱2026年支出为什么比上年执行数减少？", [_chunk(1, text, 9)])
    assert ans.figures[0].raw == "80.00" and "年初暂无安排" in ans.answer


def test_the_number_a_question_states_is_not_its_answer():
    text = "监狱一般行政管理事务支出1,214.90万元，比上年执行数增加1,042.35万元，增长604.1%，主要原因是新增开办费。"
    ans = _ask("阳泉第二监狱2026年一般行政管理事务支出为什么增长604.1%？", [_chunk(1, text, 9)])
    assert ans.figures[0].raw == "1,042.35"


@pytest.mark.parametrize("partial", [
    _row(1, "项目支出", {"2026年预算数/项目支出": "2236.38"}, 11, "一般公共预算支出预算表（不含上年结转）"),  # leaves it out
    _row(1, "合计", {"合计": "71.02"}, 19, "2026年项目支出预算表（上年结转）"),  # holds only that part
])
def test_a_total_including_a_part_is_neither_the_rest_nor_the_part(partial):
    total = _row(2, "项目支出", {"2026年预算数/项目支出": "2307.40"}, 8, "预算支出总表")
    ans = _ask("阳泉第二监狱2026年项目支出预算总额（含上年结转）是多少？", [partial, total])
    assert ans.figures[0].raw == "2307.40"


def test_a_column_asked_alone_means_the_total_row():
    rows = [_row(1, "2101102 事业单位医疗", {"事业收入": "4,354.87"}, 149, "收入决算表"),
            _row(2, "合计", {"事业收入": "1,110,972.11"}, 147, "收入决算表")]
    assert _ask("阳泉第二监狱2026年事业收入是多少？", rows).figures[0].raw == "1,110,972.11"


def test_the_row_named_exactly_beats_a_more_specific_split():
    rows = [_row(1, "2010850-事业运行 50905-离退休费 30302-退休费", {"基本支出": "36.27"}, 3, "支出总表"),
            _row(2, "50905-离退休费 30302-退休费", {"预算数/合计": "332.89"}, 6, "一般公共预算基本支出表")]
    assert _ask("阳泉第二监狱2026年基本支出中退休费是多少？", rows).figures[0].raw == "332.89"


def test_largest_of_equal_rows_when_asked_for_the_largest():
    rows = [_row(i, "监狱业务经费", {"合计": v}, 18, "项目支出预算表") for i, v in enumerate(["48.32", "593.42", "57.06"])]
    assert _ask("阳泉第二监狱2026年金额最大的一笔监狱业务经费是多少？", rows).figures[0].raw == "593.42"


def test_sources_cite_each_page_once():
    rows = [_row(i, "公务接待费", {"合计": "2.00"}, 16, "“三公”经费支出预算表") for i in range(4)] + [SANGONG]
    pages = [s.page for s in _ask("阳泉第二监狱2026年公务接待费是多少？", rows).sources]
    assert sorted(pages) == [16, 22]


def test_personal_pay_is_not_disclosed():
    ans = _ask("长沙市信访局局长2026年的工资是多少？", [_row(1, "301 工资福利支出", {"总计": "1,212.01"}, 18, "基本支出表")])
    assert not ans.found and "个人" in ans.answer


def test_a_figure_in_the_items_own_table_answers_despite_unprinted_words():
    fund = _row(1, "合计", {"预算数/总计": "579.89"}, 16, "2026年政府性基金预算支出情况表")
    ans = _ask("阳泉第二监狱2026年人工增雨等水资源保障工程用了多少政府性基金？", [fund])
    assert ans.found and ans.figures[0].raw == "579.89"
    assert not _ask("阳泉第二监狱2026年人工增雨等水资源保障工程用了多少钱？", [fund]).found  # no item asked: no answer


def test_the_other_year_named_picks_its_row():
    rows = [_row(1, "山西省阳泉第二监狱 2025年", {"总计": "59.66"}, 38, "财政拨款“三公”经费支出表"),
            _row(2, "山西省阳泉第二监狱 2026年", {"总计": "58.46"}, 38, "财政拨款“三公”经费支出表")]
    ans = _ask("阳泉第二监狱2025年“三公”经费预算是多少？（2026年预算表中列示）", rows)
    assert ans.found and ans.figures[0].raw == "59.66"


def test_a_colloquial_phrase_names_the_printed_item():
    text = "公务接待费2.74万元。公务用车购置费24.66万元，与上年相比预算数增加24.66万元，主要原因是：更新购置执法执勤用车一辆。"
    ans = _ask("阳泉第二监狱2026年换执法执勤车花多少钱？", [_chunk(1, text, 22)])
    assert ans.found and ans.figures[0].raw == "24.66"


def test_a_part_named_after_qizhong_follows_its_whole():
    text = "2026年本部门政府采购安排483.05万元，其中：货物类采购预算64.3万元，工程类采购预算0万元，服务类采购预算418.75万元。"
    assert _ask("阳泉第二监狱2026年政府采购安排了多少？", [_chunk(1, text, 25)]).figures[0].raw == "483.05"
    assert _ask("阳泉第二监狱2026年服务类采购预算是多少？", [_chunk(1, text, 25)]).figures[0].raw == "418.75"


def test_a_stock_dated_as_asked():
    plan = _chunk(1, "2026年拟新增配置公务用车0辆，其中，执法执勤用车0辆。", 9)
    stock = _chunk(2, "截至2025年12月底，本单位共有公务用车2辆，其中，机要通信用车1辆，应急保障用车1辆，"
                      "其他按照规定配备的公务用车0辆。", 8)
    assert _ask("阳泉第二监狱截至2025年12月底共有几辆公务用车？", [plan, stock]).figures[0].raw == "2"


def test_this_years_money_is_not_last_years_carry_over():
    carried = _row(1, "上年财政拨款结转", {"收入/金额": "71.02"}, 10, "2026年财政拨款收支总表")
    text = _chunk(2, "2026年度财政拨款收支总预算18,061.36万元。其中：当年拨款收入17,990.34万元，上年结转收入71.02万元。", 20)
    assert _ask("财政2026年当年给阳泉第二监狱拨了多少钱？", [text, carried]).figures[0].raw == "17,990.34"


def test_a_row_of_the_table_named():
    rows = [_row(1, "A-货物", {"金额": "238.779600"}, 10, "政府采购预算明细表"),
            _row(2, "C-服务", {"金额": "4,749.949530"}, 10, "政府采购预算明细表"),
            _row(3, "合计", {"金额": "4,988.729130"}, 10, "政府采购预算明细表")]
    assert _ask("阳泉第二监狱2026年政府采购预算明细表中服务类采购是多少？", rows).figures[0].raw == "4,749.949530"
    assert _ask("阳泉第二监狱2026年政府采购预算是多少？", rows).figures[0].raw == "4,988.729130"


def test_the_table_named_beats_another_printing_the_same_row():
    rows = [_row(1, "收入合计", {"收入/预算数": "13,252.62"}, 11, "2026年财政拨款收支总体情况表"),
            _row(2, "合计", {"收入/预算数": "14,770.62"}, 6, "2026年部门收支总体情况表")]
    assert _ask("阳泉第二监狱2026年部门收支总体情况表中收入合计是多少？", rows).figures[0].raw == "14,770.62"


def test_a_total_row_answers_for_its_table_only_when_the_table_names_every_item_asked():
    total = _row(1, "合计", {"金额": "11,700.63"}, 6, "财政拨款基本支出预算表（经济科目）")
    text = _chunk(2, "其中：\n（一）人员经费9467.72万元。主要包括：基本工资、津贴补贴。", 11, section="六、财政拨款基本支出预算情况说明")
    assert _ask("阳泉第二监狱2026年财政拨款基本支出中人员经费是多少？", [total, text]).figures[0].raw == "9467.72"


def test_a_column_asked_alone_is_not_one_rows_share_of_it():
    row = _row(1, "208 社会保障和就业支出", {"收入预算/合计": "2,399.24"}, 8, "2026年预算单位收入预算总表")
    text = _chunk(2, "2026年收入预算19,577万元，其中：财政拨款收入19,577万元。", 6, section="2026年单位预算编制说明")
    assert _ask("阳泉第二监狱2026年收入预算是多少？", [text, row]).figures[0].raw == "19,577"


def test_a_form_value_carries_the_unit_printed_after_it():
    form = _chunk(1, "26-信息化设备购置/产出指标/数量指标/购置便携式计算机/＝/本年绩效指标值（台）：209", 15, "form",
                  table="项目支出绩效目标表", table_unit="万元")
    f = _ask("阳泉第二监狱2026年信息化设备购置项目计划购置多少台便携式计算机？", [form]).figures[0]
    assert (f.raw, f.unit) == ("209", "台")


def test_a_change_opening_a_passage_is_about_its_headings_subject():
    text = _chunk(1, "比上年执行数增加7,331.92万元，增长8.0%，主要原因是本年度北郊监狱改扩建工程项目预算增加。", 5,
                  section="二、部门预算安排情况说明 › （二）收入预算情况说明（详见表1-3）")
    ans = _ask("阳泉第二监狱2026年收入预算增加的主要原因是什么？", [text])
    assert ans.found and ans.figures[0].raw == "7,331.92"


def test_a_code_the_documents_do_not_print_is_not_found():
    rows = [_row(1, "204 公共安全支出 › 20407 监狱 › 2040701 行政运行", {"合计": "12180.84"}, 8, "支出总表")]
    assert _ask("阳泉第二监狱2026年2040701行政运行是多少？", rows).figures[0].raw == "12180.84"
    missing = _ask("阳泉第二监狱2026年2010801行政运行是多少？", rows)
    assert not missing.found and "2010801" in missing.answer  # another 科目's 行政运行 never stands in


def test_a_name_several_units_share_answers_with_candidates():
    d = compose(analyze("审计局2026年三公经费是多少", DOCS), []).to_dict()
    assert d["found"] is False and "您指的是" in d["answer"] and set(d["candidates"]) == {"北京市审计局", "上海市审计局"}


def test_why_a_total_changed_gives_its_parts_and_flags_a_reason_of_the_other_direction():
    passage = _chunk(1, "2026年山西省阳泉第二监狱财政拨款安排的“三公”经费预算76.00万元比2025年增加10.00万元，主要原因是："
                        "本年度公务接待费减少8.00万元。其中：因公出国（境）费0万元，与上年预算数相同；公务接待费2.00万元，"
                        "与上年相比预算数减少8.00万元，主要原因是：本年度公务接待费减少8.00万元；公务用车购置及运行费74.00万元，"
                        "与上年相比预算数增加18.00万元，主要原因是：本年度购置公务用车一辆。", 22)
    ans = _ask("三公经费为何增加", [passage])
    assert ans.figures[0].raw == "10.00" and "本年度公务接待费减少8.00万元" in ans.quotes[0]
    parts = {p["part"]: p for p in ans.to_dict()["breakdown"]}
    assert parts["公务用车购置及运行费"]["change"] == "18.00" and parts["公务用车购置及运行费"]["reason"] == "本年度购置公务用车一辆"
    assert parts["公务接待费"]["direction"] == "减少" and parts["因公出国（境）费"]["change"] is None
    assert ans.answer.count("注意：") == 1 and "实际增加的是：公务用车购置及运行费" in ans.answer
    assert "分项" not in _ask("阳泉第二监狱2026年公务接待费增加的原因是什么？", [SANGONG]).answer  # a part has no parts


def test_a_parts_reason_ends_where_the_next_figure_begins():
    passage = _chunk(1, "“三公”经费预算76.00万元比2025年增加10.00万元，主要原因是：本年度公务接待费减少8.00万元。"
                        "其中：公务接待费2.00万元，与上年相比预算数减少8.00万元；公务用车购置及运行费74.00万元，与上年相比"
                        "预算数增加18.00万元，主要原因是：本年度购置公务用车一辆，公务用车运行维护费56.00万元，与上年预算数相同。", 22)
    parts = {p["part"]: p for p in _ask("三公经费为何增加", [passage]).breakdown}
    assert parts["公务用车购置及运行费"]["reason"] == "本年度购置公务用车一辆"


def test_parts_headed_by_numbered_lines_in_the_next_passage_break_down_the_total():
    total = _chunk(1, "2026年财政拨款“三公”经费预算149.76万元，较2025年年初预算减少58.69万元。", 8, section="三公")
    parts = _chunk(2, "1.因公出国（境）费用。\n2026年预算数123.60万元，较2025年年初预算减少56.71万元，主要是出访计划和人数减少。\n"
                      "2.公务接待费。\n2026年预算数8.00万元，较2025年年初预算减少1.98万元，主要是预计来深人员减少。", 8, section="三公")
    ans = _ask("阳泉第二监狱2026年三公经费为什么减少了？", [total, parts])
    got = {p["part"]: (p["change"], p["reason"]) for p in ans.to_dict()["breakdown"]}
    assert got == {"因公出国（境）费": ("56.71", "出访计划和人数减少"), "公务接待费": ("1.98", "预计来深人员减少")}


def test_a_numbered_heading_names_the_figures_under_it():
    text = ("（1）因公出国（境）费用。2026年预算数59万元，主要用于出国（境）考察经费。"
            "（2）公务接待费。2026年预算数1.27万元，主要用于公务接待活动经费。")
    ans = _ask("阳泉第二监狱2026年出国考察的钱预算多少？", [_chunk(1, text, 8)])
    assert ans.found and ans.figures[0].raw == "59" and ans.figures[0].label.startswith("因公出国（境）费用")
    assert _ask("阳泉第二监狱2026年招待费是多少？", [_chunk(1, text, 8)]).figures[0].raw == "1.27"


def test_an_item_printed_with_the_words_a_disclosure_joins_to_it_is_not_absent():
    text = "公务用车购置及运行维护费2026年预算数25.4万元。"
    ans = _ask("阳泉第二监狱2026年公务用车运行维护费是多少？", [_chunk(1, text, 8)])
    assert ans.found and ans.figures[0].raw == "25.4"
    assert not _ask("阳泉第二监狱2026年机关运行经费是多少？", [_chunk(1, "办公费89.4万元。", 8)]).found


def test_a_list_is_quoted_whole():
    text = ("北京市住房和城乡建设委员会下属单位有15家，分别是：\n1.北京市建设工程造价管理总站；\n2.北京市住宅建设发展中心；\n"
            "3.北京市建设工程安全质量监督总站。\n本部门无其他单位。")
    count = _ask("阳泉第二监狱下属单位有几家？", [_chunk(1, text, 5)])
    assert count.found and count.figures[0].raw == "15" and "北京市建设工程安全质量监督总站" in count.answer
    duties = ("主要职能包括：\n1.贯彻执行戒毒康复工作有关法律法规；\n2.实施生理、心理、社会功能康复训练；\n3.提供戒毒医疗服务。\n"
              "本单位机构级别为正处级。")
    facts = _ask("阳泉第二监狱的主要职能有哪些？", [_chunk(1, duties, 3, section="主要职能")])
    assert facts.found and "提供戒毒医疗服务" in facts.answer and "正处级" not in facts.answer


def test_a_unit_under_the_one_searched_is_answered_only_from_rows_that_name_it():
    q = analyze("阳泉第二监狱医院2026年办公费是多少？", DOCS)
    assert q.member == "医院" and q.units == [UNIT] and q.not_found is None
    named = _row(1, "监狱医院 › 办公费", {"合计": "3.00"}, 30, "项目支出表")
    other = _row(2, "302 商品和服务支出 › 30201 办公费", {"合计": "89.40"}, 18, "基本支出表")
    hits = [Retrieved(c, 1.0 / (60 + i)) for i, c in enumerate([other, named])]
    ans = compose(q, hits)
    assert ans.found and ans.figures[0].raw == "3.00" and "没有单独的公开文件" in ans.answer
    alone = compose(q, hits[:1])
    assert not alone.found and "医院" in alone.answer  # never the department's own 办公费



def test_a_why_question_stating_its_change_gets_that_change_first():
    text = "2026年本部门收入预算163,539.07万元，比上年减少65,151.4万元，下降28.5%，主要原因是专项资金收入预算相应减少。"
    ans = _ask("阳泉第二监狱2026年收入预算为什么减少了65151.4万元？", [_chunk(1, text, 30)])
    assert ans.figures[0].raw == "65,151.4" and "相应减少" in ans.answer
    text = "公务用车购置费2026年预算数0.00万元，较2025年年初预算减少187.20万元，主要是2026年未安排经费于公务用车购置。"
    assert _ask("阳泉第二监狱2026年买车的钱为什么比上年少了187.20万元？", [_chunk(1, text, 12)]).figures[0].raw == "187.20"


def test_why_the_whole_budget_changed_quotes_the_statement_that_gives_a_reason():
    text = ("2026年部门预算收入204,397.58万元，较2025年年初预算增加22,621.40万元，增长12.4%。"
            "2026年部门预算支出204,397.58万元，较2025年年初预算增加22,621.40万元，增长12.4%。"
            "预算收支增加主要原因说明：1.新招录辅警，增加人员相关经费。"
            "2026年本单位机关运行经费财政拨款预算357.43万元，较2025年年初预算减少16.16万元。")
    ans = _ask("阳泉第二监狱2026年预算为什么比2025年多了两亿多？", [_chunk(1, text, 5)])
    assert ans.found and ans.figures[0].raw == "22,621.40" and "新招录辅警" in ans.answer
    assert not _ask("阳泉第二监狱2026年预算为什么比2025年多了两亿多？", [_chunk(1, text.split("。")[-2] + "。", 5)]).found


def test_income_asked_is_not_answered_from_the_spending_side():
    rows = [_row(1, "本年支出合计", {"支出/一般公共预算": "17519.52"}, 10, "财政拨款收支总表"),
            _row(2, "一、一般公共预算", {"收入/金额": "17450.63"}, 9, "财政拨款收支总表")]
    assert _ask("阳泉第二监狱2026年一般公共预算拨款收入是多少？", rows).figures[0].raw == "17450.63"


def test_a_count_asked_in_a_measure_word_is_answered_in_it():
    row = _row(1, "建设工程质量安全监督", {"预算数（万元）": "668.04"}, 17, "项目绩效目标表")
    row.statements = read_text_statements("安排考试场次不少于450场", 17, "建设工程质量安全监督", "三级指标", 2026)
    answer = _ask("阳泉第二监狱2026年建设工程质量安全监督项目要开展多少场考试？", [row])
    assert (answer.figures[0].raw, answer.figures[0].unit) == ("450", "场")


WHOLE = _chunk(2, "2026年部门预算支出21,796.12万元，较2025年年初预算增加1,749.63万元，增长8.7%。预算收支增加主要原因说明："
                  "1.市级人才专项经费纳入预算草案，增加1,332.00万元；2.各直属单位预算准备金统一在局本级编制，增加84.28万元。", 7,
               section="第二部分部门预算收支总体情况")
ABROAD = _chunk(3, "（一）因公出国（境）费用\n2026年预算数80.00万元，较2025年年初预算增加6.00万元，主要是因公出国（境）人员相对增加。",
                11, section="第五部分财政拨款“三公”经费预算情况")


def test_why_the_whole_budget_changed_is_not_one_items_change_and_quotes_its_listed_reasons():
    answer = _ask("阳泉第二监狱2026年预算为什么比2025年增加？", [ABROAD, WHOLE])
    assert answer.figures[0].raw == "1,749.63"
    assert "各直属单位预算准备金统一在局本级编制" in "".join(answer.quotes)


def test_an_indicator_asked_is_not_answered_by_the_projects_money():
    row = _row(1, "气象设施维护及科普", {"金额": "887.90"}, 25, "项目支出绩效表")
    row.statements = read_text_statements("站点维护数量162个", 25, "气象设施维护及科普", "三级指标", 2026)
    answer = _ask("阳泉第二监狱气象设施维护及科普项目的站点维护数量目标是多少？", [row])
    assert (answer.figures[0].raw, answer.figures[0].unit) == ("162", "个")
    # the same row asked for its money
    assert _ask("阳泉第二监狱气象设施维护及科普项目预算是多少？", [row]).figures[0].raw == "887.90"


def test_a_list_of_duties_asked_for_is_quoted_to_its_last_item():
    duties = ("主要职责是：\n一是拟订并组织实施本市发展规划。牵头组织统一规划体系建设。\n二是提出推动高质量发展的总体目标。"
              "组织开展重大规划评估督导。\n三是统筹提出国民经济和社会发展主要目标。监测预警经济运行态势。\n"
              "四是牵头推进本市优化营商环境工作。\n五是完成市委、市政府交办的其他任务。\n本单位机构级别为正局级。")
    facts = _ask("阳泉第二监狱负责哪些工作？", [_chunk(1, duties, 3, section="（一）本部门职责情况")])
    assert facts.found and "监测预警经济运行态势" in facts.answer and "完成市委、市政府交办的其他任务" in facts.answer
    assert "正局级" not in facts.answer


def test_a_change_asked_of_an_item_said_unchanged_quotes_the_words_that_say_so():
    row = _row(1, "合计", {"“三公”经费": "0.50"}, 20, "“三公”经费支出表")
    said = _chunk(2, "2026年“三公”经费预算与2025年持平，主要是从严控制“三公”经费支出。", 8, section="六、其他重要事项")
    answer = _ask("阳泉第二监狱2026年三公经费比上年变化多少？", [row, said])
    assert any("与2025年持平" in t for t in answer.quotes)


def test_each_ask_of_a_text_fact_is_quoted():
    nature = _chunk(1, "山西省阳泉第二监狱是山西省监狱管理局下属的正处级行政执法单位。", 3, section="一、单位基本情况")
    duties = _chunk(2, "主要职能是：\n1.依法对罪犯执行刑罚。\n2.对罪犯实施监管改造。", 4, section="二、主要职能")
    ans = _ask("阳泉第二监狱是什么性质的单位？主要职能是什么？", [nature, duties])
    assert ans.found and "行政执法单位" in ans.answer and "依法对罪犯执行刑罚" in ans.answer and "第4页" in ans.answer


def test_a_count_asked_is_not_answered_with_money():
    ans = _ask("阳泉第二监狱2026年床位数是多少张？", [_row(1, "床位补助", {"2026年预算数": "212.33"}, 10, "项目支出表")])
    assert not ans.found


def test_a_change_asked_in_everyday_words():
    text = ("（二）支出预算：2026年本单位支出预算656.73万元，其中：教育支出656.73万元。支出较去年增加24.17万元，上升3.82%。"
            "主要是增加水费、电费、燃气费等项目支出。")
    ans = _ask("阳泉第二监狱2026年支出预算比去年多出来的原因？", [_chunk(1, text, 6, section="三、部门收支总体情况")])
    assert ans.found and "主要是增加水费" in ans.answer


def test_a_quoted_name_no_passage_prints_is_not_found():
    rows = [_row(1, "补助监狱大病统筹经费", {"年度资金总额": "12.00"}, 30, "项目支出绩效目标表"),
            _row(2, "狱政设施建设经费", {"年度资金总额": "380.00"}, 31, "项目支出绩效目标表")]
    spending = _chunk(3, "2026年项目支出预算2141.55万元，占本年支出预算22.25%。", 5)
    assert not _ask("阳泉第二监狱2026年项目支出里“狱内信息系统运维”项目花多少钱？", [spending, *rows]).found
    assert _ask("阳泉第二监狱2026年“补助监狱大病统筹经费”项目花多少钱？", rows).figures[0].raw == "12.00"


def test_a_name_holding_zeng_is_no_stated_change():
    from qa.prose import CHANGED_BY
    assert not any(CHANGED_BY.search(w) for w in ("（三）增人增资", "新增托育机构托位", "多媒体设备购置"))
    assert all(CHANGED_BY.search(w) for w in ("比上年增加", "同比增", "较上年少了", "比上年增减"))


def test_a_fund_the_question_does_not_name_does_not_answer():
    fund = _row(1, "合计", {"基本支出": "0.00", "项目支出": "0.00"}, 32, "政府性基金预算支出表")
    general = _row(2, "合计", {"基本支出": "5006.59", "项目支出": "1200.00"}, 18, "一般公共预算支出表")
    assert _ask("阳泉第二监狱2026年基本支出多少？", [fund, general]).figures[0].raw == "5006.59"
    assert _ask("阳泉第二监狱2026年政府性基金预算基本支出多少？", [fund, general]).figures[0].raw == "0.00"


def test_an_item_split_between_the_basic_and_project_tables_is_asked_whole():
    basic = _row(1, "[302]商品和服务支出 › [30227]委托业务费", {"预算": "60.40"}, 16, "一般公共预算基本支出情况表（按经济分类科目）")
    project = _row(2, "[302]商品和服务支出 › [30227]委托业务费", {"预算": "1,629.10"}, 17, "一般公共预算项目支出情况表（按经济分类科目）")
    said = _chunk(3, "2026年本部门一般公共预算安排委托业务费1,689.5万元，比上年减少20万元。", 31, section="六、委托业务费安排情况")
    assert _ask("阳泉第二监狱2026年委托业务费多少？", [basic, project, said]).figures[0].raw == "1,689.5"
    assert _ask("阳泉第二监狱2026年项目支出中的委托业务费多少？", [basic, project, said]).figures[0].raw == "1,629.10"
    # the sentence's other words ("本部门…安排") name the item less exactly than a row does: its being the parts' sum
    # makes it the whole
    said = _chunk(3, "2026年本部门一般公共预算安排委托业务费1,689.5万元。", 31, section="六、委托业务费安排情况")
    assert _ask("阳泉第二监狱2026年一般公共预算委托业务费多少？", [basic, project, said]).figures[0].raw == "1,689.5"


def test_a_sangong_items_basic_spending_row_is_a_part_of_it():
    basic = _row(1, "302 商品和服务支出 › 30231 公务用车运行维护费", {"基本支出/总计": "1,168.70"}, 23, "2026年一般公共预算基本支出情况表")
    sangong = _row(2, "公务用车运行维护费", {"2026年预算数": "1,228.50"}, 26, "2026年财政拨款“三公”经费支出情况表")
    assert _ask("阳泉第二监狱2026年公务用车运行维护费多少？", [basic, sangong]).figures[0].raw == "1,228.50"
    assert _ask("阳泉第二监狱2026年基本支出中的公务用车运行维护费多少？", [basic, sangong]).figures[0].raw == "1,168.70"


def test_a_row_naming_another_item_does_not_stand_in_for_the_one_asked():
    retired = _row(1, "303 对个人和家庭的补助 › 30301 离休费", {"基本支出": "3.91"}, 26, "2026年一般公共预算基本支出情况表")
    staff = _chunk(2, "人员经费2,000.00万元，主要包括基本工资、津贴补贴、离退休费等。", 12)  # 退休费 printed, but of no row
    ans = _ask("阳泉第二监狱2026年退休费预算是多少？", [retired, staff])
    assert not ans.found and "3.91" not in ans.answer
    assert _ask("阳泉第二监狱2026年离休费预算是多少？", [retired, staff]).figures[0].raw == "3.91"


def test_a_total_row_prints_the_total_asked_with_its_column():
    total = _row(1, "合计", {"本年收入": "17990.34", "上年结转": "0.00"}, 7, "2026年预算收入总表")
    assert _ask("阳泉第二监狱2026年本年收入合计是多少？", [total]).figures[0].raw == "17990.34"


def test_why_spending_fell_short_of_the_budget_gives_the_final_figure_and_the_reason_stated_with_it():
    row = _row(1, "210 卫生健康支出 › 21004 公共卫生 › 2100406 采供血机构", {"本年支出/小计": "18,750.36"}, 155,
               "一般公共预算财政拨款支出决算表")
    said = _chunk(2, "29.卫生健康支出（类）公共卫生（款）采供血机构（项）。年初预算19779.08万元，支出决算18,750.36万元，"
                     "完成年初预算的94.8%。决算数小于年初预算数的主要原因是：设备采购中标金额小于预算金额。", 16)
    chunks = [replace(c, kind="决算") for c in (row, said)]
    ans = _ask("阳泉第二监狱2026年采供血机构支出为什么没花完年初预算？", chunks)
    assert ans.figures[0].raw == "18,750.36"
    assert "设备采购中标金额小于预算金额" in ans.answer


def test_a_part_stated_only_by_its_own_parts_is_broken_down_by_them():
    passage = _chunk(1, "2026年“三公”经费预算308.00万元，比2025年减少22.24万元。其中：因公出国（境）费用20.00万元，比2025年减少"
                        "7.00万元，主要原因是预计因公出国出境将减少；公务接待费39.50万元，比2025年减少5.64万元，主要原因是厉行节约；"
                        "公务用车运行维护费248.50万元，比2025年减少9.60万元，主要原因是将更加严格管理公务用车；公务用车购置费0.00万元，"
                        "与上年持平。", 7)
    parts = _breakdown("阳泉第二监狱2026年“三公”经费为什么减少？", [passage])
    assert parts["公务用车运行维护费"]["change"] == "9.60" and parts["公务用车运行维护费"]["reason"] == "将更加严格管理公务用车"
    assert parts["公务用车购置费"]["change"] is None and "公务用车购置及运行费" not in parts


def test_a_parts_reason_is_why_it_changed_not_what_it_is_for():
    passage = _chunk(1, "2026年财政拨款“三公”经费预算149.76万元，较2025年年初预算减少58.69万元。\n"
                        "1.因公出国（境）费用。2026年预算数123.60万元，较2025年年初预算减少56.71万元，主要是出访计划和人数减少。\n"
                        "2.公务接待费。2026年预算数16.16万元，较2025年年初预算减少1.98万元，主要是用于接待来深考察人员。"
                        "减少的主要原因是预计来深人员减少。", 8)
    parts = _breakdown("阳泉第二监狱2026年“三公”经费为什么减少？", [passage])
    assert parts["公务接待费"]["reason"] == "预计来深人员减少"


def test_a_sections_other_name_is_quoted_from_the_list_of_its_units_sections():
    # the 职责 passage says 办公室 more often; the 机构设置 passage names it with its other name in brackets
    duties = _chunk(1, "（一）负责办公室日常运转和办公室文秘工作。\n（二）负责物流产业发展工作。", 5, section="一、主要职责",
                    path=["一、主要职责"])
    sections = _chunk(2, "本级设10个内设机构，分别是：办公室（保密工作办公室）、政策法规处。", 6, section="二、部门机构设置",
                      path=["二、部门机构设置"])
    ans = _ask("阳泉第二监狱的办公室还挂了什么牌子？", [duties, sections])
    assert ans.found and "保密工作办公室" in ans.answer and "第6页" in ans.answer


def test_a_kemu_named_by_its_levels_is_matched_by_its_own_name_not_its_parents():
    said = _chunk(1, "36.卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）。年初预算2147.25万元，支出决算2,150.1万元。\n"
                     "37.卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）。年初预算4645.27万元，支出决算4,654.08万元。", 18)
    assert _ask("阳泉第二监狱2026年事业单位医疗年初预算多少？", [replace(said, kind="决算")]).figures[0].raw == "4645.27"


def test_training_spent_is_read_from_the_table_reporting_it_whole():
    basic = _row(1, "302 商品和服务支出 › 30216 培训费", {"决算数": "8.92"}, 157, "一般公共预算财政拨款基本支出决算表")
    whole = _row(2, "决算数", {"会议费": "86.81", "培训费": "2,795.78"}, 161, "财政拨款“三公”经费及会议费、培训费支出决算表")
    chunks = [replace(c, kind="决算") for c in (basic, whole)]
    assert _ask("阳泉第二监狱2026年培训费支出决算是多少？", chunks).figures[0].raw == "2,795.78"


def test_a_figure_of_a_unit_under_the_department_does_not_answer_for_the_department():
    # a 部门预算 printing each 预算单位's block of 科目 rows: the unit's own (本级) 2080101 row answers, not the one of a
    # unit under it that retrieval ranked first, though both print the 科目 asked
    member = replace(_row(1, "某分局 › 208 社会保障和就业支出 › 2080101 行政运行", {"支出总计": "3,745.97"}, 191,
                          "一般公共预算支出表（按功能分类）"), member="某分局")
    own = replace(_row(2, f"{UNIT}（本级） › 208 社会保障和就业支出 › 2080101 行政运行", {"支出总计": "8,855.71"}, 165,
                       "一般公共预算支出表（按功能分类）"), member=f"{UNIT}（本级）")
    ans = _ask("阳泉第二监狱2026年2080101行政运行支出多少？", [member, own])
    assert ans.figures[0].raw == "8,855.71" and ans.to_dict()["figures"][0]["member"] == f"{UNIT}（本级）"
    assert _ask("阳泉第二监狱2026年2080101行政运行支出多少？", [member]).figures[0].raw == "3,745.97"  # nothing else: its own


def test_a_which_question_quotes_the_list_its_sentence_opens():
    # "包括哪些单位": the sentence saying 包括 opens a list run on over its numbered items (once only the opener)
    text = ("山西省阳泉第二监狱部门预算是包括本部以及下属2家预算单位的综合收支计划。\n本部门中，行政单位1家，事业单位2家，具体包括：\n"
            "1.山西省阳泉第二监狱（本部）。\n2.阳泉第二监狱医院。\n3.阳泉第二监狱服务中心。")
    ans = _ask("阳泉第二监狱部门预算包括哪些单位？", [_chunk(1, text, 4, section="部门机构设置")])
    assert ans.found and "阳泉第二监狱医院" in ans.answer and "阳泉第二监狱服务中心" in ans.answer


def test_a_count_is_quoted_with_the_sentences_saying_which_of_what_it_counts():
    text = "山西省阳泉第二监狱设有19个内设机构、6个直属单位。其中含阳泉第二监狱特勤大队为垂管单位；另派驻纪检监察组1个。"
    ans = _ask("阳泉第二监狱有多少内设机构和直属单位？", [_chunk(1, text, 4, section="机构编制")])
    assert "特勤大队" in ans.answer and "纪检监察组" in ans.answer


def test_an_items_title_is_quoted_with_the_items_text():
    text = ("主要职能包括：\n一、加强党的建设。落实基层党建责任制。\n二、维护社区平安。承担辖区社会治安综合治理有关工作，"
            "处理群众来信来访。\n三、承办区委、区政府交办的其他事项。")
    ans = _ask("阳泉第二监狱在维护社区平安方面有哪些职能？", [_chunk(1, text, 3, section="部门主要职能")])
    assert "处理群众来信来访" in ans.answer and "基层党建" not in ans.answer


def test_what_money_is_for_is_answered_in_the_documents_words():
    text = "（一）因公出国（境）费。2026年预算数14.85万元，主要用于因公出国参加学习交流合作，比上年持平。"
    ans = _ask("阳泉第二监狱的因公出国（境）费主要用来干什么？", [_chunk(1, text, 5, section="“三公”经费")])
    assert "学习交流合作" in ans.answer


def test_a_list_of_an_item_the_passages_do_not_print_is_not_found():
    # 政府购买服务 is not 政府采购: a passage on the one lists nothing of the other, nor does its figure answer
    text = "2026年度本单位政府采购预算184.23万元，其中：政府采购货物预算1.92万元、政府采购服务预算182.31万元。"
    chunks = [_chunk(1, text, 17, section="三、政府采购预算情况")]
    assert not _ask("阳泉第二监狱2026年政府购买服务预算有哪些项目？", chunks).found
    assert _ask("阳泉第二监狱2026年政府采购预算包括哪些？", chunks).found


def test_a_list_of_a_thing_the_passages_do_not_print_is_not_found():
    # "有哪些绩效指标": a definition of 项目支出 prints no 指标, nor does a share of the 项目支出 (an aspect asked,
    # 哪些方面, any passage may answer)
    text = "项目支出：指在基本支出之外为完成特定行政任务或事业发展目标所发生的支出。项目支出预算占本年支出预算97.91%。"
    chunks = [_chunk(1, text, 6, section="名词解释")]
    assert not _ask("阳泉第二监狱2026年项目支出绩效目标是怎么设的，有哪些绩效指标？", chunks).found
    listed = "2026年项目支出绩效目标主要包括：产出指标为罪犯教育培训不少于1,200人次；效益指标为罪犯满意度不低于90%。"
    assert _ask("阳泉第二监狱2026年项目支出有哪些绩效指标？", [_chunk(2, listed, 40, section="绩效目标")]).found
    uses = "委托业务费主要用于重大会展活动、统计监测服务等。"
    assert _ask("阳泉第二监狱的委托业务费主要用在哪些方面？", [_chunk(3, uses, 5, section="其他说明")]).found


def test_a_count_never_answers_money_nor_money_a_count():
    staff = _chunk(1, "编外人员经费7,617.44万元，主要用于聘用人员工资。本部门设有内设机构19个。", 8, section="机构编制")
    assert not _ask("阳泉第二监狱2026年人员编制多少？", [staff]).found  # a headcount asked: 万元 is none
    offices = _chunk(2, "社会保险基金管理局下设办公室、基金偿付科、失业保险科等，共7个部门。", 6, section="机构编制")
    assert not _ask("阳泉第二监狱2026年失业保险基金支出是多少？", [offices]).found  # money asked: 7个 is none
    people = _chunk(3, "截至2025年底，本单位人员编制620人，实有人员598人。", 7, section="人员情况")
    assert _ask("阳泉第二监狱2026年人员编制是多少？", [people]).figures[0].raw == "620"


def test_a_column_is_named_only_by_words_its_row_does_not_say():
    # "…缴费支出多少": 支出 names the row's 科目, not its 基本支出 column; the row's total answers
    row = _row(1, "2080505 机关事业单位基本养老保险缴费支出", {"合计": "640.00", "基本支出": "0.00", "项目支出": "640.00"},
               13, "一般公共预算支出表")
    assert _ask("阳泉第二监狱2026年2080505机关事业单位基本养老保险缴费支出多少？", [row]).figures[0].raw == "640.00"
    assert _ask("阳泉第二监狱2026年2080505机关事业单位基本养老保险缴费的基本支出多少？", [row]).figures[0].raw == "0.00"


def test_a_purchase_asked_is_not_answered_by_the_stock_held():
    text = ("截至2025年底，本单位共有车辆12台，单位价值100万元以上的设备5台（套）。"
            "2026年部门预算安排购置车辆1辆，购置单位价值100万元以上的设备2台（套）。")
    chunks = [_chunk(1, text, 8, section="国有资产占用情况")]
    assert _ask("阳泉第二监狱2026年打算买几台100万以上的设备？", chunks).figures[0].raw == "2"
    assert _ask("截至2025年底阳泉第二监狱有几台100万以上的设备？", chunks).figures[0].raw == "5"
    bought = _ask("2026年计划买几辆？", chunks)  # bought in the measure word asked: what was asked, said otherwise
    assert bought.found and bought.figures[0].raw == "1"
    held = _ask("截至2025年底阳泉第二监狱有多少台车？", chunks)  # held at the date asked, of the thing named
    assert held.found and held.figures[0].raw == "12"
    assert not _ask("截至2025年底阳泉第二监狱有多少台电脑？", chunks).found  # …and nothing else counted in 台


def test_the_passages_printing_the_answer_are_cited_first():
    # the figure the 说明 states is cited with the table row printing it, ahead of passages retrieval ranked between
    said = _chunk(1, "2026年公务接待费预算2.00万元，比上年减少8.00万元。", 5, section="“三公”经费情况说明")
    others = [_chunk(n, f"第{n}项工作：加强队伍建设，开展教育培训。", 30 + n, section="主要职能") for n in range(2, 8)]
    row = _row(9, "公务接待费", {"2026年预算数": "2.00"}, 16, "“三公”经费支出预算表")
    ans = _ask("阳泉第二监狱2026年公务接待费预算是多少？", [said, *others, row])
    assert ans.figures[0].raw == "2.00" and {s.page for s in ans.sources[:2]} == {5, 16}


def test_an_item_set_aside_is_not_the_answer():
    rows = [_row(1, "人员经费", {"一般公共预算基本支出": "212,340"}, 14, "基本支出经济分类预算表"),
            _row(2, "公用经费", {"一般公共预算基本支出": "587,890"}, 14, "基本支出经济分类预算表")]
    ans = _ask("阳泉第二监狱2026年除了人头费以外的公用开支有多少？", rows)
    assert ans.figures[0].raw == "587,890"
    assert analyze("阳泉第二监狱2026年除了人头费以外的公用开支有多少？", DOCS).excluded == ["人员经费"]


def test_a_units_own_row_in_its_departments_table_is_its_total():
    # 北郊监狱's row of the 司法局 收入预算总表 is that unit's 收入总计 (its 总计 column), as a 合计 row is the table's
    member = "山西省阳泉第二监狱医院"
    row = _chunk(1, f"{member}：总计 24,308.97万元；本年收入/小计 24,308.97万元", 25, "row", table="2026年部门收入预算总表",
                 row_label=member, path=[UNIT, member], table_unit="万元", member=member,
                 cells=[Cell("总计", "24,308.97", Decimal("24308.97")), Cell("本年收入/小计", "24,308.97", Decimal("24308.97"))])
    assert row.total_row
    ans = _ask(f"阳泉第二监狱2026年收入预算总表中{member}的收入总计是多少？", [row])
    assert ans.found and ans.figures[0].raw == "24,308.97"


def test_a_count_of_the_things_asked_answers_in_the_words_printed():
    # "多少个内设处室" counts what "共16个处（室）" counts; "共3个项目" counts something else
    offices = _chunk(1, "内设办公室、财务处、民航发展处，共16个处（室）。本单位编报绩效目标的项目共3个。", 6, section="二、机构编制")
    ans = _ask("阳泉第二监狱有多少个内设处室？", [offices])
    assert ans.found and "共16个处（室）" in ans.answer
    assert analyze("阳泉第二监狱有多少个内设处室？", DOCS).counted == "内设处室"
    assert not _ask("阳泉第二监狱有多少个下属单位？", [offices]).found



def test_a_reason_runs_on_into_the_sentence_listing_it():
    said = _chunk(1, "2026年本部门收入预算155,723.39万元，比上年减少7,507.97万元，下降4.6%，主要原因是年度工作任务不同。"
                     "较大的项目变动，一是比上年减少了节能减排补助资金53,790.41万元；二是比上年增加了产业类专项资金16,861.78万元。"
                     "1.因公出国（境）费用：本部门年初不编制因公出国（境）费用预算。", 33, section="一、部门预算收支增减变化情况")
    ans = _ask("阳泉第二监狱2026年预算为什么比上年减少7507.97万元？", [said])
    assert "节能减排补助资金" in ans.answer and "产业类专项资金" in ans.answer and "因公出国" not in ans.answer


def test_the_pages_printing_the_answers_amount_are_cited_after_its_own():
    said = _chunk(1, "2026年“三公”经费预算299.23万元，较2025年年初预算增加120.00万元。", 36, section="“三公”经费预算情况")
    others = [_chunk(n, f"第{n}项工作：加强队伍建设。", 40 + n, section="主要职能") for n in range(2, 7)]
    table = _row(9, "阳泉第二监狱 2025年", {"总计/一般公共预算": "179.23"}, 252, "财政拨款“三公”经费支出表")
    small = _row(10, "公务接待费", {"预算数": "5.00"}, 253, "财政拨款“三公”经费支出表")
    ans = _ask("阳泉第二监狱2026年“三公”经费预算是多少？", [said, *others])
    printed = amounts_printed([said, *others, table, small])
    ans.figures[0] = replace(ans.figures[0], raw="179.23", value=Decimal("179.23"))  # as a 上年 figure reckoned from it
    cite_printing(ans, printed[("d0", Decimal("179.23"))], k=5)
    assert [s.page for s in ans.sources[:2]] == [36, 252] and len(ans.sources) == 5
    ans.figures[0] = replace(ans.figures[0], raw="5.00", value=Decimal("5.00"))
    cite_printing(ans, printed[("d0", Decimal("5.00"))], k=5)
    assert 253 not in [s.page for s in ans.sources]  # an amount this short stands in many rows


def test_a_score_column_is_points_not_money():
    form = _chunk(1, "项目资金（万元）/年度资金总额/得分：10；项目资金（万元）/年度资金总额/执行数：3195.8", 109, "form",
                  table="急救车辆更新项目绩效自评表", row_label="急救车辆更新", table_unit="万元")
    ans = _ask("阳泉第二监狱2026年急救车辆更新项目花了多少钱？", [form])
    assert (ans.figures[0].raw, ans.figures[0].unit) == ("3195.8", "万元")
    assert {f.unit for f in ans.figures if f.raw == "10"} == {"分"}


def test_each_count_asked_is_quoted_in_the_passages_order():
    staff = _chunk(1, "现有38个处室，编制339名，其中行政编制199名、事业编制36名。实际在编在职人员274名，离退休人员150名。", 6,
                   section="三、部门机构设置和所属单位情况")
    ans = _ask("阳泉第二监狱编制多少名？实际在编多少人？", [staff])
    assert ans.found and ans.answer.index("编制339名") < ans.answer.index("实际在编在职人员274名")
