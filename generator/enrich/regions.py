"""Which Zhejiang cities and county-level divisions an article is about.

The table is data (generator/data/zhejiang_divisions.yml, with its sources in
its header). Matching rules:
- one regular expression over every name, longest alternative first, scanned
  without overlaps: 平湖市 is one mention, never also 平湖;
- a match must start on a jieba token boundary, so 丽水 is not found in
  美丽水乡 (tokens 美丽/水乡);
- short forms that are ordinary words, lakes, rivers or places elsewhere
  (西湖, 钱塘, 江山, 天台 …) count only right after their city's name
  (杭州西湖) or after 共享联盟· (Zhejiang Daily's county media alliance);
- full names shared with another province's division are skipped right after
  that province (上海普陀区);
- a county implies its city; a city is listed on its own only when the
  article names the city more often than any of its counties;
- 我市/本县 … count for the publication's own place (平湖日报 → 平湖市), and
  a dateline's place (本报桐庐2月26日电) counts as a mention;
- ranked by headline mentions, then all mentions, then first mention.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from ..model import Region
from .text import DATA_DIR

MAX_REGIONS = 5
RELATIVE = ("我市", "我县", "我区", "本市", "本县", "本区")
ALLIANCE = ("共享联盟·", "共享联盟・", "共享联盟•")


@dataclass(frozen=True)
class Name:
    text: str
    city: str
    county: str | None
    ambiguous: bool = False


@dataclass(frozen=True)
class Divisions:
    names: dict[str, Name]
    pattern: re.Pattern[str]
    elsewhere: dict[str, tuple[str, ...]]
    cities: tuple[str, ...]
    counties: dict[str, str]  # county → city

    def resolve(self, place: str | None) -> Name | None:
        """A place named on its own (dateline, publication): ambiguity does not matter there."""
        if not place:
            return None
        for candidate in (place, place.removesuffix("日报").removesuffix("晚报").removesuffix("新闻")):
            name = self.names.get(candidate)
            if name is not None:
                return name
        return None

    def region_of(self, path: str) -> Region | None:
        """'杭州市/西湖区' or '杭州市' → Region, if that is a real division."""
        city, _, county = path.partition("/")
        if city not in self.cities:
            return None
        if county:
            return Region(city, county) if self.counties.get(county) == city else None
        return Region(city)


@functools.lru_cache(maxsize=1)
def divisions() -> Divisions:
    data = yaml.safe_load((DATA_DIR / "zhejiang_divisions.yml").read_text(encoding="utf-8"))
    names: dict[str, Name] = {}
    counties: dict[str, str] = {}
    cities = []

    def add(text: str, city: str, county: str | None, ambiguous: bool = False) -> None:
        if text in names and names[text] != Name(text, city, county, ambiguous):
            raise ValueError(f"zhejiang_divisions.yml: name {text} is listed twice")
        names[text] = Name(text, city, county, ambiguous)

    for city in data["cities"]:
        cities.append(city["name"])
        add(city["name"], city["name"], None)
        for short in city.get("short", []):
            add(short, city["name"], None)
        for county in city["counties"]:
            counties[county["name"]] = city["name"]
            add(county["name"], city["name"], county["name"])
            for key in ("short", "aliases", "former"):
                for other in county.get(key, []):
                    add(other, city["name"], county["name"])
            for other in county.get("ambiguous", []):
                add(other, city["name"], county["name"], ambiguous=True)
    alternatives = sorted(names, key=lambda n: (-len(n), n))
    pattern = re.compile("|".join(re.escape(n) for n in alternatives))
    elsewhere = {k: tuple(v) for k, v in (data.get("elsewhere") or {}).items()}
    return Divisions(names, pattern, elsewhere, tuple(cities), counties)


def dictionary_words() -> list[str]:
    """Full division names, so the tokenizer keeps 上城区 whole (not 上/城区)."""
    table = divisions()
    return sorted(n for n, name in table.names.items() if not name.ambiguous and n[-1] in "市区县")


def token_starts(tokens: list[str]) -> set[int]:
    starts, pos = set(), 0
    for token in tokens:
        starts.add(pos)
        pos += len(token)
    starts.add(pos)
    return starts


def mentions(text: str, tokens: list[str] | None = None) -> list[tuple[int, Name]]:
    """(position, name) of every division mentioned in text, by the rules above."""
    table = divisions()
    starts: set[int] | None = None
    found: list[tuple[int, Name]] = []
    prev_end, prev_city = -1, None
    for match in table.pattern.finditer(text):
        start = match.start()
        name = table.names[match.group()]
        if starts is None and tokens is not None:
            # Built on the first match only: most paragraphs name no place at all.
            starts = token_starts(tokens) if "".join(tokens) == text else set(range(len(text) + 1))
        if starts is not None and start not in starts:
            continue
        if name.ambiguous:
            after_city = prev_end == start and prev_city == name.city
            after_alliance = text[max(0, start - 5) : start].endswith(ALLIANCE)
            if not (after_city or after_alliance):
                continue
        other = table.elsewhere.get(name.text, ())
        before = text[max(0, start - 4) : start].removesuffix("市")
        if any(before.endswith(place) for place in other):
            continue
        if name.county and found and prev_end == start and prev_city == name.city and found[-1][1].county is None:
            found.pop()  # 台州市路桥区: the city only qualifies the county, one mention
        found.append((start, name))
        prev_end, prev_city = match.end(), name.city
    return found


@dataclass
class _Tally:
    head: int = 0
    total: int = 0
    first: int = 1 << 30


def find_regions(
    head: str,
    body: str,
    *,
    head_tokens: list[str] | None = None,
    body_tokens: list[str] | None = None,
    home: Name | None = None,
    dateline_place: str | None = None,
) -> list[Region]:
    table = divisions()
    tallies: dict[tuple[str, str | None], _Tally] = {}

    def count(city: str, county: str | None, pos: int, in_head: bool) -> None:
        tally = tallies.setdefault((city, county), _Tally())
        tally.total += 1
        tally.head += in_head
        tally.first = min(tally.first, pos)

    for pos, name in mentions(head, head_tokens):
        count(name.city, name.county, pos, True)
    offset = len(head) + 1
    for pos, name in mentions(body, body_tokens):
        count(name.city, name.county, offset + pos, False)
    if home is not None:
        for word in RELATIVE:
            start = body.find(word)
            while start != -1:
                count(home.city, home.county, offset + start, False)
                start = body.find(word, start + len(word))
    place = table.resolve(dateline_place)
    if place is not None:
        count(place.city, place.county, offset, False)

    entries: list[tuple[tuple, Region]] = []
    for (city, county), tally in tallies.items():
        if county is None:
            own = tally.total
            best_county = max((t.total for (c, k), t in tallies.items() if c == city and k), default=0)
            if best_county and own <= best_county:
                continue  # the counties say it better; a county implies its city
        entries.append(((-tally.head, -tally.total, tally.first, city, county or ""), Region(city, county)))
    entries.sort(key=lambda e: e[0])
    return [region for _, region in entries[:MAX_REGIONS]]
