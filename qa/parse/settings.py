"""Explicit parser settings, in the manner of pdfplumber's table_settings."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParseSettings:
    # pdfplumber table finding: ruled tables (lines) are what disclosures print.
    table_settings: dict = field(
        default_factory=lambda: {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
    )
    # A page with fewer characters than this is treated as having no text layer.
    min_chars_per_page: int = 10
    # Share of pages without text above which the file counts as scanned.
    max_textless_share: float = 0.5
    # Share of undecodable glyphs ((cid:N), private-use) above which the text layer is garbage.
    max_bad_glyph_share: float = 0.05
    # Share of CJK characters below which a Chinese disclosure's text is mojibake.
    min_cjk_share: float = 0.15
    # Pages without a usable text layer (scans, broken font maps) are read by OCR instead of failing.
    ocr: bool = True
    # Render resolution for OCR: small table digits need it (measured in docs/reliability.md).
    ocr_resolution: int = 200
    # A line found at the top/bottom of this share of pages is a running header/footer.
    furniture_share: float = 0.4
    furniture_band: float = 0.08
