"""The printed 目录: its entries, so checks can tell a table the contents list from one the body prints."""
from __future__ import annotations

import re

from ..model import ContentsEntry
from .pdf import Line
from .text import heading_level, is_page_number

# The 目录 is near the front: a "目录" line later on is a heading inside the text.
MAX_CONTENTS_PAGE = 5
# An entry's own numbering, besides a heading's: "4．2026年预算单位…表" (a year right after the number), "表一2026年…"
_ENTRY_NUMBER = re.compile(r"^(?:\d{1,2}\s*[、.．]|(?:附)?表[一二三四五六七八九十\d]+|(?:预算|决算)?\d{1,2}表)")
_LEADER_AND_PAGE = re.compile(r"\s*(?:\.{2,}|…+|·{2,}|-{3,})?\s*\d{0,4}\s*$")


def _is_contents_heading(text: str) -> bool:
    return re.sub(r"\s+", "", text) in ("目录", "目 录")


def contents_of(lines: list[Line]) -> list[ContentsEntry]:
    """Entries after the first "目录" line, to the end of its page; a line without a number (a wrapped entry's
    rest, a year printed apart) is joined to the entry before it."""
    start = next((i for i, ln in enumerate(lines) if ln.page <= MAX_CONTENTS_PAGE and _is_contents_heading(ln.text)), None)
    if start is None:
        return []
    page = lines[start].page
    out: list[ContentsEntry] = []
    for ln in lines[start + 1 :]:
        if ln.page != page:
            break
        if is_page_number(ln.text):
            continue
        text = _LEADER_AND_PAGE.sub("", ln.text).strip()
        if not text:
            continue
        if heading_level(text) is None and not _ENTRY_NUMBER.match(text) and out:
            out[-1].text += text
        else:
            out.append(ContentsEntry(text, page))
    return out
