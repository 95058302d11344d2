"""The document model every pipeline step shares: plain dataclasses, no behaviour beyond views.

parse → Document(sections, tables) → chunk → Chunk → index/retrieve → answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Cell:
    """One value cell of a table row: its flattened header path, raw text and exact value."""

    header: str  # e.g. "2026年预算数/一般公共预算"
    raw: str  # as printed, e.g. "15,753.96"
    value: Decimal | None  # None for blanks, "-", "—"


@dataclass
class Row:
    """A table row: label (科目编码 + 科目名称 or 项目), its parent labels and value cells."""

    label: str
    page: int
    cells: list[Cell] = field(default_factory=list)
    code: str | None = None  # 科目编码 where the row has one
    parents: list[str] = field(default_factory=list)  # labels of enclosing rows, outermost first

    @property
    def path(self) -> str:
        return " › ".join([*self.parents, self.label])


@dataclass
class FormField:
    """A field of a grid form such as 项目支出绩效目标表: "项目资金（元）/年度资金总额" → "456,500"."""

    label: str
    value: str
    page: int


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

    def page_of(self, start: int, end: int) -> int:
        """The page holding most of text[start:end]."""
        bounds = [(0, self.page), *self.page_starts, (len(self.text), 0)]
        spans = [(min(end, b) - max(start, a), page) for (a, page), (b, _) in zip(bounds, bounds[1:])]
        return max(spans)[1] if spans else self.page


@dataclass
class Section:
    """Prose under one heading path, e.g. ["第三部分 …", "七、“三公”经费增减变动原因说明"]."""

    path: list[str]
    paragraphs: list[Paragraph] = field(default_factory=list)

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
    contents: list[ContentsEntry] = field(default_factory=list)  # the 目录 as printed, where the document has one


@dataclass
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    id: str
    doc_id: str
    text: str
    type: str  # "section" | "row" | "form"
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

    @property
    def ocr(self) -> bool:
        return self.ocr_confidence is not None
