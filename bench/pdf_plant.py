"""Plant a figure in a PDF's own text: one digit of a printed number changed in the page's content stream, so the
edited file goes through the whole parse path again (pdfplumber → document model → checks).

Text-showing operators print glyph codes; a font's ToUnicode map says which character each code is. A digit is
replaced by the code the same font uses for the new digit, so the page keeps its fonts and layout.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ByteStringObject, ContentStream, TextStringObject

_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


@dataclass
class FontMap:
    width: int  # bytes per glyph code
    to_text: dict[bytes, str]
    to_code: dict[str, bytes]

    def decode(self, raw: bytes) -> list[tuple[bytes, str]]:
        """(code, character) for each glyph of a shown string."""
        codes = [raw[i : i + self.width] for i in range(0, len(raw) - self.width + 1, self.width)]
        return [(c, self.to_text.get(c, "\ufffd")) for c in codes]


def _font_map(font) -> FontMap:
    font = font.get_object()
    if "/ToUnicode" not in font:  # a simple font: codes are the characters (WinAnsi digits are ASCII)
        table = {bytes([b]): chr(b) for b in range(32, 127)}
        return FontMap(1, table, {v: k for k, v in table.items()})
    cmap = font["/ToUnicode"].get_object().get_data()
    table: dict[bytes, str] = {}
    width = 1
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in _HEX_PAIR.findall(block):
            width = len(src) // 2
            table[bytes.fromhex(src.decode())] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, dst in _HEX_RANGE.findall(block):
            width = len(lo) // 2
            a, b, d = int(lo, 16), int(hi, 16), int(dst, 16)
            for k in range(b - a + 1):
                table[(a + k).to_bytes(width, "big")] = chr(d + k)
    return FontMap(width, table, {v: k for k, v in table.items()})


def _strings(operands, op: bytes):
    """The string objects a text-showing operation prints, as (container, index) so they can be replaced."""
    if op in (b"Tj", b"'"):
        yield operands, 0
    elif op == b'"':
        yield operands, 2
    elif op == b"TJ":
        for i, item in enumerate(operands[0]):
            if isinstance(item, (ByteStringObject, TextStringObject, bytes, str)):
                yield operands[0], i


def _raw(s) -> bytes:
    return s.original_bytes if hasattr(s, "original_bytes") else bytes(s)


def replace_number(pdf_bytes: bytes, page_number: int, number: str, new: str, after: str = "") -> bytes | None:
    """The PDF with the first printing of `number` on the page (followed by `after`: "7万元", not the 7 of "2026")
    shown as `new` (same length, digits only changed), or None where the page does not print it or its font lacks a
    digit. A number may be printed glyph by glyph or over several strings: the page's shown text is searched as one,
    in content-stream order."""
    if len(number) != len(new):
        return None
    reader = PdfReader(io.BytesIO(pdf_bytes))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[page_number - 1]
    resources = page.get("/Resources")
    fonts = resources.get_object().get("/Font", {}) if resources is not None else {}
    maps: dict[str, FontMap] = {}
    content = ContentStream(page.get_contents(), writer)
    font = None
    glyphs: list[tuple[list, int, int, FontMap]] = []  # (container, index, glyph position, font) per character
    codes: dict[tuple[int, int], list[bytes]] = {}  # the glyph codes of each shown string, by (id(container), index)
    boxes: dict[tuple[int, int], tuple[list, int]] = {}
    text = []
    for operands, op in content.operations:
        if op == b"Tf":
            name = operands[0]
            if name not in maps and name in fonts:
                maps[name] = _font_map(fonts[name])
            font = maps.get(name)
            continue
        if font is None:
            continue
        for box, i in _strings(operands, op):
            key = (id(box), i)
            decoded = font.decode(_raw(box[i]))
            codes[key], boxes[key] = [c for c, _ in decoded], (box, i)
            for g, (_, ch) in enumerate(decoded):
                glyphs.append((key, g, font))
                text.append(ch)
    found = re.search(rf"(?<![\d.,]){re.escape(number + after)}", "".join(text))  # "5万元", not the tail of "15万元"
    if found is None:
        return None
    at = found.start()
    for k, (old_ch, new_ch) in enumerate(zip(number, new)):
        if old_ch == new_ch:
            continue
        key, g, f = glyphs[at + k]
        if new_ch not in f.to_code:
            return None
        codes[key][g] = f.to_code[new_ch]
    for key, (box, i) in boxes.items():
        if b"".join(codes[key]) != _raw(box[i]):
            box[i] = ByteStringObject(b"".join(codes[key]))
    page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
