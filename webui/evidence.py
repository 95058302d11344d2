"""The evidence viewer: the cited PDF page rendered (pypdfium2, 2×) with the cited cells and sentences boxed.

`View` is what the page keeps between events (which source, which page, how far zoomed); `evidence_html`
draws it. Boxes are in PDF points from the page's top-left, as the parser stores them.
"""
from __future__ import annotations

import base64
import functools
import io
import os
import threading
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

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
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)  # page → boxes


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
    out = []
    for s in ans.sources:
        boxes: dict[int, list] = {}
        for f in stated:
            page = boxes.setdefault(f.page, [])
            if f.doc_id == s.doc_id and tuple(f.bbox) not in page and len(page) < 3:
                page.append(tuple(f.bbox))
        if not boxes.get(s.page) and s.bbox:
            boxes[s.page] = [tuple(s.bbox)]
        out.append(Place(s.doc_id, paths.get(s.doc_id, ""), s.unit or s.doc, int(s.page), boxes))
    return out


@functools.lru_cache(maxsize=16)
def _page_image(path: str, mtime: float, page: int) -> tuple[Image.Image, float, float, int]:
    """(image at SCALE, page width and height in points, page count)."""
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            if not 1 <= page <= len(pdf):
                raise IndexError(page)
            p = pdf[page - 1]
            width, height = p.get_size()
            image = p.render(scale=SCALE).to_pil().convert("RGB")
            return image, width, height, len(pdf)
        finally:
            pdf.close()


def page_image(path: str, page: int) -> tuple[Image.Image, float, float, int]:
    return _page_image(path, os.path.getmtime(path), int(page))


def marked(image: Image.Image, boxes) -> Image.Image:
    """A copy of the page with each box filled translucent yellow and framed in red."""
    out = image.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for x0, top, x1, bottom in boxes:
        rect = [(x0 - _PAD) * SCALE, (top - _PAD) * SCALE, (x1 + _PAD) * SCALE, (bottom + _PAD) * SCALE]
        draw.rectangle(rect, fill=FILL, outline=EDGE, width=max(2, int(SCALE * 1.5)))
    return Image.alpha_composite(out, layer).convert("RGB")


def _data_uri(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=3)
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
        image, width, height, pages = page_image(place.path, view.page)
    except (IndexError, ValueError):
        return f'<div class="qa-ev-empty">该文件没有第 {view.page} 页。</div>', "原文页面"
    boxes = place.boxes.get(view.page, [])
    spans = "".join(
        f'<span class="qa-ev-box" style="left:{x0 / width:.4%};top:{top / height:.4%};'
        f'width:{(x1 - x0) / width:.4%};height:{(bottom - top) / height:.4%}"></span>'
        for x0, top, x1, bottom in boxes
    )
    note = "红框为引用位置" if boxes else "本页没有标出的引用位置"
    caption = f"{place.label} · 第 {view.page} / {pages} 页 · {note} · 放大 {view.zoom}%"
    img = (f'<img src="{_data_uri(marked(image, boxes))}" alt="原文第{view.page}页" data-pw="{width:.1f}" '
           f'data-ph="{height:.1f}" data-boxes="{esc(repr([list(b) for b in boxes]))}">')
    return (f'<div class="qa-ev-scroll"><div class="qa-ev-page" style="width:{view.zoom}%">{img}{spans}</div></div>',
            caption)


def page_count(view: View) -> int:
    place = view.place
    if place is None or not place.path or not os.path.isfile(place.path):
        return 0
    try:
        return page_image(place.path, view.page or place.page)[3]
    except (IndexError, ValueError):
        return 0
