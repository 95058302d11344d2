"""Unit-name resolution: the forms people write route to their unit, and only to it; other cities, parents and
subordinates, and units that are not indexed are refused with the near names the index holds."""
import pytest

from qa.parse.meta import detect_aliases, detect_hosted
from qa.places import gazetteer
from qa.units import Status, UnitRegistry, name_forms, read_name

UNITS = {
    "北京市人力资源和社会保障局": (), "上海市发展和改革委员会": (), "深圳市住房和建设局": (),
    "上海市市场监督管理局": (), "北京市卫生健康委员会": (), "重庆市教育委员会": (), "广州市应急管理局": (),
    "北京市城市管理委员会": (), "上海市信访办公室": (), "广州市规划和自然资源局": (), "福州市医疗保障局": (),
    "中共北京市委宣传部": (), "上海市普陀区人民政府万里街道办事处": (), "上海市普陀区司法局": (),
    "北京市审计局": (), "上海市审计局": (), "深圳市财政局（本级）": (), "山西省阳泉第二监狱": (),
    "北京市公安局": (), "北京市公安局公安交通管理局": (),
    "上海市住房和城乡建设管理委员会人才开发评价中心": (),
    "北京市住房和城乡建设委员会": ("北京市住房保障办公室",),
}
REG = UnitRegistry(UNITS)


def routed(question: str) -> list[str]:
    return [u for r in REG.resolve(question) for u in r.units]


@pytest.mark.parametrize("question, unit", [
    ("北京人社局2026年三公经费是多少", "北京市人力资源和社会保障局"),
    ("上海市发改委的机关运行经费", "上海市发展和改革委员会"),
    ("上海市监局2026年公务接待费", "上海市市场监督管理局"),
    ("北京卫健委人员编制多少", "北京市卫生健康委员会"),
    ("重庆市教委的项目支出", "重庆市教育委员会"),
    ("广州应急局三公经费", "广州市应急管理局"),
    ("上海信访办2026年收入预算", "上海市信访办公室"),
    ("广州市规资局的政府采购", "广州市规划和自然资源局"),
    ("福州医保局2026年预算", "福州市医疗保障局"),
    ("北京市委宣传部三公经费", "中共北京市委宣传部"),
    ("市委宣传部的机关运行经费", "中共北京市委宣传部"),
    ("万里街道2023年预算", "上海市普陀区人民政府万里街道办事处"),
    ("普陀司法局人员经费", "上海市普陀区司法局"),
    ("深圳财政局三公经费", "深圳市财政局（本级）"),
    ("阳泉二监公务接待费", "山西省阳泉第二监狱"),
    ("北京市公安局交管局的三公经费", "北京市公安局公安交通管理局"),
    ("北京市公安局2026年三公经费", "北京市公安局"),  # the parent's name reaches the parent, not its 交管局
    ("上海住建委人才评价中心三公经费", "上海市住房和城乡建设管理委员会人才开发评价中心"),
    ("北京市住房保障办公室的三公经费", "北京市住房和城乡建设委员会"),  # its 加挂牌子
])
def test_forms_people_write_route_to_their_unit(question, unit):
    assert routed(question) == [unit]


@pytest.mark.parametrize("question, near", [
    ("北京市信访办2026年三公经费", "上海市信访办公室"),  # another city's office: never its figures
    ("苏州审计局的三公经费", "北京市审计局"),
    ("舟山市普陀区司法局人员经费", "上海市普陀区司法局"),  # 浙江 has a 普陀区 too
    ("上海住建委2026年三公经费", "上海市住房和城乡建设管理委员会人才开发评价中心"),  # parent of an indexed 中心
    ("北京市审计局信息中心的三公经费", "北京市审计局"),  # subordinate of an indexed bureau
    ("山西省太原第二监狱公务接待费", "山西省阳泉第二监狱"),
])
def test_near_but_other_units_are_refused_and_named(question, near):
    (r,) = REG.resolve(question)
    assert r.status is Status.NOT_INDEXED and r.units == [] and near in r.candidates


def test_a_name_several_units_share_is_ambiguous():
    (r,) = REG.resolve("审计局2026年三公经费是多少")
    assert r.status is Status.AMBIGUOUS and set(r.candidates) == {"北京市审计局", "上海市审计局"}


def test_two_units_in_one_question_resolve_separately():
    rs = REG.resolve("北京市审计局和上海市审计局的机关运行经费哪个多")
    assert [r.units for r in rs] == [["北京市审计局"], ["上海市审计局"]]


def test_科目编码_and_years_are_not_units():
    assert REG.resolve("2010801行政运行支出多少") == []
    assert REG.resolve("三公经费为何增加") == []


def test_a_name_is_read_into_region_org_and_parent():
    gaz = gazetteer()
    u = read_name("上海市住房和城乡建设管理委员会人才开发评价中心", gaz)
    assert [lv[0] for lv in u.region] == ["上海市"] and u.parent == "住房和城乡建设管理委员会" and u.own == "人才开发评价中心"
    street = read_name("上海市普陀区人民政府万里街道办事处", gaz)
    assert street.org == "万里街道办事处" and {"上海", "普陀区", "普陀"} <= street.places
    forms = name_forms(read_name("北京市人力资源和社会保障局", gaz))
    assert {"北京人社局", "北京市人社局", "人社局"} <= forms and "北京委" not in forms
    party = name_forms(read_name("中共北京市委宣传部", gaz))
    assert {"北京市委宣传部", "市委宣传部", "中共北京市委宣传部"} <= party and "北京委宣传部" not in party


def test_resolution_is_fast_at_ten_thousand_units():
    """Behaviour at scale, not a timing target (bench/units.py measures that): the same routes among 10,000 units."""
    gaz = gazetteer()
    cities = sorted(p.name for p in gaz.by_code.values() if p.code.endswith("00") and not p.code.endswith("0000"))
    orgs = ["审计局", "财政局", "司法局", "信访局", "人力资源和社会保障局", "发展和改革委员会", "卫生健康委员会",
            "市场监督管理局", "应急管理局", "教育局", "公安局", "民政局", "统计局", "医疗保障局", "生态环境局",
            "交通运输局", "水务局", "商务局", "科学技术局", "文化和旅游局", "农业农村局", "住房和城乡建设局",
            "自然资源和规划局", "退役军人事务局", "林业局", "体育局", "审计局机关服务中心", "档案局", "人民防空办公室",
            "机关事务管理局", "政务服务数据管理局"]
    names = {f"{c}{o}": () for c in cities for o in orgs}
    big = UnitRegistry({**dict(list(names.items())[:10000]), **UNITS})
    assert [u for r in big.resolve("福州医保局2026年预算") for u in r.units] == ["福州市医疗保障局"]
    (r,) = big.resolve("审计局2026年三公经费是多少")
    assert r.status is Status.AMBIGUOUS


def test_signboards_are_read_as_aliases():
    text = ["北京市住房和城乡建设委员会是市政府组成部门，为正局级，加挂北京市住房保障办公室牌子。",
            "内设机构：办公室、政务信息处（挂建议提案处牌子）、行政处。",
            "北京市新闻出版局加挂市人民政府新闻办公室、市电影局牌子。"]
    assert detect_aliases("北京市新闻出版局", text) == [
        "北京市住房保障办公室", "北京市人民政府新闻办公室", "北京市电影局"]


def test_bodies_set_in_the_unit_are_read_as_its_members():
    text = ["市委全面依法治市委员会办公室（简称市委依法治市办）设在市司法局，接受委员会的直接领导。",
            "此外,市推进粤港澳大湾区建设领导小组办公室设在本委。",
            "上海市域外农场管理办公室设在上海市发展和改革委员会。"]  # where the unit itself is set: not a member
    assert detect_hosted("上海市域外农场管理办公室", text) == [
        "市委全面依法治市委员会办公室", "市委依法治市办", "市推进粤港澳大湾区建设领导小组办公室"]
    reg = UnitRegistry({"北京市司法局": ()}, {"北京市司法局": ["市委全面依法治市委员会办公室", "市委依法治市办"]})
    (r,) = reg.resolve("北京市委依法治市办设在哪里？")
    assert (r.member_of, r.member) == ("北京市司法局", "市委依法治市办")


def test_a_unit_without_documents_is_searched_for_in_its_departments():
    reg = UnitRegistry({"北京市文化和旅游局": (), "广州市卫生健康委员会": ()}, {"北京市文化和旅游局": ["首都图书馆", "北京画院"]})
    (r,) = reg.resolve("首都图书馆2026年三公经费是多少")  # listed in the department's 单位构成
    assert r.status is Status.NOT_INDEXED and r.member_of == "北京市文化和旅游局" and r.candidates[0] == "北京市文化和旅游局"
    assert (r.under, r.member) == (["北京市文化和旅游局"], "首都图书馆")
    (r,) = reg.resolve("广州市卫健委广州血液中心专用卫生材料2026年预算多少？")  # named after the unit it belongs to
    assert r.status is Status.NOT_INDEXED and r.member_of is None
    assert (r.under, r.member) == (["广州市卫生健康委员会"], "广州血液中心")
    (r,) = reg.resolve("广州市审计局2026年三公经费是多少")
    assert r.status is Status.NOT_INDEXED and r.under == []  # another unit, not one under an indexed one
    assert [u for r in reg.resolve("北京市文旅局2026年三公经费") for u in r.units] == ["北京市文化和旅游局"]


@pytest.mark.parametrize("question", [
    "杭州市气象局气象设施维护及科普项目的站点维护数量目标是多少？",
    "万里街道新建万里街道社区公共服务中心项目2023年资金总额多少元？",
    "长沙职业教育基地综合协调办公室水电气项目基地各院校人员满意度要达到多少？",
])
def test_a_project_named_after_its_unit_is_the_units_not_a_body_under_it(question):
    reg = UnitRegistry({"杭州市气象局": (), "上海市普陀区人民政府万里街道办事处": (), "长沙职业教育基地综合协调办公室": ()})
    (r,) = reg.resolve(question)
    assert r.status is Status.ROUTED and r.member is None and len(r.units) == 1


def test_a_division_inside_a_unit_routes_to_the_unit():
    # 办公室 and a 处 inside a bureau are spoken of in its documents; a body under it (支队, 中心) is not routed so
    assert routed("广州应急管理局办公室还挂了什么牌子？") == ["广州市应急管理局"]
    assert routed("深圳市住建局建设科技和信息化处还挂什么牌子？") == ["深圳市住房和建设局"]
    assert REG.resolve("淮安市人大常委会办公室2026年公务接待费")[0].status is not Status.ROUTED  # a place, no unit


def test_question_words_and_generic_words_are_no_part_of_a_name():
    assert routed("广州市应急管理局内设机构除了办公室还有哪些处？") == ["广州市应急管理局"]
    assert [r.mention for r in REG.resolve("上海市信访办公室的委托业务费用在哪些方面？")] == ["上海市信访办公室"]
    assert REG.resolve("那补助区县的部分呢？") == [] and routed("深圳市住建局2026年行政复议、赔偿案件办案工作经费多少？") == [
        "深圳市住房和建设局"]


def test_words_after_a_name_are_no_second_unit():
    # 和 joins a second unit only right before it; 的 leads to a body only when what follows is one
    assert [r.mention for r in REG.resolve("北京市公安局2026年十五运会和残特奥会北京赛区筹办经费是多少？")] == ["北京市公安局"]
    assert routed("截至2025年底上海市信访办公室的离退休干部用车有几辆？") == ["上海市信访办公室"]
    assert len(REG.resolve("北京市审计局2026年三公经费与苏州审计局相比")) == 2  # joined: a second unit, refused


def test_a_name_without_its_place_takes_the_place_the_question_names():
    assert routed("北京市人社局和市审计局的三公经费对比") == ["北京市人力资源和社会保障局", "北京市审计局"]
    assert REG.resolve("市审计局2026年三公经费")[0].status is Status.AMBIGUOUS  # no place named: which one
