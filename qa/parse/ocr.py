"""OCR for pages without a usable text layer (scans, broken font maps).

A page is rendered, read by RapidOCR (PP-OCRv4 Chinese models shipped inside the `rapidocr-onnxruntime`
wheel, so nothing is downloaded) and its ruling lines are found in the image. The result is handed back
as a pdfplumber page whose characters and lines come from the image: `read_page` then finds tables,
lines and cells on it exactly as on a page with a text layer, so OCR'd tables, sections and chunks
come out like any others.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

_ENGINE = None
_ENGINE_LOCK = threading.Lock()  # RapidOCR keeps per-call state on the engine: one call at a time
_INK = 160  # grey level below which a pixel is ink
_MIN_RULE_PT = 15.0  # a ruling line is at least this long; a stroke of a 10.5pt character is shorter


@dataclass
class OcrPage:
    page: object  # a pdfplumber page whose chars and lines were read from the image
    confidence: float  # mean recognition score of its characters (0–1); 0 when nothing was read
    chars: int


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR  # imported on first use: onnxruntime and OpenCV are heavy

        _ENGINE = RapidOCR(max_side_len=4000)  # read at the rendered resolution, not shrunk to 2000 px
    return _ENGINE


_PAGE_NUMBER_DASHES = re.compile(r"[一－—-]\s*\d{1,4}\s*[一－—-]")
_MINUS_BEFORE_CJK = re.compile(r"(?<![\d.])[－-](?=[\u4e00-\u9fff])")
_DOTTED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?=\.\d{1,2}(?![\d.]))")


def fix_ocr_text(text: str) -> str:
    """Character-for-character fixes of what OCR typically misreads in disclosures (length never changes).

    "一2一" is a page number between dashes, "－般" is 一般, "12.542.74" is 12,542.74.
    """
    if _PAGE_NUMBER_DASHES.fullmatch(text):
        return text.replace("一", "—")
    text = _MINUS_BEFORE_CJK.sub("一", text)
    return _DOTTED_THOUSANDS.sub(lambda m: m.group(0).replace(".", ","), text)


def _char_objects(results, scale: float, page) -> tuple[list[dict], list[float]]:
    """pdfplumber char dicts from RapidOCR word boxes (one box per character, or per Latin/digit run)."""
    x_off, y_off = page.bbox[0], page.bbox[1]
    chars, scores = [], []
    for box, text, score, *per_word in results:
        word_boxes, words, word_scores = per_word if len(per_word) == 3 and per_word[1] else ([box], [text], [score])
        placed: list[tuple[str, float, float, float, float]] = []
        for wbox, word, wscore in zip(word_boxes, words, word_scores):
            xs, ys = [p[0] for p in wbox], [p[1] for p in wbox]
            x0, x1 = x_off + min(xs) * scale, x_off + max(xs) * scale
            top, bottom = y_off + min(ys) * scale, y_off + max(ys) * scale
            step = (x1 - x0) / max(len(word), 1)
            placed.extend((ch, x0 + k * step, x0 + (k + 1) * step, top, bottom) for k, ch in enumerate(word))
            scores.extend([float(wscore)] * len(word))
        fixed = fix_ocr_text("".join(p[0] for p in placed))
        box_chars = [_char(ch, x0, x1, top, bottom, page) for ch, (_, x0, x1, top, bottom) in zip(fixed, placed)]
        _close_gaps(box_chars)
        chars.extend(box_chars)
    return chars, scores


def _char(text: str, x0: float, x1: float, top: float, bottom: float, page) -> dict:
    size = bottom - top
    y0 = float(page.height) - bottom
    return {
        "object_type": "char", "page_number": page.page_number, "text": text, "fontname": "OCR", "size": size,
        "x0": x0, "x1": x1, "top": top, "bottom": bottom, "y0": y0, "y1": y0 + size, "width": x1 - x0,
        "height": size, "doctop": page.initial_doctop + top, "upright": True, "adv": x1 - x0,
        # a matrix on the char's own baseline: read_page's baseline re-placement leaves it where it is
        "matrix": (1.0, 0.0, 0.0, 1.0, x0, y0 + 0.12 * size),
        "stroking_color": None, "non_stroking_color": None,
    }


def _close_gaps(chars: list[dict]) -> None:
    """Characters of one recognised text box touch: gaps between their estimated boxes would split numbers."""
    for a, b in zip(chars, chars[1:]):
        gap = b["x0"] - a["x1"]
        if gap > 0:
            mid = a["x1"] + gap / 2
            a["x1"] = a["adv"] = mid
            a["width"] = mid - a["x0"]
            b["x0"] = mid
            b["width"] = b["x1"] - mid
            b["adv"] = b["width"]


def _rulings(ink: np.ndarray, scale: float, page) -> list[dict]:
    """Ruling lines of the image as pdfplumber line objects: long thin runs of ink, found by morphology."""
    import cv2

    x_off, y_off = page.bbox[0], page.bbox[1]
    length = max(8, int(_MIN_RULE_PT / scale))
    lines = []
    for horizontal in (True, False):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for x, y, w, h, _area in stats[1:n]:
            if horizontal and w >= length and h <= w / 4:
                mid = y_off + (y + h / 2) * scale
                x0, x1, top, bottom = x_off + x * scale, x_off + (x + w) * scale, mid, mid
            elif not horizontal and h >= length and w <= h / 4:
                mid = x_off + (x + w / 2) * scale
                x0, x1, top, bottom = mid, mid, y_off + y * scale, y_off + (y + h) * scale
            else:
                continue
            lines.append({
                "object_type": "line", "page_number": page.page_number, "x0": x0, "x1": x1, "top": top,
                "bottom": bottom, "width": x1 - x0, "height": bottom - top, "doctop": page.initial_doctop + top,
                "y0": float(page.height) - bottom, "y1": float(page.height) - top, "linewidth": h * scale if horizontal else w * scale,
                "stroking_color": None, "non_stroking_color": None, "pts": [(x0, top), (x1, bottom)],
            })
    return lines


def ocr_page(page, resolution: int) -> OcrPage:
    """Read one pdfplumber page from its image; the returned page has the OCR text as its chars."""
    image = page.to_image(resolution=resolution).original.convert("RGB")
    pixels = np.asarray(image)
    scale = 72.0 / resolution  # image pixels → PDF points
    with _ENGINE_LOCK:
        results, _ = _engine()(pixels, return_word_box=True)
    chars, scores = _char_objects(results or [], scale, page)
    ink = (pixels.min(axis=2) < _INK).astype(np.uint8)
    read = page.filter(lambda _obj: False)
    # pdfplumber's own dedupe_chars builds a derived page the same way: same page, other objects
    read._objects = {"char": chars, "line": _rulings(ink, scale, page), "rect": [], "curve": []}
    return OcrPage(read, float(np.mean(scores)) if scores else 0.0, len(chars))
