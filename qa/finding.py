"""What a consistency check reports (Finding), its kinds and severities, and every tolerance the checks use."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """Rule families; the value is what `qa check --json` prints."""

    ROW_TOTAL = "row_total"  # a total against its rows or 科目 children
    COLUMN_TOTAL = "column_total"  # a 合计 column against the columns it sums
    CROSS_TABLE = "cross_table"  # the same total across the standard tables
    PROSE_TABLE = "prose_table"  # a figure the 说明 repeats against the table
    CHANGE = "change"  # "减少X万元，下降Y%" against the two figures
    SHARE = "share"  # 占比 against its whole
    PARTS = "parts"  # a "其中" part larger than its whole, or the parts listed after a total not adding up to it
    REASON = "reason"  # a reason naming only the opposite direction
    DIRECTION = "direction"  # 增加/减少/持平/大于/小于 against the two numbers compared
    COMPLETION = "completion"  # 完成预算的P% against 决算 ÷ 预算
    MISSING_TABLE = "missing_table"  # a standard table (or one the 目录 lists) not printed
    EMPTY_TABLE = "empty_table"  # a table printed empty without a 无数据 note
    MISSING_SECTION = "missing_section"  # a required 说明 section absent
    YEAR = "year"  # a heading, title or 截至 date naming another year
    UNIT_NAME = "unit_name"  # a heading or title naming another unit
    PLACEHOLDER = "placeholder"  # XX局, ××, 某某, 【单位名称】 left in
    HYGIENE = "hygiene"  # 。。, empty brackets, a number with two decimal points


class Severity(StrEnum):
    ERROR = "error"  # the arithmetic or the required content fails: a reviewer sends it back
    WARNING = "warning"  # words and numbers disagree, or a 尾差 a few units beyond rounding


@dataclass(frozen=True)
class CheckSettings:
    # a difference up to this many units of the last printed decimal is a 尾差 (warning), more an error
    tail_units: int = 10
    # a prose figure counts as the item's when it stands within this many characters after the item's name
    prose_figure_reach: int = 16
    # a document with less prose than this is a tables-only attachment: no 说明 sections are required of it
    min_prose_chars: int = 1500
    # a document with fewer tables than this publishes its tables elsewhere: no standard tables are required
    min_tables: int = 3


SETTINGS = CheckSettings()


@dataclass
class FigureRef:
    """A printed figure a finding involves: where it stands and its exact printed value."""

    label: str
    value: str  # as printed, separators removed ("76.00")
    unit: str | None
    table: str | None  # None for a prose figure
    page: int


@dataclass
class Finding:
    kind: Kind
    severity: Severity
    message: str  # Chinese, for people
    pages: list[int]
    figures: list[FigureRef] = field(default_factory=list)
    quote: str | None = None  # the printed words the finding rests on (a sentence, a title, a 目录 entry)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        return cls(Kind(d["kind"]), Severity(d["severity"]), d["message"], list(d["pages"]),
                   [FigureRef(**f) for f in d.get("figures", [])], d.get("quote"))
