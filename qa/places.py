"""Place names (省 › 市 › 区/县) as unit names and questions write them: 上海市普陀区, 普陀区, 普陀.

The gazetteer is China's administrative divisions down to county level (qa/data/adcodes.csv, 3,500 names with
their 6-digit codes, whose prefixes give each place's province and city). Names below county level (街道, 乡镇)
are not in it: a unit's own name carries those.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick

_DATA = Path(__file__).parent / "data" / "adcodes.csv"
# A division's name without its level word: 普陀区 → 普陀, 广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边.
_LEVEL = re.compile(r"(?:(?:[\u4e00-\u9fff]{1,3}?族)+)?(?:自治区|自治州|自治县|自治旗|特别行政区|地区|林区|省|市|区|县|盟|旗)$")
# Placeholders of the code table and names that are ordinary words in a unit name or question.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "城区", "郊区", "矿区", "新区"}
# Short names that are everyday words of budget text, never a place by themselves: found inside unit names and
# questions of eval/ (公安局 ×140, 人力资源 ×61, 资金安排 ×8, 合作交流, 新建项目, 平安建设, 财政和, 其中卫生).
_ORDINARY_WORDS = {"公安", "资源", "金安", "合作", "新建", "平安", "政和", "中卫", "灵山"}


def level(code: str) -> int:
    """1 province, 2 city, 3 county: 310000, 310100, 310107."""
    return 1 if code.endswith("0000") else 2 if code.endswith("00") else 3


@dataclass(frozen=True)
class Place:
    """One division. code: '310107' (31 上海市 › 3101 市辖区 › 310107); name: '普陀区'; short: '普陀'."""

    code: str
    name: str
    short: str | None

    @property
    def ancestors(self) -> tuple[str, ...]:
        """The codes of the province and city this place lies in, and its own: ('310000', '310100', '310107')."""
        return tuple(dict.fromkeys((self.code[:2] + "0000", self.code[:4] + "00", self.code)))


def short_name(name: str) -> str | None:
    """'普陀区' → '普陀', '内蒙古自治区' → '内蒙古'; None where one character would be left (沛县)."""
    short = _LEVEL.sub("", name)
    return short if len(short) >= 2 and short != name else None


@dataclass(frozen=True)
class PlaceHit:
    """A place named in a text: where, as written, and every division that name can be."""

    start: int
    end: int
    text: str
    places: tuple[Place, ...]


class Gazetteer:
    """Find place names in text (one Aho-Corasick pass over full and short names)."""

    def __init__(self, places: list[Place]):
        self.by_code = {p.code: p for p in places}
        names: dict[str, list[Place]] = {}
        for p in places:
            for n in filter(None, (p.name, p.short)):
                names.setdefault(n, []).append(p)
        self._automaton = ahocorasick.Automaton()
        for n, ps in names.items():
            self._automaton.add_word(n, (n, tuple(ps)))
        self._automaton.make_automaton()

    def find(self, text: str) -> list[PlaceHit]:
        """Non-overlapping place names, longest first: '上海市普陀区司法局' → 上海市, 普陀区."""
        found = sorted(((end - len(n) + 1, end + 1, n, ps) for end, (n, ps) in self._automaton.iter(text)),
                       key=lambda h: (-(h[1] - h[0]), h[0]))
        taken: list[PlaceHit] = []
        for start, end, n, ps in found:
            if all(end <= t.start or start >= t.end for t in taken):
                taken.append(PlaceHit(start, end, n, ps))
        return sorted(taken, key=lambda h: h.start)

    def leading(self, text: str) -> list[PlaceHit]:
        """The places a name starts with, one after another: 上海市普陀区… → 上海市, 普陀区. After the first, only full
        names count (上海市黄浦江… is no 黄浦区); a first short name needs a name after it (公安局 is no 公安县)."""
        chain: list[PlaceHit] = []
        for h in self.find(text):
            full = h.text in {p.name for p in h.places}
            if h.start != (chain[-1].end if chain else 0) or (chain and not full):
                break
            if not chain and not full and len(text) - h.end < 3:
                break
            chain.append(h)
        return chain

    def names_of(self, code: str) -> set[str]:
        p = self.by_code.get(code)
        return set(filter(None, (p.name, p.short))) if p else set()

    def names_around(self, codes: set[str]) -> set[str]:
        """Every way to write the given places and the provinces and cities they lie in."""
        out: set[str] = set()
        for code in codes:
            for a in self.by_code[code].ancestors if code in self.by_code else ():
                if p := self.by_code.get(a):
                    out.update(filter(None, (p.name, p.short)))
        return out

    @staticmethod
    def consistent(hits: list[PlaceHit]) -> set[str]:
        """The codes the hits denote together: 上海 + 普陀区 → 310107, not 舟山's 普陀区 (330903).

        The province most hits can lie in (the earliest hit's on a tie) decides; a hit that cannot lie in it is no
        place here (北京市人力资源…: 资源 is 广西's 资源县 only by accident)."""
        votes = Counter(prov for h in hits for prov in {p.code[:2] for p in h.places})
        if not votes:
            return set()
        first = {p.code[:2] for p in hits[0].places}
        province = max(sorted(votes), key=lambda prov: (votes[prov], prov in first))  # sorted: a set's order is seeded per process
        codes: set[str] = set()
        for h in hits:
            fitting = [p for p in h.places if p.code[:2] == province]
            # a name two levels share means the higher one (长沙 is 长沙市, not 长沙县)
            top = min((level(p.code) for p in fitting), default=0)
            codes.update(p.code for p in fitting if level(p.code) == top)
        return codes


@cache
def gazetteer() -> Gazetteer:
    places = []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name = line.split(",", 1)
        if name not in _NOT_PLACES:
            short = short_name(name)
            places.append(Place(code[:6], name, None if short in _ORDINARY_WORDS else short))
    return Gazetteer(places)
