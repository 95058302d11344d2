"""parse_pdf: a disclosure PDF → Document (sections with heading paths, tables, forms, metadata)."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ..model import UNTITLED_TABLE, Document, FailReason, Paragraph, Section
from .contents import MAX_CONTENTS_PAGE, contents_of
from .members import mark_members
from .meta import detect_aliases, detect_hosted, detect_kind, detect_members, detect_unit, detect_year, title_of
from .ocr import ocr_page
from .pdf import Line, PageBlocks, ParseError, open_pdf, read_page, readable
from .settings import ParseSettings
from .statements import read_statements
from .tables import EMPTY_NOTE, RawTable, build_table, is_caption
from .text import MAX_HEADING_CHARS, TITLE_LEVEL, ends_paragraph, heading_level, is_page_number, is_title_line, is_toc_entry, join_lines

_MAX_CAPTION_LINES = 6


def file_id(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _text_layer_problem(path: Path, pages: list[PageBlocks], s: ParseSettings) -> ParseError | None:
    textless = sum(1 for p in pages if p.chars < s.min_chars_per_page)
    if textless > s.max_textless_share * len(pages):
        return ParseError(FailReason.SCANNED, f"{path.name}: no text layer on {textless} of {len(pages)} pages (scanned images)")
    chars = sum(p.chars for p in pages) or 1
    bad = sum(p.bad_glyphs for p in pages)
    if bad > s.max_bad_glyph_share * chars:
        return ParseError(FailReason.GARBLED, f"{path.name}: text layer is garbled ({bad} undecodable glyphs of {chars} characters)")
    if sum(p.cjk for p in pages) < s.min_cjk_share * chars:
        return ParseError(FailReason.GARBLED, f"{path.name}: text layer decodes to non-Chinese gibberish (broken font map)")
    return None


def _read_pages(pdf, path: Path, s: ParseSettings, on_page: Callable[[int, int], None] | None) -> list[PageBlocks]:
    """Every page from its text layer; then, with OCR on, scanned pages (or all pages of a garbled file) from their images.

    Progress counts the OCR pass on top of the page count, so it only ever moves forward.
    """
    n = len(pdf.pages)
    pages = []
    for i, page in enumerate(pdf.pages, start=1):
        pages.append(read_page(page, i, s))
        page.close()  # drop pdfplumber's parsed objects: all pages' at once took ≈ 2 MB a page (0.5 GB for 262 pages)
        if on_page:
            on_page(i, n)
    problem = _text_layer_problem(path, pages, s)
    if not s.ocr:
        if problem:
            raise problem
        return pages
    garbled = problem is not None and problem.reason == FailReason.GARBLED
    redo = [p.number for p in pages if garbled or (p.chars < s.min_chars_per_page and p.images)]
    for k, number in enumerate(redo, start=1):
        read = ocr_page(pdf.pages[number - 1], s.ocr_resolution)
        pages[number - 1] = read_page(read.page, number, s)
        pages[number - 1].ocr_confidence = read.confidence
        if on_page:
            on_page(n + k, n + len(redo))
    if problem := _text_layer_problem(path, pages, s):
        if redo:
            raise ParseError(FailReason.NO_TEXT, f"{path.name}: OCR of {len(redo)} page images found no usable text ({problem})")
        raise problem
    return pages


def _furniture(pages: list[PageBlocks], s: ParseSettings) -> set[str]:
    """Running headers/footers: the same text (digits ignored) at the page edge on many pages."""
    seen: Counter[str] = Counter()
    for p in pages:
        keys = {
            re.sub(r"\d+", "#", b.text)
            for b in p.blocks
            if isinstance(b, Line) and (b.top < s.furniture_band * p.height or b.bottom > (1 - s.furniture_band) * p.height)
        }
        seen.update(keys)
    need = max(3, s.furniture_share * len(pages))
    return {k for k, n in seen.items() if n >= need}


# a paragraph opening a list of names on the lines below ("预算单位24个，具体包括：", "分别是："), and the heading levels
# its items are numbered like ("（一）…", "1.…", "（1）…"), not a part's or a chapter's (第一部分, 一、)
_LIST_OPENER = re.compile(r"(?:包括|包含|分别是|分别为|如下|有)[：:]$")
_LIST_ITEM_LEVEL = 2
# a line that can only continue the line above: the classifier closing a 科目's name ("（项）。年初预算为…")
_CONTINUES = re.compile(r"^[（(][类款项][）)]")


def _next_line(above: Line, line: Line) -> bool:
    """The wrapped rest of a line: not a new paragraph's indented full first line, right below at the text's
    own line spacing (a heading stands apart by a wider gap) or at the top of the next page."""
    if line.indented and line.runs_on:
        return False
    if line.page != above.page:
        return line.page == above.page + 1
    return line.top - above.bottom <= 1.5 * (above.bottom - above.top)


class _SectionBuilder:
    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._stack: list[tuple[int, str]] = []
        self._buf: list[Line] = []
        self._heading: list[Line] = []  # a numbered heading running to the margin: it may wrap onto the next line
        # the heading just opened, its lines and the headings open before it: undone when the next line shows it was
        # a paragraph's first line ("5、…（款）行政单位离退休" then "（项）。主要用于：…")
        self._opened: tuple[list[Line], list[tuple[int, str]]] | None = None
        self._list_opened = False  # the last paragraph opens a list ("预算单位24个，具体包括：")
        # numbered names under it ("（一）广州市第一人民医院"), each read as a heading with nothing under it yet: a
        # list's items, unless prose or a deeper heading follows the last of them
        self._items: list[tuple[int, str, list[Line]]] = []

    def add(self, line: Line) -> None:
        if self._heading:
            if heading_level(line.text) is None and _next_line(self._heading[-1], line):
                self._heading.append(line)
                if not line.runs_on or len(join_lines([h.text for h in self._heading])) > MAX_HEADING_CHARS:
                    self._settle_heading()
                return
            self._settle_heading()
        if self._items and heading_level(line.text) is None:
            self._settle_items(last_heads=True)  # prose under the last item: that one was a heading
        opened, self._opened = self._opened, None  # the heading opened right before this line, if one was
        if opened and _CONTINUES.match(line.text):
            lines, self._stack = opened
            self._buf += lines
        level = None if self._buf and _CONTINUES.match(line.text) else heading_level(line.text)
        stops_short = line.x1 < line.margin - 24  # about two characters short of the margin
        if level is None and not self._buf and stops_short and is_title_line(line.text):
            level = TITLE_LEVEL  # only after a finished paragraph: a paragraph's short last line is not a title
        if level is not None:
            self.end_paragraph()
            if line.runs_on and level != TITLE_LEVEL:
                self._heading = [line]
            else:
                self._open(level, line.text, [line])
            return
        self._buf.append(line)
        if ends_paragraph(line.text):
            self.end_paragraph()

    def _settle_heading(self) -> None:
        """A wrapped heading is one heading; a 'heading' that reads on as a sentence is a paragraph's first line."""
        lines, self._heading = self._heading, []
        text = join_lines([h.text for h in lines])
        level = heading_level(text)
        if level is not None:
            self._open(level, text, lines)
            return
        for h in lines:
            self._buf.append(h)
            if ends_paragraph(h.text):
                self.end_paragraph()

    def _open(self, level: int, text: str, lines: list[Line]) -> None:
        if level >= _LIST_ITEM_LEVEL and (level == self._items[-1][0] if self._items else self._list_opened):
            self._items.append((level, text, lines))
            return
        if self._items:  # a heading deeper than the items is under the last of them; any other ends the list
            self._settle_items(last_heads=level > self._items[-1][0])
        self._list_opened = False
        self._opened = (lines, self._stack)
        self._stack = [h for h in self._stack if h[0] < level] + [(level, text)]

    def _settle_items(self, last_heads: bool) -> None:
        """The numbered names read after a list's opening: each a paragraph of the list's section (its sentences
        are the list's items), but the last where it heads what follows."""
        items, self._items = self._items, []
        for _, _, lines in items[:-1] if last_heads else items:
            self._buf = list(lines)
            self.end_paragraph()
        self._list_opened = False
        if last_heads:
            self._open(*items[-1])

    def end_block(self) -> None:
        """The text before a table, or the document's end: a list of names pending there is a list."""
        self.end_paragraph()
        if self._items:
            self._settle_items(last_heads=False)

    def end_paragraph(self) -> None:
        if self._heading:
            self._settle_heading()
        if not self._buf:
            return
        path = [h for _, h in self._stack]
        if not self.sections or self.sections[-1].path != path:
            self.sections.append(Section(path=path))
        texts = [b.text for b in self._buf]
        starts = [len(join_lines(texts[: i + 1])) - len(texts[i]) for i in range(len(texts))]
        page_starts = [(start, b.page) for i, (start, b) in enumerate(zip(starts, self._buf))
                       if i and b.page != self._buf[i - 1].page]
        lines = [(start, b.page, b.bbox) for start, b in zip(starts, self._buf)]
        self.sections[-1].paragraphs.append(Paragraph(join_lines(texts), self._buf[0].page, page_starts, lines))
        self._list_opened = bool(_LIST_OPENER.search(texts[-1]))
        self._buf = []


def parse_pdf(
    path: str | Path, settings: ParseSettings | None = None, on_page: Callable[[int, int], None] | None = None
) -> Document:
    """Parse one disclosure. Raises ParseError for files that cannot or must not be indexed."""
    path = Path(path)
    s = settings or ParseSettings()
    pdf = open_pdf(path)
    try:
        pages = _read_pages(pdf, path, s, on_page)
    except ParseError:
        raise
    except Exception as e:  # pdfminer fails in many ways on damaged page content
        raise ParseError(FailReason.CORRUPT, f"{path.name}: damaged page content ({type(e).__name__}: {e})") from e
    finally:
        pdf.close()
    furniture = _furniture(pages, s)

    builder = _SectionBuilder()
    raws: list[RawTable] = []
    pending: list[Line] = []
    open_table: RawTable | None = None  # last table, while nothing but notes/furniture follows it
    all_lines: list[str] = []
    first_page_lines: list[str] = []
    front_lines = [b for p in pages[: MAX_CONTENTS_PAGE] for b in p.blocks if isinstance(b, Line)]
    for p in pages:
        content_on_page = False
        for b in (part for b in p.blocks for part in ([b] if isinstance(b, Line) else b.split_at_titles())):
            if isinstance(b, Line):
                if is_page_number(b.text) or re.sub(r"\d+", "#", b.text) in furniture or is_toc_entry(b.text):
                    continue
                all_lines.append(b.text)
                if p.number == pages[0].number:
                    first_page_lines.append(b.text)
                if open_table is not None and (b.text.startswith(("注：", "注:")) or EMPTY_NOTE.search(b.text)) and not pending:
                    open_table.notes.append(b.text)
                    continue
                pending.append(b)
                content_on_page = True
                open_table = None
                continue
            caps: list[Line] = []
            while pending and len(caps) < _MAX_CAPTION_LINES and pending[-1].page == p.number and is_caption(pending[-1].text):
                caps.insert(0, pending.pop())
            only_captions = not pending  # nothing but these captions since the last table
            for line in pending:
                builder.add(line)
            builder.end_block()
            pending = []
            continuing = open_table is not None and not content_on_page and not caps
            if continuing and open_table.continues_in(b) and not _starts_with_caption(b):
                open_table.extend(b)
            elif only_captions and raws and raws[-1].repeats_in(b, [c.text for c in caps]):
                raws[-1].extend(b, max_header_rows=len(b.grid))  # its header, however deep, is printed again
                open_table = raws[-1]
            else:
                b.captions = [c.text for c in caps] or (open_table.captions if continuing else [])
                raws.append(b)
                open_table = b
            content_on_page = True
    for line in pending:
        builder.add(line)
    builder.end_block()

    tables = [t for t in (build_table(r) for r in raws) if t is not None]
    name = Path(readable(path.name))
    title = title_of(first_page_lines) or name.stem
    kind, scope = detect_kind(title, tables)
    doc = Document(
        id=file_id(path),
        file=name.name,
        title=title,
        unit=detect_unit(title, all_lines[:200], tables, name.stem),
        year=detect_year(title, all_lines, name.stem, kind),
        kind=kind,
        scope=scope,
        page_count=len(pages),
        sections=[sec for sec in builder.sections if sec.paragraphs],
        tables=tables,
        ocr_pages={p.number: round(p.ocr_confidence, 4) for p in pages if p.ocr_confidence is not None},
        contents=contents_of(front_lines),
    )
    for sec in doc.sections:
        sec.statements = read_statements(sec, doc.year)
    prose = [p.text for sec in doc.sections for p in sec.paragraphs]
    doc.aliases = detect_aliases(doc.unit, prose)
    doc.members = detect_members(doc.unit, prose) + detect_hosted(doc.unit, prose)
    doc.members += mark_members(doc)
    if doc.ocr_pages:
        mean = sum(doc.ocr_pages.values()) / len(doc.ocr_pages)
        doc.warnings.append(f"{len(doc.ocr_pages)} of {len(pages)} pages read by OCR (mean confidence {mean:.3f})")
    if not doc.unit:
        doc.warnings.append("unit name not found")
    if not tables:
        doc.warnings.append("no ruled tables found")
    for t in tables:
        if not t.title:
            t.title = UNTITLED_TABLE
            doc.warnings.append(f"table on page {t.page} has no title")
    return doc


def _starts_with_caption(raw: RawTable) -> bool:
    """A table whose first printed row is its own title (北京 预算01表, 上海 after an empty grid row)."""
    first = next(([c for c in row if c] for row in raw.grid if any(row)), [])
    return bool(first) and all(is_caption(c) for c in first) and any("表" in c for c in first)
