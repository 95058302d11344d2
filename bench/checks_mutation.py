"""Mutation benchmark of the consistency checks: plant each error kind in real documents, report recall per kind
and how many of the new findings point at the plant (precision).

    nice -n 10 python bench/checks_mutation.py [--per-doc 1] [--seed 7] [--pdf 12] [--missed]

Every plant edits a copy of a parsed document (bench/doc_cache.py) the way a reviewer plants an error; a plant is
found when check_document reports a finding of the expected kinds that the unmodified document does not have.
Precision counts, over all findings the plants add, those of an expected kind or on the planted page. With --pdf,
figures are also planted in the PDF's own text (bench/pdf_plant.py) and the file is parsed again, so the parse path
is exercised too.
"""
from __future__ import annotations

import argparse
import copy
import random
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pdf_plant  # noqa: E402
from doc_cache import CORPUS, SETTINGS, Parsed, load_all  # noqa: E402

from qa.check import check_document  # noqa: E402
from qa.check_content import STANDARD_TABLES  # noqa: E402
from qa.finding import SETTINGS as CHECKS, Finding, Kind  # noqa: E402
from qa.model import Document, Paragraph  # noqa: E402
from qa.numbers import parse_decimal  # noqa: E402
from qa.parse import parse_pdf  # noqa: E402
from qa.prose import (COMPARE, COMPLETION, NUMBER, SHARE, procurement_breakdowns, stated_changes,  # noqa: E402
                      vehicle_breakdowns)
from qa.tablekind import norm, procurement_kind, table_kind  # noqa: E402


@dataclass
class Plant:
    kind: str  # the error planted (a row of the report)
    doc: Document  # the edited copy
    expect: set[Kind]  # finding kinds that catch it
    pages: set[int] = field(default_factory=set)  # where it was planted (empty: the whole document)
    what: str = ""


# --- helpers ------------------------------------------------------------------------------------
def _paragraphs(doc: Document) -> list[Paragraph]:
    return [p for sec in doc.sections for p in sec.paragraphs]


def _replace_in_paragraph(doc: Document, rng: random.Random, pattern: re.Pattern, edit: Callable[[re.Match], str | None]):
    """Edit one random match of `pattern` in the prose; (page, old, new) or None when nothing matches."""
    hits = [(p, m) for p in _paragraphs(doc) for m in pattern.finditer(p.text)]
    rng.shuffle(hits)
    for p, m in hits:
        new = edit(m)
        if new is not None and new != m.group(0):
            page = p.page_of(m.start(), m.end())
            p.text = p.text[: m.start()] + new + p.text[m.end():]
            return page, m.group(0), new
    return None


def _typo(raw: str, rng: random.Random) -> str:
    """A keying error in a printed number: one digit of its integer part changed (never the leading one to 0)."""
    digits = [i for i, ch in enumerate(raw) if ch.isdigit() and "." not in raw[:i]]
    i = rng.choice(digits)
    choices = [d for d in "0123456789" if d != raw[i] and not (i == digits[0] and d == "0" and len(digits) > 1)]
    return raw[:i] + rng.choice(choices) + raw[i + 1:]


def _scaled(raw: str, factor: str) -> str:
    v = parse_decimal(raw) * Decimal(factor)
    places = len(raw.split(".")[1]) if "." in raw else 0
    return f"{v:.{places}f}"


# --- planters: each returns a Plant or None when the document has nothing to plant it in ------------
def drop_table(doc: Document, rng: random.Random) -> Plant | None:
    required = [k for k, (budget, final, _) in STANDARD_TABLES.items() if (final if doc.kind == "决算" else budget)]
    present = [k for k in required if any(table_kind(t.title) == k and not t.is_form for t in doc.tables)]
    if len([t for t in doc.tables if not t.is_form]) < 4 or not present:
        return None
    k = rng.choice(present)
    doc.tables = [t for t in doc.tables if table_kind(t.title) != k]
    return Plant("missing_table", doc, {Kind.MISSING_TABLE}, set(), f"removed the {k} table(s)")


def drop_listed_table(doc: Document, rng: random.Random) -> Plant | None:
    """A table the 目录 lists (not one of the standard set) removed from the body."""
    listed = [t for t in doc.tables if not t.is_form and table_kind(t.title) is None and len(norm(t.title)) >= 6
              and any(re.sub(r"20\d\d年度?", "", norm(t.title))[:8] in norm(e.text) for e in doc.contents)]
    if not listed:
        return None
    gone = rng.choice(listed)
    doc.tables = [t for t in doc.tables if t.title != gone.title]
    return Plant("contents_table", doc, {Kind.MISSING_TABLE}, set(), f"removed 《{gone.title}》 listed in the 目录")


def empty_table(doc: Document, rng: random.Random) -> Plant | None:
    full = [t for t in doc.tables if not t.is_form and table_kind(t.title) in STANDARD_TABLES and any(r.cells for r in t.rows)]
    if not full:
        return None
    title = rng.choice(full).title
    pages = set()
    for t in doc.tables:  # every page of it: a table printed over pages is one table
        if t.title == title:
            for r in t.rows:
                r.cells = []
            t.notes, t.empty = [], True
            pages |= set(t.pages)
    return Plant("empty_table", doc, {Kind.EMPTY_TABLE}, pages, f"blanked 《{title}》")


_TOPICS = {"三公": r"三公", "机关运行经费": r"机关运行经费", "政府采购": r"政府采购", "国有资产": r"国有资产|资产占[用有]", "绩效": r"绩效"}


def drop_section(doc: Document, rng: random.Random) -> Plant | None:
    """A required 说明 topic removed: its sections, and every sentence elsewhere that speaks of it."""
    # a narrative published apart from its tables need not repeat 政府采购 and 绩效 (they are tables too)
    tables_here = len([t for t in doc.tables if not t.is_form]) >= 3
    topics = [t for t, rx in _TOPICS.items() if any(re.search(rx, sec.heading) for sec in doc.sections)
              and (tables_here or t not in ("政府采购", "绩效"))]
    if not topics or sum(len(s.text) for s in doc.sections) < 1500:
        return None
    topic = rng.choice(topics)
    # the other words the check accepts for the topic go too
    rx = re.compile(_TOPICS[topic] + {"国有资产": "|车辆|固定资产", "机关运行经费": "|行政经费"}.get(topic, ""))
    doc.sections = [s for s in doc.sections if not rx.search(s.heading)]
    for p in _paragraphs(doc):
        p.text = "".join(s for s in re.findall(r"[^。]+。?", p.text) if not rx.search(s))
    return Plant("missing_section", doc, {Kind.MISSING_SECTION}, set(), f"removed the {topic} 说明")


# What a reviewer compares between 说明 and tables: the item's name right before its amount.
_PROSE_ITEMS = re.compile(r"(?:“三公”经费|三公经费|公务接待费|公务用车购置及运行费|公务用车运行维护费|公务用车购置费|因公出国[（(]境[）)]费|"
                          r"机关运行经费|基本支出|项目支出|人员经费|公用经费|收入总计|支出总计|本年收入合计|本年支出合计|"
                          r"财政拨款收入|政府采购预算总额)(?:预算|决算|支出|为|共计|合计|是)*")


def _cells(doc: Document):
    return [(t, r, c) for t in doc.tables if not t.is_form for r in t.rows for c in r.cells if c.value is not None]


def _repeated_figures(doc: Document) -> list[tuple[Paragraph, re.Match, list]]:
    """Prose figures right after an item's name whose value a table prints (same unit, non-zero)."""
    cells = _cells(doc)
    out = []
    for p in _paragraphs(doc):
        for m in re.finditer(_PROSE_ITEMS.pattern + r"\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元)", p.text):
            v = parse_decimal(m.group("num"))
            same = [(t, r, c) for t, r, c in cells if v and c.value == v and (t.unit or "万元") == m.group("unit")]
            if same:
                out.append((p, m, same))
    return out


def prose_figure(doc: Document, rng: random.Random) -> Plant | None:
    hits = _repeated_figures(doc)
    if not hits:
        return None
    p, m, _ = rng.choice(hits)
    new = _typo(m.group("num"), rng)
    page = p.page_of(m.start(), m.end())
    p.text = p.text[: m.start("num")] + new + p.text[m.end("num"):]
    return Plant("prose_table", doc, {Kind.PROSE_TABLE}, {page}, f"说明 {m.group(0)} → {new}")


def table_figure(doc: Document, rng: random.Random, blank: bool = False) -> Plant | None:
    """The table cell the 说明 repeats, changed (or left blank) in the table."""
    hits = _repeated_figures(doc)
    if not hits:
        return None
    p, m, same = rng.choice(hits)
    pages = {p.page_of(m.start(), m.end())}
    for t, r, c in same:  # every cell printing it: a table repeating a total in two columns is edited in both
        c.raw = "" if blank else _typo(c.raw, rng)
        c.value = parse_decimal(c.raw)
        pages.add(r.page)
    kind = "table_blank" if blank else "table_cell"
    return Plant(kind, doc, {Kind.PROSE_TABLE, Kind.ROW_TOTAL, Kind.COLUMN_TOTAL, Kind.CROSS_TABLE}, pages,
                 f"{'blanked' if blank else 'changed'} the table's {m.group('num')} that the 说明 repeats")


def _previous_printed(doc: Document, now: Decimal, prev: Decimal, unit: str) -> bool:
    """The other figure of a change printed in its table: a row holding this year's figure and, under a header
    naming 上年 or an earlier year, last year's."""
    def last_year(header: str) -> bool:
        return bool(re.search(r"上年(?!结转|结余)", header)) or any(int(y) < (doc.year or 0) for y in re.findall(r"(20\d\d)", header))
    return any(now in {c.value for c in r.cells} and any(c.value == prev and last_year(c.header) for c in r.cells)
               for t in doc.tables if (t.unit or "万元") == unit and not t.is_form for r in t.rows)


def flip_direction(doc: Document, rng: random.Random) -> Plant | None:
    """增加 ↔ 减少 in a stated change whose 上年 figure its table prints; or 大于 ↔ 小于 between a 决算 and its 预算."""
    def edit(m: re.Match) -> str | None:
        sentence = m.group(0)
        for c in stated_changes(sentence):
            if _previous_printed(doc, parse_decimal(c.current), c.previous, c.unit):
                word = re.search(r"增加|减少|增长|下降|上升|降低", c.text).group(0)
                flipped = {"增加": "减少", "减少": "增加", "增长": "下降", "下降": "增长", "上升": "下降", "降低": "上升"}[word]
                return sentence.replace(c.text, c.text.replace(word, flipped, 1), 1)
        c = COMPARE.search(sentence)
        if c and c.group("rel") in ("大于", "小于"):
            return sentence.replace(c.group(0), c.group(0).replace(c.group("rel"), "小于" if c.group("rel") == "大于" else "大于"), 1)
        return None
    got = _replace_in_paragraph(doc, rng, re.compile(r"[^。]+。?"), edit)
    return got and Plant("direction", doc, {Kind.DIRECTION, Kind.CHANGE}, {got[0]}, f"{got[1][:40]}… → {got[2][:40]}…")


def level_instead(doc: Document, rng: random.Random) -> Plant | None:
    """"比上年增加D万元" → "与上年持平" where the 上年 figure is printed in a table."""
    def edit(m: re.Match) -> str | None:
        for c in stated_changes(m.group(0)):
            if c.start >= 0 and _previous_printed(doc, parse_decimal(c.current), c.previous, c.unit):
                head = re.match(r"(?P<v>\d[\d,]*(?:\.\d+)?\s*(?:亿元|万元|元))", c.text)
                return m.group(0).replace(c.text, f"{head.group('v')}，与上年持平", 1)
        return None
    got = _replace_in_paragraph(doc, rng, re.compile(r"[^。]+。?"), edit)
    return got and Plant("level", doc, {Kind.DIRECTION}, {got[0]}, f"→ {got[2][:50]}")


def change_percent(doc: Document, rng: random.Random) -> Plant | None:
    """"减少X万元，下降Y%": Y or X changed."""
    def edit(m: re.Match) -> str | None:
        for c in stated_changes(m.group(0)):
            if c.percent:
                if rng.random() < 0.5:
                    return m.group(0).replace(c.text, c.text.replace(c.percent + "%", _scaled(c.percent, "1.3") + "%"), 1)
                return m.group(0).replace(c.text, c.text.replace(c.change, _scaled(c.change, "1.3"), 1), 1)
        return None
    got = _replace_in_paragraph(doc, rng, re.compile(r"[^。]+。?"), edit)
    return got and Plant("change", doc, {Kind.CHANGE, Kind.DIRECTION}, {got[0]}, f"→ {got[2][:60]}")


def completion(doc: Document, rng: random.Random) -> Plant | None:
    got = _replace_in_paragraph(doc, rng, COMPLETION, lambda m: m.group(0).replace(m.group("p"), _scaled(m.group("p"), "0.8"), 1)
                                if parse_decimal(m.group("p")) else None)
    return got and Plant("completion", doc, {Kind.COMPLETION}, {got[0]}, f"{got[1]} → {got[2]}")


def share(doc: Document, rng: random.Random) -> Plant | None:
    got = _replace_in_paragraph(doc, rng, SHARE, lambda m: m.group(0)[: m.start("p") - m.start()] + _scaled(m.group("p"), "0.8")
                                + m.group(0)[m.end("p") - m.start():] if parse_decimal(m.group("p")) else None)
    return got and Plant("share", doc, {Kind.SHARE}, {got[0]}, f"{got[1]} → {got[2]}")


def wrong_year(doc: Document, rng: random.Random) -> Plant | None:
    """The document's year made another in a table title, a heading, or the 截至…12月31日 asset date."""
    if not doc.year:
        return None
    y, other = str(doc.year), str(doc.year - 1)
    titled = [t for t in doc.tables if y in t.title]
    # headings that name the document's own year: its 预算/决算 or their 情况说明 ("三、2025年主要工作目标" may be right)
    headed = [s for s in doc.sections if any(y in h and re.search(r"(?:预算|决算)(?!执行)", h) for h in s.path)]
    choice = rng.choice([c for c in ("title", "heading", "date") if {"title": titled, "heading": headed, "date": True}[c]])
    if choice == "title":
        t = rng.choice(titled)
        t.title = t.title.replace(y, other, 1)
        return Plant("year", doc, {Kind.YEAR}, set(t.pages), f"title year → {t.title}")
    if choice == "heading":
        s = rng.choice(headed)
        i = next(i for i, h in enumerate(s.path) if y in h and re.search(r"(?:预算|决算)(?!执行)", h))
        old = s.path[i]
        for sec in doc.sections:  # a heading is shared by every section below it
            sec.path = [h.replace(y, other, 1) if h == old else h for h in sec.path]
        return Plant("year", doc, {Kind.YEAR}, {s.pages[0]}, f"heading year → {old.replace(y, other, 1)}")
    asset = str(doc.year if doc.kind == "决算" else doc.year - 1)
    got = _replace_in_paragraph(doc, rng, re.compile(rf"截[至止]{asset}\s*年\s*12\s*月\s*31\s*日"),
                                lambda m: m.group(0).replace(asset, str(int(asset) - 1)))
    return got and Plant("year", doc, {Kind.YEAR}, {got[0]}, f"{got[1]} → {got[2]}")


UNIT_NAMES = ("上海市普陀区司法局", "广州市气象局", "北京市审计局", "长沙市信访局", "杭州市交通运输局", "重庆市商务委员会")


def other_unit(doc: Document, rng: random.Random) -> Plant | None:
    """Another place's unit (one of the corpus's) in a heading or table title that names this one: the slip of a
    document copied from another city's."""
    if not doc.unit:
        return None
    u = norm(doc.unit)
    other = rng.choice([n for n in UNIT_NAMES if n[:2] not in u])
    titled = [t for t in doc.tables if u in norm(t.title)]
    headed = sorted({h for s in doc.sections for h in s.path if u in norm(h)})
    if not titled and not headed:
        return None
    if headed and (not titled or rng.random() < 0.5):
        old = rng.choice(headed)
        new = norm(old).replace(u, other, 1)
        page = next(s.pages[0] for s in doc.sections if old in s.path)
        for sec in doc.sections:
            sec.path = [new if h == old else h for h in sec.path]
        return Plant("unit_name", doc, {Kind.UNIT_NAME}, {page}, f"heading → {new}")
    t = rng.choice(titled)
    t.title = norm(t.title).replace(u, other, 1)
    return Plant("unit_name", doc, {Kind.UNIT_NAME}, set(t.pages), f"title → {t.title}")


def placeholder(doc: Document, rng: random.Random) -> Plant | None:
    token = rng.choice(["XX局", "××单位", "某某", "【单位名称】", "XXX"])
    name = doc.unit and norm(doc.unit)
    rx = re.compile(re.escape(name)) if name and any(name in p.text for p in _paragraphs(doc)) else re.compile(r"本(?:单位|部门)")
    got = _replace_in_paragraph(doc, rng, rx, lambda m: token)
    return got and Plant("placeholder", doc, {Kind.PLACEHOLDER}, {got[0]}, f"{got[1]} → {token}")


def hygiene(doc: Document, rng: random.Random) -> Plant | None:
    how = rng.choice(["。。", "，，", "（）", "two points"])
    if how == "two points":
        got = _replace_in_paragraph(doc, rng, re.compile(r"(?<![\d.])(\d+)\.(\d)(\d)(?=\s*万元)"),
                                    lambda m: f"{m.group(1)}.{m.group(2)}.{m.group(3)}")
    elif how == "（）":
        got = _replace_in_paragraph(doc, rng, re.compile(r"[\u4e00-\u9fff]{2}(?=，)"), lambda m: m.group(0) + "（）")
    else:
        got = _replace_in_paragraph(doc, rng, re.compile(how[0]), lambda m: how)
    return got and Plant("hygiene", doc, {Kind.HYGIENE}, {got[0]}, f"{got[1]} → {got[2]}")


def _breakdown_typo(doc: Document, rng: random.Random, read: Callable, kind: str) -> Plant | None:
    """One figure of a stated breakdown (its total or a part) keyed wrong: the parts no longer add up."""
    def edit(m: re.Match) -> str | None:
        stated = read(m.group(0))
        if not stated:
            return None
        b = rng.choice(stated)
        n = rng.choice(list(re.finditer(NUMBER, b.text)))
        return m.group(0).replace(b.text, b.text[: n.start()] + _typo(n.group(0), rng) + b.text[n.end():], 1)
    got = _replace_in_paragraph(doc, rng, re.compile(r".+", re.S), edit)
    return got and Plant(kind, doc, {Kind.PARTS}, {got[0]}, f"{got[1][:60]}… → {got[2][:60]}…")


def procurement_sum(doc: Document, rng: random.Random) -> Plant | None:
    return _breakdown_typo(doc, rng, procurement_breakdowns, "procurement_sum")


def vehicle_sum(doc: Document, rng: random.Random) -> Plant | None:
    return _breakdown_typo(doc, rng, vehicle_breakdowns, "vehicle_sum")


def procurement_table(doc: Document, rng: random.Random) -> Plant | None:
    """The 政府采购 table's 货物/工程/服务 figure keyed wrong, where the 说明 states the same kinds."""
    stated = {name for p in _paragraphs(doc) for b in procurement_breakdowns(p.text) for name, _ in b.parts}
    rows = [(t, r) for t in doc.tables if not t.is_form and "采购" in norm(t.title) for r in t.rows
            if procurement_kind(r.label) in stated and any(c.value for c in r.cells)]
    if not rows:
        return None
    t, r = rng.choice(rows)
    c = next(c for c in r.cells if c.value)
    old = c.raw
    c.raw = _typo(c.raw, rng)
    c.value = parse_decimal(c.raw)
    return Plant("procurement_table", doc, {Kind.PROSE_TABLE}, {r.page}, f"《{t.title}》{r.label} {old} → {c.raw}")


PLANTERS: dict[str, Callable] = {
    "missing_table": drop_table, "contents_table": drop_listed_table, "empty_table": empty_table,
    "missing_section": drop_section, "prose_table": prose_figure, "table_cell": table_figure,
    "table_blank": lambda d, r: table_figure(d, r, blank=True), "direction": flip_direction, "level": level_instead,
    "change": change_percent, "completion": completion, "share": share, "year": wrong_year,
    "unit_name": other_unit, "placeholder": placeholder, "hygiene": hygiene,
    "procurement_sum": procurement_sum, "vehicle_sum": vehicle_sum,
}
# Planted in the disclosures published as two files (narrative and tables), each pair read as one document: the
# only documents of the corpus whose 说明 and 政府采购 table both give 货物/工程/服务.
PAIR_PLANTERS: dict[str, Callable] = {"procurement_table": procurement_table}


def _prose_chars(doc: Document) -> int:
    return sum(len(s.text) for s in doc.sections)


def _tables(doc: Document) -> int:
    return len([t for t in doc.tables if not t.is_form])


def companions(parsed: list[Parsed]) -> list[Parsed]:
    """Each disclosure published as two files, one of narrative and one of tables, as one document: the same year and
    kind, one unit's name within the other's, one file without tables and one without a 说明."""
    narratives = [p for p in parsed if _tables(p.doc) < CHECKS.min_tables and _prose_chars(p.doc) >= CHECKS.min_prose_chars]
    tables = [p for p in parsed if _tables(p.doc) >= CHECKS.min_tables and _prose_chars(p.doc) < CHECKS.min_prose_chars]
    out = []
    for n in narratives:
        for t in tables:
            a, b = norm(n.doc.unit or "-"), norm(t.doc.unit or "+")
            if (n.doc.year, n.doc.kind) == (t.doc.year, t.doc.kind) and (a in b or b in a):
                doc = replace(n.doc, tables=t.doc.tables, contents=[*n.doc.contents, *t.doc.contents])
                out.append(Parsed(f"{n.rel} + {Path(t.rel).name}", doc))
    return out


# --- the run ------------------------------------------------------------------------------------
def _key(f: Finding) -> tuple:
    return (f.kind, f.message)


@dataclass
class Tally:
    plants: int = 0
    docs: set = field(default_factory=set)
    found: int = 0
    new: int = 0  # findings the plants added
    on_plant: int = 0  # of those, of an expected kind or on the planted page
    missed: list = field(default_factory=list)


def run(parsed: list[Parsed], per_doc: int, seed: int, min_plants: int, planters: dict[str, Callable]) -> dict[str, Tally]:
    """Each kind planted per_doc times in every document that has a place for it; a kind few documents have a
    place for (完成预算 %: the 决算s) is planted more often in those, up to min_plants in all."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    bases = {p.rel: {_key(f) for f in check_document(p.doc)} for p in parsed}
    for kind, planter in planters.items():
        fits = [p for p in parsed if planter(copy.deepcopy(p.doc), random.Random(f"{seed}/{p.rel}/{kind}/0"))]
        rounds = max(per_doc, -(-min_plants // max(len(fits), 1)))
        for p in fits:
            base = bases[p.rel]
            for n in range(rounds):
                rng = random.Random(f"{seed}/{p.rel}/{kind}/{n}")
                doc = copy.deepcopy(p.doc)
                plant = planter(doc, rng)
                if plant is None:
                    break
                new = [f for f in check_document(plant.doc) if _key(f) not in base]
                t = tallies[kind]
                t.plants += 1
                t.docs.add(p.rel)
                hit = [f for f in new if f.kind in plant.expect]
                t.found += bool(hit)
                t.new += len(new)
                t.on_plant += sum(f.kind in plant.expect or bool(plant.pages & set(f.pages)) for f in new)
                if not hit:
                    t.missed.append(f"{p.rel}: {plant.what}")
    return tallies


def report(tallies: dict[str, Tally], title: str) -> None:
    print(f"\n{title}")
    print(f"{'kind':<16} {'plants':>6} {'docs':>5} {'found':>6} {'recall':>7} {'new findings':>13} {'on plant':>9} {'precision':>10}")
    total = Tally()
    for kind, t in tallies.items():
        print(f"{kind:<16} {t.plants:>6} {len(t.docs):>5} {t.found:>6} {t.found / t.plants:>7.3f} {t.new:>13} {t.on_plant:>9} "
              f"{(t.on_plant / t.new if t.new else 1):>10.3f}")
        total.plants, total.found, total.new, total.on_plant = (total.plants + t.plants, total.found + t.found,
                                                                total.new + t.new, total.on_plant + t.on_plant)
    print(f"{'all':<16} {total.plants:>6} {'':>5} {total.found:>6} {total.found / total.plants:>7.3f} {total.new:>13} "
          f"{total.on_plant:>9} {total.on_plant / total.new:>10.3f}")


def _reparsed(p: Parsed, page: int, raw: str, rng: random.Random, after: str = "") -> Document | None:
    """The document parsed again from its PDF with one printing of `raw` (followed by `after`) on `page` keyed wrong."""
    data = pdf_plant.replace_number((CORPUS / p.rel).read_bytes(), page, raw, _typo(raw, rng), after)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(p.rel).name
        path.write_bytes(data)
        return parse_pdf(path, SETTINGS)


def _breakdown_figure(doc: Document, rng: random.Random) -> tuple[int, str] | None:
    """A figure of a stated 政府采购 breakdown and its page: a non-zero one printed with decimals, which the page
    prints once (0.00 stands in many cells)."""
    hits = [(p, b.start + n.start(), n.group(0)) for p in _paragraphs(doc) for b in procurement_breakdowns(p.text)
            for n in re.finditer(NUMBER, b.text) if "." in n.group(0) and parse_decimal(n.group(0))]
    if not hits:
        return None
    p, at, raw = rng.choice(hits)
    return p.page_of(at, at + len(raw)), raw


def run_pdf(parsed: list[Parsed], plants: int, seed: int, max_pages: int) -> dict[str, Tally]:
    """The prose, table and breakdown plants made in the PDF's text instead of the model: the parse path runs again."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    docs = [p for p in parsed if p.doc.page_count <= max_pages and _repeated_figures(p.doc)]
    random.Random(seed).shuffle(docs)
    for p in docs:
        if all(tallies[k].plants >= plants for k in ("pdf_prose", "pdf_table", "pdf_breakdown")):
            break
        base = {_key(f) for f in check_document(p.doc)}
        rng = random.Random(f"{seed}/{p.rel}/pdf")
        para, m, same = rng.choice(_repeated_figures(p.doc))
        breakdown = _breakdown_figure(p.doc, rng)
        # the prose figure with its unit, which the page's other printings of the digits lack ("7万元", not 2026's 7)
        for kind, page, raw, after, expect in (
            ("pdf_prose", para.page_of(m.start(), m.end()), m.group("num"), m.group("unit"), {Kind.PROSE_TABLE}),
            ("pdf_table", same[0][1].page, same[0][2].raw, "", {Kind.PROSE_TABLE, Kind.ROW_TOTAL, Kind.COLUMN_TOTAL, Kind.CROSS_TABLE}),
            *([("pdf_breakdown", *breakdown, "", {Kind.PARTS})] if breakdown else []),
        ):
            if tallies[kind].plants >= plants:
                continue
            doc = _reparsed(p, page, raw, rng, after)
            if doc is None:
                continue
            new = [f for f in check_document(doc) if _key(f) not in base]
            t = tallies[kind]
            t.plants += 1
            t.docs.add(p.rel)
            hit = [f for f in new if f.kind in expect]
            t.found += bool(hit)
            t.new += len(new)
            t.on_plant += sum(f.kind in expect or page in f.pages for f in new)
            if not hit:
                t.missed.append(f"{p.rel}: p{page} {raw}")
    return tallies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-doc", type=int, default=1, help="plants of each kind per document")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min-plants", type=int, default=10, help="plants of each kind at least, where documents allow")
    ap.add_argument("--missed", action="store_true", help="list the plants no finding caught")
    ap.add_argument("--pdf", type=int, default=0, metavar="N", help="also plant N prose, N table and N 政府采购 figures in PDF text")
    ap.add_argument("--pdf-max-pages", type=int, default=40, help="PDF plants only in files this short (each is parsed again)")
    args = ap.parse_args()
    parsed = [p for p in load_all() if p.doc]
    kinds = {p.doc.kind for p in parsed}
    print(f"{len(parsed)} parsed documents ({', '.join(f'{k}: {sum(p.doc.kind == k for p in parsed)}' for k in sorted(kinds, key=str))})")
    tallies = run(parsed, args.per_doc, args.seed, args.min_plants, PLANTERS)
    report(tallies, "plants in the parsed document model")
    pairs = companions(parsed)
    paired = run(pairs, args.per_doc, args.seed, args.min_plants, PAIR_PLANTERS)
    report(paired, f"plants in the {len(pairs)} disclosures published as narrative + tables, each pair read as one document")
    tallies.update(paired)
    if args.pdf:
        pdf = run_pdf(parsed, args.pdf, args.seed, args.pdf_max_pages)
        report(pdf, "plants in the PDF's text, parsed again")
        tallies.update(pdf)
    if args.missed:
        for kind, t in tallies.items():
            for m in t.missed:
                print(f"  missed {kind}: {m}")


if __name__ == "__main__":
    main()
