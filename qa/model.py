"""The document model every pipeline step shares: plain dataclasses, no behaviour beyond views.

parse → Document(sections, tables) → chunk → Chunk → index/retrieve → answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .period import Period

class ChunkType(StrEnum):
    """What a chunk holds (a str: stored and compared as its value)."""

    SECTION = "section"  # a passage of prose under its heading path
    ROW = "row"  # one table row, its cells with their column paths
    FORM = "form"  # one form group (绩效目标表): a project's fields


class FailReason(StrEnum):
    """Why a file could not be indexed (IngestResult.reason; the page says each in Chinese)."""

    MISSING = "missing"
    EMPTY = "empty"
    NOT_PDF = "not-pdf"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    NO_PAGES = "no-pages"
    SCANNED = "scanned"
    GARBLED = "garbled"
    NO_TEXT = "no-text"
    UNREADABLE = "unreadable"
    PARSE_ERROR = "parse-error"
    PARSE_CRASH = "parse-crash"
    STORE_ERROR = "store-error"
    TOO_LARGE = "too-large"  # the page's own upload limit


UNTITLED_TABLE = "（无标题表格）"  # the title of a table whose title the parser could not read
# the label of a table's total row
TOTAL_LABEL = re.compile(r"^(合计|总计|小计|部门合计|单位合计|本年.*合计)$")
# "深圳市财政局（本级）": a department's own part, as its tables and 说明 name it beside its other 预算单位
OWN_LEVEL = re.compile(r"[（(]?(?:机关)?(?:本级|本部)[）)]?$")

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top-left (pdfplumber's)


def union(boxes) -> BBox | None:
    """The smallest box holding every given box (None ones skipped); None when there is none."""
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Cell:
    """One value cell of a table row: its flattened header path, raw text and exact value."""

    header: str  # e.g. "2026年预算数/一般公共预算"
    raw: str  # as printed, e.g. "15,753.96"
    value: Decimal | None  # None for blanks, "-", "—"
    bbox: BBox | None = None  # where it is printed, on its row's page


@dataclass
class Row:
    """A table row: label (科目编码 + 科目名称 or 项目), its parent labels and value cells."""

    label: str
    page: int
    cells: list[Cell] = field(default_factory=list)
    code: str | None = None  # 科目编码 where the row has one
    parents: list[str] = field(default_factory=list)  # labels of enclosing rows, outermost first
    bbox: BBox | None = None  # its label and value cells on its page
    member: str | None = None  # the 预算单位 whose block holds it, where a department's table is broken down by unit:
    # "深圳市人力资源和社会保障局（本级）" for its 科目 rows, the unit's own row, and nothing elsewhere

    @property
    def path(self) -> str:
        return " › ".join([*self.parents, self.label])


@dataclass
class FormField:
    """A field of a grid form such as 项目支出绩效目标表: "项目资金（元）/年度资金总额" → "456,500"."""

    label: str
    value: str
    page: int
    bbox: BBox | None = None  # its printed value cell, or the row holding a label：value pair


@dataclass
class Table:
    title: str
    pages: list[int]
    number: str | None = None  # 表十 / 预算公开表10 / 预算01表
    unit_name: str | None = None  # 单位名称 printed above the table
    unit: str | None = None  # 万元 / 元
    headers: list[str] = field(default_factory=list)  # flattened header path of every column
    rows: list[Row] = field(default_factory=list)
    fields: list[FormField] = field(default_factory=list)  # set for forms instead of rows
    notes: list[str] = field(default_factory=list)  # 注：… lines
    empty: bool = False  # "本表无数据" or no value at all

    @property
    def is_form(self) -> bool:
        return bool(self.fields)

    @property
    def page(self) -> int:
        return self.pages[0]


@dataclass
class Paragraph:
    text: str
    page: int  # where it starts
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # (offset, page) where it runs onto a later page
    lines: list[tuple[int, int, BBox]] = field(default_factory=list)  # (offset, page, box) of each printed line

    def page_of(self, start: int, end: int) -> int:
        """The page holding most of text[start:end]."""
        bounds = [(0, self.page), *self.page_starts, (len(self.text), 0)]
        spans = [(min(end, b) - max(start, a), page) for (a, page), (b, _) in zip(bounds, bounds[1:])]
        return max(spans)[1] if spans else self.page

    def boxes_in(self, start: int, end: int, page: int) -> list[tuple[int, BBox]]:
        """(offset, box) of the printed lines on `page` that text[start:end] touches, offsets from start."""
        ends = [off for off, _, _ in self.lines[1:]] + [len(self.text)]
        return [(max(0, off - start), box) for (off, p, box), stop in zip(self.lines, ends)
                if p == page and off < end and stop > start]


@dataclass
class ProseFigure:
    """A number printed in a statement and the words that name it, read once at parse.

    In "基本支出15,753.96万元，占87.22%" the share is ProseFigure(raw="87.22", unit="%", near="基本支出占", short="占").
    """

    raw: str  # as printed: "15,753.96"
    unit: str  # "万元", "%", "辆"
    at: int  # where the number starts in its statement's text
    page: int  # where it is printed (a statement may run onto the next page)
    near: str  # the words naming it: those right before it, extended back when they only relate ("占", "比上年")
    short: str = ""  # only the words right before it: "占", "实有"
    label: str = ""  # as an answer names it: "因公出国（境）费：2026年预算数" (a numbered heading line prefixed)
    subject: str = ""  # the statement's opening words, before its first number: "2026年“三公”经费财政拨款预算"
    topic: str = ""  # what the statements before it spoke of: a numbered item's line ("（1）因公出国（境）费。"),
    # or the section's title where the statement opens by relating ("比上年执行数增加…")
    whole: str = ""  # what a 其中 part is part of: "政府采购预算安排483.05万元，其中：货物类" → "政府采购预算安排"
    periods: list[Period] = field(default_factory=list)  # what its words say it is of: [上年]; none for a change
    states_change: bool = False  # the statement gives this amount's change from last year ("X万元，与上年持平")
    counted: str = ""  # what a count counts, as printed after its measure word: "共16个处（室）" → "处（室）"


@dataclass
class Statement:
    """One clause of prose (up to 。；！？ or a line end) and the figures it prints, read once at parse."""

    text: str  # "2026年“三公”经费财政拨款预算76万元，比上年增加10万元。"
    page: int  # where it starts
    paragraph: int  # index of its paragraph in the section
    start: int  # offset in that paragraph
    figures: list[ProseFigure] = field(default_factory=list)

    @property
    def ends_sentence(self) -> bool:
        """A sentence ends here (。！？ or the paragraph's end), not a clause (；)."""
        return not self.text.endswith(("；", ";"))


@dataclass
class Section:
    """Prose under one heading path, e.g. ["第三部分 …", "七、“三公”经费增减变动原因说明"]."""

    path: list[str]
    paragraphs: list[Paragraph] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)  # every clause of the paragraphs, in order
    member: str | None = None  # the 预算单位 its heading path names, where a department's 说明 goes unit by unit:
    # "深圳市人力资源和社会保障局（本级）" under "第三部分… › 一、深圳市人力资源和社会保障局（本级）"

    @property
    def heading(self) -> str:
        return " › ".join(self.path)

    @property
    def pages(self) -> tuple[int, int]:
        ps = [p.page for p in self.paragraphs]
        return (min(ps), max(ps)) if ps else (0, 0)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass
class ContentsEntry:
    """One entry of the printed 目录 (table of contents), wrapped lines joined: "五、一般公共预算财政拨款支出决算表"."""

    text: str
    page: int  # the 目录's page, not the page the entry points to


@dataclass
class Document:
    id: str  # sha256 of the file's bytes, shortened
    file: str  # file name
    title: str
    unit: str | None  # 单位/部门名称
    year: int | None
    kind: str | None  # 预算 / 决算
    scope: str | None  # 部门 / 单位
    page_count: int
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ocr_pages: dict[int, float] = field(default_factory=dict)  # page → mean OCR confidence, for pages read from images
    aliases: list[str] = field(default_factory=list)  # other names the document gives the unit: ['北京市住房保障办公室'] (加挂牌子)
    # the units its budget covers (单位构成): ['首都图书馆', '北京画院'], and the bodies set in it (设在): ['市委依法治市办']
    members: list[str] = field(default_factory=list)
    contents: list[ContentsEntry] = field(default_factory=list)  # the 目录 as printed, where the document has one


@dataclass
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    id: str
    doc_id: str
    text: str
    type: ChunkType
    page: int
    file: str
    unit: str | None
    year: int | None
    kind: str | None
    section: str | None = None
    table: str | None = None
    row_label: str | None = None
    table_unit: str | None = None
    cells: list[Cell] = field(default_factory=list)
    ocr_confidence: float | None = None  # set when the passage was read by OCR: answers say so
    bbox: BBox | None = None  # where the passage is printed on its page (a row, or its prose lines)
    lines: list[tuple[int, BBox]] = field(default_factory=list)  # prose: (offset in the body, box) of each line
    path: list[str] = field(default_factory=list)  # prose: its heading path; a row: its parents' labels and its own
    statements: list[Statement] = field(default_factory=list)  # prose: the clauses it holds, with their figures;
    # a row or form: those of its text cells or fields ("群众满意度不低于95%")
    fields: list[FormField] = field(default_factory=list)  # forms: the fields it holds
    member: str | None = None  # the 预算单位 whose block or section holds it (Row.member, Section.member)
    code: str | None = None  # a row's 科目编码 (Row.code): "2230199"
    dense_text: str | None = None  # what its vector is embedded from, where not its text: a row without its cells
    # that print nothing or 0 ("… 205 教育支出：支出总计 3.78万元；基本支出 3.78万元", its 项目支出 0.00万元 left out)

    @property
    def embedded_text(self) -> str:
        """The text its vector is embedded from."""
        return self.dense_text or self.text

    @property
    def clauses(self) -> list[str]:
        """Its prose clauses (up to 。；！？ or a line end), as the parser read them."""
        return [s.text for s in self.statements]

    @property
    def sentences(self) -> list[str]:
        """Its clauses joined into sentences: a sentence ends at 。！？ or its paragraph's end, not at ；."""
        out: list[str] = []
        for i, s in enumerate(self.statements):
            joins = i and not self.statements[i - 1].ends_sentence and self.statements[i - 1].paragraph == s.paragraph
            if joins:
                out[-1] += s.text
            else:
                out.append(s.text)
        return out

    @property
    def own_heading(self) -> str:
        """The last of its path: a passage's own heading ("（一）本部门职责情况", not "一、部门情况说明"), a row's label."""
        return self.path[-1] if self.path else ""

    @property
    def total_row(self) -> bool:
        """A table's total row: labelled 合计/总计/小计…, not labelled at all, or by the unit itself (a 部门预算's
        unit row, "深圳市医疗保障局（本级）", above its 科目) or by the 预算单位 whose row it is (杭州市北郊监狱's row of
        the 杭州市司法局 收入预算总表: that unit's 收入总计)."""
        label = self.own_heading.strip()
        return self.type == ChunkType.ROW and (not label or bool(TOTAL_LABEL.match(label)) or label in (self.unit, self.member))

    @property
    def body(self) -> str:
        """The passage without its header line (unit, year, kind, where it stands), which chunk.py writes first."""
        return self.text.split("\n", 1)[-1]

    @property
    def ocr(self) -> bool:
        return self.ocr_confidence is not None

    def box_of(self, text: str) -> BBox | None:
        """Where a piece of the body (a sentence) is printed: its lines' box; else the whole passage's."""
        body = self.body
        start = body.find(text) if text else -1
        if start < 0 or not self.lines:
            return self.bbox
        end = start + len(text)
        ends = [off for off, _ in self.lines[1:]] + [len(body)]
        return union(box for (off, box), stop in zip(self.lines, ends) if off < end and stop > start) or self.bbox
