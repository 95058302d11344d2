"""Open a PDF with pdfplumber, judge its text layer, and read each page as ordered blocks."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from ..model import FailReason
from .settings import ParseSettings
from .tables import RawTable, is_text_box, raw_table
from .text import normalize


def readable(text: str) -> str:
    """A file name or path as text that can be stored, printed and sent as JSON.

    Names Python could not decode carry lone surrogates; they are decoded as GBK/GB18030 (names from Windows
    zip archives) where that works, else their undecodable bytes are replaced.
    """
    raw = os.fsencode(text)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


class ParseError(Exception):
    """A file that cannot be indexed; `reason` is a short code, the message says why in words."""

    def __init__(self, reason: FailReason, message: str):
        super().__init__(readable(message))
        self.reason = reason


@dataclass
class Line:
    text: str
    page: int
    top: float
    bottom: float
    page_height: float
    x1: float = 0.0  # right edge: a wrapped line runs to the text margin, a title stops short
    margin: float = 0.0  # the page's right text margin (widest line)
    runs_on: bool = False  # reaches a margin other lines reach too: a wrapped line whose text goes on below
    indented: bool = False  # starts right of the page's left text edge: a paragraph's first line, not a wrapped one
    x0: float = 0.0

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 1), round(self.top, 1), round(self.x1, 1), round(self.bottom, 1))


@dataclass
class PageBlocks:
    number: int
    height: float
    blocks: list[Line | RawTable] = field(default_factory=list)
    chars: int = 0
    bad_glyphs: int = 0  # (cid:N) and private-use characters
    cjk: int = 0
    images: int = 0  # embedded images: a page with images and no text is a scan to OCR
    ocr_confidence: float | None = None  # set when the page was read by OCR


_CID = re.compile(r"\(cid:\d+\)")
_PUA = re.compile(r"[\ue000-\uf8ff\ufffd]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _inside(obj, bboxes, margin=1.0) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 - margin <= cx <= x1 + margin and t - margin <= cy <= b + margin for x0, t, x1, b in bboxes)


def _place_on_baseline(page) -> None:
    """Re-derive each glyph's box from its baseline and size instead of the font's stated ascent/descent.

    Some exports embed Latin fonts with broken metrics: digits then sit a line lower than the Chinese
    around them and a sentence comes out as "收入预算万元其中…:2026 14,770.62". Every glyph put on its
    baseline the same way keeps a printed line on one line.
    """
    for c in page.chars:
        a, b, cc, d, _, f = c["matrix"]
        if b or cc or a <= 0 or d <= 0:
            continue  # rotated or mirrored text keeps pdfminer's box
        shift = (f - 0.12 * c["size"]) - c["y0"]
        old_top = c["top"]
        c["y0"] += shift
        c["y1"] = c["y0"] + c["size"]
        c["bottom"] -= shift
        c["top"] = c["bottom"] - c["size"]
        c["doctop"] += c["top"] - old_top


def read_page(page, number: int, settings: ParseSettings) -> PageBlocks:
    out = PageBlocks(number=number, height=float(page.height))
    _place_on_baseline(page)
    # Blanks kept: a label's leading blanks are its indentation (its depth in the 科目 hierarchy).
    found = [(t, t.extract(keep_blank_chars=True)) for t in page.find_tables(settings.table_settings) if len(t.rows) >= 2]
    found = [(t, cells) for t, cells in found if not is_text_box(cells)]  # framed prose is read as lines
    bboxes = [t.bbox for t, _ in found]
    text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, bboxes)) if bboxes else page
    items: list[tuple[float, Line | RawTable]] = []
    raw_lines = text_page.extract_text_lines(strip=True, return_chars=False)
    margin = max((ln["x1"] for ln in raw_lines), default=0.0)
    # A wrapped line stops less than one character short of the margin, or the next character would have fitted.
    # On a page of a few lines the widest may be a lone title: a margin only one line reaches is no margin.
    full = [ln["x1"] >= margin - (ln["bottom"] - ln["top"]) for ln in raw_lines]
    justified = sum(full) >= 2
    left = min((ln["x0"] for ln in raw_lines), default=0.0)
    for ln, is_full in zip(raw_lines, full):
        text = normalize(ln["text"])
        if text:
            indented = ln["x0"] > left + (ln["bottom"] - ln["top"]) / 2
            line = Line(text, number, ln["top"], ln["bottom"], out.height, ln["x1"], margin, justified and is_full, indented,
                        ln["x0"])
            items.append((ln["top"], line))
    for t, cells in found:
        items.append((t.bbox[1], raw_table(cells, number, [row.cells for row in t.rows])))
    items.sort(key=lambda x: x[0])
    out.blocks = [b for _, b in items]
    raw = "".join(c["text"] for c in page.chars)
    out.chars = len(raw.strip())
    out.bad_glyphs = len(_CID.findall(raw)) + len(_PUA.findall(raw)) + sum(
        1 for c in page.chars if c["text"].startswith("(cid:")
    )
    out.cjk = len(_CJK.findall(raw))
    out.images = len(page.images)
    return out


def open_pdf(path: Path):
    """pdfplumber.open with every way a file can be unreadable mapped to a ParseError."""
    data = path.read_bytes()[:1024] if path.exists() else b""
    if not path.exists():
        raise ParseError(FailReason.MISSING, f"{path.name}: file not found")
    if path.stat().st_size == 0:
        raise ParseError(FailReason.EMPTY, f"{path.name}: empty file (0 bytes)")
    if b"%PDF-" not in data:
        raise ParseError(FailReason.NOT_PDF, f"{path.name}: not a PDF (no %PDF header)")
    try:
        pdf = pdfplumber.open(path)  # an empty user password (owner-only protection) opens as usual
        pages = pdf.pages  # forces the page tree to load
    except (PDFSyntaxError, Exception) as e:  # pdfminer raises many types for damaged files
        # pdfplumber wraps pdfminer's error: the password failure is inside PdfminerException's args
        inner = [e, *(a for a in e.args if isinstance(a, BaseException))]
        if any(isinstance(x, PDFPasswordIncorrect) for x in inner):
            raise ParseError(FailReason.ENCRYPTED, f"{path.name}: encrypted PDF, a password is required")
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ParseError(FailReason.ENCRYPTED, f"{path.name}: encrypted PDF ({e})")
        raise ParseError(FailReason.CORRUPT, f"{path.name}: damaged PDF ({type(e).__name__}: {e})")
    if not pages:
        pdf.close()
        raise ParseError(FailReason.NO_PAGES, f"{path.name}: the PDF has no pages")
    return pdf
