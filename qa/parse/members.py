"""Which 预算单位 each row and section is of, where a department's document goes unit by unit (深圳: every table
and the 说明 repeat their blocks for the department, its 本级 and each unit under it)."""
from __future__ import annotations

import re

from ..model import OWN_LEVEL, Document
from .text import HEADING_PATTERNS

_BRACKETS = re.compile(r"[（）()\s]")


def _key(name: str) -> str:
    """'深圳市社会保险基金管理局（本级）' and '…管理局本级' are one name."""
    return _BRACKETS.sub("", name)


def _heading_name(heading: str) -> str:
    """'一、深圳市人力资源和社会保障局（本级）' → the name after its number."""
    s = heading.strip()
    numbered = next((p.match(s) for p in HEADING_PATTERNS if p.match(s)), None)
    return s[numbered.end():].strip() if numbered else s


def mark_members(doc: Document) -> list[str]:
    """Set Row.member where a block is printed by nesting, not in a 预算单位 column (a 基本支出总表's "深圳市…（本级）"
    row over its items): the innermost of the row and its parents that is a unit printed in such a column, the
    department itself or a unit its 单位构成 lists; and Section.member: the innermost heading naming one. Returns
    the units printed in 预算单位 columns that are neither the department nor listed: its budget covers them too."""
    columned = {r.member for t in doc.tables for r in t.rows if r.member}
    names = {_key(n): n for n in sorted({*columned, *doc.members, *([doc.unit] if doc.unit else [])})}
    def innermost(labels: list[str]) -> str | None:
        keys = (_key(label) for label in reversed(labels))
        return next((names[k] for k in keys if k in names), None)

    for t in doc.tables:
        for r in t.rows:
            if r.member is None:
                r.member = innermost([*r.parents, r.label])
    for sec in doc.sections:
        sec.member = innermost([_heading_name(h) for h in sec.path])
    own = OWN_LEVEL.sub("", doc.unit or "")
    return sorted(n for n in columned if n not in doc.members and OWN_LEVEL.sub("", n) != own)
