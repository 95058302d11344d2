"""Prose → statements: every clause of a section and each number it prints, with the words that name it.

Read once at parse, over a whole section: a numbered item's line ("（1）因公出国（境）费。") is the topic of the
clauses after it across paragraphs, wherever the chunker later cuts; answers read the figures, never the text.
"""
from __future__ import annotations

import re

from ..model import Paragraph, ProseFigure, Section, Statement
from ..period import Period, periods_in
from ..prose import CHANGED_BY, COUNT_UNITS, LABEL_PREFIX, PROSE_NUMBER, RELATIONAL, SEGMENT, stated_changes, subject_levels

_HEADING_BOILERPLATE = re.compile(r"情况说明|[（(]详见[^）)]*[）)]")
_NUMBERED = re.compile(r"^(\d+|[一二三四五六七八九十]+)[、.．]|^[（(]")  # "22.…", "三、…", "（1）…": a new subject
_LEAD = re.compile(r"^(?:20\d\d\s*年度?|[，,：:、；;\s“”\"])+")  # what may open a clause before its words
_NEAR_LEAD = re.compile(r"^[，,：:、；\s）)]+|^其中[：:]?")
_PARTS_OPEN = re.compile(r"^其中")  # "其中：因公出国（境）费0万元…；公务接待费…。": the parts of the total before
_HEADING_CHARS = 24  # a numbered line without figures this long at most is a title heading the figures after it
_CLAUSE = re.compile(r"[，,：:；;]")
# a paragraph opening with a name and a colon speaks of that name throughout ("四环主路维修专项工程：根据…。本项目计划安排
# 年初预算21384.60万元"), unless the words only introduce what follows ("其中：", "预算收支增加主要原因说明：", "有以下机构：")
_LABEL_OPENING = re.compile(r"^([\u4e00-\u9fff“”\"（）()]{2,24}?)[：:](?=\S)")
_NOT_LABEL = re.compile(r"^(?:其中|主要|原因|具体|说明|备注|注|一是|二是)|以下|(?:如下|包括|原因|情况|说明|是|为|有)$")
# what money is for, and its examples, between an amount and its change: "支出4,066.60万元，主要用于支持…等重点工作，
# 比2025年增加1,066.60万元", "项目支出148,941.8万元，主要用于创新平台…等，如支持基础研究计划…，比2025年增加8,385.34万元"
# (the change is still the 支出's)
_PURPOSE = re.compile(r"^(?:主要)?用于|^(?:例)?如")
_COMPARED = re.compile(r"^(?:比|较|与)")  # a statement opening with what a change is measured from
# "内设13个司局", "共16个处（室）": what is counted follows the number, a bracketed part of its name with it
_COUNTED = re.compile(r"(?:[\u4e00-\u9fff]|[（(][\u4e00-\u9fff]{1,4}[）)]){0,6}")


def _bracket_owner(text: str, at: int) -> str:
    """What a bracket closed at `at` was opened after: "公务用车购置及运行维护费567.72万元（购置费…。）比上年增加
    46.49万元" → "公务用车购置及运行维护费", the subject of the figures after the bracket."""
    depth = 0
    for i in range(at - 1, -1, -1):
        depth += {"）": 1, ")": 1, "（": -1, "(": -1}.get(text[i], 0)
        if depth < 0:
            clause = re.split(r"[。；;，,：:]", text[:i])[-1]
            number = PROSE_NUMBER.search(clause)
            return LABEL_PREFIX.sub("", _LEAD.sub("", clause[: number.start()] if number else clause)).strip()
    return ""


def _words(text: str) -> str:
    return re.sub(r"\W", "", text)


def read_statements(section: Section, year: int | None) -> list[Statement]:
    """The section's clauses in order, each with its figures. `year` is the document's (2025年 in a 2026 budget is 上年)."""
    out: list[Statement] = []
    topic = heading = ""
    total = ""  # the words naming the last figure stated before a "其中" run: what its parts are parts of
    parts_of = ""  # inside a "其中：…；…。" run, that total
    title = _HEADING_BOILERPLATE.sub("", section.path[-1]) if section.path else ""
    for index, para in enumerate(section.paragraphs):
        stated = ""  # the last amount the paragraph stated: what a statement opening with 比 compares
        before = labelled = topic
        named = ""  # …and names its figures: "四环主路维修专项工程：本项目计划安排年初预算"
        if (opening := _LABEL_OPENING.match(para.text)) and not _NUMBERED.match(para.text) \
                and not _NOT_LABEL.search(label := opening.group(1)) and not RELATIONAL.match(label):
            named = subject_levels(label)
            topic = labelled = " ".join(filter(None, (topic, named)))
        for m in SEGMENT.finditer(para.text):
            text = m.group(0).strip()
            if not text:
                continue
            start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            numbers = list(PROSE_NUMBER.finditer(text))
            # "…567.72万元（…减少2.96万元。）比上年增加46.49万元": after the bracket, its owner is spoken of again;
            # "项目支出148,941.8万元，主要用于…等。比2025年增加8,385.34万元": the amount stated before is
            owner = _bracket_owner(para.text, start) if text.startswith(("）", ")")) else \
                stated if _COMPARED.match(_LEAD.sub("", text)) else ""
            head = subject_levels(_LEAD.sub("", text[: numbers[0].start()].lstrip("）)"))) if numbers else ""
            head = owner + head if owner and RELATIONAL.match(head) else head
            # "比上年执行数增加…" opening a passage speaks of its heading's subject
            related = title if RELATIONAL.match(head) and not topic else ""
            if _NUMBERED.match(text):  # a numbered item starts a new subject
                figure_topic = related
                # a line without figures names the item ("（1）因公出国（境）费。", "提租补贴（项）：指…" names 提租补贴)
                topic = " ".join(filter(None, (related, head))) if numbers else subject_levels(re.split(r"[：:]", text, maxsplit=1)[0])
                title_line = LABEL_PREFIX.sub("", text).strip("。；;，,：: ")
                heading = "" if numbers or len(title_line) > _HEADING_CHARS else title_line
            else:
                figure_topic = topic or related
                topic = topic or " ".join(filter(None, (related, head)))
            if _PARTS_OPEN.match(text) and total:
                parts_of = total
            statement = Statement(text, para.page_of(start, start + len(text)), index, start)
            statement.figures = _figures(text, numbers, para, start, head, figure_topic, heading or named, parts_of, section,
                                         year, owner)
            if statement.figures and not parts_of:
                total = statement.figures[0].near
            # …its last amount, not a change: "收入154,304.22万元，支出154,304.22万元。比2025年增加…" is the 支出's
            stated = next((f.near for f in reversed(statement.figures) if not CHANGED_BY.search(f.short or f.near)), stated)
            if text.endswith(("。", "！", "？", "!", "?")):
                parts_of = ""
            out.append(statement)
        if topic == labelled:
            topic = before  # the name spoke of its own paragraph
    return out


def read_text_statements(text: str, page: int, row: str | None, column: str | None, year: int | None) -> list[Statement]:
    """The clauses of a table's text cell or a form's text field, read as prose under the names of its row and
    column: a 绩效目标 "通过…项目，举办1个学习班…", an indicator "群众满意度不低于95%". Only those printing a figure;
    the column names each figure as much as its words do ("年度指标值" for "≥95%"), so it opens their topic."""
    out = [st for st in read_statements(Section([n for n in (row, column) if n], [Paragraph(text, page)]), year) if st.figures]
    for f in (f for st in out for f in st.figures):
        f.topic = " ".join(filter(None, (column, f.topic)))
    return out


def _figures(text: str, numbers: list[re.Match], para: Paragraph, start: int, head: str, topic: str, heading: str,
             whole: str, section: Section, year: int | None, owner: str = "") -> list[ProseFigure]:
    changed_at = {c.start for c in stated_changes(text, unchanged=True)} if numbers else set()
    out: list[ProseFigure] = []
    last, prev_near = 0, owner
    for m in numbers:
        if last and "其中" in text[last : m.start()]:
            whole = prev_near
        near = subject_levels(_NEAR_LEAD.sub("", text[last : m.start()]).strip("，,：: "))
        clause = _CLAUSE.split(near)[-1]
        if len(clause) >= 3 and not RELATIONAL.match(clause):
            near = clause  # "提租补贴（项）：指…标准确定，人均月补贴90元": the clause it stands in names it
        # the words of its own clause say what it is: "…比2025年初预算数56,831.85增加较多，…，比2025年预算支出执行数
        # 483,923.17万元" is the 2025 执行数, no 年初预算 nor a change (a number printed without its unit is no figure)
        short = clause if len(clause) >= 3 else near
        if len(near) < 3 or RELATIONAL.match(near):
            near = f"{prev_near}{near}"  # "基本支出15753.96万元，占87.22%": the share is 基本支出's
        elif prev_near and RELATIONAL.match(clause) and all(_PURPOSE.match(c) for c in _CLAUSE.split(near)[:-1] if c):
            near = f"{prev_near}{clause}"  # …and so is a change measured after what the amount is for
        if not near and not head and not topic:
            near = section.path[-1] if section.path else ""  # "1637.76万元。" under its title line
        unit = "%" if m.group("unit") in ("%", "％") else m.group("unit")
        counted = _COUNTED.match(text, m.end()).group(0) if unit in COUNT_UNITS else ""
        near += counted
        label = near or " ".join(filter(None, (topic, head))).strip("。；;，,：: ")
        if heading and _words(heading) not in _words(label):
            label = f"{heading}：{label}"  # "因公出国（境）费：2026年预算数", not the bare "2026年预算数"
        # a change is of neither year: "比2025年年初预算增加44.59万元" names the base it is measured from
        periods = [] if CHANGED_BY.search(short or near) else [p for p in Period if p in periods_in(short or near, year)]
        at = start + m.start()
        out.append(ProseFigure(m.group("num"), unit, m.start(), para.page_of(at, at + len(m.group(0))), near, short,
                               label, head, topic, whole, periods, m.start() in changed_at, counted))
        last, prev_near = m.end(), near
    return out
