"""Question analysis: which unit, year and kind a question names, what item, and what answer it wants."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from .lexicon import expand, fact_heading_words, named_items, printed_form
from .period import FINAL_COLUMNS, PREVIOUS_YEAR, Period, periods_in, without_column_words
from .prose import ASKED_COUNT, ASKED_HEADCOUNT, ASKED_MONEY
from .units import Resolution, Status, registry_of


class DocInfo(Protocol):
    id: str
    unit: str | None
    year: int | None
    kind: str | None
    aliases: list[str]  # other names the document gives its unit (加挂牌子)


class Intent(StrEnum):
    """What answer a question wants (a str: compares and serialises as its value)."""

    FIGURE = "figure"
    REASON = "reason"
    COMPARE = "compare"
    CHANGE = "change"
    SHARE = "share"
    LIST = "list"
    COUNT = "count"
    DEFINITION = "definition"
    TEXT_FACT = "text_fact"  # what the unit is and does: 职责, 内设机构, 编制, 单位构成, 加挂牌子, 级别/性质 — answered by quoting


ASKS_LIST = re.compile(r"哪些|哪几|有什么|都有|包括什么|列出")  # words that ask for a list ("负责哪些工作")
# What a list is of: the words after 哪些 up to the question's end ("有哪些绩效指标" → 绩效指标), unless they name only
# an aspect (哪些方面, 哪些内容), which any passage can be, or bodies (哪些单位, 哪些事业单位, 哪些机构), which a list
# names one by one (…管理局、…协会) without the word
_LISTED = re.compile(r"哪(?:些|几[个项类种条]?|[类种])(?P<noun>[\u4e00-\u9fff]{2,10}?)(?=[？?，,。；;！!]|呢|吗|啊|$)")
_EXCEPT = re.compile(r"除(?:了|去|开)?(?P<what>[^，,。？?的]{2,12}?)(?:以外|之外|外)的?")
# what a count asked is of: the words after its measure word, up to a particle ("多少个内设部门？", "几个项目的…")
_COUNTED_ASKED = re.compile(r"[\u4e00-\u9fff（）()]{0,8}")
_PARTICLE = re.compile(r"[的是呢吗啊和与及]")
_PURCHASE = re.compile(r"买|购置|购买|采购|添置|新购|更新")  # what is bought, not what is held ("截至…共有")
_ANY_PASSAGE = re.compile(r"方面|内容|事项|用途|情况|东西|地方|途径|.*(?:单位|机构|部门|处室)")
INTENTS = [  # first match wins
    # …and which part made a change ("是哪一项减少的", "具体哪些项目变了"): answered by the stated reason and the parts
    (Intent.REASON, re.compile(r"为何|为什么|为啥|咋回事|什么原因|原因|缘何|怎么回事|何故|"
                               r"(?:哪一?项|哪些项目?|哪几项|哪部分)[^？?，,。]{0,6}(?:增|减|变|少|多|涨|降)")),
    (Intent.COMPARE, re.compile(r"对比|比较|哪个多|哪个少|哪个高|哪个低|谁多|谁少|相差|差多少|差距")),
    (Intent.CHANGE, re.compile(r"变化|增减|增加了?多少|减少了?多少|增长|下降|比上年|较上年|同比|增幅|降幅|多了|少了|涨|降了")),
    (Intent.SHARE, re.compile(r"占比|比例|比重|百分之|占.{0,12}(多少|几)|百分比")),
    # before list and count, unless a number is asked ("有几个内设机构" counts)
    (Intent.TEXT_FACT, re.compile(
        r"^(?!.*(多少|几[个家名项人]|金额|经费|资金|支出|收入|预算数|决算数)).*(职责|职能|分工|设在|内设机构|机构设置|处室|人员编制|编制情况|"
        r"单位构成|部门构成|预算单位|下属单位|所属单位|二级单位|编制范围|纳入.{0,12}范围|加挂|牌子|级别|性质|隶属|机构类型|"
        r"主要任务|是什么(单位|机构)|哪个部门|管理哪|负责什么|承担.{0,12}(工作|职责)|购买服务.{0,8}(目录|内容|事项))")),
    # before count: "包括哪几项" lists, it does not count
    # …and what money is for ("主要用来干什么", "用途是什么"): the document's 用于 words
    (Intent.LIST, re.compile(rf"{ASKS_LIST.pattern}|(包括|包含|分为)(哪|什么)|主要用于|用[来于在](?:干|做)?(?:什么|哪)|用途")),
    (Intent.COUNT, re.compile(r"几个|多少个|几辆|多少辆|多少人|几人|几名|多少名|数量是|有多少(项|台|套|平方米)|几项|多少项|几台|多少台|"
                              r"几家|多少家|几所|多少所|几处|多少处|多大面积|面积")),
    (Intent.DEFINITION, re.compile(r"什么是|是什么意思|指什么|含义|定义|何谓|是指|什么叫|解释一下|概念")),
]
# A year is four digits standing alone: 2010801 and (2080506) are 科目编码, never the years 2010 and 2080.
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)\s*年?")
# 科目编码: 类 3, 款 5, 项 7 digits, standing alone and not an amount ("500万元", "8.00").
_CODE = re.compile(r"(?<![\d.])(\d{7}|\d{5}|\d{3})(?![\d.]|\s*(?:万|亿|元|%|个|人|辆|台|项|次|年|平方|米|名|家))")
# the years a multi-year project is named by ("2026年-2027年信息化运维项目", "2023-2026年…服务项目"): its name, not the
# documents' years asked
_PROJECT_SPAN = re.compile(r"(?<!\d)20\d\d\s*年?\s*[-—–~至到]\s*20\d\d\s*年?(?=[^，,。；;？?]{0,24}(?:项目|工程|专项))")
_DATE = re.compile(r"(截至|截止|到)?\s*(?<!\d)(20\d\d)\s*年\s*(底|末|年底|\d{1,2}\s*月(\s*\d{1,2}\s*日|底|末)?)")
_QUESTION_WORDS = re.compile(
    r"^那么?|20\d\d\s*年度?|请问|(?:是|有|为)?多少(?:万?元|钱|[个辆台名人项家次件套](?![员目称庭]))?|几[个辆台名人项家次件套]?|是什么|什么|怎么|如何|"
    r"哪些|为何|为什么|为啥|原因|是否|分别|大约|一共|总共|共计|共有|呢|吗|啊|[？?。，,、“”\"：:（）()\s]|的|了|安排了|花了|是|其中|"
    r"(?:(?<=预算)|(?<=决算)|(?<=文件)|(?<=报告)|(?<=表)|(?<=公开)|(?<=说明))[中里]|[中里](?=的|[^\u4e00-\u9fff]|$)"  # "预算中…",
    # "支出里的", "…中？": the 中 of a place in the document, not of 中医药 or 中心
)
# One official's own pay is never in a disclosure: it reports the unit's 工资福利支出 only.
_PERSONAL_PAY = re.compile(r"(局长|厅长|处长|科长|主任|书记|部长|院长|所长|监狱长|个人)[^，。？?]{0,8}(工资|薪|收入|奖金|津贴)")
_INCLUDES = re.compile(r"[（(](?:不?含|包含|包括)[^）)]{1,12}[）)]|(?<!包)不?含[\u4e00-\u9fff]{2,8}?(?=的|是|[？?，,]|$)")
# what follows is the base compared with; spending short of a budget or past it compares with it too ("没花完年初预算");
# 较 before 多/少/大… is an adverb ("增加较多"), no comparing
_VERSUS = re.compile(r"比|较(?![多少大小快慢高低])|大于|小于|超过?|高于|低于|少于|多于|超出|相比|(?:没有?|未)(?:花|用)完|花不完")
_FINAL_ASKED = re.compile(r"决算数?(?:为什么|为何|为啥|怎么)?$")  # "…缴费决算为什么超过…": the 决算数, not the document
# A follow-up that leans on the question before: "那上年呢？", "那公务接待费呢", "它的决算数呢". Only these inherit
# the year and what was asked; a full question ("机关运行经费比上年变化多少") starts afresh.
_ELLIPTIC = re.compile(r"^(那么?|它的?|其|这个|该项?|还有)|呢[？?。]?$")
# What a question says besides its item: a question of these words alone ("为什么比上年少？", "完成了年初预算的多少？")
# names no item and leans on the one before just as "那上年呢？" does
_LEANING = re.compile(r"那|呢|吗|上一?年|去年|今年|本年|为什么|为何|原因|比|较|多|少|增加|减少|增长|下降|变化|"
                      r"完成(?:了)?(?:年初|全年|调整)?(?:预算)?|"
                      r"年初预算|调整(?:后的?)?|全年预算|决算数|执行数|预算数|百分比|比例|是")
_TOTAL_WORDS = re.compile(r"总额|合计|总计|共计|一共|总共")
_COLUMN_HINTS = ["一般公共预算", "政府性基金", "国有资本经营", "上年结转", "当年", "本年", "基本支出", "项目支出",
                 "人员经费", "公用经费", "财政拨款", "单位资金", "事业收入", "上年", "预算数", "决算数"]


@dataclass
class Question:
    text: str
    intent: Intent = Intent.FIGURE
    years: list[int] = field(default_factory=list)
    kind: str | None = None  # 预算 / 决算 when named
    mention: str | None = None  # the unit as the question names it
    units: list[str] = field(default_factory=list)  # matched index units, best first
    doc_ids: list[str] | None = None  # documents to search; None = all
    items: list[str] = field(default_factory=list)  # printed terms the question is about
    quoted: list[str] = field(default_factory=list)  # names it puts in quotes: "“信访信息系统运维”项目" → 信访信息系统运维
    codes: list[str] = field(default_factory=list)  # 科目编码 it names: ['2010801']
    columns: list[str] = field(default_factory=list)
    as_of: int | None = None  # the year of a stock date ("截至2025年12月底")
    measure: str | None = None  # the measure word a count is asked in: "控制在每年几起" → "起"; "人员编制多少" → "人"
    counted: str | None = None  # what the count is of, as the question says it: "有多少个内设处室" → "内设处室"
    asks_money: bool = False  # an amount of money asked: "失业保险基金支出是多少"
    asks_purchase: bool = False  # a count of things bought asked: "2026年打算买几台100万以上的设备"
    listed: str | None = None  # what a list question asks to be listed: "有哪些绩效指标" → 绩效指标
    excluded: list[str] = field(default_factory=list)  # items set aside: "除了人头费以外的公用开支" → ['人员经费']
    periods: list[Period] = field(default_factory=list)  # which of an item's figures: [上年], [年初预算], [完成预算%]
    not_found: str | None = None  # why the index cannot answer (other unit/year)
    resolutions: list[Resolution] = field(default_factory=list)  # each unit mention and what it resolved to
    candidates: list[str] = field(default_factory=list)  # units the question may mean, when it names none clearly
    member: str | None = None  # a unit without documents of its own, under the unit searched: '广州血液中心'
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
        if self.intent == Intent.TEXT_FACT:
            extra += fact_heading_words(self.text)  # …and the unit's facts under its 概况, 主要职能, 机构设置
        return self.text + (" " + " ".join(extra) if extra else "")


def _without(text: str, names: list[str | None]) -> str:
    """The text with these (unit) names blanked out, longest first."""
    for name in sorted(filter(None, names), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def key_words(text: str, names: list[str | None]) -> str:
    """'阳泉二监2026年公务接待费是多少？' → '公务接待费'."""
    return _QUESTION_WORDS.sub("", printed_form(_DATE.sub(" ", _without(text, names))))


def _unit_not_found(resolutions: list[Resolution], known: list[str]) -> tuple[str, list[str]] | None:
    """Why the units a question names cannot be answered, and the units offered instead."""
    for r in resolutions:
        if r.under:
            continue  # a unit under an indexed one: its documents are searched for rows that name it (Question.member)
        shown = "、".join(r.candidates)
        if r.status is Status.AMBIGUOUS:
            return f"“{r.mention}”可能指索引中的多个单位：{shown}。您指的是哪一个？请写明单位名称再问。", r.candidates
        if r.status is Status.NOT_INDEXED:
            held = f"索引中有相近的单位：{shown}，您指的是它吗？" if shown else \
                f"目前收录的单位有：{'、'.join(sorted(set(known))[:8]) or '（空）'}"
            return f"索引中没有“{r.mention}”的公开文件。{held}", r.candidates
    return None


def analyze(text: str, docs: list[DocInfo], context: Question | None = None, unit: str | None = None) -> Question:
    """Read a question against the documents the index holds. `context` is the previous question (follow-ups);
    `unit` is a unit the asker picked (a button, a filter): it stands for whatever unit the text names."""
    q = Question(text=text.strip())
    for name, pattern in INTENTS:
        if pattern.search(q.text):
            q.intent = name
            break
    if q.intent == "definition" and re.search(r"多少|几", q.text):
        q.intent = Intent.FIGURE
    # "截至2025年底/12月31日" dates a stock figure inside a 2026 document; it does not name the document's year
    q.years = sorted({int(y) for y in _YEAR.findall(_PROJECT_SPAN.sub("", _DATE.sub("", q.text)))})
    q.codes = _CODE.findall(q.text)
    dated = _DATE.search(q.text)
    q.as_of = int(dated.group(2)) if dated else None
    if counted := ASKED_COUNT.search(q.text):
        q.measure = counted.group(1)
        q.counted = _PARTICLE.split(_COUNTED_ASKED.match(q.text, counted.end()).group(0))[0] or None
    elif counted := ASKED_HEADCOUNT.search(q.text):
        q.measure = counted.group("unit") or "人"
    q.asks_money = bool(ASKED_MONEY.search(q.text))
    q.asks_purchase = bool(q.measure) and bool(_PURCHASE.search(q.text))
    if q.intent == Intent.LIST and (listed := _LISTED.search(q.text)) and not _ANY_PASSAGE.fullmatch(listed.group("noun")):
        q.listed = listed.group("noun")
    # 预算 names the kind of document, unless it is part of a fund's or a column's name (一般公共预算, 预算数)
    kind_words = re.sub(r"一般公共预算|政府性基金预算|国有资本经营预算|预算数|预算单位|预决算", "", q.text)
    q.kind = "决算" if "决算" in kind_words else ("预算" if "预算" in kind_words else None)
    # "总额（含上年结转）" asks for the total: what it includes or leaves out is no item or column asked about
    plain = _INCLUDES.sub(" ", q.text)
    # "本年/当年" is read as a column word (q.columns); a period asked is another than this year's
    q.periods = [p for p in Period if p in periods_in(plain, None) and p is not Period.CURRENT]
    versus = _VERSUS.search(plain)
    if versus and q.intent == Intent.REASON:
        # "决算为何大于年初预算": why the 决算数 is what it is; the 年初预算数 is what it is measured against
        before = plain[: versus.start()]
        asked = periods_in(before, None) | ({Period.FINAL} if _FINAL_ASKED.search(before) else set())
        base = periods_in(plain[versus.end():], None)
        if not asked and base & {Period.INITIAL, Period.ADJUSTED} and "预算" not in before:
            asked = {Period.FINAL}  # "采供血机构支出为什么没花完年初预算": what a 年初预算 is compared with is spent money
        if asked and base:
            q.periods = [p for p in Period if p in asked]
        elif base:  # "为什么增加较多？比2025年执行数多了多少": the change is asked; the 执行数 is what it is measured from
            q.periods = [p for p in q.periods if p not in base]

    q.resolutions = registry_of(docs).resolve(q.text)
    q.mention = q.resolutions[0].mention if q.resolutions else None
    q.units = [unit] if unit else list(dict.fromkeys(u for r in q.resolutions for u in r.units or r.under))
    # items and columns are read from the words besides the unit's name: 医保局 asks no 职工基本医疗保险缴费,
    # 国有资产监督管理委员会 no 国有资产
    asked = _without(plain, [r.mention for r in q.resolutions] + q.units)
    # "除了人头费以外的公用开支": what is set aside is not asked about, and its figure is no answer
    if excepted := _EXCEPT.search(asked):
        q.excluded = _items_of(excepted.group("what")) or [excepted.group("what")]
        asked = _EXCEPT.sub(" ", asked)
    q.items = _items_of(asked)
    q.quoted = [t for t in re.findall(r"[“\"「]([^”\"」]{2,20})[”\"」]", q.text) if t != "三公"]
    if q.intent == "definition":  # "“委托业务费”指什么": the quoted term is the one to define
        q.items = list(dict.fromkeys(q.quoted + q.items))
    # column words, outside a table's name ("项目支出总表中…" names a table, not the 项目支出 column)
    said = re.sub(r"[\u4e00-\u9fff]*表", " ", asked)
    q.columns = [c for c in _COLUMN_HINTS if c in said and not any(c != o and c in o and o in said for o in _COLUMN_HINTS)]
    q.member = next((r.member for r in q.resolutions if r.under), None)
    q.key = key_words(asked, [])
    relative = bool(PREVIOUS_YEAR.search(q.text))  # "上年的三公经费", "那去年呢"
    # …a 决算 column's words too, as printed or as said ("实际花了多少？" after "…年初预算是多少？": 花 is no 支出 asked)
    bare = (not _items_of(without_column_words(asked)) and not q.codes and not q.mention
            and len(_LEANING.sub("", without_column_words(q.key))) <= 1)
    elliptic = context is not None and (bool(_ELLIPTIC.search(q.text)) or bare)
    if elliptic and not q.years:
        # "那上年呢？" asks about the year before the one answered; "那公务接待费呢？" keeps the year
        answered = context.years or sorted({d.year for d in docs if d.year and (context.doc_ids is None or d.id in context.doc_ids)})[-1:]
        q.years = [y - 1 for y in answered] if relative else ([] if q.mention else context.years)
        if relative and not any(d.year in q.years and (not context.units or d.unit in context.units) for d in docs):
            q.years = answered  # no document of the year before: the answered one prints or states it (上年 column)
        elif relative:
            q.periods = [p for p in q.periods if p is not Period.PREVIOUS]  # the year before's own document
    if not q.mention and not q.units and context is not None and context.units:
        q.units = context.units  # the conversation's unit, until a question names another
    if relative and not q.years and not elliptic:
        # "上年的公务接待费": the year before the unit's latest document, from its own document where there is one
        held = sorted({d.year for d in docs if d.year and (not q.units or d.unit in q.units)})
        if len(held) >= 2 and held[-1] - 1 in held:
            q.years, q.periods = [held[-1] - 1], [p for p in q.periods if p is not Period.PREVIOUS]
        elif held:
            q.years = held[-1:]
    if elliptic and bare:
        # "那上年呢？" asks the same thing again: keep what was asked and how
        own_key, (q.items, q.key, q.columns) = q.key, (context.items, context.key, context.columns)
        # …in the period asked before, unless it names its own year ("那2026年呢？" after "2025年…")
        kept = [p for p in context.periods if not (q.years and p is Period.PREVIOUS)]
        if q.years and all(d.kind == "预算" for d in docs if d.year in q.years and (not q.units or d.unit in q.units)):
            # "那2023年安排了多少？" after "2022年…执行数多少？": a 预算 prints no 执行数 of its own year
            kept = [p for p in kept if p is not Period.FINAL]
        q.text_for_search = context.search_text
        if FINAL_COLUMNS & set(q.periods):
            # "决算数呢？" after "…年初预算是多少？": the same item, in the column now named instead
            kept = [p for p in kept if p not in FINAL_COLUMNS]
            q.key = without_column_words(context.key) + own_key
            q.text_for_search = f"{without_column_words(context.search_text)} {q.text}"
        q.periods = list(dict.fromkeys([*kept, *q.periods]))
        q.intent = context.intent if q.intent == "figure" else q.intent
    elif elliptic and (q.text.startswith("其中") or _words_asked_before(q.key, context.key)):
        # "其中服务类呢？" after "…政府采购预算总额多少？": a part of the item asked before, not its total;
        # "那一共有几个项目？" after "…编报绩效目标的项目涉及资金多少万元？": the same thing, asked another way
        q.key = _TOTAL_WORDS.sub("", context.key) + q.key
        q.items = list(dict.fromkeys([*context.items, *q.items]))
        q.text_for_search = f"{context.search_text} {q.text}"

    _scope(q, docs, unit)
    if q.not_found and context is not None and not elliptic:
        # a context narrows a full question, never makes an answerable one unanswerable: read it on its own
        alone = analyze(text, docs, None, unit)
        return q if alone.not_found else alone
    return q


def _words_asked_before(key: str, before: str) -> bool:
    """A follow-up's words, but its total words and verbs, are all the question's before ("有项目" of "…编报绩效目标
    项目涉及资金")."""
    own = set(_TOTAL_WORDS.sub("", key)) - set("有是为")
    return bool(own) and own <= set(before)


def _items_of(asked: str) -> list[str]:
    """The printed items the words name, and those their everyday words stand for."""
    return list(dict.fromkeys(named_items(asked.replace('"', "“").replace("三公经费", "“三公”经费")) + expand(asked)))


def _scope(q: Question, docs: list[DocInfo], unit: str | None) -> Question:
    """Narrow q to the documents it can be answered from (q.doc_ids), or say why none can (q.not_found)."""
    known = [d.unit for d in docs if d.unit]
    if _PERSONAL_PAY.search(q.text):
        q.not_found = "预决算公开文件只公开单位的工资福利支出总额，不公开个人（如某位领导）的工资收入"
        q.doc_ids = []
        return q
    if not unit and (refused := _unit_not_found(q.resolutions, known)):
        q.not_found, q.candidates = refused
        q.doc_ids = []
        return q
    scope = [d for d in docs if not q.units or d.unit in q.units]
    if q.years:
        # "2026年…比2025年增加多少" is about the 2026 document; only comparisons want every year named.
        years = q.years if q.intent == "compare" else [max(q.years)]
        in_year = [d for d in scope if d.year in years or d.year is None]  # an undated file may hold the year
        if not in_year and q.intent != Intent.COMPARE:
            # the next year's document prints this year's figures beside its own (2025年预算数, 上年执行数)
            in_year = [d for d in scope if d.year == max(years) + 1]
            q.periods = [p for p in Period if p in {*q.periods, Period.PREVIOUS}] if in_year else q.periods
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
