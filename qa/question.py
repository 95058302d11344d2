"""Question analysis: which unit, year and kind a question names, what item, and what answer it wants."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from .lexicon import expand, named_items, printed_form


class DocInfo(Protocol):
    id: str
    unit: str | None
    year: int | None
    kind: str | None


INTENTS = [
    ("reason", re.compile(r"为何|为什么|什么原因|原因|缘何|怎么回事|何故")),
    ("compare", re.compile(r"对比|比较|哪个多|哪个少|哪个高|哪个低|谁多|谁少|相差|差多少|差距")),
    ("change", re.compile(r"变化|增减|增加了?多少|减少了?多少|增长|下降|比上年|较上年|同比|增幅|降幅|多了|少了|涨|降了")),
    ("share", re.compile(r"占比|比例|比重|百分之|占.{0,12}(多少|几)|百分比")),
    # before count: "包括哪几项" lists, it does not count
    ("list", re.compile(r"哪些|哪几|(包括|包含|分为)(哪|什么)|有什么|都有|列出|主要用于")),
    ("count", re.compile(r"几个|多少个|几辆|多少辆|多少人|几人|几名|多少名|数量是|有多少(项|台|套|平方米)|几项|多少项|几台|多少台|多大面积|面积")),
    ("definition", re.compile(r"什么是|是什么意思|指什么|含义|定义|何谓|是指|什么叫|解释一下|概念")),
]
_YEAR = re.compile(r"(20\d\d)\s*年?")
_DATE = re.compile(r"(截至|截止|到)?\s*(20\d\d)\s*年\s*(底|末|年底|\d{1,2}\s*月(\s*\d{1,2}\s*日|底|末)?)")
# An organisation name: ends in a suffix units use, ≥ 3 characters.
_ORG = re.compile(
    r"([\u4e00-\u9fff（）()]{1,24}?(?:委员会|办事处|人民政府办公厅|人民政府|办公厅|办公室|中心|监狱|[一二三四五六七八九十\d]监(?!狱)"
    r"|局|厅|委|院|所|队|站|馆|联合会|协会|学校|大学|医院|街道))"
)
# A mention counts as naming a unit when it has a place marker or a strong suffix ("办公费和委" does not).
_PLACE = re.compile(r"省|市|区|县|国家|中央|中共|自治")
_STRONG_SUFFIX = re.compile(r"(局|委员会|办公厅|办公室|监狱|监|厅|办事处|人民政府|街道|医院|学校|大学|中心)$")
# Words that precede a name without being part of it: "按阳泉第二监狱…", "国家信访局和北京市审计局".
_FUNCTION_WORD = re.compile(r"^(按照|按|根据|据|在|对于|对|给|从|把|跟|和|与|及|向|由|将|看|查)")
_LEAD = re.compile(r"^(请问|请|帮我查|查一下|查询|我想知道|想知道|告诉我|问一下|关于)")
_GENERIC = set("省市区县自治州盟旗局委员会办公室厅部门单位中心人民政府街道处所院队站中华共和国")
_QUESTION_WORDS = re.compile(
    r"20\d\d\s*年度?|请问|(?:是|有|为)?多少(?:万?元|钱|[个辆台名人项家次件套](?![员目称庭]))?|几[个辆台名人项家次件套]?|是什么|什么|怎么|如何|"
    r"哪些|为何|为什么|原因|是否|分别|大约|一共|总共|共计|共有|呢|吗|啊|[？?。，,、“”\"：:（）()\s]|的|了|中|里|安排了|花了|是"
)
# One official's own pay is never in a disclosure: it reports the unit's 工资福利支出 only.
_PERSONAL_PAY = re.compile(r"(局长|厅长|处长|科长|主任|书记|部长|院长|所长|监狱长|个人)[^，。？?]{0,8}(工资|薪|收入|奖金|津贴)")
_INCLUDES = re.compile(r"[（(](?:不?含|包含|包括)[^）)]{1,12}[）)]|(?<!包)不?含[\u4e00-\u9fff]{2,8}?(?=的|是|[？?，,]|$)")
# "上年的机关运行经费" asks about the year before; "比去年增加", "与上年相比", "上年结转", "上年结余" do not
_PREVIOUS_YEAR = re.compile(r"(?<![比较与同跟和])(?:上一?年|去年)(?!度?(?:结转|结余))")
_COLUMN_HINTS = ["一般公共预算", "政府性基金", "国有资本经营", "上年结转", "当年", "本年", "基本支出", "项目支出",
                 "人员经费", "公用经费", "财政拨款", "单位资金", "事业收入", "上年", "预算数", "决算数"]


@dataclass
class Question:
    text: str
    intent: str = "figure"
    years: list[int] = field(default_factory=list)
    kind: str | None = None  # 预算 / 决算 when named
    mention: str | None = None  # the unit as the question names it
    units: list[str] = field(default_factory=list)  # matched index units, best first
    doc_ids: list[str] | None = None  # documents to search; None = all
    items: list[str] = field(default_factory=list)  # printed terms the question is about
    columns: list[str] = field(default_factory=list)
    as_of: int | None = None  # the year of a stock date ("截至2025年12月底")
    not_found: str | None = None  # why the index cannot answer (other unit/year)
    key: str = ""  # what is asked about: the question without unit, year and question words, in printed terms
    text_for_search: str | None = None  # a follow-up searches with the question it follows

    @property
    def search_text(self) -> str:
        """The question plus the printed terms its colloquial words stand for."""
        if self.text_for_search:
            return self.text_for_search
        extra = [t for t in self.items if t not in self.text]
        if self.intent == "definition":
            extra += [f"{t}：指" for t in self.items[:1]] + ["名词解释"]  # definitions live in the glossary
        return self.text + (" " + " ".join(extra) if extra else "")


def _weights(units: list[str]) -> dict[str, float]:
    df = Counter(ch for u in set(units) for ch in set(u))
    n = max(len(set(units)), 1)
    return {ch: (0.15 if ch in _GENERIC else math.log(1 + n / c) + 0.5) for ch, c in df.items()}


def _align(mention: str, unit: str, w: dict[str, float]) -> tuple[float, float]:
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


def _core_name(unit: str) -> str:
    """'西安市卫生健康委员会（汇总）' → '西安市卫生健康委员会': the bracket says how, not who."""
    return re.sub(r"[（(][^）)]*[）)]", "", unit) or unit


_NUMERAL = re.compile(r"[一二三四五六七八九十\d]")
_PLACE_PREFIX = re.compile(r"^([\u4e00-\u9fff]{2,3}?(?:省|市|区|县))")


def _compatible(mention: str, unit: str) -> bool:
    """Hard constraints fuzzy matching must not override: 太原第二监狱 ≠ 太原第一监狱, 南京市… ≠ 北京市…."""
    if set(_NUMERAL.findall(mention)) - set(_NUMERAL.findall(unit)):
        return False
    place = _PLACE_PREFIX.match(mention)
    return not place or place.group(1) in unit or place.group(1)[:-1] in unit


def _strip_lead(mention: str, named: set[str]) -> str:
    """'当年给阳泉第二监狱' → '阳泉第二监狱': leading characters no unit name uses cannot be part of one
    (a real but unknown name like 太原第二监狱 keeps its 太原, which indexed names use, and stays unmatched)."""
    start = 0
    while start < len(mention) - 3 and mention[start] not in named:
        start += 1
    return mention[start:]


def match_units(text: str, units: list[str]) -> tuple[str | None, list[str]]:
    """The unit mention in a question and the index units it denotes (best first)."""
    w = _weights(units)
    body = _LEAD.sub("", re.sub(r"20\d\d\s*年度?", "，", _DATE.sub("，", text)))
    named = set("".join(units))
    mentions = [
        _FUNCTION_WORD.sub("", m.group(1)) for m in _ORG.finditer(body)
        if len(m.group(1)) >= 3 and (_PLACE.search(m.group(1)) or (_STRONG_SUFFIX.search(m.group(1)) and len(m.group(1)) >= 4))
    ]
    scored: list[tuple[float, str]] = []
    for mention in mentions:
        stripped = _strip_lead(mention, named)
        for unit in set(units):
            if not _compatible(mention, unit):
                continue
            for name, min_recall in ((mention, 0.45), (stripped, 0.7)):
                precision, recall = _align(name, _core_name(unit), w)
                # every distinctive character named must belong to the unit; a name cut out of a longer
                # run must name most of it
                if precision >= 0.9 and recall >= min_recall:
                    scored.append((precision + recall, unit))
                    break
    if not scored and mentions:
        return mentions[0], []
    if not scored:
        # No organisation-shaped mention: a unit may still be named by its distinctive part ("阳泉2026年…").
        for unit in set(units):
            _, recall = _align(body, unit, w)
            core = [ch for ch in unit if ch not in _GENERIC]
            if recall >= 0.6 and sum(ch in body for ch in core) >= 2:
                scored.append((recall, unit))
        return None, [u for _, u in sorted(scored, reverse=True)]
    best = max(s for s, _ in scored)
    ranked = [u for s, u in sorted(scored, reverse=True) if s >= best - 0.25]
    return mentions[0], list(dict.fromkeys(ranked))


def asks_previous_year(text: str) -> bool:
    """The question asks about the year before the one it names ("上年的三公经费", "那去年呢")."""
    return bool(_PREVIOUS_YEAR.search(text))


def key_words(text: str, names: list[str | None]) -> str:
    """'阳泉二监2026年公务接待费是多少？' → '公务接待费'."""
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, " ")
    return _QUESTION_WORDS.sub("", printed_form(_DATE.sub(" ", text)))


def analyze(text: str, docs: list[DocInfo], context: Question | None = None) -> Question:
    """Read a question against the documents the index holds. `context` is the previous question (follow-ups)."""
    q = Question(text=text.strip())
    for name, pattern in INTENTS:
        if pattern.search(q.text):
            q.intent = name
            break
    if q.intent == "definition" and re.search(r"多少|几", q.text):
        q.intent = "figure"
    # "截至2025年底/12月31日" dates a stock figure inside a 2026 document; it does not name the document's year
    q.years = sorted({int(y) for y in _YEAR.findall(_DATE.sub("", q.text))})
    dated = _DATE.search(q.text)
    q.as_of = int(dated.group(2)) if dated else None
    # 预算 names the kind of document, unless it is part of a fund's or a column's name (一般公共预算, 预算数)
    kind_words = re.sub(r"一般公共预算|政府性基金预算|国有资本经营预算|预算数|预算单位|预决算", "", q.text)
    q.kind = "决算" if "决算" in kind_words else ("预算" if "预算" in kind_words else None)
    # "总额（含上年结转）" asks for the total: what it includes or leaves out is no item or column asked about
    plain = _INCLUDES.sub(" ", q.text)
    q.items = list(dict.fromkeys(named_items(plain.replace('"', "“").replace("三公经费", "“三公”经费")) + expand(plain)))
    if q.intent == "definition":  # "“委托业务费”指什么": the quoted term is the one to define
        quoted = [t for t in re.findall(r"[“\"「]([^”\"」]{2,20})[”\"」]", q.text) if t != "三公"]
        q.items = list(dict.fromkeys(quoted + q.items))
    # column words, outside a table's name ("项目支出总表中…" names a table, not the 项目支出 column)
    said = re.sub(r"[\u4e00-\u9fff]*表", " ", plain)
    q.columns = [c for c in _COLUMN_HINTS if c in said and not any(c != o and c in o and o in said for o in _COLUMN_HINTS)]

    known = [d.unit for d in docs if d.unit]
    q.mention, q.units = match_units(q.text, known)
    q.key = key_words(plain, [q.mention, *q.units])
    relative = asks_previous_year(q.text)
    if context is not None and not q.years:
        # "那上年呢？" asks about the year before the one answered; otherwise the year carries over
        answered = context.years or sorted({d.year for d in docs if d.year and (context.doc_ids is None or d.id in context.doc_ids)})[-1:]
        q.years = [y - 1 for y in answered] if relative else ([] if q.mention else context.years)
        if relative and not any(d.year in q.years and (not context.units or d.unit in context.units) for d in docs):
            q.years = answered  # no document of the year before: the answered one states its change from it (qa.derive)
    if not q.mention and not q.units and context is not None and context.units:
        q.units = context.units  # a follow-up keeps the unit asked about before
    if context is not None and not q.items and len(re.sub(r"那|呢|上年|去年|上一年|今年|本年|吗", "", q.key)) <= 1:
        # "那上年呢？" asks the same thing again: keep what was asked and how
        q.items, q.key, q.columns = context.items, context.key, context.columns
        q.intent = context.intent if q.intent == "figure" else q.intent
        q.text_for_search = context.search_text

    if _PERSONAL_PAY.search(q.text):
        q.not_found = "预决算公开文件只公开单位的工资福利支出总额，不公开个人（如某位领导）的工资收入"
        q.doc_ids = []
        return q
    if q.mention and not q.units:
        held = "、".join(sorted(set(known))[:8]) or "（空）"
        q.not_found = f"索引中没有“{q.mention}”的公开文件。目前收录的单位有：{held}"
        q.doc_ids = []
        return q
    scope = [d for d in docs if not q.units or d.unit in q.units]
    if q.years:
        # "2026年…比2025年增加多少" is about the 2026 document; only comparisons want every year named.
        years = q.years if q.intent == "compare" else [max(q.years)]
        in_year = [d for d in scope if d.year in years or d.year is None]  # an undated file may hold the year
        if not in_year:
            who = "、".join(q.units) if q.units else "索引中的文件"
            held = "、".join(str(y) for y in sorted({d.year for d in scope if d.year})) or "无"
            q.not_found = f"{who}没有{'、'.join(map(str, q.years))}年的公开文件（已收录年度：{held}）"
            q.doc_ids = []
            return q
        scope = in_year
    if q.kind:
        scope = [d for d in scope if d.kind == q.kind] or scope
    if q.units or q.years or q.kind:
        q.doc_ids = [d.id for d in scope]
    return q
