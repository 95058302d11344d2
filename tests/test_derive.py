"""Comparisons and derived figures: planning, exact arithmetic with formula and sources, refusal, and the
round trip through the index on the sample disclosure."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from qa.answer import Answer, Figure, Source
from qa.derive import derive, plan
from qa.question import analyze


@dataclass
class Doc:
    id: str
    unit: str | None
    year: int | None
    kind: str | None = "预算"


DOCS = [Doc("a", "山西省阳泉第二监狱", 2026), Doc("b", "山西省阳泉第二监狱", 2025), Doc("c", "北京市审计局", 2026),
        Doc("d", "国家信访局", 2026)]
# What an ordinary lookup returns for each input: (unit, year, item) → (raw, unit, page)
PRINTED = {
    ("山西省阳泉第二监狱", 2026, "“三公”经费"): ("76.00", "万元", 16),
    ("山西省阳泉第二监狱", 2025, "“三公”经费"): ("73.72", "万元", 16),
    ("北京市审计局", 2026, "机关运行经费"): ("1637.76", "万元", 9),
    ("国家信访局", 2026, "机关运行经费"): ("2,376.26", "万元", 25),
}


def fake_ask(text, unit=None, year=None):
    for (u, y, item), (raw, money, page) in PRINTED.items():
        if u == unit and y == year and item in text:
            f = Figure(item, Decimal(raw.replace(",", "")), raw, money, "表", page, f"{u}.pdf", u, u, y)
            return Answer(text, True, "…", figures=[f])
    return Answer(text, False, "未找到")


def _plan(text):
    q = analyze(text, DOCS)
    return q, plan(q, DOCS)


def test_plans():
    assert _plan("阳泉第二监狱2026年和2025年三公经费对比")[1].scopes == [("山西省阳泉第二监狱", 2026), ("山西省阳泉第二监狱", 2025)]
    p = _plan("北京市审计局和国家信访局2026年的机关运行经费哪个多")[1]
    assert (p.op, p.items[0], [u for u, _ in p.scopes]) == ("compare", "机关运行经费", ["北京市审计局", "国家信访局"])
    assert _plan("阳泉第二监狱2026年办公费和印刷费合计多少")[1].items == ["办公费", "印刷费"]
    p = _plan("阳泉第二监狱2026年公务接待费占三公经费的比例")[1]
    assert (p.op, p.items) == ("share", ["公务接待费", "“三公”经费"])
    assert _plan("阳泉第二监狱2026年上年的机关运行经费是多少")[1].op == "previous"
    follow = analyze("那上年呢？", DOCS, context=analyze("北京市审计局2026年公务接待费是多少", DOCS))
    assert (plan(follow, DOCS).op, plan(follow, DOCS).items) == ("previous", ["公务接待费"])  # the item asked before
    for ordinary in ("阳泉第二监狱2026年公务接待费是多少", "三公经费为何增加", "上年结转是多少", "社会保障和就业支出是多少",
                     "阳泉第二监狱2026年收入比去年增加了多少", "阳泉第二监狱2026年上年结余、结转是多少", "与上一年相比变化多少"):
        assert _plan(ordinary)[1] is None, ordinary


def test_two_documents_exact_difference_ratio_and_sources():
    q, p = _plan("北京市审计局和国家信访局2026年的机关运行经费哪个多")
    ans = derive(q, p, fake_ask)
    assert ans.found and ans.figures[0].raw == "-738.50" and ans.figures[0].unit == "万元"
    d = ans.to_dict()["derived"]
    assert d["formula"] == "1637.76 − 2376.26 = -738.50（万元）；1637.76 ÷ 2376.26 = 0.6892（倍）"
    assert [(i["value"], i["page"]) for i in d["inputs"]] == [("1637.76", 9), ("2,376.26", 25)]
    assert ans.answer.startswith("国家信访局2026年机关运行经费较多，多738.50万元")
    q, p = _plan("阳泉第二监狱2026年和2025年三公经费对比")
    assert derive(q, p, fake_ask).derived["result"] == {"value": "2.28", "unit": "万元"}


def test_missing_input_is_refused():
    q, p = _plan("北京市审计局和国家信访局2026年的三公经费哪个多")
    ans = derive(q, p, fake_ask)
    assert not ans.found and ans.figures == [] and "无法计算" in ans.answer


def test_two_items_found_as_one_printed_figure_are_one_rows_name():
    """"实验室及相关设施" is one 科目's name: the two "summands" find the same row, which is the answer, not its double."""
    q, p = _plan("阳泉第二监狱2026年实验室及相关设施支出合计多少")
    assert p.op == "sum"

    def one_row(text, unit=None, year=None):
        f = Figure("2060204 实验室及相关设施", Decimal("46568000"), "46,568,000", "元", "表", 13, "a.pdf", "a", unit, 2026)
        return Answer(text, True, "…", figures=[f])

    looked_up = one_row(q.text)
    assert derive(q, p, one_row, looked_up=looked_up) is looked_up


def test_last_year_said_unchanged_in_words_is_this_years_figure():
    """"2026年“三公”经费预算与2025年持平" prints no amount: last year's is this year's, cited at that sentence."""
    q = analyze("阳泉第二监狱2025年三公经费预算是多少？", DOCS[:1])
    p = plan(q, DOCS[:1])
    table = Figure("合计", Decimal("0.50"), "0.50", "万元", "“三公”经费支出表", 20, "a.pdf", "a", "山西省阳泉第二监狱", 2026)
    looked_up = Answer(q.text, True, "…", figures=[table])
    said = Answer("“三公”经费变化多少", True, "…", figures=[table], quotes=["2026年“三公”经费预算与2025年持平，主要是从严控制。"],
                  sources=[Source("a.pdf", "山西省阳泉第二监狱", 2026, 8, "六、其他重要事项", None, "…", 1.0)])
    ans = derive(q, p, lambda text, unit=None, year=None: said, looked_up=looked_up)
    assert ans.found and ans.figures[0].raw == "0.50" and ans.derived["formula"] == "0.50（与上年持平） = 0.50（万元）"
    assert ans.figures[1].page == 8  # the sentence that says so
    silent = Answer("“三公”经费变化多少", True, "…", figures=[table])
    assert not derive(q, p, lambda text, unit=None, year=None: silent, looked_up=looked_up).found


def test_within_one_document_on_the_index(sample_assistant):
    ans = sample_assistant.ask("办公费和印刷费合计多少")
    assert ans.figures[0].raw == "432.59" and ans.derived["formula"] == "422.59 + 10.00 = 432.59（万元）"
    assert [i["page"] for i in ans.derived["inputs"]] == [12, 12]
    ans = sample_assistant.ask("公务接待费占三公经费的比例")
    assert ans.figures[0].raw == "2.63" and ans.figures[0].unit == "%" and "2.00 ÷ 76.00" in ans.derived["formula"]
    ans = sample_assistant.ask("上年的机关运行经费是多少")  # 2,152.99万元，比2025年预算减少36.76万元
    assert ans.found and ans.figures[0].raw == "2189.75" and ans.derived["formula"] == "2,152.99 + 36.76 = 2189.75（万元）"
    assert ans.sources[0].page == 22  # the page that states this year's figure and its change
    ans = sample_assistant.ask("办公费比差旅费多多少")
    assert ans.figures[0].raw == "322.59"
    stated = sample_assistant.ask("基本支出占支出预算的比重是多少")  # the document states 87.22%: quoted, not recomputed
    assert stated.figures[0].raw == "87.22" and stated.derived is None


def _stating(sentence: str, raw: str):
    """An ordinary lookup whose figure stands in a sentence stating its change from last year."""
    def ask(text, unit=None, year=None):
        f = Figure("公务接待费", Decimal(raw), raw, "万元", None, 22, "x.pdf", "c", "北京市审计局", 2026, context=sentence)
        return Answer(text, True, "…", figures=[f])
    return ask


def test_last_year_from_a_stated_change_a_part_after_qizhong_and_an_unchanged_figure():
    q = analyze("北京市审计局2026年上年公务接待费是多少", DOCS)
    p = plan(q, DOCS)
    assert (p.op, p.scopes) == ("previous", [(None, 2026)])
    part = derive(q, p, _stating("其中：公务接待费0万元，比上年减少8万元，下降100%；", "0"))
    assert part.found and part.derived["formula"] == "0 + 8 = 8（万元）" and part.figures[0].periods == ["上年"]
    level = derive(q, p, _stating("公务接待费35.00万元，与2025年预算持平。", "35.00"))
    assert level.found and level.derived["result"]["value"] == "35.00" and "持平" in level.derived["formula"]
    looked_up = _stating("2026年公务接待费预算5.58万元，较2025年年初预算增加0.00万元。", "5.58")("")
    nothing = _stating("公务接待费5.58万元。", "5.58")
    assert derive(q, p, nothing, looked_up=looked_up).derived["result"]["value"] == "5.58"  # the question's own figure
    assert not derive(q, p, nothing).found
