"""Exact decimal parsing of the numbers printed in disclosures."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# What tables print for "nothing": blank, dashes of every width, 无.
_BLANKS = {"", "-", "—", "－", "–", "——", "/", "无", "0-"}
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def clean_number(raw: str) -> str:
    """'15,753.96 ' → '15753.96'; keeps the printed decimals."""
    s = raw.strip().replace(",", "").replace("，", "").replace(" ", "")
    if s.startswith("(") and s.endswith(")"):  # accounting negative
        s = "-" + s[1:-1]
    return s


def parse_decimal(raw: str | None) -> Decimal | None:
    """Exact value of a printed amount, or None when the cell is blank or not a number."""
    if raw is None:
        return None
    s = clean_number(raw)
    if s in _BLANKS:
        return None
    if s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def is_number(raw: str | None) -> bool:
    return parse_decimal(raw) is not None


def is_blank(raw: str | None) -> bool:
    return raw is None or clean_number(raw) in _BLANKS
