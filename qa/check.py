"""Consistency checks (勾稽校验) over one parsed document: do its numbers agree with each other?

Every check works from the parsed model (Table/Row/Cell with header paths and 科目编码 parents, Section
paragraphs), never from page positions, and reports only what arithmetic rules out: a total is compared with
the sum of its parts within rounding (尾差: half a unit of the printed decimals per figure), and where a layout
allows several readings (a total over the rows before it, or after it; classes and their items listed
together), a finding needs every reading to fail.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

from .check_content import check_content
from .check_text import check_text
from .finding import SETTINGS, FigureRef, Finding, Kind, Severity
from .model import Cell, Document, Row, Table
from .numbers import parse_decimal
from .tablekind import norm as _norm, procurement_kind, table_kind, vehicles_held
from .prose import (AMOUNT, LABEL_PREFIX, MONEY_UNITS, BOUGHT, BUDGET_FIGURE, COMPARE, COMPLETION, DOWN, FINAL_DIFF, FINAL_FIGURE, LESS, LEVEL_CHANGE, MORE, names_other_year,
                    REASON, SHARE, UP, UP_WORDS, VEHICLES_HELD, WHOLE, Breakdown, dec, joined_sentences, procurement_breakdowns,
                    sentences, stated_changes, vehicle_breakdowns)


_TO_YUAN = {"万元": Decimal(10000), "千元": Decimal(1000), "元": Decimal(1), "亿元": Decimal(100000000)}


# --- small helpers ------------------------------------------------------------------------------
def _plain(raw: str) -> str:
    return raw.replace(",", "").replace("，", "").strip().rstrip("%％")


def _places(raw: str) -> int:
    s = _plain(raw)
    return len(s.split(".")[1]) if "." in s else 0


def _half_unit(raws: list[str]) -> Decimal:
    """Half a unit of the finest printed decimal: the rounding each printed figure may carry."""
    return Decimal(1).scaleb(-max((_places(r) for r in raws), default=0)) / 2


def _clean(raws: list[str]) -> bool:
    """Printed the way a table prints its figures: one number of decimals, no inner spaces. A cell cut at a
    page edge or split over two rows ("12,437.3" + "6", "18,536.8 8") is the parser's trouble, not the document's."""
    places = {_places(r) for r in raws if parse_decimal(r)}
    return len(places) <= 1 and not any(re.search(r"\d\s+\d", r) for r in raws)


def _severity(diff: Decimal, half: Decimal) -> Severity:
    """A few units of the last printed decimal is a 尾差 beyond rounding (warning); more is an error."""
    return Severity.WARNING if diff <= SETTINGS.tail_units * half else Severity.ERROR


def _fmt(v: Decimal) -> str:
    return f"{v:,.2f}" if v == v.quantize(Decimal("0.01")) else f"{v:,.4f}".rstrip("0")


_TOTAL = re.compile(r"(合计|总计|小计|总数)$")
_MARKERS = [  # numbering style → depth: 一、 / （一） / 1. / （1） / ①
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d{1,2}[、.．](?!\d)"), 3),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 4),
    (re.compile(r"^[①-⑳]"), 5),
]
_OF_WHICH = re.compile(r"^其中[：:]?")


@lru_cache(maxsize=1 << 16)  # pure, and asked of the same headers for every figure
def _previous_column(header: str, year: int | None) -> bool:
    """A column of last year's figures: 上年预算数 (not 上年结转, 上年结余), or a year before the document's."""
    return bool(re.search(r"上年(?!结转|结余)", header)) or any(year and int(y) < year for y in re.findall(r"(20\d\d)年", header))


def _depth(label: str) -> int | None:
    s = _norm(label)
    for rx, d in _MARKERS:
        if rx.match(s):
            return d
    return None


def is_total_label(label: str) -> bool:
    return bool(_TOTAL.search(_norm(label).split("›")[-1]))


def _ref(label: str, raw: str, table: Table | None, page: int, unit: str | None = None) -> FigureRef:
    return FigureRef(label, _plain(raw), unit if table is None else table.unit, table.title if table else None, page)


def _values(row: Row) -> dict[str, Cell]:
    return {c.header: c for c in row.cells if c.value is not None and not c.raw.strip().endswith(("%", "％"))}


# --- totals against their rows ------------------------------------------------------------------
def _sides(table: Table) -> list[list[Row]]:
    """Rows by side: a side-by-side 收入|支出 layout holds two lists of rows in one table."""
    groups: dict[str, list[Row]] = {}
    for r in table.rows:
        head = r.cells[0].header.split("/")[0] if r.cells and "/" in r.cells[0].header else ""
        groups.setdefault(head, []).append(r)
    return list(groups.values()) if len(groups) > 1 and all(len(g) > 1 for g in groups.values()) else [table.rows]


_CODE = re.compile(r"^[\[【（(]?(\d{3,9})[\]】）)]?")


def _code(row: Row) -> str | None:
    """科目编码: the parsed code column, or a code printed in front of the name ("[20805]行政事业单位养老支出")."""
    if row.code:
        return row.code
    m = _CODE.match(_norm(row.label))
    return m.group(1) if m else None


def _top_levels(rows: list[Row]) -> list[list[Row]]:
    """Readings of which rows a total adds up, never 其中 rows: the shortest codes (类); or, by numbering,
    the unnumbered rows (公务用车购置及运行费 over ①②), or the shallowest numbered rows (一、 over （一）)."""
    rows = [r for r in rows if not _OF_WHICH.match(_norm(r.label))]
    codes = [c for c in map(_code, rows) if c]
    if codes:
        shortest = min(map(len, codes))
        return [[r for r in rows if (_code(r) or "") and len(_code(r)) == shortest]]
    depths = {r.label: _depth(r.label) for r in rows}
    marked = [d for d in depths.values() if d is not None]
    if not marked:
        return [rows]
    top = min(marked)
    return [[r for r in rows if depths[r.label] is None], [r for r in rows if depths[r.label] == top],
            [r for r in rows if depths[r.label] in (top, None)]]


def _column_sum(rows: list[Row], header: str) -> tuple[Decimal, list[str]]:
    raws = [c.raw for r in rows for c in r.cells if c.header == header and c.value is not None]
    return sum((parse_decimal(x) for x in raws), Decimal(0)), raws


def _groupings(rows: list[Row], header: str) -> list[tuple[Decimal, int]]:
    """Sums a total over `rows` may stand for: (sum, number of figures summed).

    The top-level rows; all rows; and, for flat lists that print classes and their items alike
    (工资福利支出 then 基本工资, 津贴补贴 …), all rows over the number of levels.
    """
    out = []
    for part in (*_top_levels(rows), rows):
        s, raws = _column_sum(part, header)
        out.append((s, len(raws)))
    s, raws = _column_sum(rows, header)
    out += [(s / levels, len(raws)) for levels in (2, 3)]  # 类 款 项 printed alike: every level adds up to the total
    return out


def _row_totals(table: Table) -> list[Finding]:
    out: list[Finding] = []
    for side in _sides(table):
        totals = [i for i, r in enumerate(side) if is_total_label(r.label) and not r.parents]
        for n, i in enumerate(totals):
            total = side[i]
            before = side[totals[n - 1] + 1 if n else 0 : i]
            after = side[i + 1 : totals[n + 1] if n + 1 < len(totals) else len(side)]
            prev_total = side[totals[n - 1]] if n else None
            for header, cell in _values(total).items():
                readings: list[tuple[Decimal, int]] = []
                for segment in (before, after if not before or n == 0 else []):
                    readings += _groupings(segment, header)
                if prev_total is not None and before:  # 收入总计 = 本年收入合计 + 上年结转 (a 合计 alone is no sum)
                    pv = _values(prev_total).get(header)
                    if pv is not None:
                        readings += [(pv.value + s, k + 1) for s, k in _groupings(before, header)]
                counted = [(s, k) for s, k in readings if k]
                if not counted:
                    continue
                raws = [c.raw for r in [total, *before, *after] for c in r.cells if c.header == header]
                if not _clean(raws):
                    continue
                unit = _half_unit(raws)
                if any(abs(cell.value - s) <= unit * (k + 1) for s, k in counted):
                    continue
                best = counted[0][0]  # the structural reading (top-level rows) is the one to show
                col = header.split("/")[-1] or "金额"
                out.append(Finding(
                    Kind.ROW_TOTAL, _severity(abs(cell.value - best), unit),
                    f"《{table.title}》“{_norm(total.label)}”（{col}）为{cell.raw}，与其下各行之和{_fmt(best)}不符"
                    f"（相差{_fmt(abs(cell.value - best))}）",
                    sorted({total.page}), [_ref(_norm(total.label), cell.raw, table, total.page)],
                ))
    return out


def _children(rows: list[Row], i: int) -> list[Row]:
    """The rows right below a coded row: the next code level among the contiguous rows its code prefixes
    (a table listing several units repeats the same codes in each unit's block)."""
    code = _code(rows[i])
    block = []
    for r in rows[i + 1 :]:
        c = _code(r)
        if not c or not c.startswith(code) or c == code:
            break
        block.append((c, r))
    if not block or len(block) == len(rows) - i - 1:
        return []  # the block runs to the table's end: its rows may go on in a table the parser did not join
    level = min(len(c) for c, _ in block)
    return [r for c, r in block if len(c) == level]


def _hierarchy(table: Table) -> list[Finding]:
    """A coded row (类/款) against the sum of its direct children (款/项)."""
    out: list[Finding] = []
    for i, r in enumerate(table.rows):
        kids = _children(table.rows, i) if _code(r) else []
        if not kids:
            continue
        for header, cell in _values(r).items():
            s, raws = _column_sum(kids, header)
            if not raws or not _clean([cell.raw, *raws]):
                continue
            half = _half_unit([cell.raw, *raws])
            if abs(cell.value - s) > half * (len(raws) + 1):
                out.append(Finding(
                    Kind.ROW_TOTAL, _severity(abs(cell.value - s), half),
                    f"《{table.title}》“{_norm(r.label)}”（{header.split('/')[-1]}）为{cell.raw}，与其下级科目之和{_fmt(s)}不符"
                    f"（相差{_fmt(abs(cell.value - s))}）",
                    [r.page], [_ref(_norm(r.label), cell.raw, table, r.page)],
                ))
    return out


def _column_totals(table: Table) -> list[Finding]:
    """A 合计/小计 column against the columns beside it under the same header (本年收入/合计 = 一般公共预算 + …)."""
    out: list[Finding] = []
    headers = table.headers
    for t_head in headers:
        parts = t_head.split("/")
        if not _TOTAL.search(_norm(parts[-1])):
            continue
        prefix = parts[:-1]
        under = [h for h in headers if h != t_head and h.split("/")[: len(prefix)] == prefix and len(h.split("/")) > len(prefix)]
        plain = [h for h in under if "其中" not in h]
        if not plain:
            continue  # only 其中 columns: parts of the total, not its split
        readings = []
        for siblings in (plain, under):  # "其中：基本支出" is sometimes a plain split
            nested = [h.rsplit("/", 1)[0] + "/" for h in siblings if _TOTAL.search(_norm(h.split("/")[-1]))]
            readings += [  # the detail columns; or the nested subtotals plus the columns outside their groups
                [h for h in siblings if not _TOTAL.search(_norm(h.split("/")[-1]))],
                [h for h in siblings if _TOTAL.search(_norm(h.split("/")[-1])) or not h.startswith(tuple(nested))],
            ]
        nested_totals = [h for h in under if _TOTAL.search(_norm(h.split("/")[-1]))]
        if len(nested_totals) > 1:  # 合计 = 基本支出/小计 + 项目支出/项目支出总数
            readings.append(nested_totals)
        after = [h for h in headers[headers.index(t_head) + 1 :] if h in plain]
        readings += [after[:k] for k in range(2, len(after))]  # 支出总计 | 基本 | 项目 | … then memo columns
        for r in table.rows:
            vals = _values(r)
            cell = vals.get(t_head)
            if cell is None:
                continue
            sums = []
            for cols in readings:
                got = [vals[h] for h in cols if h in vals]
                if got:
                    sums.append((sum((c.value for c in got), Decimal(0)), [c.raw for c in got]))
            if not sums or not _clean([c.raw for c in vals.values()]):
                continue
            if any(abs(cell.value - s) <= _half_unit([cell.raw, *raws]) * (len(raws) + 1) for s, raws in sums):
                continue
            s, raws = sums[0]
            out.append(Finding(
                Kind.COLUMN_TOTAL, _severity(abs(cell.value - s), _half_unit([cell.raw, *raws])),
                f"《{table.title}》“{_norm(r.label)}”行的{t_head}为{cell.raw}，与同组各栏之和{_fmt(s)}不符"
                f"（相差{_fmt(abs(cell.value - s))}）",
                [r.page], [_ref(_norm(r.label), cell.raw, table, r.page)],
            ))
    return out


# --- the same figure across tables --------------------------------------------------------------
def _yuan(v: Decimal, unit: str | None) -> Decimal:
    return v * _TO_YUAN.get(unit or "", Decimal(1))


@lru_cache(maxsize=1 << 16)  # pure, and asked of every cell for every prose figure
def _same_amount(raw_a: str, unit_a: str | None, raw_b: str, unit_b: str | None) -> bool:
    """Two printed amounts are the same figure, each as rounded as it is printed (76万元 = 76.00万元 = 760,000元).
    A table without a stated unit is taken to print in the other figure's unit."""
    unit_a, unit_b = unit_a or unit_b, unit_b or unit_a
    a, b = _yuan(dec(raw_a), unit_a), _yuan(dec(raw_b), unit_b)
    return abs(a - b) <= _yuan(_half_unit([raw_a]), unit_a) + _yuan(_half_unit([raw_b]), unit_b)


def _total_rows(table: Table) -> list[Row]:
    return [r for r in table.rows if is_total_label(r.label) and not r.parents and _values(r)]


def _first_value(row: Row, year: int | None) -> Cell | None:
    """The row's first figure of this year: a 2025年预算数 column printed first is last year's."""
    return next((c for c in _values(row).values() if not _previous_column(c.header, year)), None)


def _named(table: Table, *names: str) -> Row | None:
    return next((r for r in table.rows if _norm(r.label) in names and _values(r)), None)


# A table's grand total must appear among the other table's figures (total rows only, or any row).
_RELATIONS = [
    ("支出总表", "收支总表", True),
    ("收入总表", "收支总表", True),
    ("一般公共预算支出表", "财政拨款收支总表", False),
    ("基本支出表", "一般公共预算支出表", True),
]


def _cross_tables(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    by_kind: dict[tuple[str, str | None], list[Table]] = {}
    for t in doc.tables:
        kind = table_kind(t.title)
        if kind and not t.empty and not t.is_form:
            by_kind.setdefault((kind, t.unit_name), []).append(t)
    for (kind, who), tables in by_kind.items():
        if kind in ("收支总表", "财政拨款收支总表"):
            for t in tables:  # a budget balances: 收入总计 = 支出总计
                inc, exp = _named(t, "收入总计", "收入合计"), _named(t, "支出总计", "支出合计")
                a, b = (_first_value(inc, doc.year), _first_value(exp, doc.year)) if inc and exp else (None, None)
                if a and b:
                    if abs(a.value - b.value) > 2 * _half_unit([a.raw, b.raw]):
                        out.append(Finding(
                            Kind.CROSS_TABLE, Severity.ERROR, f"《{t.title}》收入总计{a.raw}与支出总计{b.raw}不相等",
                            sorted({inc.page, exp.page}),
                            [_ref("收入总计", a.raw, t, inc.page), _ref("支出总计", b.raw, t, exp.page)],
                        ))
    for kind_a, kind_b, totals_only in _RELATIONS:
        for (kind, who), tables in by_kind.items():
            others = by_kind.get((kind_b, who), [])
            if kind_a == "基本支出表":  # only a table that splits out 基本支出 can hold its total
                others = [o for o in others if any("基本支出" in h for h in o.headers)]
            if kind != kind_a or not others:
                continue
            pool = [(c, o, r) for o in others for r in (_total_rows(o) if totals_only else o.rows) for c in _values(r).values()]
            for t in tables:
                rows = [r for r in _total_rows(t) if _norm(r.label) in ("合计", "总计")]
                if not rows:
                    continue
                row = rows[0]  # the grand total; "人员经费合计" and the like are only part of it
                cell = _first_value(row, doc.year)
                if cell is None or not _clean([cell.raw]):
                    continue
                if not pool or any(_same_amount(cell.raw, t.unit, c.raw, o.unit) for c, o, _ in pool):
                    continue
                other = others[0]
                out.append(Finding(
                    Kind.CROSS_TABLE, Severity.ERROR,
                    f"《{t.title}》“{_norm(row.label)}”{cell.raw}{t.unit or ''}在《{other.title}》中找不到相同的合计数",
                    sorted({row.page, *other.pages}), [_ref(_norm(row.label), cell.raw, t, row.page)],
                ))
    return out


# --- prose against arithmetic and tables --------------------------------------------------------
def _changes(doc: Document) -> list[Finding]:
    """"X万元，比上年增加D万元，增长P%": P against D / (X − D); and X − D against a table's 上年 column."""
    out: list[Finding] = []
    for st in sentences(doc):
        sent, page = st.text, st.page
        for c in stated_changes(sent):
            v_raw, last, v = c.current, c.previous, dec(c.current)
            refs = [_ref("本年数", v_raw, None, page, c.unit), _ref("增减额", c.change, None, page, c.unit)]
            if c.percent and last > 0:
                p = dec(c.percent)
                exact = dec(c.change) / last * 100
                # rounding of P, plus how far the printed X and D may move it
                slack = Decimal(1).scaleb(-_places(c.percent)) + 100 * _half_unit([v_raw, c.change]) * 2 / last * (1 + exact / 100)
                if abs(exact - p) > slack:
                    out.append(Finding(
                        Kind.CHANGE, Severity.ERROR,
                        f"“{c.text}”：增减额{c.change}相对上年数{_fmt(last)}应为{exact:.2f}%，文中为{c.percent}%",
                        [page], [*refs, _ref("增减幅度", c.percent, None, page, "%")], sent,
                    ))
            found = None if c.start < 0 else _last_year_cell(doc, sent[: c.start], v, c.unit)
            if found:
                t, row, cell = found
                moved = _yuan(v, c.unit) - _yuan(cell.value, t.unit or c.unit)
                if moved and (moved > 0) != c.up and abs(moved) > _yuan(2 * _half_unit([cell.raw, v_raw]), c.unit):
                    out.append(Finding(  # the wrong word, not a wrong amount: one finding, of the direction
                        Kind.DIRECTION, Severity.ERROR,
                        f"“{c.text}”说{'增加' if c.up else '减少'}，但《{t.title}》“{_norm(row.label)}”上年为{cell.raw}，"
                        f"本年{v_raw}，实为{'减少' if c.up else '增加'}",
                        sorted({page, row.page}), [*refs, _ref(_norm(row.label), cell.raw, t, row.page)], sent,
                    ))
                elif abs(_yuan(cell.value, t.unit or c.unit) - _yuan(last, c.unit)) > _yuan(2 * _half_unit([cell.raw, v_raw, c.change]), c.unit):
                    out.append(Finding(
                        Kind.CHANGE, Severity.ERROR,
                        f"“{c.text}”意味着上年为{_fmt(last)}{c.unit}，但《{t.title}》“{_norm(row.label)}”的{cell.header}为{cell.raw}{t.unit or ''}",
                        sorted({page, row.page}), [*refs, _ref(_norm(row.label), cell.raw, t, row.page)], sent,
                    ))
    return out


def _level(doc: Document) -> list[Finding]:
    """"X万元，与上年持平" against the table's 上年 figure for the same row."""
    out: list[Finding] = []
    for st in sentences(doc):
        for m in LEVEL_CHANGE.finditer(st.text):
            v = dec(m.group("v"))
            found = _last_year_cell(doc, st.text[: m.start()], v, m.group("vu"))
            if not found:
                continue
            t, row, cell = found
            if not _same_amount(m.group("v"), m.group("vu"), cell.raw, t.unit):
                out.append(Finding(
                    Kind.DIRECTION, Severity.ERROR,
                    f"“{m.group(0)}”说持平，但《{t.title}》“{_norm(row.label)}”上年为{cell.raw}{t.unit or ''}",
                    sorted({st.page, row.page}), [_ref("本年数", m.group("v"), None, st.page, m.group("vu")),
                                                  _ref(_norm(row.label), cell.raw, t, row.page)], st.text,
                ))
    return out


def _budget_vs_final(doc: Document) -> list[Finding]:
    """"年初预算为Y万元，支出决算为X万元，完成年初预算的P%。决算数小于预算数的主要原因…": P against X ÷ Y, and
    大于/小于/持平 (in the sentence or the one after it) against X and Y."""
    out: list[Finding] = []
    prose = list(sentences(doc))
    for i, st in enumerate(prose):
        b, f = BUDGET_FIGURE.search(st.text), FINAL_FIGURE.search(st.text)
        if not b or not f or b.group("unit") != f.group("unit"):
            continue
        follow = prose[i + 1] if i + 1 < len(prose) and not BUDGET_FIGURE.search(prose[i + 1].text) else None
        y, x = dec(b.group("num")), dec(f.group("num"))
        refs = [_ref("预算数", b.group("num"), None, st.page, b.group("unit")), _ref("决算数", f.group("num"), None, st.page, f.group("unit"))]
        half = _half_unit([b.group("num"), f.group("num")])
        p = COMPLETION.search(st.text)
        if p and y:
            exact = x / y * 100
            slack = Decimal(1).scaleb(-_places(p.group("p"))) + 100 * half * (1 / y + x / (y * y))
            if abs(exact - dec(p.group("p"))) > slack:
                out.append(Finding(
                    Kind.COMPLETION, Severity.ERROR,
                    f"“{p.group(0)}”：决算{f.group('num')}÷预算{b.group('num')}={exact:.2f}%，文中为{p.group('p')}%",
                    [st.page], [*refs, _ref("完成预算", p.group("p"), None, st.page, "%")], st.text,
                ))
        for d in FINAL_DIFF.finditer(st.text):
            up, diff = d.group("dir") in (*UP_WORDS, "超支"), dec(d.group("d"))
            if d.group("du") != f.group("unit") or abs(abs(x - y) - diff) > 3 * half:
                continue  # another pair's difference, or the amount is wrong (not a direction question)
            if x != y and (x > y) != up:
                out.append(Finding(
                    Kind.DIRECTION, Severity.ERROR,
                    f"“{d.group(0)}”，但决算{f.group('num')}{'小于' if up else '大于'}预算{b.group('num')}",
                    [st.page], refs, st.text,
                ))
        for said in [st, *([follow] if follow else [])]:
            for c in COMPARE.finditer(said.text):
                rel = c.group("rel")
                if "基本" in rel:
                    continue  # "基本持平" allows a difference
                same = abs(x - y) <= 2 * half
                right = (x > y and not same) if rel in MORE else (x < y and not same) if rel in LESS else same
                if not right:
                    actual = "等于" if same else "大于" if x > y else "小于"
                    out.append(Finding(
                        Kind.DIRECTION, Severity.ERROR,
                        f"“{c.group(0)}”，但决算{f.group('num')}{actual}预算{b.group('num')}",
                        sorted({st.page, said.page}), refs, f"{st.text}{said.text if said is not st else ''}",
                    ))
    return out


@lru_cache(maxsize=1 << 16)  # pure, and asked of the same labels for every prose figure
def _strip_marker(label: str) -> str:
    """A label without its numbering: "其中：（一）因公出国（境）支出" → "因公出国（境）支出"."""
    return LABEL_PREFIX.sub("", _norm(label))


def _last_year_cell(doc: Document, before: str, v: Decimal, unit: str) -> tuple[Table, Row, Cell] | None:
    """The table row the prose figure is (named by the words before it, holding the same value) and its 上年 cell;
    failing a name ("2026年预算数16.80万元，较2025年…"), the rows holding the value, when they agree on 上年."""
    clause = _norm(re.split(r"[；。]", before)[-1])
    by_value = []
    for t in doc.tables:
        for row in t.rows:
            vals = list(_values(row).values())
            current = [c for c in vals if not _previous_column(c.header, doc.year) and _same_amount(c.raw, t.unit, str(v), unit)]
            previous = [c for c in vals if _previous_column(c.header, doc.year) and not re.search(r"增减|变动|比较", c.header)]
            if not (current and previous):
                continue
            # the 上年 cell of the same item: "2025年预算数/公务接待费" beside "2026年预算数/公务接待费"
            tails = [p for p in previous if p.header.split("/")[1:] == current[0].header.split("/")[1:]]
            last = tails[0] if tails else previous[0] if len({c.value for c in previous}) == 1 else None
            if last is None:
                continue
            name = _strip_marker(row.label.split(" ")[0])
            if len(name) >= 3 and name in clause and (clause.endswith(name) or name + "预算" in clause or name + "财政拨款" in clause):
                return t, row, last
            by_value.append((t, row, last))
    agreed = {_yuan(c.value, t.unit or unit) for t, _, c in by_value}
    return by_value[0] if v >= 1 and len(agreed) == 1 else None


def _printed_amounts(doc: Document) -> list[Decimal]:
    """Every amount the document prints, in 元, sorted: the prose's and the tables' (a table without a unit
    taken to print 万元, as the disclosures do)."""
    said = [_yuan(dec(m.group("num")), m.group("unit")) for st in sentences(doc) for m in AMOUNT.finditer(st.text)
            if m.group("unit") in _TO_YUAN]
    cells = [_yuan(c.value, t.unit or "万元") for t in doc.tables if not t.is_form for r in t.rows for c in _values(r).values()]
    return sorted(said + cells)


def _whole_printed(rng: tuple[Decimal, Decimal], unit: str, printed: list[Decimal]) -> bool:
    """"一般公共服务支出1935.36万元，占80.00%" with no whole in its sentence: the whole it implies (2,419.20万元)
    is an amount the document prints somewhere."""
    lo, hi = (_yuan(v, unit) for v in rng)
    i = bisect.bisect_left(printed, lo)
    return i < len(printed) and printed[i] <= hi


def _shares(doc: Document) -> list[Finding]:
    """"支出18,061.36万元，其中：基本支出15,753.96万元，占87.22%": 87.22 against 15,753.96 / 18,061.36; a share
    whose sentence states no whole implies one that the document must print."""
    out: list[Finding] = []
    before = None
    printed: list[Decimal] | None = None
    for st in sentences(doc):
        sent, page = st.text, st.page
        prev, before = before, st
        whole = WHOLE.search(sent)
        totals = [m for m in AMOUNT.finditer(sent[: whole.start()]) if m.group("unit") not in ("%", "％")] if whole else []
        if whole and not totals and whole.start() == 0 and prev and prev.heading == st.heading:
            # "收入预算总计50,617.94万元。其中，…占32.55%": the whole is the sentence before's first amount
            totals = [m for m in AMOUNT.finditer(prev.text) if m.group("unit") in MONEY_UNITS][:1]
        if not totals:
            for m in SHARE.finditer(sent):
                if m.group("base").strip():
                    continue  # a named whole: _named_base_shares
                # a whole off by one unit of the percent's last decimal is a rounding habit (58,486.35 of 99,230.46
                # printed as 59.0%, 杭州), not an error
                rng = _base_range(m.group("x"), m.group("p"), Decimal(1))
                printed = _printed_amounts(doc) if printed is None else printed
                if rng and not _whole_printed(rng, m.group("xu"), printed):
                    lo, hi = rng
                    out.append(Finding(
                        Kind.SHARE, Severity.ERROR,
                        f"“{m.group(0)}”推算总数为{_fmt(lo)}～{_fmt(hi)}{m.group('xu')}，文件中没有这一数额",
                        [page], [_ref("分项", m.group("x"), None, page, m.group("xu")), _ref("占比", m.group("p"), None, page, "%")],
                        sent,
                    ))
            continue
        total = totals[-1]
        t_val = dec(total.group("num"))
        for m in SHARE.finditer(sent, whole.end()):
            if m.group("base").strip() or m.group("xu") != total.group("unit") or not t_val:
                continue  # "占一般公共预算支出的…": another base than the sentence's total
            x, p = dec(m.group("x")), dec(m.group("p"))
            exact = x / t_val * 100
            slack = Decimal(1).scaleb(-_places(m.group("p"))) + 100 * _half_unit([m.group("x"), total.group("num")]) * 2 / t_val
            if abs(exact - p) > slack:
                out.append(Finding(
                    Kind.SHARE, Severity.ERROR,
                    f"“{m.group(0)}”：{m.group('x')}÷{total.group('num')}={exact:.2f}%，文中为{m.group('p')}%",
                    [page], [_ref("总数", total.group("num"), None, page, total.group("unit")),
                             _ref("分项", m.group("x"), None, page, m.group("xu")), _ref("占比", m.group("p"), None, page, "%")],
                    sent,
                ))
    return out


def _base_range(x: str, p: str, p_slack: Decimal = Decimal("0.5")) -> tuple[Decimal, Decimal] | None:
    """The wholes that "x万元，占…p%" allows, each figure as rounded as it is printed (p give or take p_slack units
    of its last decimal)."""
    hx, hp = _half_unit([x]), Decimal(1).scaleb(-_places(p)) * p_slack
    if dec(p) - hp <= 0:
        return None
    return (dec(x) - hx) / (dec(p) + hp) * 100, (dec(x) + hx) / (dec(p) - hp) * 100


def _consistent(ranges: list[tuple[Decimal, Decimal]]) -> bool:
    return max(lo for lo, _ in ranges) <= min(hi for _, hi in ranges)


def _named_base_shares(doc: Document) -> list[Finding]:
    """"基本支出预算7485.22万元，占本年支出预算77.75%" … "项目支出预算2141.55万元，占本年支出预算22.25%": shares of
    one named whole must imply one whole; the share that alone disagrees with the others is reported (of two, both)."""
    groups: dict[tuple[str, str], list] = {}
    for st in sentences(doc):
        for m in SHARE.finditer(st.text):
            base = _norm(m.group("base")).rstrip("的")
            rng = _base_range(m.group("x"), m.group("p")) if len(base) >= 2 else None
            if rng:
                groups.setdefault((base, m.group("xu")), []).append((m, rng, st))
    out: list[Finding] = []
    for (base, unit), items in groups.items():
        if len(items) < 2 or _consistent([r for _, r, _ in items]):
            continue
        if len(items) == 2:  # two shares that disagree do not say which one is wrong
            (a, ra, sa), (b, rb, sb) = items
            out.append(Finding(
                Kind.SHARE, Severity.ERROR,
                f"“{a.group(0)}”推算{base}为{_fmt(ra[0])}～{_fmt(ra[1])}{unit}，“{b.group(0)}”推算为{_fmt(rb[0])}～{_fmt(rb[1])}{unit}，两者不一致",
                sorted({sa.page, sb.page}), [_ref("分项", a.group("x"), None, sa.page, unit), _ref("占比", a.group("p"), None, sa.page, "%"),
                                             _ref("分项", b.group("x"), None, sb.page, unit), _ref("占比", b.group("p"), None, sb.page, "%")],
                f"{sa.text}{sb.text if sb is not sa else ''}",
            ))
            continue
        odd = [i for i in range(len(items)) if _consistent([r for j, (_, r, _) in enumerate(items) if j != i])]
        if len(odd) != 1:
            continue
        m, _, st = items[odd[0]]
        lo, hi = max(r[0] for j, (_, r, _) in enumerate(items) if j != odd[0]), min(r[1] for j, (_, r, _) in enumerate(items) if j != odd[0])
        out.append(Finding(
            Kind.SHARE, Severity.ERROR,
            f"“{m.group(0)}”：其余{len(items) - 1}处“占{base}”的比例推算{base}为{_fmt(lo)}～{_fmt(hi)}{unit}，"
            f"按此{m.group('x')}应占{dec(m.group('x')) / hi * 100:.2f}%～{dec(m.group('x')) / lo * 100:.2f}%",
            [st.page], [_ref("分项", m.group("x"), None, st.page, unit), _ref("占比", m.group("p"), None, st.page, "%")], st.text,
        ))
    return out


def _parts(doc: Document) -> list[Finding]:
    """"共计金额2,532.21万元。其中：…涉及金额3,312.21万元": a part larger than its whole."""
    out: list[Finding] = []
    for sec in doc.sections:
        for para in sec.paragraphs:
            text = para.text
            for w in re.finditer(r"其中[：:]", text):
                head = text[: w.start()].rstrip()
                if head.endswith("。"):  # "…共计金额2,532.21万元。其中：…": the whole is the sentence before's subject
                    sent = re.findall(r"[^。]+。", head)[-1]
                    totals = [m for m in AMOUNT.finditer(sent) if m.group("unit") in _TO_YUAN][:1]
                else:  # the amount just before: only when it is the largest of its sentence (not a list's last item)
                    before = [m for m in AMOUNT.finditer(re.split(r"[。；]", head)[-1]) if m.group("unit") in _TO_YUAN]
                    largest = max((_yuan(dec(m.group("num")), m.group("unit")) for m in before), default=None)
                    totals = [m for m in before[-1:] if _yuan(dec(m.group("num")), m.group("unit")) == largest]
                if not totals or not dec(totals[0].group("num")):
                    continue
                total = totals[0]
                t_val = _yuan(dec(total.group("num")), total.group("unit"))
                tail = re.split(r"[。]", text[w.end():])[0]
                for m in AMOUNT.finditer(tail):
                    if m.group("unit") not in _TO_YUAN or re.search(r"(增加|减少|增长|下降|上年|比|较)[^，,；]{0,6}$", tail[: m.start()]):
                        continue
                    val = _yuan(dec(m.group("num")), m.group("unit"))
                    if val > t_val + _yuan(2 * _half_unit([m.group("num"), total.group("num")]), total.group("unit")):
                        out.append(Finding(
                            Kind.PARTS, Severity.ERROR,
                            f"总数{total.group('num')}{total.group('unit')}之下的“其中”一项为{m.group('num')}{m.group('unit')}，大于总数",
                            [para.page], [_ref("总数", total.group("num"), None, para.page, total.group("unit")),
                                          _ref("其中", m.group("num"), None, para.page, m.group("unit"))],
                            text[max(0, w.start() - 80): w.end() + len(tail) + 1],
                        ))
    return out


def _reasons(doc: Document) -> list[Finding]:
    """"比2025年增加10.00万元，主要原因是：本年度公务接待费减少8.00万元": the reason names only the opposite direction."""
    out: list[Finding] = []
    for st in sentences(doc):
        sent, page = st.text, st.page
        for clause in re.split(r"[；;](?![二三四五六七八九十2-9][、.．])", sent):
            r = REASON.search(clause)
            if not r:
                continue
            main, why = clause[: r.start()], clause[r.end():]
            changed = list(re.finditer(r"(增加|减少|增长|下降|上升|降低)(?:了)?\s*\d", main))
            if not changed:
                continue
            up = changed[-1].group(1) in UP_WORDS
            same, opposite = (UP, DOWN) if up else (DOWN, UP)
            # only a quantified opposite change ("公务接待费减少8.00万元") and nothing pointing the stated way
            # one plain statement: a reason that moves money between items or weighs two years is not judged
            quantified = re.search(rf"(?:{opposite.pattern})(?:了)?\s*\d", why)
            plain = not re.search(r"[，,]|用于|调入|转入|调整|实际|而", why.rstrip("。"))
            if quantified and plain and not same.search(why) and not (up and BOUGHT.search(why)):
                out.append(Finding(
                    Kind.REASON, Severity.WARNING,
                    f"说明的变动方向与原因相反：“{clause.strip()}”（{'增加' if up else '减少'}，原因却只说{'减少' if up else '增加'}）",
                    [page], [_ref("增减额" if re.search(r"(增加|减少|增长|下降|上升|降低)(?:了)?\s*$", main[: m.start()]) else "金额",
                                  m.group("num"), None, page, m.group("unit")) for m in AMOUNT.finditer(main)],
                    clause.strip(),
                ))
    return out


# Items the prose states and the table that reports them (三公 parts in the 三公 table; 机关运行经费 in its own
# table or in a combined 三公和机关运行经费 table); None: any row or column the item names, in any table.
_ITEMS = [
    ("“三公”经费", re.compile(r"“?三公”?经费"), "三公"),
    ("因公出国（境）费", re.compile(r"因公出国[（(]境[）)]费(?:用)?"), "三公"),
    ("公务接待费", re.compile(r"公务接待费"), "三公"),
    ("公务用车购置及运行费", re.compile(r"公务用车购置及运行(?:维护)?费"), "三公"),
    ("公务用车购置费", re.compile(r"公务用车购置费"), "三公"),
    ("公务用车运行维护费", re.compile(r"公务用车运行(?:维护)?费"), "三公"),
    ("机关运行经费", re.compile(r"机关运行经费"), "机关运行经费"),
    ("收入总计", re.compile(r"收入总计"), None),
    ("支出总计", re.compile(r"支出总计"), None),
    ("本年收入", re.compile(r"本年收入(?:合计)?"), None),
    ("本年支出", re.compile(r"本年支出(?:合计)?"), None),
    ("财政拨款收入", re.compile(r"财政拨款收入"), None),
    ("基本支出", re.compile(r"基本支出"), None),
    ("项目支出", re.compile(r"项目支出"), None),
    ("人员经费", re.compile(r"人员经费"), None),
    ("公用经费", re.compile(r"公用经费"), None),
    # the total only: a kind's amount ("政府采购货物预算…") is compared by _procurement_tables
    ("政府采购", re.compile(r"政府采购(?!货物|工程|服务)(?:预算|支出)?(?:总额|合计)?"), "政府采购"),
]
# what may stand right before a general item's name: a clause start or a scope word, not the rest of a project's
# name ("评审项目支出304.16万元")
_SCOPE_BEFORE = re.compile(r"(?:^|[，,；;：:。、（(]|本年度?|年度?|部门|单位|财政拨款|一般公共预算|其中|全年|安排|预算|决算)$"
                           r"|^[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]$")  # or only a list marker: "（五）项目支出…"


@lru_cache(maxsize=1 << 16)  # pure, and asked of every cell of every table for every prose figure
def _names_item(label: str, name: str) -> bool:
    """A row label or column header that is the item itself (its total), not a row that only mentions it:
    "本年收入合计", "基本支出", "基本支出/小计"."""
    parts = [_strip_marker(p) for p in label.split("/")]
    return parts[-1] in (name, name + "合计", name + "总计") or len(parts) > 1 and parts[-2] == name and bool(_TOTAL.search(parts[-1]))


def _item_cells(doc: Document, kind: str | None, name: str) -> list[tuple[Table, Row, Cell]]:
    """Every figure of the tables that report the item: the prose figure must be one of them."""
    out = []
    for t in doc.tables:
        if t.is_form:
            continue
        if kind is None:  # the rows the item names, and the total of the columns it heads (not a 科目 row's part)
            out += _cells_named(t, lambda label: _names_item(label, name), _total_rows(t) or t.rows)
            continue
        tk = table_kind(t.title)
        mentions = kind in _norm(t.title) or any(kind in h for h in t.headers) or any(kind in r.label for r in t.rows)
        if tk == kind or kind in _norm(t.title) or (kind == "机关运行经费" and tk == "三公" and mentions):
            cells = [(t, r, c) for r in t.rows for c in _values(r).values()]
            own = [(t, r, c) for t, r, c in cells if _names_part(c, r, name)]
            out += own or cells
    return out


_ITEM_WORDS = {name: said for name, said, _ in _ITEMS}


def _names_part(cell: Cell, row: Row, name: str) -> bool:
    """A cell of the item's own in the table that reports it: its header or row label names the item
    ("…/公务用车购置及运行费/小计", "公务接待费"; "…/公务用车购置及运行费/运行费", its children printed without
    公务用车, as 上海 prints them): the 说明's 公务用车运行费 is not checked against the 三公 table's 公务接待费."""
    said = _ITEM_WORDS[name]
    for words in [*cell.header.split("/"), row.label]:
        w = re.sub(r"(?:预算|决算)?数$", "", _strip_marker(words))
        w = re.sub(r"支出$", "费", w)  # "（一）因公出国（境）支出", "公务接待支出": the 费 by its other name
        if said.fullmatch(w) or said.fullmatch("公务用车" + w):
            return True
    return False


# Items a 基本支出 table often prints only under an economic class or a column of another name (公用经费 as "302 商品
# 和服务支出", 机关运行经费 as its 公用经费 column, 人员经费 as "301 工资福利支出"). Documents count them differently
# (深圳's 公用经费 is no class's sum), so only a keying error is read there: the prose figure one digit off the cell.
_OWN_COST_CELLS = re.compile(r"^(?:302)?商品和服务支出$|^公用经费$")
_CARRIED_BY = {
    "公用经费": _OWN_COST_CELLS,
    "机关运行经费": _OWN_COST_CELLS,
    "人员经费": re.compile(r"^(?:301)?工资福利支出$|^人员经费$"),
}
# …with the 资本性支出 under it where the document counts that in too (深圳-22: 公用经费645.01 = 642.01 + 3.00)
_ADDED_CLASS = {"公用经费": re.compile(r"^(?:310)?资本性支出$")}


def _one_digit_off(a: str, b: str) -> bool:
    """Two printed amounts that differ in one digit only, as a keying error makes them: 1,586.96 and 1,585.96."""
    a, b = _plain(a), _plain(b)
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1 and a.replace(".", "").isdigit()


def _with_added_class(added: re.Pattern | None, cells: list[tuple[Table, Row, Cell]]) -> list[tuple[Table, Row, Cell]]:
    """Each carrying row's cells summed with the same column of the added class's row after it, before the next
    carrying row (a 基本支出总表 prints the classes unit by unit), printed to the finer of the two's decimals."""
    if added is None:
        return []
    out = []
    carrying = {id(r) for _, r, _ in cells}
    for t in {id(t): t for t, _, _ in cells}.values():
        own: Row | None = None
        for r in t.rows:
            if id(r) in carrying:
                own = r
            elif own is not None and added.match(_strip_marker(r.label)):
                mine = _values(own)
                for head, cell in _values(r).items():
                    if head in mine:
                        summed = mine[head].value + cell.value
                        places = max(_places(mine[head].raw), _places(cell.raw))
                        out.append((t, own, Cell(head, f"{summed:.{places}f}", summed)))
                own = None
    return out


def _keyed_from_class(doc: Document, name: str, a: re.Match, page: int, seen: set[tuple]) -> list[Finding]:
    """The prose item's figure against the 基本支出 tables' cells that carry it under another name: a finding where
    one of them differs from it in one digit and none prints it."""
    carried = _CARRIED_BY.get(name)
    if carried is None:
        return []
    cells = [cell for t in doc.tables if not t.is_form and "基本支出" in _norm(t.title)
             for cell in _cells_named(t, _last_part_matches(carried), t.rows)]
    cells += _with_added_class(_ADDED_CLASS.get(name), cells)
    if any(_same_amount(a.group("num"), a.group("unit"), c.raw, t.unit) for t, _, c in cells):
        return []
    near = [(t, r, c) for t, r, c in cells
            if (t.unit or a.group("unit")) == a.group("unit") and _one_digit_off(a.group("num"), c.raw)]
    key = (name, a.group("num"), page)
    if not near or key in seen:
        return []
    seen.add(key)
    t, r, c = near[0]
    return [Finding(
        Kind.PROSE_TABLE, Severity.WARNING,
        f"说明中{name}为{a.group('num')}{a.group('unit')}（第{page}页），《{t.title}》“{_norm(r.label)}”{c.header}为{c.raw}"
        f"{t.unit or ''}，仅一位数字不同，疑为笔误",
        sorted({page, r.page}), [_ref(name, a.group("num"), None, page, a.group("unit")), _ref(_norm(r.label), c.raw, t, r.page)],
    )]


_FUND_BEFORE = re.compile(r"(一般公共预算|政府性基金|国有资本经营)(?:预算)?$")


def _fund_cells(doc: Document, fund: str) -> list[tuple[Table, Row, Cell]]:
    """The figures of one fund's 拨款, where no row is named 财政拨款收入: the rows that name it ("一、一般公共预算资金",
    "一般公共预算拨款") and the total rows' columns ("合计 | 一般公共预算拨款收入")."""
    named = re.compile(rf"^{fund}(?:预算)?(?:财政)?(?:拨款|资金)?(?:收入)?(?:合计|小计)?$")
    return [cell for t in doc.tables if not t.is_form
            for cell in _cells_named(t, _last_part_matches(named), _total_rows(t))]


def _last_part_matches(pattern: re.Pattern) -> Callable[[str], bool]:
    """Whether a row label or column header's last part, its list marker dropped, is what ``pattern`` matches
    ("合计/一般公共预算拨款收入" → "一般公共预算拨款收入")."""
    return lambda label: bool(pattern.match(_strip_marker(label.split("/")[-1])))


def _cells_named(table: Table, names: Callable[[str], bool], heading: list[Row]) -> list[tuple[Table, Row, Cell]]:
    """The cells of the rows whose label ``names`` accepts, and of the columns whose header it accepts in the
    ``heading`` rows (a total row's "合计 | 一般公共预算拨款收入"; not a 科目 row's part of it)."""
    heads = {id(r) for r in heading}  # by identity: equal rows are not the same row
    return [(table, r, c) for r in table.rows for c in _values(r).values()
            if names(r.label) or id(r) in heads and names(c.header)]


def _prose_tables(doc: Document) -> list[Finding]:
    """"“三公”经费预算76.00万元" against the 三公 table: the prose figure must be one of the item's cells."""
    out: list[Finding] = []
    seen: set[tuple] = set()
    for st in sentences(doc):
        sent, page = st.text, st.page
        for name, said, kind in _ITEMS:
            for m in said.finditer(sent):
                tail = sent[m.end():]
                a = AMOUNT.search(tail)
                if not a or a.group("unit") not in _TO_YUAN or a.start() > SETTINGS.prose_figure_reach:
                    continue
                between = tail[: a.start()]
                clause = re.split(r"[，,；;。]", sent[: m.start()])[-1]
                if re.search(r"[比较增减费]|上年|同比|其中|以内|不超过|[、和及与]|[a-zA-Z]|[，,；;：:。]|项目|收入|支出", between) or names_other_year(clause + between, doc.year):
                    continue
                if kind is None and (not _SCOPE_BEFORE.search(sent[: m.start()]) or re.search(r"用于|增加|减少|新增|压减|节约|调减", clause)):
                    continue  # part of a project's name, of another item ("主要用于人员经费18万元"), or a change
                if re.match(r"[）)]?(?:用于|的|中|占)", between) or name == "公务用车购置及运行费" and "维护" in between:
                    continue
                cells = _item_cells(doc, kind, name)
                if not cells and name == "财政拨款收入" and (fund := _FUND_BEFORE.search(sent[: m.start()])):
                    cells = _fund_cells(doc, fund.group(1))  # "一般公共预算财政拨款收入": that fund's 拨款
                if not cells:
                    out += _keyed_from_class(doc, name, a, page, seen)
                    continue
                v = _yuan(dec(a.group("num")), a.group("unit"))
                if any(_same_amount(a.group("num"), a.group("unit"), c.raw, t.unit) for t, _, c in cells):
                    continue
                if v == 0:
                    continue
                t, row, c = cells[0]
                key = (name, a.group("num"), page)
                if key in seen:
                    continue
                seen.add(key)
                shown = "、".join(sorted({f"{c.raw}" for _, _, c in cells})[:4])
                out.append(Finding(
                    Kind.PROSE_TABLE, Severity.ERROR,
                    f"说明中{name}为{a.group('num')}{a.group('unit')}（第{page}页），《{t.title}》中为{shown}{t.unit or ''}",
                    sorted({page, row.page}), [_ref(name, a.group("num"), None, page, a.group("unit")),
                                               *(_ref(_norm(r.label) or name, c.raw, t, r.page) for t, r, c in cells[:2])],
                ))
    return out


# --- stated breakdowns: 政府采购 by kind and vehicles by use, against their total and their tables ------------
def _breakdown_sums(doc: Document) -> list[Finding]:
    """"政府采购预算总额X万元，其中：货物a万元、工程b万元、服务c万元" and "共有车辆N辆，其中：…用车k辆、…": the
    listed parts add up to the total (amounts within half a unit of their last printed decimal each; counts exactly)."""
    out: list[Finding] = []
    for st in joined_sentences(doc):
        for b in procurement_breakdowns(st.text) + vehicle_breakdowns(st.text):
            raws = [v for _, v in b.parts]
            summed = sum((dec(v) for v in raws), Decimal(0))
            gap = abs(dec(b.total) - summed)
            half = Decimal(0) if b.unit == "辆" else _half_unit([b.total, *raws])
            if gap <= half * (len(raws) + 1):
                continue
            shown = _fmt if half else str
            out.append(Finding(
                Kind.PARTS, _severity(gap, half),
                f"“{b.text}”：各项之和为{shown(summed)}{b.unit}，与总数{b.total}{b.unit}不符（相差{shown(gap)}）",
                [st.page], [_ref("总数", b.total, None, st.page, b.unit), *(_ref(n, v, None, st.page, b.unit) for n, v in b.parts)],
                st.text,
            ))
    return out


def _procurement_rows(doc: Document) -> dict[str, tuple[Table, Row, Cell]]:
    """The 政府采购 table's row of each kind it totals (货物, 工程, 服务) and that row's figure."""
    rows: dict[str, tuple[Table, Row, Cell]] = {}
    for t in doc.tables:
        if t.is_form or "采购" not in _norm(t.title):
            continue
        for r in t.rows:
            kind = procurement_kind(r.label)
            cell = _first_value(r, doc.year) if kind else None
            if cell is not None:
                rows.setdefault(kind, (t, r, cell))
    return rows


def _procurement_tables(doc: Document) -> list[Finding]:
    """The 说明's 货物/工程/服务 amounts against the rows of the 政府采购 table that total each kind."""
    rows = _procurement_rows(doc)
    if not rows:
        return []
    out: list[Finding] = []
    for st in joined_sentences(doc):
        for b in procurement_breakdowns(st.text)[:1]:  # the whole; a further breakdown is of one fund's share
            for name, raw in b.parts:
                if name not in rows:
                    continue
                t, r, c = rows[name]
                if not _same_amount(raw, b.unit, c.raw, t.unit):
                    out.append(Finding(
                        Kind.PROSE_TABLE, Severity.ERROR,
                        f"说明中政府采购{name}为{raw}{b.unit}（第{st.page}页），《{t.title}》“{_norm(r.label)}”为{c.raw}{t.unit or ''}",
                        sorted({st.page, r.page}), [_ref(f"政府采购{name}", raw, None, st.page, b.unit), _ref(_norm(r.label), c.raw, t, r.page)],
                        st.text,
                    ))
    return out


def _vehicle_tables(doc: Document) -> list[Finding]:
    """"共有车辆17辆" against the table's count of vehicles held (公务用车保有量): the prose count must be one of its
    figures; a cell left blank matches nothing."""
    cells = [(t, r, c) for t in doc.tables if not t.is_form for r in t.rows for c in r.cells
             if vehicles_held(f"{r.label}/{c.header}") and not c.raw.strip().endswith(("%", "％"))]
    if not cells:
        return []
    out: list[Finding] = []
    for st in sentences(doc):
        for m in VEHICLES_HELD.finditer(st.text):
            if any(c.value == dec(m.group("num")) for _, _, c in cells):
                continue
            t, r, c = cells[0]
            shown = "、".join(sorted({c.raw.strip() or "空白" for _, _, c in cells})[:4])
            out.append(Finding(
                Kind.PROSE_TABLE, Severity.ERROR,
                f"说明中车辆数为{m.group('num')}辆（第{st.page}页），《{t.title}》中为{shown}",
                sorted({st.page, r.page}), [_ref("车辆数", m.group("num"), None, st.page, "辆"), _ref(_norm(r.label), c.raw, t, r.page)],
                st.text,
            ))
    return out


def _joined(tables: list[Table]) -> list[Table]:
    """Tables printed over consecutive pages that the parser kept apart (same title, header and unit) as one,
    so a total on the second page is checked against the rows of the first."""
    out: list[Table] = []
    for t in tables:
        prev = out[-1] if out else None
        if (prev is not None and (t.title, t.headers, t.unit_name) == (prev.title, prev.headers, prev.unit_name)
                and t.pages[0] - prev.pages[-1] in (0, 1) and not t.is_form and not prev.is_form):
            out[-1] = Table(prev.title, sorted({*prev.pages, *t.pages}), prev.number, prev.unit_name, prev.unit,
                            prev.headers, [*prev.rows, *t.rows], empty=prev.empty and t.empty)
        else:
            out.append(t)
    return out


def check_document(doc: Document) -> list[Finding]:
    """Every consistency finding of a parsed document, tables first, then prose."""
    out: list[Finding] = []
    doc = Document(**{**doc.__dict__, "tables": _joined(doc.tables)})
    for t in doc.tables:
        # a 绩效目标 grid repeats a project's 资金总额 beside each of its indicators: its rows do not add up
        if t.is_form or t.empty or any("绩效" in h for h in [t.title, *t.headers]):
            continue
        out += _row_totals(t) + _hierarchy(t) + _column_totals(t)
    out += _cross_tables(doc) + _prose_tables(doc) + _changes(doc) + _shares(doc) + _named_base_shares(doc) + _parts(doc) + _reasons(doc)
    out += _level(doc) + _budget_vs_final(doc)
    out += _breakdown_sums(doc) + _procurement_tables(doc) + _vehicle_tables(doc)
    out += check_content(doc) + check_text(doc)
    unique: dict[tuple, Finding] = {}
    for f in out:  # the 收入 and 支出 halves of a sentence often repeat the same statement
        if f.quote is None and f.figures and f.figures[0].table:  # a table figure: the row as printed
            r = f.figures[0]
            f.quote = f"《{r.table}》{r.label} {r.value}"
        unique.setdefault((f.kind, f.message), f)
    return list(unique.values())


def warnings_for(figures, findings_by_doc: dict[str, list[dict]], limit: int = 3) -> list[str]:
    """Short warnings for the cited figures (anything with doc_id, page, raw) that a stored finding involves."""
    out: list[str] = []
    for f in figures[:limit]:
        for d in findings_by_doc.get(f.doc_id, []):
            finding = Finding.from_dict(d)
            if any(r.page == f.page and _plain(r.value) == _plain(f.raw) for r in finding.figures):
                text = f"注意：{f.label} {f.raw} 涉及一处勾稽问题：{finding.message}"
                if text not in out:
                    out.append(text)
    return out
