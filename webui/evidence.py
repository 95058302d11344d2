"""The evidence viewer: the cited PDF page rendered (pypdfium2, 2×) with the cited cells and sentences boxed.

`View` is what the page keeps between events (which source, which page, how far zoomed); `evidence_html`
draws it. Boxes are in PDF points from the page's top-left, as the parser stores them.
"""
from __future__ import annotations

import base64
import functools
import io
import json
import os
import threading
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageOps

from qa.model import BBox

from .render import esc, matched_figures

SCALE = 2.0  # pixels per PDF point: a 10.5 pt figure is 21 px tall in the image, sharp at any zoom shown
ZOOMS = (100, 150, 200, 300)  # % of the viewer's width
FILL = (255, 214, 0, 96)  # translucent yellow over the cited text
EDGE = (220, 38, 38, 255)  # red frame, visible on any background
_PAD = 2.0  # points around a box, so the frame does not cut through the glyphs
_LOCK = threading.Lock()  # pdfium is not thread-safe


@dataclass
class Place:
    """One source to show: its PDF, page and the boxes on that page to mark (figures first, else the passage)."""

    doc_id: str
    path: str
    label: str
    page: int
    boxes: dict[int, list[BBox]] = field(default_factory=dict)  # page → boxes


@dataclass
class View:
    places: list[Place] = field(default_factory=list)
    index: int = 0  # which source
    page: int = 0  # the page shown (a source's own page until the reader turns pages)
    zoom: int = ZOOMS[0]

    @property
    def place(self) -> Place | None:
        return self.places[self.index] if 0 <= self.index < len(self.places) else None


def places_for(ans, paths: dict[str, str]) -> list[Place]:
    """One Place per source, marking on each page of its document the figures the answer states (the cited
    cell or sentence, at most 3 a page), and on its own page the passage itself where none of them is."""
    stated = [f for f in matched_figures(ans.figures, ans.answer) if f.bbox]
    # of those, the ones whose sentence the answer quotes: "减少8.00万元" is printed twice on a page, the quoted one counts
    stated = [f for f in stated if f.context and f.context in ans.answer] or stated
    out = []
    for s in ans.sources:
        boxes: dict[int, list[BBox]] = {}
        for f in (f for f in stated if f.doc_id == s.doc_id):
            page = boxes.setdefault(f.page, [])
            if tuple(f.bbox) not in page and len(page) < 3:
                page.append(tuple(f.bbox))
        if not boxes.get(s.page) and s.bbox:
            boxes[s.page] = [tuple(s.bbox)]
        out.append(Place(s.doc_id, paths.get(s.doc_id, ""), s.unit or s.doc, int(s.page), boxes))
    return out


def places_for_finding(rec, finding: dict) -> list[Place]:
    """One Place per page a consistency finding names, in the document it was found in (`rec`: a DocRecord)."""
    message = finding["message"]
    label = f"{rec.unit or rec.file} · 勾稽问题：{message if len(message) <= 40 else message[:39] + '…'}"
    return [Place(rec.id, rec.path, label, int(page)) for page in sorted(set(finding.get("pages") or []))]


@dataclass(frozen=True)
class Rendered:
    """A page rendered at SCALE and cropped to its printed area: PDF point p is pixel p × SCALE − origin."""

    image: Image.Image
    origin: tuple[int, int]
    pages: int  # the document's page count

    def pixels(self, box: BBox) -> BBox:
        (ox, oy), (x0, top, x1, bottom) = self.origin, box
        return ((x0 - _PAD) * SCALE - ox, (top - _PAD) * SCALE - oy, (x1 + _PAD) * SCALE - ox, (bottom + _PAD) * SCALE - oy)


_MARGIN = 24  # pixels of white kept around the printed area


@functools.lru_cache(maxsize=16)
def _page_image(path: str, mtime: float, page: int) -> Rendered:
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            if not 1 <= page <= len(pdf):
                raise IndexError(page)
            image = pdf[page - 1].render(scale=SCALE).to_pil().convert("RGB")
            pages = len(pdf)
        finally:
            pdf.close()
    # the page's wide white margins would shrink its text in a narrow column: keep the printed area only
    ink = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v > 24 else 0).getbbox()
    if not ink:
        return Rendered(image, (0, 0), pages)
    left, top = max(0, ink[0] - _MARGIN), max(0, ink[1] - _MARGIN)
    right, bottom = min(image.width, ink[2] + _MARGIN), min(image.height, ink[3] + _MARGIN)
    return Rendered(image.crop((left, top, right, bottom)), (left, top), pages)


def page_image(path: str, page: int) -> Rendered:
    return _page_image(path, os.path.getmtime(path), int(page))


def marked(page: Rendered, boxes) -> Image.Image:
    """A copy of the page with each box filled translucent yellow and framed in red."""
    out = page.image.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for box in boxes:
        draw.rectangle(page.pixels(box), fill=FILL, outline=EDGE, width=max(2, int(SCALE * 1.5)))
    return Image.alpha_composite(out, layer).convert("RGB")


def _data_uri(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


EMPTY = ('<div class="qa-ev-empty">提问后，这里自动显示答案引用的原文页面，并用红框标出引用的表格单元格或句子。'
         "可切换来源、翻页和放大。</div>")


def evidence_html(view: View | None) -> tuple[str, str]:
    """(the viewer's HTML, its caption): the page image with its boxes and their positions as data attributes
    (so the page can scroll to them), or a Chinese message saying why there is none."""
    place = view.place if view else None
    if place is None:
        return EMPTY, "原文页面"
    if not place.path or not os.path.isfile(place.path):
        return f'<div class="qa-ev-empty">找不到这份文件的原始 PDF（{esc(place.label)}），可能已被移动或移除。</div>', "原文页面"
    try:
        page = page_image(place.path, view.page)
    except (IndexError, ValueError):
        return f'<div class="qa-ev-empty">该文件没有第 {view.page} 页。</div>', "原文页面"
    boxes = place.boxes.get(view.page, [])
    w, h = page.image.size
    spans = "".join(
        f'<span class="qa-ev-box" style="left:{x0 / w:.4%};top:{y0 / h:.4%};width:{(x1 - x0) / w:.4%};'
        f'height:{(y1 - y0) / h:.4%}"></span>'
        for x0, y0, x1, y1 in map(page.pixels, boxes)
    )
    note = "红框为引用位置" if boxes else "本页没有标出的引用位置"
    caption = f"{place.label} · 第 {view.page} / {page.pages} 页 · {note} · 放大 {view.zoom}%"
    # the boxes in image pixels, for tests and for scrolling to them
    marks = json.dumps([[round(v, 1) for v in page.pixels(b)] for b in boxes])
    img = (f'<img src="{_data_uri(marked(page, boxes))}" alt="原文第{view.page}页" data-w="{w}" data-h="{h}" '
           f'data-boxes="{esc(marks)}">')
    return (f'<div class="qa-ev-scroll"><div class="qa-ev-page" style="width:{view.zoom}%">{img}{spans}</div></div>',
            caption)


def page_count(view: View) -> int:
    place = view.place
    if place is None or not place.path or not os.path.isfile(place.path):
        return 0
    try:
        return page_image(place.path, view.page or place.page).pages
    except (IndexError, ValueError):
        return 0
