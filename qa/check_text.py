"""Printed words that a reviewer reads before any number: a year or unit that is not the document's, a placeholder
left in, and text hygiene (。。, empty brackets, a number with two decimal points). Reads the parsed model only."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .finding import Finding, Kind, Severity
from .model import Document, Paragraph
from .prose import sentences
from .tablekind import norm

# "2024年度部门决算", "2026年预算", "2024年“三公”经费预算情况说明": a heading's year naming the document itself
# (not "2025年预算执行情况", which a 预算 reports on)
_DOC_YEAR = re.compile(r"(20\d\d)\s*年度?(?:(?:区级|市级|省级|县级)?(?:部门|单位)?(?:预算|决算)(?!执行)|[^，。执]{0,12}?(?:预算|决算)(?:情况)?(?:说明|表))")
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年度?")
_AS_OF = re.compile(r"截[至止](20\d\d)\s*年\s*12\s*月\s*31\s*日")
# "第二部分 上海市普陀区财政局2024年度部门决算表": the unit a heading names before the year
_UNIT_BEFORE_YEAR = re.compile(r"(?:^|部分)(?P<u>[\u4e00-\u9fff（）()]{4,30}?)(?:20\d\d)\s*年度?(?:区级|市级|省级|县级)?(?:部门|单位)?(?:预算|决算)")
# a unit's place: "上海市", "江苏省", "中共江苏省委" → 江苏
_PLACE = re.compile(r"^(?:中共|中国共产党)?(?P<p>[\u4e00-\u9fff]{2,3}?)(?:省|市|自治区)")
# a unit named in full: place, then an office ("杭州市交通运输局", "上海市普陀区司法局")
_FULL_UNIT = re.compile(r"(?:中共|中国共产党)?[\u4e00-\u9fff]{2,3}?(?:省|市)[\u4e00-\u9fff]{2,14}?(?:局|委员会|办公室|办公厅|厅|中心|监狱|院|学校|学院|街道办事处)")
_UNIT_END = re.compile(r"(?:局|委员会|委|办公室|办公厅|厅|院|中心|监狱|办事处|政府|学校|学院|馆|站|所|队|部|会|处|室|场)$")
PLACEHOLDER = re.compile(r"[XＸ]{2,}(?=[局委办厅院市区县单位部门])|[×＊*]{2,}|某某|【单位名称】|[\[［【(（]单位名称[\]］】)）]|[XＸ]{3,}")
_DOUBLE_PUNCT = re.compile(r"。。|，，|、、|；；|：：|！！|？？")
_EMPTY_BRACKETS = re.compile(r"（\s*）|\(\s*\)|【\s*】|《\s*》|\[\s*\]")
_TWO_POINTS = re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?=\s*(?:亿元|万元|千元|元|%|％))")


@dataclass
class Printed:
    """A piece of printed text a check reads: what it is (标题, 表题, 正文), the text and its page."""

    where: str
    text: str
    page: int
    paragraph: Paragraph | None = None  # for 正文: where a match stands when the paragraph runs over pages

    def page_at(self, m: re.Match) -> int:
        return self.paragraph.page_of(m.start(), m.end()) if self.paragraph else self.page


def _headings(doc: Document) -> Iterator[Printed]:
    seen = set()
    for sec in doc.sections:
        for h in sec.path:
            if h and h not in seen:
                seen.add(h)
                yield Printed("标题", h, sec.pages[0])


def _titles(doc: Document) -> Iterator[Printed]:
    for t in doc.tables:
        yield Printed("表题", t.title, t.page)


def _printed(doc: Document) -> Iterator[Printed]:
    yield Printed("封面", doc.title, 1)
    yield from _headings(doc)
    yield from _titles(doc)
    for sec in doc.sections:  # whole paragraphs: a sentence split at "。" would hide "。。"
        for para in sec.paragraphs:
            yield Printed("正文", para.text, para.page, para)


def _years(doc: Document) -> list[Finding]:
    """A heading or table title naming another year as the document's; an asset date (截至…12月31日) that is not the
    end of the 决算 year (a 预算 reports assets at the end of the year before)."""
    if not doc.year:
        return []
    out = []
    for p in [*_headings(doc), *_titles(doc)]:
        text = re.sub(r"[（(][^）)]*[）)]", "", norm(p.text))  # "（2021年…补助资金）项目绩效自评表" names a project's year
        years = {int(y) for y in (_DOC_YEAR if p.where == "标题" else _TITLE_YEAR).findall(text)}
        if years and doc.year not in years:
            out.append(Finding(Kind.YEAR, Severity.ERROR, f"{p.where}“{p.text}”的年度不是本文件的{doc.year}年",
                               [p.page], quote=p.text))
    expected = doc.year if doc.kind == "决算" else doc.year - 1
    for st in sentences(doc):
        for m in _AS_OF.finditer(st.text):
            if int(m.group(1)) != expected:
                out.append(Finding(Kind.YEAR, Severity.ERROR,
                                   f"资产日期“{m.group(0)}”应为{expected}年12月31日（{doc.year}年{doc.kind or ''}）",
                                   [st.page], quote=st.text))
    return out


def _same_unit(a: str, b: str) -> bool:
    a, b = re.sub(r"[（(].*?[）)]", "", norm(a)), re.sub(r"[（(].*?[）)]", "", norm(b))
    return a in b or b in a


def _other_place(name: str, unit: str) -> bool:
    """A unit of another city or province: neither names the other's place (a match may start a character early,
    "第一部分广州市…" → "分广州市…", so places are compared by containment)."""
    home, there = _PLACE.match(norm(unit)), re.search(r"(?P<p>[\u4e00-\u9fff]{2,3}?)(?:省|市)", name)
    return bool(home and there) and home.group("p") not in name and there.group("p")[-2:] not in norm(unit)


def _units(doc: Document) -> list[Finding]:
    """A heading or table title naming, before the document's year, a unit that is not the document's; or naming
    anywhere a unit of another place (a 部门's headings name its own units, of its own city)."""
    if not doc.unit:
        return []
    out = []
    for p in [*_headings(doc), *_titles(doc)]:
        text = norm(p.text)
        m = _UNIT_BEFORE_YEAR.search(text)
        named = m.group("u") if m and _UNIT_END.search(m.group("u")) and not _same_unit(m.group("u"), doc.unit) else None
        named = named or next((u.group(0) for u in _FULL_UNIT.finditer(text) if _other_place(u.group(0), doc.unit)), None)
        if named:
            out.append(Finding(Kind.UNIT_NAME, Severity.ERROR, f"{p.where}“{p.text}”写的单位是“{named}”，本文件是{doc.unit}",
                               [p.page], quote=p.text))
    return out


def _around(text: str, m: re.Match, reach: int = 30) -> str:
    """The words around a match: a paragraph is too long to quote whole."""
    return text[max(0, m.start() - reach): m.end() + reach]


def _placeholders(doc: Document) -> list[Finding]:
    out = []
    for p in _printed(doc):
        for m in PLACEHOLDER.finditer(p.text):
            out.append(Finding(Kind.PLACEHOLDER, Severity.ERROR, f"{p.where}中留有占位符“{m.group(0)}”", [p.page_at(m)],
                               quote=_around(p.text, m)))
    return out


def _hygiene(doc: Document) -> list[Finding]:
    out = []
    for p in _printed(doc):
        for rx, what in ((_DOUBLE_PUNCT, "重复标点"), (_EMPTY_BRACKETS, "空括号"), (_TWO_POINTS, "数字有两个小数点")):
            for m in rx.finditer(p.text):
                out.append(Finding(Kind.HYGIENE, Severity.WARNING, f"{p.where}中{what}“{m.group(0)}”", [p.page_at(m)],
                                   quote=_around(p.text, m)))
    return out


def check_text(doc: Document) -> list[Finding]:
    return _years(doc) + _units(doc) + _placeholders(doc) + _hygiene(doc)
