"""Raw pdfplumber grids → Table: captions, flattened headers, labelled rows with exact values, forms."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import TOTAL_LABEL, BBox, Cell, FormField, Row, Table, union
from ..numbers import is_blank, is_number, parse_decimal
from .text import heading_level, normalize

_CN_NUM = "一二三四五六七八九十"
TABLE_NUMBER = re.compile(
    rf"((?:预算|决算|部门|单位)?(?:公开)?表\s*[\d{_CN_NUM}]+(?:[-－]\d+)?|(?:预算|决算|附表|公开)\s*\d+(?:[-－]\d+)?\s*表|附表\s*\d+)"
)
UNIT_LINE = re.compile(r"(?:金额)?单位\s*[：:]\s*(亿元|千元|万元|元)")
UNIT_NAME = re.compile(
    r"(?:单位名称|部门名称|预算单位|预算主管部门|编制单位|填报单位|部门|单位)\s*[：:]\s*([^\s：:]{2,40}?)(?=(?:金额)?单位\s*[：:]|\s|$)"
)
EMPTY_NOTE = re.compile(r"本表无数据|无数据|本表为空|此表为空|无此项|本单位无")
_CODE = re.compile(r"^\d{3,9}$")
_CODE_PART = re.compile(r"^\d{2}$")  # 款/项 halves of a 科目编码 printed in their own columns
_CODE_HEADER = re.compile(r"(类|款|项|编码|代码)$")
_INDENT_STEP = 8  # half-width blanks: one nesting level is indented by at most four ideographic spaces
_COLUMN_INDEX = re.compile(r"^(\d{1,2}|栏次|[甲乙丙丁])$")
_TOC_LEADER = re.compile(r"(\.{4,}|…{2,}|·{4,})")
_FORM_TITLE = re.compile(r"绩效目标|绩效自评|目标表")
# a label column naming the unit whose block of rows follows (a 部门预算's tables broken down by 预算单位, 深圳)
_UNIT_COLUMN = re.compile(r"(?:[一二三]级)?预算单位(?:名称)?|单位名称")


@dataclass
class RawTable:
    """A table as found on one or more pages, before interpretation."""

    grid: list[list[str | None]]
    row_pages: list[int]
    indents: list[list[int]]  # leading blanks of each cell as printed: the depth of an indented label
    boxes: list[list[BBox | None]]  # each cell's box on its row's page (None for a merged one)
    captions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.grid), default=0)

    def _margin(self) -> tuple[int, int]:
        """The first and past-the-last columns holding any text: a page's grid may add a blank margin column."""
        filled = [j for j in range(self.ncols) if any(j < len(r) and r[j] for r in self.grid)]
        return (filled[0], filled[-1] + 1) if filled else (0, 0)

    def trim_margins(self) -> None:
        a, b = self._margin()
        self.grid = [(r + [None] * (b - len(r)))[a:b] for r in self.grid]
        self.indents = [(ind + [0] * (b - len(ind)))[a:b] for ind in self.indents]
        self.boxes = [(box + [None] * (b - len(box)))[a:b] for box in self.boxes]

    def continues_in(self, other: RawTable) -> bool:
        (a, b), (c, d) = self._margin(), other._margin()
        return self.ncols == other.ncols or b - a == d - c

    def split_at_titles(self) -> list[RawTable]:
        """A grid holding a second table under the first, ruled as one ("…提租补贴 1,018.01" then a row
        "财政拨款基本支出预算表" and that table's rows): one raw table each, the second opening with its title row."""
        at = next((i for i, row in enumerate(self.grid) if i and _is_title_row(row)), None)
        if at is None:
            return [self]
        head = RawTable(self.grid[:at], self.row_pages[:at], self.indents[:at], self.boxes[:at], self.captions, self.notes)
        rest = RawTable(self.grid[at:], self.row_pages[at:], self.indents[at:], self.boxes[at:])
        return [head, *rest.split_at_titles()]

    def repeats_in(self, other: RawTable, captions: list[str]) -> bool:
        """`other`, on the next page under the same captions, opens with this table's header again: the same table
        continued (深圳 prints "表3 支出总表 部门名称：…" and its header on every page). A form's pages are each their own
        project's, whatever their captions."""
        header = other.grid[0] if other.grid else []
        return (captions == self.captions and any("表" in c for c in captions) and not _FORM_TITLE.search(" ".join(captions))
                and other.row_pages[0] == self.row_pages[-1] + 1 and self.continues_in(other)
                and bool(self.grid) and header == self.grid[0] and not _is_title_row(header)
                and sum(bool(c) for c in header) >= 2 and not any(c and is_number(c) for c in header))

    def extend(self, other: RawTable, max_header_rows: int = 6) -> None:
        """Append a continuation, dropping a header it repeats (up to max_header_rows rows)."""
        if self.ncols != other.ncols:  # the same columns once a blank margin is gone
            self.trim_margins()
            other.trim_margins()
        k = 0
        while k < min(len(self.grid), len(other.grid), max_header_rows) and self.grid[k] == other.grid[k]:
            k += 1
        self.grid.extend(other.grid[k:])
        self.row_pages.extend(other.row_pages[k:])
        self.indents.extend(other.indents[k:])
        self.boxes.extend(other.boxes[k:])
        self.notes.extend(other.notes)


def is_caption(line: str) -> bool:
    """Lines that name a table: its number, title, 单位名称, 单位：万元, (2026年度)."""
    s = line.strip()
    if not s or len(s) > 70 or s.endswith("。") or heading_level(s) == 0:
        return False
    return bool(
        UNIT_LINE.search(s)
        or UNIT_NAME.search(s)
        or TABLE_NUMBER.fullmatch(s)
        or re.fullmatch(r"[（(]\s*20\d\d\s*年度?\s*[)）]", s)
        or (("表" in s[-3:] or re.search(r"表[（(]", s)) and len(s) <= 60)
    )


def _is_title_row(row: list[str | None]) -> bool:
    """A row printing only a table's title ("财政拨款基本支出预算表"): where another table begins."""
    texts = [c for c in row if c]
    return len(texts) == 1 and len(texts[0]) >= 6 and texts[0].rstrip().endswith("表") and is_caption(texts[0])


def _indent(cell: str | None) -> int:
    """Leading blanks in half-width units: an ideographic space (U+3000) is two."""
    if not cell:
        return 0
    lead = cell[: len(cell) - len(cell.lstrip())].split("\n")[-1]  # the blanks before its first line's text
    return sum(2 if ch == "\u3000" else 1 for ch in lead)


def raw_table(cells: list[list[str | None]], page: int, boxes: list[list[BBox | None]]) -> RawTable:
    """A grid as extracted with its blanks kept: cell text normalized, each cell's indentation and box kept aside."""
    grid = [[None if c is None else normalize(c) for c in row] for row in cells]
    rounded = [[tuple(round(v, 1) for v in b) if b else None for b in row] for row in boxes]
    return RawTable(grid=grid, row_pages=[page] * len(grid), indents=[[_indent(c) for c in row] for row in cells],
                    boxes=rounded)


def is_text_box(cells: list[list[str | None]]) -> bool:
    """A ruled box around prose (名词解释 framed line by line): one column of sentences, not a table."""
    texts = [normalize(c) for row in cells for c in row if c and c.strip()]
    columns = {j for row in cells for j, c in enumerate(row) if c and c.strip()}
    return (
        len(columns) == 1
        and bool(texts)
        and not any(is_number(t) for t in texts)
        and sum(map(len, texts)) / len(texts) >= 12
        and any(re.search(r"[，。；：]", t) for t in texts)
    )


def _drop_empty(raw: RawTable) -> tuple[list[list[str | None]], list[int], list[list[int]], list[list[BBox | None]]]:
    grid, pages, indents, boxes = [], [], [], []
    for row, page, indent, box in zip(raw.grid, raw.row_pages, raw.indents, raw.boxes):
        if any(c for c in row):
            pad = raw.ncols - len(row)
            grid.append(row + [None] * pad)
            pages.append(page)
            indents.append(indent + [0] * pad)
            boxes.append(box + [None] * (raw.ncols - len(box)))
    keep = [j for j in range(raw.ncols) if any(row[j] for row in grid)]
    return ([[row[j] for j in keep] for row in grid], pages, [[row[j] for j in keep] for row in indents],
            [[row[j] for j in keep] for row in boxes])


def _caption_rows(grid, captions) -> int:
    """Titles and 单位 lines printed inside the ruled area (e.g. 北京 预算01表): how many top rows they take. A
    line cut into cells ("部门：" | "江苏省人大常委会办公厅" | "单位：万元") is read whole."""
    n = 0
    while n < len(grid):
        texts = [c for c in grid[n] if c]
        joined = "".join(texts)
        if texts and len(texts) <= 3 and (
            all(is_caption(t) and not is_number(t) for t in texts) and any("表" in t or UNIT_LINE.search(t) for t in texts)
            or is_caption(joined) and UNIT_NAME.search(joined) and UNIT_LINE.search(joined) and not any(map(is_number, texts))
        ):
            captions.extend(texts if all(is_caption(t) for t in texts) else [joined])
            n += 1
        else:
            break
    return n


def _is_column_index_row(row) -> bool:
    """'1 2 3 4 5', '栏次 … 1 … 2', '** 1 2 3': column numbers, not data."""
    texts = [c for c in row if c and c not in ("*", "**")]
    return len(texts) >= 2 and all(_COLUMN_INDEX.match(t) for t in texts) and len([c for c in row if c]) >= 3


def _numeric_columns(grid) -> list[bool]:
    """Value columns: they hold numbers, and any text in them sits above the first number (a header).

    Columns of 科目编码 parts (类 204 | 款 06 | 项 01) are labels, not values.
    """
    ncols = len(grid[0]) if grid else 0
    out = []
    for j in range(ncols):
        col = [row[j] for row in grid]
        nums = [i for i, c in enumerate(col) if c and is_number(c) and not _CODE.match(c)]
        texts = [i for i, c in enumerate(col) if c and not is_number(c)]
        code_parts = nums and all(_CODE_PART.match(col[i]) for i in nums) and any(
            c and _CODE_HEADER.search(c) for c in col[: min(nums)]
        )
        out.append(bool(nums) and not code_parts and (not texts or max(texts) < min(nums) or len(nums) >= len(texts)))
    return out


def _header_count(grid, numeric) -> int:
    if any(numeric):
        n = 0
        for i, row in enumerate(grid):
            has_number = any(numeric[j] and is_number(row[j]) for j in range(len(row)))
            has_text = any(numeric[j] and row[j] and not is_number(row[j]) for j in range(len(row)))
            # Header rows carry text over value columns, or merged cells (None) and no number at all.
            if has_text or (not has_number and (i == 0 or None in row)):
                n += 1
            else:
                break
        return n
    # Text-only or empty table: the first row, plus rows subdividing a merged header cell.
    n = 1
    while n < len(grid) and any(grid[n - 1][j] is None and grid[n][j] for j in range(len(grid[n]))):
        n += 1
    return min(n, len(grid))


def _header_paths(header_rows) -> list[str]:
    """Fill merged cells (None) from above when the cell above is a header, else from the left; from the left too
    where the row above spans both columns: "公务用车购置及运行费" over 小计 | 购置费 | 运行费 spans three columns of
    its row, under "“三公”经费预算数" spanning them all."""
    filled: list[list[str]] = []
    for i, row in enumerate(header_rows):
        out: list[str] = []
        for j, c in enumerate(row):
            if c is None:
                above = filled[i - 1][j] if i else ""
                spanned = bool(j and out[j - 1]) and (not i or filled[i - 1][j - 1] == above)
                c = out[j - 1] if spanned else above or (out[j - 1] if j else "")
            out.append(c)
        filled.append(out)
    paths = []
    for j in range(len(header_rows[0]) if header_rows else 0):
        parts: list[str] = []
        for row in filled:
            if row[j] and (not parts or parts[-1] != row[j]):
                parts.append(row[j])
        paths.append("/".join(parts))
    return paths


_NOTE_HEADER = re.compile(r"目标|说明|备注|内容|依据|用途|指标|标准")


def _is_note_column(header: str, cells: list[str | None]) -> bool:
    """Text describing the row (绩效目标, 说明…): named so by the column's own header ("支出用途/项目名称" is a column
    of names under 支出用途), or long."""
    texts = [c for c in cells if c and not is_number(c)]
    return bool(texts) and (bool(_NOTE_HEADER.search(header.split("/")[-1])) or sum(map(len, texts)) / len(texts) >= 12)


def _label_groups(numeric: list[bool]) -> list[tuple[list[int], list[int]]]:
    """Side-by-side layouts (收入 | 支出) hold several (label columns, value columns) groups."""
    groups: list[tuple[list[int], list[int]]] = []
    for j, is_num in enumerate(numeric):
        if not is_num and (not groups or groups[-1][1]):
            groups.append(([j], []))
        elif not is_num:
            groups[-1][0].append(j)
        elif groups:
            groups[-1][1].append(j)
        else:
            groups.append(([], [j]))
    return groups


def _join_code_parts(parts: list[str]) -> list[str]:
    """['204', '06', '01', '行政运行'] → ['2040601', '行政运行']."""
    if len(parts) > 1 and _CODE.match(parts[0]):
        n = 1
        while n < len(parts) and _CODE_PART.match(parts[n]):
            n += 1
        return ["".join(parts[:n])] + parts[n:]
    return parts


def _rows(grid, pages, indents, boxes, numeric, headers) -> list[Row]:
    """Labelled rows; parents come from the 科目编码 prefix, or else from the label's indentation."""
    rows: list[Row] = []
    for group_labels, group_values in _label_groups(numeric):
        # rows under a unit printed in a 预算单位 column are that unit's (its block runs to the next unit's row)
        unit_column = len(group_labels) > 1 and bool(_UNIT_COLUMN.fullmatch(headers[group_labels[0]] or ""))
        block: str | None = None
        stack: list[Row] = []
        indented: list[tuple[int, Row]] = []  # enclosing uncoded rows with their indentation
        above: list[str | None] = [None] * len(group_labels)
        prev: Row | None = None
        prev_filled: set[int] = set()
        for raw_row, page, raw_indents, raw_boxes in zip(grid, pages, indents, boxes):
            filled = {j for j in group_values if not is_blank(raw_row[j])}
            label_cells = [raw_row[j] for j in group_labels]
            if prev is not None and filled and not (filled & prev_filled) and all(c is None for c in label_cells):
                # The lower half of a row whose label cell spans two grid rows: same logical row.
                prev.cells.extend(Cell(headers[j], raw_row[j], parse_decimal(raw_row[j]), raw_boxes[j]) for j in sorted(filled))
                prev.bbox = union([prev.bbox, *(raw_boxes[j] for j in filled)])
                prev_filled |= filled
                continue
            if prev is not None and page != prev.page and filled and not any(label_cells) \
                    and all(parse_decimal(raw_row[j]) is None for j in filled):
                # text cells running on over a page break ("…以及高科技企业作为人" | "才智力支撑…"): the row above's
                for j in sorted(filled):
                    held = next((c for c in prev.cells if c.header == headers[j] and c.value is None), None)
                    if held is None:
                        prev.cells.append(Cell(headers[j], raw_row[j], None, raw_boxes[j]))
                    else:
                        held.raw += raw_row[j]
                continue
            # A label cell merged from above (None) repeats the label above it: 深圳 "预算单位 | 年度". Right of the
            # row's own first label it is that label's span, not the row above's: "合计" across 类 | 款 | 项 | 名称
            # (上海) is no "合计 02 03 购房补贴".
            own = next((k for k, c in enumerate(label_cells) if c is not None), len(label_cells))
            label_cells = [a if c is None and k < own else c for k, (c, a) in enumerate(zip(label_cells, above))]
            above = label_cells
            parts = _join_code_parts([c for c in label_cells if c])
            cells = [Cell(headers[j], raw_row[j], parse_decimal(raw_row[j]), raw_boxes[j]) for j in group_values if j in filled]
            if not parts and not cells:
                continue
            code = parts[0] if parts and _CODE.match(parts[0]) else None
            if unit_column and label_cells[0] and not _CODE.match(label_cells[0]) and not TOTAL_LABEL.match(label_cells[0]):
                block = label_cells[0]
            row = Row(label=" ".join(parts), page=page, cells=cells, code=code, member=block,
                      bbox=union([*(raw_boxes[j] for j in group_labels if raw_row[j]), *(c.bbox for c in cells)]))
            if code:
                while stack and not code.startswith(stack[-1].code or "\0"):
                    stack.pop()
                row.parents = [r.label for r in stack]
                stack.append(row)
            elif len(parts) == 1:  # one label cell: its indentation is its depth
                indent = next((raw_indents[j] for j in group_labels if raw_row[j]), 0)
                if indent > (indented[-1][0] if indented else 0) + _INDENT_STEP:
                    indented = []  # pushed far right ("      收入总计"): centred or right-aligned, not nested
                while indented and indented[-1][0] >= indent:
                    indented.pop()
                row.parents = [r.label for _, r in indented]
                indented.append((indent, row))
            if block and not row.label.startswith(block) and block not in row.parents:
                row.parents.insert(0, block)  # a 科目 row of the unit's block: "深圳市人力资源和社会保障局（本级） › 205 教育支出"
            rows.append(row)
            prev, prev_filled = row, filled
    return rows


def _pair_fields(prefix: str, cells: list[str], page: int) -> list[FormField]:
    """Fields of one form row, given the row's label prefix and its non-empty cells."""
    def named(label: str) -> str:
        return f"{prefix}/{label}" if prefix else label

    if any(c.endswith(("：", ":")) for c in cells):  # "实施期资金总额：" "556,500"
        out, label = [], None
        for c in cells:
            if c.endswith(("：", ":")):
                label = c.rstrip("：:")
            elif label is not None:
                out.append(FormField(named(label), c, page))
                label = None
        return out
    n = len(cells)
    if n == 1:
        return [FormField(prefix, cells[0], page)] if prefix else []
    if n >= 5 and n % 2 and _labels(cells[1::2]) and all(is_number(c) for c in cells[2::2]):
        return _pair_fields(named(cells[0]), cells[1:], page)  # 项目资金（元） | 项目资金总额 | 6,351,000.00 | 年度… | …
    if n in (2, 4) or (n % 2 == 0 and all(is_number(c) or is_blank(c) for c in cells[1::2])) or \
            (n >= 6 and n % 2 == 0 and cells[0].endswith("名称") and _labels(cells[::2])):  # the row naming the form's
        # project: 项目名称 | 就业援助基地补贴 | 项目性质 | 经常性项目 | 项目类别 | 特定目标类 (a row of column names is not paired)
        return [FormField(named(cells[i]), cells[i + 1], page) for i in range(0, n - 1, 2)]
    if n >= 6 and n % 2 == 0 and cells[0] == cells[n // 2]:  # 实施期目标 | 年度目标 side by side
        halves = [cells[: n // 2], cells[n // 2 :]]
        return [FormField(named("/".join(h[:-1])), h[-1], page) for h in halves]
    return [FormField(named("/".join(cells[:-1])), cells[-1], page)]


_PAIR_LABEL_MAX = 10  # a label in a row of several label | value pairs: 项目名称, 项目性质, 年度资金申请总额


def _labels(cells: list[str]) -> bool:
    return all(not is_number(c) and len(c) <= _PAIR_LABEL_MAX for c in cells)


def _is_column_names(row) -> bool:
    """Short names over the columns of the rows below ("预算支出总额 | 财政拨款 | 其他资金"), not label：value pairs."""
    texts = [c for c in row[1:] if c]
    return len(texts) >= 2 and not any(is_number(c) or c.endswith(("：", ":")) or len(c) > 12 for c in texts)


def _numbers_from(row) -> int | None:
    """Where a row of numbers under column names begins: after its first cell, or after the short labels that name
    it ("年度资金总额 | 3,350.00 | 2,277.00 | 2,174.20 | 10 | 95.49%" under 年初预算数 | 全年预算数 | …); None if it is
    not one."""
    first = next((j for j, c in enumerate(row) if j and c and is_number(c)), None)
    if first is None or not _labels([c for c in row[1:first] if c]):
        return None
    values = [c for c in row[first:] if c]
    return first if sum(map(is_number, values)) >= 2 and all(is_number(c) or is_blank(c) for c in values) else None


def _form_fields(grid, pages, boxes) -> list[FormField]:
    fields: list[FormField] = []
    carried = ""
    names: list[list[str | None]] = []  # column-name rows right above, for a row of numbers under them
    for raw_row, page, row_boxes in zip(grid, pages, boxes):
        cells: list[str] = []
        for c in raw_row:
            if c and (not cells or cells[-1] != c):
                cells.append(c)
        if not cells:
            continue
        if raw_row[0] is None:  # a merged first cell continues the label above (项目资金（元）…)
            prefix = carried
        else:
            carried = raw_row[0] or carried
            prefix = ""
            if len(cells) >= 3 and any(c.endswith(("：", ":")) for c in cells[1:]):
                prefix, cells = cells[0], cells[1:]
        first = _numbers_from(raw_row) if names else None
        if first is not None:  # "总体资金情况（万元）": 预算支出总额 | 财政拨款/合计 | 财政拨款/项目支出 …
            paths = _header_paths(names)
            label = "/".join(filter(None, [prefix or raw_row[0], *(c for c in raw_row[1:first] if c)]))
            fields.extend(FormField(f"{label}/{paths[j]}", c, page, row_boxes[j])
                          for j, c in enumerate(raw_row) if j >= first and c and is_number(c))
            continue  # the names stand over the next rows of numbers too (其中：当年财政拨款, 上年结转资金…)
        if not _is_column_names(raw_row):
            names = []
        else:  # a row with a first cell of its own starts another block (主管部门 | … above 项目资金（万元） | 年初预算数 | …)
            names = [raw_row] if raw_row[0] is not None else names + [raw_row]
        pairs = _pair_fields(prefix, cells, page)
        for f in pairs:  # a label：value pair is marked as its printed row
            f.bbox = union(row_boxes)
        fields.extend(pairs)
    return fields


_MEASURE_UNIT = re.compile(r"(度量|计量)单位")
_NOT_FIGURE_COLUMN = re.compile(r"编码|代码|编号|备注|分值|权重")  # codes and scoring weights, not figures
_LABEL_MAX = 40  # longer cells (绩效目标 descriptions) describe a row, they do not name its figures


def _is_grid_form(grid) -> bool:
    """A 绩效目标表 printed as a grid (北京 预算表12, 长沙): a row of column names over one row per indicator,
    not label：value pairs."""
    names = [c for c in grid[0] if c] if grid else []
    return len(names) >= 5 and not any(is_number(c) for c in names)


def _unit_of(row, headers, j) -> str:
    """The 度量单位 printed after a value, unless another value stands between them."""
    for k in range(j + 1, len(row)):
        if _MEASURE_UNIT.search(headers[k]):
            unit = row[k] or ""
            return unit if unit and not is_number(unit) and len(unit) <= 6 else ""
        if row[k] and is_number(row[k]):
            return ""
    return ""


def _grid_fields(grid, pages, boxes) -> list[FormField]:
    """One field per printed number, named by its row's short cells (project, 指标 levels) and its column:
    "16-《北京审计》杂志办刊经费/项目总额", "…/购置便携式计算机/＝/本年绩效指标值（台）"."""
    n_head = next((i for i, row in enumerate(grid) if any(c and is_number(c) for c in row)), len(grid))
    headers = _header_paths(grid[:n_head])
    fields: list[FormField] = []
    above: list[str | None] = [None] * len(headers)
    for row, page, row_boxes in zip(grid[n_head:], pages[n_head:], boxes[n_head:]):
        filled = [a if c is None else c for c, a in zip(row, above)]  # a merged cell repeats the row above: the project
        above = filled
        for j, c in enumerate(row):
            if not c or not is_number(c) or _NOT_FIGURE_COLUMN.search(headers[j]):
                continue
            named = [t for t in filled[:j] if t and not is_number(t) and len(t) <= _LABEL_MAX]
            unit = _unit_of(row, headers, j)
            fields.append(FormField("/".join([*named, headers[j]]) + (f"（{unit}）" if unit else ""), c, page, row_boxes[j]))
    return fields


def _read_captions(table: Table, captions: list[str]) -> None:
    for line in captions:
        if m := UNIT_LINE.search(line):
            table.unit = table.unit or m.group(1)
        if m := UNIT_NAME.search(line):
            name = m.group(1)
            if not UNIT_LINE.search(f"单位：{name}"):
                table.unit_name = table.unit_name or name
        rest = UNIT_NAME.sub("", UNIT_LINE.sub("", line)).strip()
        if m := TABLE_NUMBER.search(rest):
            table.number = table.number or re.sub(r"\s+", "", m.group(1))
            rest = (rest[: m.start()] + rest[m.end():]).strip()
        rest = rest.strip("：:，,;； ")
        if "表" in rest:
            table.title = rest  # the caption nearest the table wins


def build_table(raw: RawTable) -> Table | None:
    """Interpret a raw grid; None when nothing tabular is left."""
    grid, pages, indents, boxes = _drop_empty(raw)
    captions = list(raw.captions)
    keep = [i for i in range(_caption_rows(grid, captions), len(grid)) if not _is_column_index_row(grid[i])]
    grid, pages, indents, boxes = ([grid[i] for i in keep], [pages[i] for i in keep], [indents[i] for i in keep],
                                   [boxes[i] for i in keep])
    if not grid:
        return None
    texts = [c for row in grid for c in row if c]
    if texts and sum(bool(_TOC_LEADER.search(c)) for c in texts) > len(texts) / 2:
        return None  # a ruled table of contents
    table = Table(title="", pages=sorted(set(pages)), notes=list(raw.notes))
    _read_captions(table, captions)
    if _FORM_TITLE.search(table.title):
        table.fields = (_grid_fields if _is_grid_form(grid) else _form_fields)(grid, pages, boxes)
        table.empty = not table.fields
        return table
    numeric = _numeric_columns(grid)
    n_head = _header_count(grid, numeric)
    headers = _header_paths(grid[:n_head]) if n_head else [""] * len(grid[0])
    body = grid[n_head:]
    # 行次 (line numbers) columns are references, not values or labels: drop them.
    keep = [j for j, h in enumerate(headers) if not re.search(r"行次|栏次", h)]
    headers, numeric = [headers[j] for j in keep], [numeric[j] for j in keep]
    body = [[r[j] for j in keep] for r in body]
    body_indents = [[r[j] for j in keep] for r in indents[n_head:]]
    body_boxes = [[r[j] for j in keep] for r in boxes[n_head:]]
    # A value column that happens to be blank in every row is still a value column, not a label;
    # so is long text after the numbers (绩效目标, 说明): it describes the row, it does not start a new one.
    first_value = next((j for j, n in enumerate(numeric) if n), len(numeric))
    numeric = [
        n or (j > 0 and all(is_blank(r[j]) for r in body)) or (j > first_value and _is_note_column(headers[j], [r[j] for r in body]))
        for j, n in enumerate(numeric)
    ]
    table.headers = headers
    table.rows = _rows(body, pages[n_head:], body_indents, body_boxes, numeric, table.headers)
    table.empty = any(EMPTY_NOTE.search(n) for n in table.notes) or not any(r.cells for r in table.rows)
    return table
