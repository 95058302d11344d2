"""Who published a disclosure, for which year, and what kind it is."""
from __future__ import annotations

import re
from collections import Counter

from ..model import Table
from .tables import UNIT_LINE, UNIT_NAME

_TITLE = re.compile(
    r"^(?:20\d\d年度?)?(?P<unit>.+?)(?:20\d\d年度?)?(?:区级|市级|省级|县级)?(?:部门|单位)?(?:预算|决算)"
)
_YEAR = re.compile(r"(20\d\d)\s*年")
_NOT_UNIT = re.compile(r"^(?:万元|元|千元|亿元|年度?|部门|单位|\d+|第[一二三四五六七八九十]+部分.*|目录.*)$")
_NAME_LABELS = ("部门名称", "单位名称", "预算单位", "预算主管部门")
# "加挂北京市住房保障办公室牌子", "挂重庆市外国专家局牌子", "加挂市人民政府新闻办公室、市电影局牌子": other names the
# unit itself goes by. A name in brackets after an internal office ("政务信息处（挂…牌子）") is that office's.
_SIGNBOARDS = re.compile(r"(?<![（(])(?:加挂|挂|保留)[“\"]?([\u4e00-\u9fff、（）()“”\"]{3,80}?)[”\"]?(?:的)?(?:两块|三块)?牌子")
_ALIAS_NAME = re.compile(r"^[\u4e00-\u9fff]{3,30}(?:局|委员会|办公室|办|厅|署|院|中心|室)$")
# "北京市人民政府办公厅主要职责包括：" opening the 职责 part: the unit, where no cover or label names it
_DUTIES = re.compile(r"^(?:本部门|本单位)?([\u4e00-\u9fff（）()]{4,30}?)(?:的)?(?:主要职责|主要职能|职能职责)(?:包括|是|为|如下)?[：:]")


def clean_unit(name: str) -> str | None:
    name = re.sub(r"\s+", "", name).strip("：:，,。 ")
    name = re.sub(r"^(?:20\d\d年?度?)|(?:20\d\d)?年?度?$|部门$", "", name)
    if len(name) < 3 or _NOT_UNIT.match(name) or re.search(r"\d{3,}", name):
        return None
    return name


def title_of(first_lines: list[str]) -> str:
    """The disclosure's title: the opening lines up to the one naming 预算/决算."""
    picked: list[str] = []
    for line in first_lines[:8]:
        picked.append(line)
        if re.search(r"预\s*算|决\s*算", line) and not re.fullmatch(r"(预算|决算)?\d+表.*", line):
            break
    else:
        picked = first_lines[:2]
    return re.sub(r"\s+", "", "".join(picked))


def unit_from_title(title: str) -> str | None:
    # "淮安市九届人大六次会议文件关于淮安市2025年预算执行情况…的报告": the report is about what follows 关于
    m = _TITLE.search(re.sub(r"目录.*|^.*?关于", "", title))
    return clean_unit(m.group("unit")) if m else None


def detect_unit(title: str, lines: list[str], tables: list[Table], file_stem: str) -> str | None:
    """Labelled names (单位名称：…, 预算主管部门：…) win over the title; the file name is the last resort."""
    votes: Counter[str] = Counter()
    for line in lines:
        for m in UNIT_NAME.finditer(line):
            if (name := clean_unit(m.group(1))) and not UNIT_LINE.search("单位：" + name):
                votes[name] += 1
    for t in tables:
        if t.unit_name and (name := clean_unit(t.unit_name)):
            votes[name] += 1
        for f in t.fields:
            if f.label in _NAME_LABELS and (name := clean_unit(f.value)):
                votes[name] += 1
        for r in t.rows[:3]:
            if r.label in _NAME_LABELS and r.cells and (name := clean_unit(r.cells[0].raw)):
                votes[name] += 1
    titled = unit_from_title(title)
    if not votes and not titled:
        for line in lines:
            if (m := _DUTIES.match(line)) and (name := clean_unit(m.group(1))):
                return name
    if votes:
        name, n = votes.most_common(1)[0]
        # one labelled mention in prose ("收费部门：北京市自来水集团") does not outweigh the cover
        if n >= 2 or not titled:
            return name
    return titled or unit_from_title(file_stem)


def detect_aliases(unit: str | None, paragraphs: list[str]) -> list[str]:
    """Names the document gives its unit besides the printed one: its signboards (加挂牌子), written in full where the
    text leaves the place to the reader ("市电影局" of 北京市新闻出版局 → 北京市电影局)."""
    if not unit:
        return []
    place = re.match(r"^(?:中国共产党|中共)?(.{2,}?[省市])?(.{2,}?[区县])?", unit)
    found: list[str] = []
    for text in paragraphs:
        for m in _SIGNBOARDS.finditer(re.sub(r"\s+", "", text)):
            # "市新闻出版局（市版权局）、市电影局": every name, the bracketed one too
            for name in re.split(r"[、和及（()）]", re.sub(r"[“”\"]", "", m.group(1))):
                if not _ALIAS_NAME.match(name) or name == unit:
                    continue
                if name[0] in "省市" and place and place.group(1):
                    name = place.group(1) + name[1:]
                elif name[0] in "区县" and place and place.group(2):
                    name = (place.group(1) or "") + place.group(2) + name[1:]
                found.append(name)
    return list(dict.fromkeys(found))


# "北京市文化和旅游局下属14个预算单位，分别为北京市文化和旅游局本级、首都图书馆、北京画院、…": the units a
# department's budget covers (单位构成, 编制范围) — not the unit itself, but where a question about one of them belongs
_MEMBERS_SAID = re.compile(r"预算单位|下属单位|所属单位|二级单位|单位构成|部门构成|编制范围")
_MEMBERS_FROM = re.compile(r".*(?:分别为|分别是|包括|如下|[：:])")
_MEMBER_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{3,30}?(?:中心|馆|院|所|站|队|校|学院|医院|局|处|办公室|委员会|团|社|场)$")


def detect_members(unit: str | None, paragraphs: list[str]) -> list[str]:
    """The units a department's budget covers, as its 单位构成 lists them (its own 本级 left out)."""
    found: list[str] = []
    for text in paragraphs:
        for sentence in re.split(r"[。；]", re.sub(r"\s+", "", text)):
            if not _MEMBERS_SAID.search(sentence) or not _MEMBERS_FROM.match(sentence):
                continue
            listed = re.sub(r"[（(][^）)]*[）)]", "", _MEMBERS_FROM.sub("", sentence, count=1))  # other names aside
            for name in re.split(r"[、，,]", listed):
                if _MEMBER_NAME.match(name) and not name.endswith("本级") and name != unit:
                    found.append(name)
    return list(dict.fromkeys(found))


# "市委全面依法治市委员会办公室（简称市委依法治市办）设在市司法局", "…领导小组办公室设在本委": a body the unit hosts,
# which a question names as if it were a unit of its own; the clause before 设在 is its name, the bracket its short one
_HOSTED = re.compile(r"(?P<name>[\u4e00-\u9fff]{4,30}?(?:办公室|委员会|小组|办))(?:[（(](?:以下)?简称[“\"]?(?P<short>[\u4e00-\u9fff]{3,15})"
                     r"[”\"]?[）)])?设在")


def detect_hosted(unit: str | None, paragraphs: list[str]) -> list[str]:
    """The bodies the unit's own text says are set in it (设在), by their names and short names; not the unit itself
    where it says where it is set ("上海市域外农场管理办公室设在上海市发展和改革委员会")."""
    found: list[str] = []
    for text in paragraphs:
        for m in _HOSTED.finditer(re.sub(r"\s+", "", text)):
            name = re.sub(r"^(?:此外|同时|另外)", "", m.group("name"))
            if name != unit:
                found += filter(None, (name, m.group("short")))
    return list(dict.fromkeys(found))


def detect_year(title: str, lines: list[str], file_stem: str, kind: str | None) -> int | None:
    """The year the disclosure is for: the title's, else a bare year line on the cover, else the text's.

    A 预算 names its own year and the year before ("比2025年增加"), so the latest year named more than once
    wins; a 决算 names its year most often.
    """
    if m := re.search(r"20\d\d", title):
        return int(m.group(0))
    for line in lines[:10]:
        if re.fullmatch(r"(20\d\d)\s*年?度?", line):
            return int(line[:4])
    for text in (" ".join(lines[:60]), " ".join(lines)):
        years = Counter(int(y) for y in _YEAR.findall(text))
        if years:
            repeated = [y for y, n in years.items() if n >= 2]
            return max(repeated) if kind == "预算" and repeated else years.most_common(1)[0][0]
    m = re.search(r"20\d\d", file_stem)
    return int(m.group(0)) if m else None


def detect_kind(title: str, tables: list[Table]) -> tuple[str | None, str | None]:
    text = title + " ".join(t.title for t in tables[:5])
    kind = "决算" if "决算" in text else ("预算" if "预算" in text else None)
    scope = "单位" if re.search(r"单位(预算|决算)", title) else ("部门" if "部门" in title else None)
    return kind, scope
