"""Question analysis: unit names matched fuzzily but never to another unit, years, intents, key words."""
import os
from dataclasses import dataclass

import pytest

from qa.period import Period
from qa.question import analyze, key_words

UNITS = ["山西省阳泉第二监狱", "山西省太原第一监狱", "北京市审计局", "国家信访局", "长沙市信访局", "广州市人民政府办公厅",
         "上海市普陀区司法局", "深圳市财政局（本级）", "西安市卫生健康委员会（汇总）", "上海市审计局",
         "深圳市医疗保障局（本级）", "深圳市人民政府国有资产监督管理委员会"]


@dataclass
class Doc:
    id: str
    unit: str
    year: int
    kind: str


DOCS = [Doc(f"d{i}", u, 2026, "预算") for i, u in enumerate(UNITS)] + [Doc("old", "山西省阳泉第二监狱", 2025, "预算")]


@pytest.mark.parametrize("question, unit", [
    ("阳泉二监2026年公务接待费是多少", "山西省阳泉第二监狱"),
    ("太原一监的招待费", "山西省太原第一监狱"),
    ("北京审计局机关运行经费", "北京市审计局"),
    ("上海普陀司法局的人员经费", "上海市普陀区司法局"),
    ("西安市卫健委的三公经费", "西安市卫生健康委员会（汇总）"),
    ("广州市政府办公厅2026年三公经费", "广州市人民政府办公厅"),
    ("深圳财政局三公经费", "深圳市财政局（本级）"),
    ("按阳泉第二监狱2026年预算公开的解释，“三公”经费包括哪些？", "山西省阳泉第二监狱"),
])
def test_short_names_find_their_unit(question, unit):
    q = analyze(question, DOCS)
    assert q.units == [unit] and q.not_found is None


@pytest.mark.parametrize("question", [
    "北京市教育委员会2026年三公经费是多少", "苏州审计局的三公经费", "南京市审计局2026年部门预算收入是多少",
    "山西省太原第二监狱2026年公务接待费预算是多少", "山西省晋中监狱2026年“三公”经费是多少？",
])
def test_units_not_in_the_index_are_not_found(question):
    q = analyze(question, DOCS)
    assert q.units == [] and q.doc_ids == [] and "索引中没有" in q.not_found


def test_years():
    assert analyze("阳泉第二监狱2019年三公经费", DOCS).not_found.startswith("山西省阳泉第二监狱没有2019年")
    q = analyze("阳泉第二监狱2026年三公经费比2025年增加多少", DOCS)
    assert q.doc_ids == ["d0"]  # the document year, not the comparison year
    q = analyze("北京市审计局截至2025年底共有多少辆车", DOCS)
    assert q.years == [] and q.doc_ids == ["d2"]  # a date inside the 2026 document
    follow = analyze("那上年呢？", DOCS, context=analyze("阳泉二监2026年三公经费", DOCS))
    assert follow.units == ["山西省阳泉第二监狱"] and follow.doc_ids == ["old"]
    assert follow.items == ["“三公”经费"] and "三公" in follow.search_text
    # without last year's file, the follow-up stays with the answered document (it states the change from last year)
    follow = analyze("那上年呢？", DOCS, context=analyze("北京审计局2026年三公经费", DOCS))
    assert follow.years == [2026] and follow.doc_ids == ["d2"] and not follow.not_found


@pytest.mark.parametrize("question, intent", [
    ("三公经费为何增加", "reason"), ("公务接待费是多少", "figure"), ("机关运行经费比上年变化多少", "change"),
    ("基本支出占比多少", "share"), ("实有公务用车多少辆", "count"), ("什么是机关运行经费", "definition"),
    ("国家信访局和北京市审计局的机关运行经费哪个多", "compare"),
    ("三公经费比2025年少了多少，是哪一项减少的？", "reason"), ("三公经费增加了多少？具体哪些项目变了？", "reason"),
    ("阳泉第二监狱2026年有哪些项目？", "list"),
])
def test_intents(question, intent):
    assert analyze(question, DOCS).intent == intent


def test_key_words_use_printed_terms():
    assert key_words("阳泉二监2026年招待费是多少？", ["阳泉二监"]) == "公务接待费"
    assert key_words("阳泉二监2026年招待客人的预算多少？", ["阳泉二监"]) == "公务接待费客人预算"
    assert key_words("阳泉二监支出比去年多出来多少？", ["阳泉二监"]) == "支出比去年增加"  # the printed direction word
    assert key_words("阳泉二监支出较上年增加多少？", ["阳泉二监"]) == "支出较上年增加"  # 多少 is no 多
    assert key_words("那接待呢？", []) == "接待"  # a follow-up's 那 leans on the question before; it names nothing
    assert key_words("阳泉第二监狱2026年人头经费有多少？", ["阳泉第二监狱"]) == "人员经费"


@pytest.mark.parametrize("question, unit", [
    ("财政2026年当年给阳泉第二监狱拨了多少钱？", "山西省阳泉第二监狱"),  # words before the name that no unit uses
    ("截至2026年1月31日广州市人民政府办公厅有多少辆车？", "广州市人民政府办公厅"),
    ("纳入西安市卫生健康委员会2026年度部门决算编制范围的单位有几个？", "西安市卫生健康委员会（汇总）"),
])
def test_unit_names_inside_longer_runs(question, unit):
    assert analyze(question, DOCS).units == [unit]


def test_kind_and_list_intent():
    assert analyze("西安市卫健委2026年一般公共预算财政拨款基本支出是多少", DOCS).kind is None  # a fund, not the kind
    assert analyze("北京市审计局2026年部门预算收入是多少", DOCS).kind == "预算"
    assert analyze("阳泉第二监狱“三公”经费包括哪几项？", DOCS).intent == "list"


def test_one_officials_pay_is_not_disclosed():
    q = analyze("长沙市信访局局长2026年的工资是多少？", DOCS)
    assert q.doc_ids == [] and "个人" in q.not_found
    assert analyze("长沙市信访局2026年工资福利支出是多少", DOCS).not_found is None


def test_counted_words_and_printed_items():
    assert key_words("杭州市司法局截至2025年底共有多少辆车？", ["杭州市司法局"]) == "车辆"
    assert key_words("阳泉第二监狱有多少人员编制？", ["阳泉第二监狱"]) == "人员编制"
    # a colloquial word inside a printed item is left alone: 伙食补助费 is not 伙食 → 生活, 绩效工资 not 工资 → …
    assert key_words("长沙市信访局基本支出里的伙食补助费是多少", ["长沙市信访局"]) == "基本支出伙食补助费"
    assert analyze("西安市卫健委2026年绩效工资是多少", DOCS).items == ["绩效工资"]


def test_items_and_columns_are_read_besides_the_units_name():
    # 医保 is a colloquial 职工基本医疗保险缴费, 国有资产 an item: inside a unit's name they are neither
    q = analyze("深圳市医保局2026年基本支出是多少？", DOCS)
    assert q.units == ["深圳市医疗保障局（本级）"] and q.items == ["基本支出"] and q.columns == ["基本支出"]
    q = analyze("深圳市人民政府国有资产监督管理委员会2026年一般公共预算支出合计多少？", DOCS)
    assert q.items == ["一般公共预算"]
    assert analyze("深圳市国资委2026年国有资产占用情况", DOCS).items[0] == "国有资产"  # asked besides the name: kept


def test_a_count_asked_in_a_measure_word():
    assert analyze("深圳信访局2026年信访大厅运行项目要求大厅冲突事件控制在每年几起？", DOCS).measure == "起"
    assert analyze("阳泉第二监狱2026年安排考试多少场？", DOCS).measure == "场"
    assert analyze("阳泉第二监狱2026年公务接待费是多少？", DOCS).measure is None


def test_colloquial_phrases_and_qualifiers():
    assert analyze("阳泉第二监狱2026年换执法执勤车花多少钱？", DOCS).items[0] == "公务用车购置费"
    assert analyze("阳泉第二监狱2026年买了几辆车？", DOCS).items == ["车辆"]  # a count of cars, not their price
    assert analyze("西安市卫健委2022年收支总计为什么增长", DOCS).items == ["收入总计", "支出总计"]
    q = analyze("阳泉第二监狱2026年项目支出预算总额（含上年结转）是多少？", DOCS)
    assert q.items == ["项目支出"] and "上年结转" not in q.columns  # the total, not its 上年结转 part


def test_a_name_two_indexed_units_share_asks_which():
    q = analyze("审计局2026年三公经费是多少", DOCS)
    assert q.doc_ids == [] and "您指的是" in q.not_found and set(q.candidates) == {"北京市审计局", "上海市审计局"}


def test_another_citys_department_is_refused_naming_what_is_indexed():
    q = analyze("长沙市审计局2026年三公经费是多少", DOCS)
    assert q.doc_ids == [] and q.not_found.startswith("索引中没有“长沙市审计局”") and "北京市审计局" in q.candidates


@pytest.mark.parametrize("question, code", [
    ("阳泉第二监狱2010801行政运行支出多少", "2010801"), ("机关事业单位职业年金缴费支出（2080506）是多少", "2080506"),
    ("阳泉二监20101款的支出", "20101"),
])
def test_科目编码_are_codes_never_years(question, code):
    q = analyze(question, DOCS)
    assert q.codes == [code] and q.years == [] and q.not_found is None


def test_only_elliptic_follow_ups_inherit_the_year():
    first = analyze("阳泉二监2026年三公经费", DOCS)
    previous = analyze("那上年呢？", DOCS, context=first)
    assert previous.years == [2025] and previous.doc_ids == ["old"]
    other_item = analyze("那公务接待费呢？", DOCS, context=previous)
    assert other_item.years == [2025] and other_item.items == ["公务接待费"]
    for full in ("机关运行经费比上年变化多少", "什么是机关运行经费"):
        q = analyze(full, DOCS, context=previous)
        assert q.not_found is None and q.years == [] and q.units == ["山西省阳泉第二监狱"]


def test_a_context_never_makes_a_question_unanswerable():
    first = analyze("阳泉二监2026年三公经费", DOCS)
    q = analyze("北京市审计局2026年机关运行经费是多少", DOCS, context=analyze("那上年呢？", DOCS, context=first))
    assert q.not_found is None and q.units == ["北京市审计局"]


def test_a_text_fact_searches_under_the_headings_it_is_printed_under():
    q = analyze("阳泉第二监狱是什么性质的单位？", DOCS)
    assert q.intent == "text_fact" and "概况" in q.search_text and "主要职能" in q.search_text
    assert analyze("北京审计局管理哪个局？", DOCS).intent == "text_fact"
    assert "概况" not in analyze("阳泉第二监狱2026年公务接待费是多少", DOCS).search_text


def test_a_follow_up_naming_a_column_asks_the_same_item_in_it():
    before = analyze("阳泉第二监狱2026年公务接待费年初预算是多少", DOCS)
    for follow_up, period in (("决算数呢？", Period.FINAL), ("调整后的全年预算数呢？", Period.ADJUSTED),
                              ("完成预算的比例呢？", Period.COMPLETION), ("实际花了多少？", Period.FINAL)):
        q = analyze(follow_up, DOCS, context=before)
        assert q.items == before.items and q.periods == [period], follow_up
        assert "公务接待费" in q.key and "年初预算" not in q.key and "年初预算" not in q.search_text


def test_a_follow_up_of_its_part_asks_the_part_of_the_item_before():
    before = analyze("阳泉第二监狱2026年政府采购预算总额多少？", DOCS)
    q = analyze("其中货物呢？", DOCS, context=before)
    assert q.units == before.units and "政府采购" in q.items and q.key.endswith("货物") and "总额" not in q.key


def test_a_question_reads_the_same_in_every_process():
    """Items of one length overlapping (基本支出 | 支出总计) and unit forms of one length were taken in a set's order,
    which string hashing seeds per process: the same question named another item in another process."""
    import subprocess
    import sys

    code = ("from qa.lexicon import named_items; from qa.units import registry_of; from test_question import DOCS;"
            "print(named_items('基本支出总计'), named_items('本年支出合计数和支出总计'),"
            " [r.units for r in registry_of(DOCS).resolve('北京审计局机关运行经费')])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": os.pathsep.join(sys.path)}).stdout
            for seed in range(4)}
    assert len(runs) == 1 and "['基本支出']" in runs.pop()


def test_the_period_of_what_a_change_is_measured_from_is_not_asked():
    # "比2025年执行数多了多少" asks the change; the 执行数 is its base ("增加较多": 较 compares nothing)
    q = analyze("北京市国资委2026年国有资本经营预算收入为什么增加较多？比2025年执行数多了多少？", DOCS)
    assert q.intent == "reason" and q.periods == []
    assert analyze("事业单位医疗决算数为什么大于年初预算？", DOCS).periods == [Period.FINAL]


def test_a_count_named_by_what_it_counts_and_money_asked():
    assert analyze("深圳公安局2026年人员编制多少？", DOCS).measure == "人"
    assert analyze("西安市卫健委2022年会议费对应的参会人次是多少？", DOCS).measure == "人次"
    assert analyze("阳泉第二监狱2026年有几辆车？", DOCS).measure == "辆"
    assert analyze("深圳人社局2026年失业保险基金支出是多少？", DOCS).asks_money
    assert not analyze("阳泉第二监狱2026年有多少个项目支出？", DOCS).asks_money  # counted in 个


def test_what_a_list_is_of():
    assert analyze("北京国资委2026年有哪些绩效指标？", DOCS).listed == "绩效指标"
    assert analyze("阳泉第二监狱的委托业务费主要用在哪些方面？", DOCS).listed is None  # an aspect: any passage
    assert analyze("阳泉第二监狱2026年公务接待费是多少？", DOCS).listed is None


def test_a_follow_up_of_the_words_asked_before_asks_the_same_thing_another_way():
    before = analyze("阳泉第二监狱2026年编报绩效目标的项目涉及资金多少万元？", DOCS)
    q = analyze("那一共有几个项目？", DOCS, context=before)
    assert "编报绩效目标" in q.key and q.measure == "个"
    assert analyze("那公务接待费呢？", DOCS, context=before).key == "公务接待费"  # another item: its own


def test_the_years_a_project_is_named_by_are_not_the_years_asked():
    q = analyze("阳泉第二监狱的2026年-2027年信息化运维项目预算是多少？", DOCS)
    assert q.years == [] and not q.not_found
    assert analyze("阳泉第二监狱2026年2023-2026年统一安全运营服务项目预算？", DOCS).years == [2026]
    assert analyze("阳泉第二监狱2024-2025年三公经费变化多少", DOCS).years == [2024, 2025]  # no project named
