"""Line-level text clean-up: CJK joining, page furniture, headings."""
from __future__ import annotations

import re

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’、，。；：（）《》【】"
_SPACED_DIGITS = re.compile(r"(?<![\d,.])\d[,.]?(?: (?:\d[,.]?|[,.]))+(?![\d,.])")
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|共\s*\d+\s*页\s*第\s*\d+\s*页)$"
)
_TOC_LEADER = re.compile(r"(\.{4,}|…{2,}|·{4,}|-{6,})\s*\d*\s*$")

# Heading levels of Chinese official documents; the level is the index.
_CN = "一二三四五六七八九十百零〇"
HEADING_PATTERNS = [
    re.compile(rf"^第[{_CN}\d]+部分"),
    re.compile(rf"^[{_CN}]+[、．.]"),
    re.compile(rf"^[（(][{_CN}]+[）)]"),
    re.compile(r"^\d{1,2}[、．.](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
]
MAX_HEADING_CHARS = 36
_AMOUNT_READ_ON = re.compile(r"\d\s*(?:亿元|万元|元)\s*[，,]\s*\S")  # an amount the line's words go on after


def normalize(text: str | None) -> str:
    """Join a wrapped cell or line: no spaces next to CJK, single spaces elsewhere."""
    if not text:
        return ""
    t = text.replace("\u00a0", " ").replace("\r", "\n")
    t = _SPACE_NEAR_CJK.sub("", t)
    # "1 4 , 7 7 0. 6 2" (glyphs spaced one by one) is one number; "2026 14,770.62" stays two
    t = _SPACED_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), t)
    return re.sub(r"\s+", " ", t).strip()


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line.strip()))


def is_toc_entry(line: str) -> bool:
    return bool(_TOC_LEADER.search(line))


def heading_level(line: str) -> int | None:
    """Level (0 = 第X部分) when the line is a heading, else None.

    Long lines or lines ending like a sentence are prose that happens to start with "一、".
    """
    s = line.strip()
    if not s or len(s) > MAX_HEADING_CHARS or s[-1] in "。；;，,":
        return None
    if re.search(r"[：:].{5,}|。", s):  # "一、基本支出：指为保障…", "（一）公务接待费。2026年…" are prose
        return None
    if _AMOUNT_READ_ON.search(s):  # "9.交通运输专项资金-民航业领域102,420.00万元，主要" (its page ends there) is prose
        return None
    if s.endswith(("：", ":")) and not HEADING_PATTERNS[0].match(s):
        return None  # "六、财政专户管理资金：" introduces the sentence after it (名词解释 entries, "1、车辆情况：")
    for level, pattern in enumerate(HEADING_PATTERNS):
        if pattern.match(s):
            return level
    return None


def join_lines(lines: list[str]) -> str:
    """Concatenate wrapped lines; a space only between two Latin/digit ends."""
    out = ""
    for line in lines:
        if out and re.match(r"[A-Za-z0-9]", line[:1]) and re.search(r"[A-Za-z0-9]$", out):
            out += " "
        out += line
    return out


def ends_paragraph(line: str) -> bool:
    return line.rstrip()[-1:] in "。：:；;！？!?"


TITLE_LEVEL = len(HEADING_PATTERNS)  # an unnumbered title ("名词解释") nests below every numbered heading
_TITLE_LINE = re.compile(r"^(?=.*[\u4e00-\u9fff])[^，。；：,;:、]{2,24}$")


def is_title_line(line: str) -> bool:
    """A short unnumbered line with no sentence punctuation, standing on its own: a title."""
    s = line.strip()
    return bool(_TITLE_LINE.match(s)) and not re.search(r"\d$|万元$|元$|%$", s)
