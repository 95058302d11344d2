"""Unit-name resolution: which indexed unit a question means, named the way people name units.

People write 人社局 for 人力资源和社会保障局, 普陀司法局 for 上海市普陀区司法局, 市委宣传部 for 中共X市委宣传部,
万里街道 for X区人民政府万里街道办事处, 刑科院 for 刑事科学技术研究院. The registry reads every indexed unit's printed
name once into region › organisation › parent and generates the forms people write (a lexicon of standard short
forms, short suffixes, word initials) and the names its documents give it (加挂牌子); resolution then
1. finds the unit mentions of a question: organisation-shaped runs, joined by the exact forms they overlap
   (one Aho-Corasick pass), question words before a name's first place dropped,
2. takes a mention's exact form, else candidates sharing most of its characters in order (rapidfuzz),
   scored by aligning organisation parts (every character of the mention in the name, most of the name's
   weight covered),
3. under hard constraints: every place named is the unit's and the most specific one its own (北京市信访办 is never
   上海市信访办公室, 上海司法局 not 上海市普陀区司法局), numerals agree (太原第二监狱 ≠ 太原第一监狱), the mention ends in the
   unit's kind of body (a 中心 is not its parent 局, a 办公厅 not a 办公室), a subordinate's own part is named,
4. routes to one clear winner; a name several units share is ambiguous ("您指的是…？"); none is "not indexed", with
   the near names the index does hold.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from itertools import product
from typing import Iterable

import ahocorasick
import jieba
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from .places import Gazetteer, gazetteer, level

# --- reading a printed name -------------------------------------------------------------------------------------

_PARTY = re.compile(r"^(?:中国共产党|中共)")
_QUALIFIER = re.compile(r"[（(][^）)]*[）)]")  # 本级, 汇总, 部门: how the unit reports, not who it is
# The end of an organisation's own name; a name running past one with an institution's suffix names a subordinate
# (住房和城乡建设管理委员会|人才开发评价中心, 公安局|交通警察支队).
_PARENT_END = re.compile(r"委员会|管理局|局|厅|委|署")
_PROJECT = re.compile(r"项目")
_DIVISION = re.compile(r"(?:办公室|[\u4e00-\u9fff]{1,10}[处室科])$")  # 办公室, 人事处, 政策研究室
_SUBORDINATE = re.compile(r"(?:中心|支队|总队|大队|分局|管理局|管理处|管理所|处|所|站|院|馆|学校|学院|医院|监狱|队)$")
_LEVEL_CHAR = re.compile(r"[省市区县]$")
_PARTY_COMMITTEE = re.compile(r"(?:中国共产党|中共)([\u4e00-\u9fff]{2,}?[省市区县])委员会(?=[\u4e00-\u9fff])")
# The word a body's name ends in: a 局 is not a 中心, a 办公厅 not a 办公室, a 大学 not its 附属学校. A mention ends in
# the name's own word, a longer or shorter one of the same (管理局 ≈ 局, 研究院 ≈ 院), or its short form (委员会 → 委).
_SUFFIX_WORD = re.compile(
    r"(?:委员会|办公厅|办公室|办事处|管理局|人民政府|中心|研究院|研究所|学院|医院|检察院|法院|大学|学校|中学|小学|支队|总队|"
    r"大队|分局|监狱|联合会|协会|街道|局|厅|委|办|院|所|队|站|馆|署|部|处|室|团|会|监)$")
_SHORT_SUFFIX = {("委员会", "委"), ("办公室", "办"), ("办公厅", "办"), ("办事处", "办"), ("监狱", "监"), ("人民政府", "政府")}
# "全国人大常委会办公厅", "国家信访局": a national body, in no province
_NATIONAL = re.compile(r"^(?:全国|国家|中央)")

# Standard short forms of the words unit names are made of (what people write: 人社局, 发改委, 卫健委 …).
# A word absent here still gets the first characters of its 和-joined parts (文化和旅游 → 文旅).
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "人力资源和社会保障": ("人社", "人力社保"),
    "发展和改革": ("发改", "发展改革"),
    "住房和城乡建设管理": ("住建", "住房城乡建设"),
    "住房和城乡建设": ("住建", "住房城乡建设"),
    "市场监督管理": ("市场监管", "市监"),
    "卫生健康": ("卫健",),
    "卫生和计划生育": ("卫计",),
    "教育委员会": ("教委",),
    "应急管理": ("应急",),
    "城市管理和综合执法": ("城管执法", "城管"),
    "城市管理综合行政执法": ("城管执法", "城管"),
    "城市管理": ("城管",),
    "规划和自然资源": ("规资", "规划资源", "规自", "规划"),
    "规划和国土资源": ("规土", "规划国土"),
    "医疗保障": ("医保",),
    "生态环境": ("环保", "生态环境"),
    "文化广电旅游体育": ("文广旅体",),
    "文化广电和旅游": ("文广旅", "文旅"),
    "文化和旅游": ("文旅",),
    "交通运输": ("交通",),
    "科学技术": ("科技",),
    "科技创新": ("科创",),
    "交通委员会": ("交委",),
    "交通管理": ("交管",),
    "医疗保险": ("医保",),
    "福利彩票": ("福彩",),
    "经济和信息化": ("经信",),
    "工业和信息化": ("工信",),
    "机关事务管理": ("机关事务", "机管"),
    "国有资产监督管理": ("国资",),
    "人民防空": ("人防",),
    "退役军人事务": ("退役军人",),
    "政务服务和数据管理": ("政数",),
    "政务服务数据管理": ("政数",),
    "地方金融监督管理": ("金融监管", "金融"),
    "人民政治协商会议": ("政协",),
    "人民检察院": ("检察院",),
    "人民法院": ("法院",),
    "交通警察": ("交警",),
    "交通管理局": ("交警", "交管局"),  # 北京交警 = 北京市公安局交通管理局
    "人民政府办公厅": ("政府办公厅", "政府办", "府办"),
    "人民政府办公室": ("政府办公室", "政府办", "府办"),
    "人民政府": ("政府", ""),  # 普陀区人民政府外事办公室 → 普陀区政府外事办 → 普陀区外事办
}
# Suffix forms: 信访办公室 → 信访办, 发展和改革委员会 → 发展和改革委, 万里街道办事处 → 万里街道办 / 万里街道.
SUFFIX_FORMS: tuple[tuple[str, str], ...] = (
    ("委员会", "委"), ("办公室", "办"), ("办公厅", "办"), ("街道办事处", "街道办"), ("街道办事处", "街道"), ("办事处", "办"),
    ("事业管理中心", "中心"),  # 上海市医疗保险事业管理中心 → 上海医保中心
)
_JOINED = re.compile(r"^([\u4e00-\u9fff]{2,4})和([\u4e00-\u9fff]{2,4})(委员会|局|厅|办公室)$")
_NUMERAL = re.compile(r"[一二三四五六七八九十\d]")
_MIN_FORM = 3  # shorter forms (政府, 街道) name nothing by themselves
_NONE = np.array([], dtype=np.int64)


@dataclass(frozen=True)
class UnitName:
    """A printed unit name read into parts, once, when the registry is built.

    key:     '上海市住房和城乡建设管理委员会人才开发评价中心' — the name without a bracket saying how it reports
             ('深圳市财政局（本级）' → '深圳市财政局') or 中共; documents of one key are one unit
    party:   True for a party committee's organ, '中共江苏省委办公厅' or '江苏省委办公厅' (forms with and without 中共)
    region:  (('上海市', '上海'),) — the places the name starts with, each as the division's full and short name
    org:     '住房和城乡建设管理委员会人才开发评价中心' — the rest (a 街道's '人民政府' dropped)
    parent:  '住房和城乡建设管理委员会' when the name shows one, else None; own: '人才开发评价中心'
    places:  every way to write the places it lies in, provinces and cities above included (上海, 上海市)
    deepest: the most specific of them (上海市普陀区司法局: 普陀区, 普陀): "上海司法局" does not name it
    kind:    the word its name ends in ('中心'): a mention ending in another kind of word names another body
    """

    key: str
    party: bool
    region: tuple[tuple[str, str | None], ...]
    org: str
    parent: str | None
    own: str | None
    places: frozenset[str]
    deepest: frozenset[str]  # the most specific place it lies in, as written in full and short: 普陀区, 普陀
    kind: str | None  # the word its name ends in: 局, 委员会, 办公厅, 中心 …


def canonical(text: str) -> str:
    """The written-out forms people shorten anyway: 中国共产党北京市委员会宣传部 → 中共北京市委宣传部,
    江苏省人民代表大会常务委员会办公厅 → 江苏省人大常委会办公厅 (applied to printed names and mentions alike)."""
    text = _PARTY_COMMITTEE.sub(r"中共\1委", text)
    return text.replace("中国共产党", "中共").replace("人民代表大会常务委员会", "人大常委会")


def split_bracket(name: str) -> tuple[str, str | None]:
    """'深圳市财政局（本级）' → ('深圳市财政局', None): the bracket says how it reports; '上海市统计和大数据研究院
    （上海市统计数据管理中心）' → (…研究院, '上海市统计数据管理中心'): the bracket is its other name."""
    bracket = _QUALIFIER.search(name)
    plain = _QUALIFIER.sub("", name) or name
    inner = bracket.group(0)[1:-1] if bracket else ""
    return plain, inner if len(inner) >= 4 and _SUFFIX_WORD.search(inner) else None


def read_name(name: str, gaz: Gazetteer) -> UnitName:
    printed = canonical(split_bracket(name)[0])
    key = _PARTY.sub("", printed)  # 中共江苏省委办公厅 and 江苏省委办公厅 (its text file) are one unit
    hits = gaz.leading(key)
    org = key[hits[-1].end if hits else 0:]
    party = key != printed or org.startswith("委")  # a party committee's organ: 省委办公厅, 市委宣传部
    if org.startswith("人民政府") and re.search(r"(街道|镇|乡)(办事处)?$", org):
        org = org[len("人民政府"):]  # 普陀区人民政府万里街道办事处: the 街道 is the unit
    codes = gaz.consistent(hits)
    # each level as the division's full and short name, however the name prints it (长沙职业教育… → 长沙市, 长沙)
    region = tuple(next(((p.name, p.short) for p in h.places if p.code in codes), (h.text, None)) for h in hits)
    places = gaz.names_around(gaz.consistent(gaz.find(key)))
    deepest = {n for c in codes if level(c) == max(map(level, codes)) for n in gaz.names_of(c)} if codes else set()
    parent = own = None
    for m in _PARENT_END.finditer(org):
        tail = org[m.end():]
        if len(tail) >= 3 and _SUBORDINATE.search(tail):
            parent, own = org[: m.end()], tail
            break
    return UnitName(key, party, region, org, parent, own, frozenset(places), frozenset(deepest), suffix_word(key))


def suffix_word(name: str) -> str | None:
    m = _SUFFIX_WORD.search(_QUALIFIER.sub("", name))
    return m.group(0) if m else None


def same_kind(said: str | None, printed: str | None) -> bool:
    """A mention ending in `said` can name a body whose name ends in `printed` (see _SUFFIX_WORD)."""
    return (not said or not printed or said == printed or said.endswith(printed) or printed.endswith(said)
            or (printed, said) in _SHORT_SUFFIX or (said, printed) in _SHORT_SUFFIX)


def _org_forms(org: str) -> set[str]:
    """'人力资源和社会保障局' → {人力资源和社会保障局, 人社局, 人力社保局}: short words, then short suffixes."""
    forms = {org}
    for long, shorts in SHORT_FORMS.items():
        forms |= {f.replace(long, s) for f in forms if long in f for s in shorts}
    if m := _JOINED.match(org):
        forms.add(m.group(1)[0] + m.group(2)[0] + m.group(3))
    for long, short in SUFFIX_FORMS:
        forms |= {f[: -len(long)] + short for f in forms if f.endswith(long)}
    return forms


@lru_cache(maxsize=None)
def _words(org: str) -> tuple[str, ...]:
    jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict…" on every start
    return tuple(w for w in jieba.lcut(org) if w not in "和与及")


def initials(org: str) -> str:
    """'刑事科学技术研究院' → '刑科院', '食品药品安全委员会办公室' → '食安委办': the first character of each word and the
    body's own short suffix — how people shorten names no standard short form covers (jieba finds the words)."""
    words = _words(org)
    if not words:
        return org
    last = words[-1]
    tail = next((short for long, short in _SHORT_SUFFIX if last == long), None) or last[-1]
    return "".join(w[0] for w in words[:-1]) + tail


def _region_forms(region: tuple[tuple[str, str | None], ...]) -> set[str]:
    """(('上海市', '上海'), ('普陀区', '普陀')) → 上海市普陀区, 上海普陀, 普陀区, 普陀, '' …: each level as printed or
    short, the province or every level dropped."""
    spans = {region, region[1:], region[-1:], ()}
    return {"".join(parts) for span in spans for parts in product(*[[p for p in level if p] for level in span])}


def name_forms(u: UnitName, self_names: Iterable[str] = ()) -> set[str]:
    """Every way the registry expects people to write this unit (exact forms; anything else goes fuzzy)."""
    forms: set[str] = {u.key, *self_names}
    level = _LEVEL_CHAR.search(u.region[-1][0]).group(0) if u.region and _LEVEL_CHAR.search(u.region[-1][0]) else ""
    # a subordinate with or without its parent: 北京市公安局交通管理局, 北京市公安局交管局, 北京市交管局
    orgs = {p + o for p in _org_forms(u.parent) | {""} for o in _org_forms(u.own)} if u.parent else _org_forms(u.org)
    for reg, org in product(_region_forms(u.region), orgs):
        if u.party and org.startswith("委"):
            # 中共北京市委宣传部 → 北京市委宣传部, 市委宣传部, 北京市宣传部; never 北京委宣传部
            if _LEVEL_CHAR.search(reg):
                forms |= {reg + org, reg + org[1:]}
            elif not reg:
                forms.add(level + org)
            continue
        forms.add(reg + org)
    if u.party:
        forms.add("中共" + u.key)
    # a form of generic words alone (办公室 of 区政府办公室, 人民政府) names no unit in particular
    return {f for f in forms if len(f) >= _MIN_FORM and not set(f) <= _GENERIC}


# --- the registry -----------------------------------------------------------------------------------------------

class Status(StrEnum):
    ROUTED = "routed"  # one unit: its documents are searched
    AMBIGUOUS = "ambiguous"  # several indexed units fit equally: the answer asks which
    NOT_INDEXED = "not_indexed"  # no indexed unit is the one named: the answer says so and names near ones


@dataclass
class Resolution:
    """What one unit mention in a question resolves to.

    mention:    '福州医保局' — as the question writes it
    status:     Status.ROUTED
    units:      ['福州市医疗保障局'] — the printed names of the one unit routed to (a unit printed with and without
                （本级） has both), empty unless routed
    candidates: ['北京市审计局', '上海市审计局'] — unless routed: the units it may mean, or the near names indexed
    member_of:  '北京市文化和旅游局' — not indexed, but listed in that indexed department's 单位构成 (首都图书馆)
    under:      ['广州市卫生健康委员会'] — not indexed, but named after an indexed unit it belongs to (广州市卫健委|广州血液
                中心), or listed in its 单位构成: the printed names of that unit, whose documents may print it
    member:     '广州血液中心' — the words naming the unit under it, as the question writes them
    """

    mention: str
    status: Status
    units: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    member_of: str | None = None
    under: list[str] = field(default_factory=list)
    member: str | None = None


@dataclass(frozen=True)
class ResolveSettings:
    """Every tolerance of resolution in one place."""

    min_precision: float = 0.9  # share of the mention's characters the name has in order (_match)
    min_recall: float = 0.4  # share of the unit's weight the mention covers (阳泉二监 covers 0.55 of 山西省阳泉第二监狱)
    min_recall_cut: float = 0.7  # the same, for a mention cut out of a longer run of characters no unit uses
    margin: float = 0.25  # candidates within this of the best score are equally meant: ambiguous
    min_own_recall: float = 0.5  # a subordinate is meant only when the mention covers this much of its own part
    pool: int = 20  # rapidfuzz pre-filter: candidates kept for the weighted alignment
    pool_lcs: float = 0.6  # …each sharing at least this share of the mention's characters in order
    max_candidates: int = 5  # names offered when not routed
    min_near: float = 0.75  # a near name explains this much of the mention's organisation, or is named this fully


# An organisation-shaped run: ends in a suffix units use, ≥ 3 characters.
_ORG = re.compile(
    r"([\u4e00-\u9fff（）()]{1,24}?(?:委员会|办事处|人民政府办公厅|人民政府|办公厅|办公室|中心|监狱|[一二三四五六七八九十\d]监(?!狱)"
    r"|局|厅|委|院|所|队|站|馆|联合会|协会|学校|大学|医院|街道|办|署|部(?!门)|室|团|校))"
)
# A run counts as naming a unit when it has a place marker or a strong suffix ("办公费和委" does not).
_PLACE_MARK = re.compile(r"省|市|区|县|国家|中央|中共|自治")
_STRONG_SUFFIX = re.compile(r"(局|委员会|办公厅|办公室|监狱|监|厅|办事处|人民政府|街道|医院|学校|校|大学|中心)$")
# Words no unit name holds: a run holding them is a question's words ending like a name
_ASKING = re.compile(r"多少|几[个家项名人]|什么|哪些|哪个|哪里|是否|有没有|怎么|如何|设有|下设|内设|设在|除了|还有|还挂|承担|要求|"
                     r"达到|目标")
_JOINING = re.compile(r"和|与|及|、|比|对比|较|同|跟")
_JOINED_BEFORE = re.compile(rf"(?:{_JOINING.pattern})\s*$")
# Words that precede a name without being part of it: "按阳泉第二监狱…", "国家信访局和北京市审计局".
_FUNCTION_WORD = re.compile(r"^(按照|按|根据|据|在|对于|对|给|从|把|跟|和|与|及|向|由|将|看|查|那)")
_LEAD = re.compile(r"^(请问|请|帮我查|查一下|查询|我想知道|想知道|告诉我|问一下|关于)")
_DATES = re.compile(r"(截至|截止|到)?\s*(?<!\d)20\d\d(?!\d)\s*年?度?\s*(底|末|\d{1,2}\s*月(\s*\d{1,2}\s*日|底|末)?)?")
_GENERIC = set("省市区县自治州盟旗局委员会办公室厅部门单位中心人民政府街道处所院队站中华共和国")


def _weights(keys: Iterable[str]) -> dict[str, float]:
    """Character weights: rare characters identify a unit, 局/市/委 do not."""
    keys = set(keys)
    df = Counter(ch for k in keys for ch in set(k))
    n = max(len(keys), 1)
    return {ch: (0.15 if ch in _GENERIC else math.log(1 + n / c) + 0.5) for ch, c in df.items()}


def align(mention: str, unit: str, w: dict[str, float]) -> tuple[float, float]:
    """(share of the mention explained by the unit, share of the unit's weight the mention covers).

    In-order character matching tolerates abbreviations: 阳泉二监 ≈ 山西省阳泉第二监狱, 苏州审计局 ≈ 苏州市审计局.
    """
    m, u = len(mention), len(unit)
    dp = [[0.0] * (u + 1) for _ in range(m + 1)]
    for i in range(m):
        for j in range(u):
            if mention[i] == unit[j]:
                dp[i + 1][j + 1] = dp[i][j] + w.get(unit[j], 1.0)
            else:
                dp[i + 1][j + 1] = max(dp[i][j + 1], dp[i + 1][j])
    matched = dp[m][u]
    m_total = sum(w.get(ch, 2.0) for ch in mention) or 1.0
    u_total = sum(w.get(ch, 1.0) for ch in unit) or 1.0
    return matched / m_total, matched / u_total


@dataclass(frozen=True)
class _Said:
    """A mention's places (and the most specific of them), national marker, suffix word and numerals."""

    places: frozenset[str]
    deepest: frozenset[str]
    national: bool
    suffix: str | None
    numerals: frozenset[str]


@dataclass(frozen=True)
class _Choice:
    """A name fuzzy matching may land on: a unit's printed name or one its documents give it (加挂牌子)."""

    text: str
    key: str
    kind: str | None
    # what a mention's organisation part is aligned with, read once: the name's organisation part, for a unit's own
    # name also its most shortened form with every place kept (上海市住建委人才开发评价中心 → 住建委人才开发评价中心),
    # and the initials of its organisation part (刑科院) and of the whole name (上科大附校)
    aligned: tuple[str, ...]


class UnitRegistry:
    """The index's units and the forms people write them in; `resolve` reads a question's unit mentions."""

    def __init__(self, units: dict[str, Iterable[str]], members: dict[str, Iterable[str]] | None = None,
                 settings: ResolveSettings = ResolveSettings()):
        """units: printed name → names the unit's documents give it besides (加挂牌子, cover names);
        members: printed name → the units its budget covers (单位构成), which questions may name instead."""
        self.settings = settings
        self.gaz = gazetteer()
        self.names: dict[str, list[str]] = {}  # key → printed names
        self.parsed: dict[str, UnitName] = {}
        self.choices: list[_Choice] = []
        forms: dict[str, set[str]] = {}
        for name, self_names in units.items():
            u = read_name(name, self.gaz)
            self.names.setdefault(u.key, []).append(name)
            if u.key in self.parsed:
                continue
            self.parsed[u.key] = u
            others = sorted(n for n in {*self_names, split_bracket(name)[1]} if n)  # sorted: a set's order is seeded per process
            own_forms = name_forms(u)
            for f in own_forms | {f for n in others for f in name_forms(read_name(n, self.gaz))}:
                forms.setdefault(f, set()).add(u.key)
            # heavy abbreviations align with the most shortened form where the printed name is too long to cover
            shortest = "".join(min(_org_forms(p), key=lambda f: (len(f), f)) for p in ((u.parent, u.own) if u.parent else (u.org,)))
            self.choices += [self._choice(u.key, u.key, shortest)] + [
                self._choice(n, u.key) for n in sorted({read_name(n, self.gaz).key for n in others})]
        self.keys = list(self.parsed)
        self._members: dict[str, str] = {}  # a form of a member unit → the key of the department listing it
        for name, listed in (members or {}).items():
            key = read_name(name, self.gaz).key
            for member in listed:
                for f in name_forms(read_name(member, self.gaz)):
                    self._members.setdefault(f, key)
        self.by_place: dict[str, list[str]] = {}  # a place → the units whose most specific place it is
        for k, u in self.parsed.items():
            for name in u.deepest:
                self.by_place.setdefault(name, []).append(k)
        self.weights = _weights(self.keys)
        self.chars = set("".join(self.keys))
        self._choice_texts = [c.text for c in self.choices]
        by_char: dict[str, list[int]] = {}
        for i, c in enumerate(self.choices):
            for ch in set(c.aligned[0]):
                by_char.setdefault(ch, []).append(i)
        self._by_char = {ch: np.array(ids, dtype=np.int64) for ch, ids in by_char.items()}
        self._forms = ahocorasick.Automaton()
        for f, keys in forms.items():
            self._forms.add_word(f, (f, frozenset(keys)))
        if forms:
            self._forms.make_automaton()
        self._has_forms = bool(forms)

    def _choice(self, name: str, key: str, shortest: str | None = None) -> _Choice:
        org = self._org_part(name)
        return _Choice(name, key, suffix_word(name), (org, *filter(None, [shortest]), initials(org), initials(name)))

    # the question's mentions

    def _form_hits(self, body: str) -> list[tuple[int, int]]:
        if not self._has_forms:
            return []
        found = sorted(((e - len(f) + 1, e + 1) for e, (f, _) in self._forms.iter(body)), key=lambda h: (h[0] - h[1], h[0]))
        taken: list[tuple[int, int]] = []
        for h in found:
            if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
                taken.append(h)
        return sorted(taken)

    def _as_name(self, run: str, after: str = "") -> str:
        """A run as the name it holds: what precedes its first place is no part of a name (对比一下|上海市…, 能否告诉我|
        北京市…) unless it is 中共/国家; 的 after a place is speech (上海的财政局). `after`: the words that follow it."""
        places = self.gaz.find(run)
        if places and places[0].start > 0 and not re.search(r"(中共|国家|全国)$", run[: places[0].start]):
            run, places = run[places[0].start:], self.gaz.find(run[places[0].start:])
        for h in reversed(places):
            if run[h.end:h.end + 1] == "的":
                run = run[: h.end] + run[h.end + 1:]
        # 杭州市气象局|气象设施维护及科普项目的站点, 万里街道|新建万里街道社区公共服务中心项目: a project of the unit named
        # before it, not a body under it (a name holding 项目 is kept where the index has it whole)
        project = _PROJECT.search(run)
        at = project.start() if project else len(run) if _PROJECT.match(after) else None
        if at is not None and not self._exact(run):
            run = next((run[:end] for end in range(at, _MIN_FORM - 1, -1)
                        if (exact := self._exact(run[:end])) and exact[0] == run[:end]), run)
        # 广州交通局|局本部, 市财政局|本级: the unit's own headquarters, no other body
        run = re.sub(r"(?<=[局委厅办院])(?:[局委厅办院]?(?:本部|本级|机关本级))$", "", run)
        if "的" in run:  # 上海市卫健委直属的中医文献馆: the body after 的, in the places named before it
            tail = run[run.rindex("的") + 1:]
            lead = self.gaz.leading(run)
            if lead and not (_STRONG_SUFFIX.search(tail[1:]) or _SUBORDINATE.search(tail[1:])):
                # 重庆市商务委员会的委|托业务费, 上海水产老干部活动室的离退休干部|用车: the words after the name, no body
                return run[: run.rindex("的")]
            run = tail if self.gaz.leading(tail) or not lead else run[: lead[-1].end] + tail
        return run

    def mentions(self, text: str) -> list[str]:
        """The runs of a question that name units, in order, as names (see _as_name).

        Organisation-shaped runs that touch are one name (上海住建委|人才评价中心 names the 中心); an exact form
        joins the runs it overlaps (江苏省委|办公厅)."""
        body = canonical(_LEAD.sub("", _DATES.sub("，", text)))
        hits = self._form_hits(body)
        runs: list[list[int]] = []
        for m in _ORG.finditer(body):
            lead = _FUNCTION_WORD.match(m.group(1))
            start = m.start(1) + (lead.end() if lead else 0)
            if (asked := _ASKING.search(body, start, m.end(1))) is not None:
                # a name holds no question words: "长沙市信访局|局机关设有多少个…处室" ends before them
                runs.append([start, start])
                continue
            if runs and runs[-1][1] == start:
                runs[-1][1] = m.end(1)
            else:
                runs.append([start, m.end(1)])
        runs = [r for r in runs if r[1] > r[0]]
        for r in runs:  # 北京市食安委|办，: a short suffix the next run could not take
            if body[r[1]:r[1] + 1] in ("办", "室", "处") and not re.match(r"[\u4e00-\u9fff]", body[r[1] + 1:r[1] + 2]):
                r[1] += 1
        for h in hits:
            touching = [r for r in runs if r[0] < h[1] and h[0] < r[1]]
            merged = [min([h[0], *(r[0] for r in touching)]), max([h[1], *(r[1] for r in touching)])]
            runs = [r for r in runs if r not in touching] + [merged]
        names = []
        for start, end in sorted(runs):
            run = self._as_name(body[start:end], body[end:])
            # a strong suffix names a unit when words before it say which ("办公室" alone does not)
            if self._exact(run) or self._member_of(run) or (len(run) >= 3 and (_PLACE_MARK.search(run) or self.gaz.find(run)
                                                         or _STRONG_SUFFIX.search(run[2:]))):
                names.append(run)
        return names

    def _exact(self, text: str) -> tuple[str, list[str]] | None:
        """The longest exact form ending the text, and the units it names. What precedes it is question words
        (能否告诉我|国家信访局) or places (上海|普陀司法局); words after a place are part of the name: 上海文旅执法总队
        is no 执法总队 of whatever bureau."""
        if not self._has_forms:
            return None
        for i in range(len(text) - _MIN_FORM + 1):
            if self._forms.exists(text[i:]):
                prefix = _PARTY.sub("", text[:i])
                lead = self.gaz.leading(prefix)
                if not self.gaz.find(prefix) or (lead and lead[-1].end == len(prefix)):
                    return text[i:], sorted(self._forms.get(text[i:])[1])
        return None

    # constraints

    def _fits(self, mention: str, key: str, kind: str | None = None, numerals: bool = True) -> bool:
        """Hard constraints: numerals agree (太原第二监狱 ≠ 太原第一监狱); every place named is the unit's, its most
        specific one the unit's own (上海司法局 is not 上海市普陀区司法局; 湖南省信访局 not 长沙市信访局); a national body is
        in no province; and the mention names the kind of body the name does (a 中心 is not its parent 局)."""
        u, said = self.parsed[key], self._read(mention)
        if numerals and said.numerals - set(_NUMERAL.findall(key)):
            return False
        if said.national and u.region:
            return False
        if not all(t in key or t in u.places for t in said.places):
            return False
        # the most specific place named is the unit's own, or a word of its organisation (中山大学)
        if not all(t in u.deepest or t in u.org for t in said.deepest):
            return False
        return same_kind(said.suffix, kind)

    @lru_cache(maxsize=4096)
    def _read(self, mention: str) -> _Said:
        """What a mention says that constrains the units it can mean, read once per mention."""
        places = self.gaz.find(mention)
        depth = self._depths(places)
        deepest = frozenset(h.text for h in places if depth[h.text] == max(depth.values()))
        return _Said(frozenset(h.text for h in places), deepest, bool(_NATIONAL.match(mention)),
                     suffix_word(mention), frozenset(_NUMERAL.findall(mention)))

    def _depths(self, places: list) -> dict[str, int]:
        """Each place named → its level (1 province, 2 city, 3 county) as the names read together."""
        codes = self.gaz.consistent(places)
        return {h.text: max((level(p.code) for p in h.places if p.code in codes), default=0) for h in places}

    def _without_parent(self, mention: str) -> str | None:
        """'上海市公安局刑事科学技术研究院' → '上海市刑事科学技术研究院': a subordinate named with its parent."""
        lead = self.gaz.leading(mention)
        at = lead[-1].end if lead else 0
        for m in _PARENT_END.finditer(mention, at):
            tail = mention[m.end():]
            if len(tail) >= 3 and _SUBORDINATE.search(tail):
                return mention[:at] + tail
        return None

    def _scored(self, mention: str, choices: Iterable[_Choice]) -> list[tuple[float, str]]:
        """(score, key) for the names the mention can mean by aligning their organisation parts (the places are
        hard constraints, not evidence: 广州市人社局 shares 广州市 with 广州市社会组织管理局 and nothing that counts);
        a subordinate needs its own part named."""
        s = self.settings
        said = [(self._org_part(mention), s.min_recall), (self._org_part(self._strip_lead(mention)), s.min_recall_cut)]
        out = []
        for c in choices:
            if not self._fits(mention, c.key, c.kind):
                continue
            u = self.parsed[c.key]
            texts = c.aligned
            if not self._read(mention).places:  # a name shortened with its place inside (上科大 for 上海科技大学)
                texts += (c.text,)
            for name, min_recall in said:
                precision, recall = max(self._match(name, t) for t in texts)
                if precision >= s.min_precision and recall >= min_recall:
                    if c.text == c.key and u.own and align(name, u.own, self.weights)[1] < s.min_own_recall:
                        break  # the parent's name: not this subordinate's file
                    out.append((precision + recall, c.key))
                    break
        return sorted(out, reverse=True)

    def _match(self, mention: str, name: str) -> tuple[float, float]:
        """(share of the mention's characters the name has in order, its suffix word and 人民政府 aside: an
        abbreviation keeps characters, it adds none — 人社局 is not 社会组织管理局; share of the name's weight the
        mention covers)."""
        own = re.sub(r"人民政府|政府", "", _SUFFIX_WORD.sub("", mention)) or mention
        return LCSseq.similarity(own, name) / len(own), align(mention, name, self.weights)[1]

    def _org_part(self, name: str) -> str:
        """'中共北京市委宣传部' → '委宣传部', '阳泉二监' → '二监': the name after 中共 and the places it starts with."""
        rest = _PARTY.sub("", name)
        lead = self.gaz.leading(rest)
        return rest[lead[-1].end if lead else 0:] or rest

    def _strip_lead(self, mention: str) -> str:
        """'当年给阳泉第二监狱' → '阳泉第二监狱': leading characters no unit name uses cannot be part of one."""
        start = 0
        while start < len(mention) - 3 and mention[start] not in self.chars:
            start += 1
        return mention[start:]

    def _pool(self, mention: str) -> list[_Choice]:
        """Names sharing most of the mention's characters in order (rapidfuzz's LCS over every name, in C++)."""
        s = self.settings
        cutoff = max(2, math.ceil(s.pool_lcs * len(self._strip_lead(mention))))
        # only names sharing a character of the mention's organisation part can share most of it
        ids = np.unique(np.concatenate([self._by_char.get(ch, _NONE) for ch in set(self._org_part(mention))] or [_NONE]))
        if not len(ids):
            return []
        shared = process.cdist([mention], [self._choice_texts[i] for i in ids], scorer=LCSseq.similarity, dtype=np.int32)[0]
        top = np.argsort(-shared, kind="stable")[: s.pool]
        return [self.choices[ids[i]] for i in top if shared[i] >= cutoff]

    # resolution

    def _decide(self, mention: str, scored: list[tuple[float, str]]) -> Resolution:
        """One clear winner routes; candidates within the margin of the best make the mention ambiguous."""
        best = scored[0][0]
        keys = list(dict.fromkeys(k for sc, k in scored if sc >= best - self.settings.margin))
        if len(keys) > 1:
            return Resolution(mention, Status.AMBIGUOUS, candidates=self._names(keys))
        return Resolution(mention, Status.ROUTED, units=self._printed(keys[0], mention))

    def _names(self, keys: list[str]) -> list[str]:
        return [self.names[k][0] for k in list(dict.fromkeys(keys))[: self.settings.max_candidates]]

    def _printed(self, key: str, mention: str) -> list[str]:
        """A unit printed both plainly and with （本级）: the mention's bracket, else the plain names, pick the files."""
        names = self.names[key]
        bracket = _QUALIFIER.search(mention)
        picked = [n for n in names if bracket and bracket.group(0) in n] or [n for n in names if not _QUALIFIER.search(n)]
        return picked or names

    def resolve_mention(self, mention: str) -> Resolution:
        whole = self._resolve_whole(mention)
        if whole.status is not Status.ROUTED and _DIVISION.search(mention):
            # 广州政务服务和数据管理局|办公室, 深圳市住建局|建设科技和信息化处: a division inside the unit named, which
            # that unit's documents speak of (a body under it is a 中心, 队, 局…: Resolution.under)
            for end in range(len(mention) - 2, _MIN_FORM - 1, -1):
                if (_DIVISION.fullmatch(mention[end:]) and _PARENT_END.search(mention[end - 1])
                        and (unit := self._resolve_whole(mention[:end])).status is Status.ROUTED):
                    return Resolution(mention, Status.ROUTED, units=unit.units)
        return whole

    def _resolve_whole(self, mention: str) -> Resolution:
        tried: list[str] = []
        for variant in filter(None, (mention, self._without_parent(mention))):
            if exact := self._exact(variant):
                form, keys = exact
                tried += keys
                fitting = [k for k in keys if self._fits(variant, k, numerals=False)]
                if len(fitting) == 1:
                    return Resolution(mention, Status.ROUTED, units=self._printed(fitting[0], mention))
                if fitting:  # several units share the form (审计局 of two cities): only a full name picks one
                    full = [k for k in fitting if form in (k, *self.names[k])]
                    return self._decide(mention, [(1.0, k) for k in full or fitting])
        pool = self._pool(mention)
        if scored := self._scored(mention, pool):
            return self._decide(mention, scored)
        listed = self._member_of(mention)
        parent, member = listed or self._named_under(mention) or (None, None)
        near = self._near(mention, pool, tried)
        if parent:
            near = [parent, *(k for k in near if k != parent)]
        return Resolution(mention, Status.NOT_INDEXED, candidates=self._names(near),
                          member_of=self.names[listed[0]][0] if listed else None,
                          under=self._printed(parent, mention) if parent else [], member=member)

    def _member_of(self, mention: str) -> tuple[str, str] | None:
        """(key of the indexed department whose 单位构成 lists the unit the mention ends in, the member's form)."""
        return next(((self._members[mention[i:]], mention[i:]) for i in range(len(mention)) if mention[i:] in self._members),
                    None)

    def _named_under(self, mention: str) -> tuple[str, str] | None:
        """'广州市卫健委广州血液中心' → (key of 广州市卫生健康委员会, '广州血液中心'): an indexed unit's exact name, then a
        subordinate's own name (…中心, …医院, …分局, …所) that no indexed unit has."""
        for cut in range(len(mention) - 2, _MIN_FORM - 1, -1):
            head, tail = mention[:cut], mention[cut:]
            if not _SUBORDINATE.search(tail) or not (exact := self._exact(head)) or exact[0] != head:
                continue
            fitting = [k for k in exact[1] if self._fits(head, k, numerals=False)]
            if len(fitting) == 1:
                return fitting[0], re.sub(r"^(?:下属|所属|直属)的?", "", tail)
        return None

    def _near(self, mention: str, pool: list[_Choice], tried: list[str]) -> list[str]:
        """What the index holds near a mention it does not: a parent or subordinate in the places named first
        (上海住建委 → 上海市住建委人才开发评价中心), then the same department elsewhere (北京市信访办 → 上海市信访办公室).

        Near means explaining the mention's organisation part (places set aside), or being named whole inside it
        (北京市审计局信息中心 → 北京市审计局)."""
        org = mention
        for h in self.gaz.find(mention):
            org = org.replace(h.text, "")
        scored = {c.key: max(align(org, c.text, self.weights)[0], align(mention, c.text, self.weights)[1]) for c in pool}
        scored.update({k: 1.0 for k in tried})
        near = [k for k, sc in scored.items() if sc >= self.settings.min_near]
        return sorted(near, key=lambda k: (not self._fits(mention, k, numerals=False), -scored[k]))

    def _in_place_named(self, r: Resolution, text: str) -> Resolution:
        """An ambiguous name that says no place of its own ("北京市人社局和市医保局": 市医保局), in a question that
        names one: the candidate of that place, where exactly one is."""
        if r.status is not Status.AMBIGUOUS or self.gaz.find(r.mention.lstrip("市省区县")):
            return r
        named = _codes(self.gaz.find(text))
        local = [c for c in r.candidates if _codes(self.gaz.leading(c)) & named]
        return Resolution(r.mention, Status.ROUTED, units=self.resolve_mention(local[0]).units) if len(local) == 1 else r

    def resolve(self, text: str) -> list[Resolution]:
        """Every unit mention of a question, resolved; a bare place name ("江苏淮安2026年…") when nothing else names
        one, its most specific place deciding."""
        mentions = self.mentions(text)
        if mentions:
            out = [self._in_place_named(self.resolve_mention(m), text) for m in mentions]
            if any(r.status is Status.ROUTED for r in out):
                # beside a unit that routes, an unindexed name is a second unit only where the question joins the two
                # (北京市审计局和苏州审计局); otherwise it is something the routed unit's document holds: a member unit, a
                # hospital, a project (广州市卫健委2026年广州市第一人民医院收入预算, 阳泉第二监狱…一笔监狱业务经费)
                out = [r for i, r in enumerate(out) if r.status is not Status.NOT_INDEXED or _joined(text, out[:i], r)]
            return out
        places = self.gaz.find(_DATES.sub("，", text))
        if not places:
            return []
        depth = self._depths(places)
        h = max(places, key=lambda h: depth[h.text])
        keys = self.by_place.get(h.text, [])
        if len(keys) == 1:
            return [Resolution(h.text, Status.ROUTED, units=self._printed(keys[0], h.text))]
        return [Resolution(h.text, Status.AMBIGUOUS, candidates=self._names(keys))] if keys else []


def _codes(hits: list) -> set[str]:
    return {p.code for h in hits for p in h.places}


def _joined(text: str, before: list[Resolution], r: Resolution) -> bool:
    """The question joins this mention to a unit named before it: 和, 与, 及, 、, 比, 对比 right before it
    ("北京市审计局2026年三公经费与苏州审计局相比"; not "深圳市公安局…十五运会和残特奥会深圳赛区筹办经费")."""
    if not before:
        return False
    start, end = text.find(before[-1].mention), text.find(r.mention)
    return 0 <= start < end and bool(_JOINED_BEFORE.search(text[start + len(before[-1].mention):end]))


@lru_cache(maxsize=4)
def _registry(units: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> UnitRegistry:
    return UnitRegistry({u: a for u, a, _ in units}, {u: m for u, _, m in units})


def registry_of(docs: Iterable) -> UnitRegistry:
    """The registry of the documents' units, built once per set of units (≈ 2 s at 10,000 units)."""
    aliases: dict[str, set[str]] = {}
    members: dict[str, set[str]] = {}
    for d in docs:
        if d.unit:
            aliases.setdefault(d.unit, set()).update(getattr(d, "aliases", None) or ())
            members.setdefault(d.unit, set()).update(getattr(d, "members", None) or ())
    return _registry(tuple(sorted((u, tuple(sorted(a)), tuple(sorted(members[u]))) for u, a in aliases.items())))
