"""Which period a figure is of and which a question asks for (qa.period), seen deciding answers."""
from dataclasses import replace

from qa.answer import compose
from qa.derive import plan
from qa.period import Period, periods_in
from qa.question import analyze
from qa.retrieve import Retrieved
from test_answer import _ask, _chunk, _row
from test_question import DOCS


def test_periods_read_from_columns_prose_and_questions():
    assert periods_in("2025年预算数", 2026, column=True) == {Period.PREVIOUS}
    assert periods_in("2026年预算数", 2026, column=True) == {Period.CURRENT}
    assert periods_in("上年预算数", 2026, column=True) == {Period.PREVIOUS}
    assert periods_in("上年结转", 2026, column=True) == set()  # money carried into this year
    assert periods_in("比上年增加", 2026) == set()  # a change, not last year's figure
    assert periods_in("2026年度收入预算比2025年年初预算数", 2026) == {Period.PREVIOUS, Period.INITIAL}
    assert periods_in("比2025年增加", 2026) == set()
    assert periods_in("支出决算", 2022) == {Period.FINAL}
    assert periods_in("完成年初预算的", 2022) == {Period.COMPLETION}  # the ratio, not the 年初预算
    assert periods_in("决算数", None, column=True) == {Period.FINAL}
    assert periods_in("2022年决算", None) == set()  # in a question a bare 决算 names the kind of document
    assert periods_in("2022年实际花在养车上的钱", None) == {Period.FINAL}  # what was spent, said every day
    assert analyze("北京市审计局2026年机关运行经费调整后的全年预算数是多少", DOCS).periods == [Period.ADJUSTED]


XIAN = _chunk(5, "22.卫生健康支出（类）公共卫生（款）疾病预防控制机构（项）。年初预算10423.69万元，支出决算31,342.45万元，"
                 "完成年初预算的300.68%。23.卫生健康支出（类）公共卫生（款）卫生监督机构（项）。年初预算1767.57万元，"
                 "支出决算2,579.18万元，完成年初预算的145.92%。", 15)
XIAN_TABLE = _row(6, "2100401 疾病预防控制机构", {"本年支出/小计": "31,342.45", "本年支出/基本支出": "3,845.00"}, 155,
                  "一般公共预算财政拨款支出决算表")


def test_final_account_columns_asked_by_name():
    hits = [XIAN_TABLE, XIAN]
    assert _ask("阳泉第二监狱2026年疾病预防控制机构年初预算是多少？", hits).figures[0].raw == "10423.69"
    assert _ask("阳泉第二监狱2026年卫生监督机构年初预算是多少？", hits).figures[0].raw == "1767.57"
    assert _ask("阳泉第二监狱2026年疾病预防控制机构支出完成年初预算的多少？", hits).figures[0].raw == "300.68"
    assert _ask("阳泉第二监狱2026年疾病预防控制机构支出是多少？", hits).figures[0].raw == "31,342.45"


def test_why_a_final_figure_differs_from_its_budget_asks_about_the_final_figure():
    q = analyze("阳泉第二监狱2026年卫生监督机构决算为什么超过年初预算？", DOCS)
    assert q.periods == [Period.FINAL]  # the 年初预算 after 超过 is what it is measured against
    assert _ask(q.text, [XIAN]).figures[0].raw == "2,579.18"


def test_the_previous_years_column_answers_a_year_the_unit_has_no_document_of():
    rows = [_row(1, "公务接待费", {"2025年预算数": "10.00", "2026年预算数": "2.00"}, 16, "“三公”经费支出预算表")]
    q = analyze("北京市审计局2025年公务接待费是多少？", DOCS)  # only its 2026 document is indexed
    assert q.not_found is None and q.periods == [Period.PREVIOUS] and q.doc_ids == ["d2"]
    hits = [Retrieved(c, 1.0) for c in rows]
    ans = compose(q, hits)
    assert ans.found and ans.figures[0].raw == "10.00" and ans.figures[0].periods == [Period.PREVIOUS]
    assert compose(analyze("北京市审计局2026年公务接待费是多少？", DOCS), hits).figures[0].raw == "2.00"
    assert analyze("北京市审计局2024年公务接待费是多少？", DOCS).not_found  # two years back: no document prints it


def test_last_year_without_a_year_is_read_from_that_years_own_document():
    q = analyze("阳泉第二监狱上年公务接待费是多少", DOCS)  # its 2025 and 2026 documents are indexed
    assert q.years == [2025] and Period.PREVIOUS not in q.periods and plan(q, DOCS) is None
    q = analyze("阳泉第二监狱2026年上年公务接待费是多少", DOCS)
    assert Period.PREVIOUS in q.periods and plan(q, DOCS).op == "previous"


def test_a_question_of_leaning_words_alone_follows_the_one_before():
    first = analyze("北京市审计局2026年三公经费是多少", DOCS)
    why = analyze("为什么比上年少？", DOCS, context=first)
    assert why.items == first.items and why.units == first.units and why.intent == "reason"
    rate = analyze("完成了年初预算的多少？", DOCS, context=first)
    assert rate.items == first.items and rate.periods == [Period.COMPLETION]
    assert analyze("主要职责是什么", DOCS, context=first).items == []  # a question of its own


def test_a_follow_up_naming_its_own_year_leaves_the_previous_years_column():
    first = analyze("北京市审计局2025年公务接待费是多少？", DOCS)  # read from the 2026 document's 2025 column
    assert first.periods == [Period.PREVIOUS]
    assert analyze("那2026年呢？", DOCS, context=first).periods == []


def test_a_final_accounts_budget_column_is_no_final_figure():
    # "财政拨款“三公”经费/合计/预算数" beside its 决算数: the budget the 决算 is measured against; so read in a 决算 only
    header = "财政拨款“三公”经费/合计/预算数 合计"
    assert periods_in(header, 2024, column=True, final_doc=True) == {Period.INITIAL, Period.ADJUSTED}
    assert periods_in(header, 2026, column=True) == frozenset()  # a budget's 预算数 is its own year's
    assert periods_in("财政拨款“三公”经费/合计/决算数 合计", 2024, column=True, final_doc=True) == {Period.FINAL}
    table = "财政拨款“三公”经费支出决算表"
    row = replace(_row(1, "合计", {"财政拨款“三公”经费/合计/预算数": "0.95", "财政拨款“三公”经费/合计/决算数": "0.60"}, 18,
                       table), kind="决算")
    assert _ask("阳泉第二监狱2026年“三公”经费实际支出多少？", [row]).figures[0].raw == "0.60"
