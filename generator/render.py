"""Render: the curated Digest → the docs tree MkDocs builds (Markdown pages, feeds, JSON export).

`render_site(digest, sources, site_url)` is pure: it returns {path: bytes} with paths
relative to the docs folder, and the same input always gives the same bytes.

Safety. Article text comes from newspaper dumps and editors' files: it may hold
`<script>`, Markdown link syntax, `{{ }}`, `---` lines or `#` at a line start. Every
piece of it goes through `md_escape`, which turns each ASCII character with a meaning in
Markdown or HTML into a character reference (`*` → `&#42;`, `<` → `&lt;`): Python-Markdown
never reads a reference as syntax, whatever extensions are on, and the browser shows the
character. Values in front matter are written as YAML double-quoted strings with every
non-printable character escaped (yamlio.dump_mapping); the article template escapes them
with `| e`, except `title` (see `front_matter_data`).

Links between pages are written as relative links to the `.md` files, so MkDocs checks
every one of them in a strict build and turns them into relative `.html` links (the
offline bundles open from file://).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import hashlib
import html
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Callable, Iterable

import yaml

from .atomic import write_file
from .forked import forked_map
from .model import Digest, Enriched, Region, SourceInfo, Theme, spelled_out
from .yamlio import dump_mapping

SITE_NAME = "政策举措文摘"
SITE_PURPOSE = (
    "浙江各地报纸报道的地方政策举措，编辑从报纸版面中整理成篇，按主题、地区和时间归类。",
    "每篇文章注明出处和日期，可全文搜索，也可下载离线版在没有网络的地方阅读。",
)
OTHER_NAME = "其他"
OTHER_DESCRIPTION = "暂未归入任何主题的文章。"
UNDATED = "日期不详"
HOME_LATEST = 10
FEED_SIZE = 50
# China Standard Time: dates in the papers are local dates.
CST = _dt.timezone(_dt.timedelta(hours=8))
API_VERSION = 1
# Below this many article pages a second process costs more than it saves.
PARALLEL_PAGES = 1000

# ------------------------------------------------------------------ escaping

# C0 controls (but tab and newline) and DEL: Python-Markdown uses STX/ETX (\x02, \x03)
# as placeholders for stashed raw HTML, so a text carrying them could smuggle markup in;
# none of them belongs in an article. Also invalid in XML 1.0 (the feeds).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
# ASCII characters with a meaning anywhere in a line of Markdown, in Python-Markdown or an
# extension it may run (attr_list `{: }`, md_in_html, tables `|`, footnotes `[^1]`,
# pymdownx's `~~ ^^ == $`), or in HTML: always written as character references.
_ALWAYS = frozenset("\\`*_{}[]()<>&|~^=$")
# Characters that only mean something at the start of a line (headings, lists, quotes,
# admonitions `!!!`, definition lists `:`, ordered lists `1.`): written as references
# while the line has shown nothing but these, digits and spaces.
_LEADING = frozenset("#+-!:.")
_LEADING_RUN = _LEADING | frozenset("0123456789 ")
_ESCAPES = {ch: f"&#{ord(ch)};" for ch in _ALWAYS | _LEADING} | {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPE_TABLE = str.maketrans({ch: _ESCAPES[ch] for ch in _ALWAYS})
_ALWAYS_RE = re.compile("[" + re.escape("".join(sorted(_ALWAYS))) + "]")


def clean_text(text: str | None) -> str:
    """One line of plain text: control characters out, runs of whitespace → one space."""
    if not text:
        return ""
    return _SPACE_RUN.sub(" ", _CONTROL.sub("", text)).strip()


def md_escape(text: str | None) -> str:
    """Untrusted text → inline Markdown that renders as exactly that text (whitespace collapsed).

    The result is one line, so it can go into a heading, a list item, a table cell or a
    paragraph. It is also valid HTML text (only character references), so it may sit
    inside raw HTML written by this module.
    """
    text = clean_text(text)
    lead = 0
    while lead < len(text) and text[lead] in _LEADING_RUN:
        lead += 1
    head = "".join(_ESCAPES.get(ch, ch) for ch in text[:lead])
    rest = text[lead:]
    if _ALWAYS_RE.search(rest):  # rare in Chinese text, and translate() with a dict is slow
        rest = rest.translate(_ESCAPE_TABLE)
    # A heading drops trailing '#'s ("## 标题 ##"): keep them as text.
    trail = len(rest) - len(rest.rstrip("#"))
    return head + (rest[: len(rest) - trail] + "&#35;" * trail if trail else rest)


def html_text(text: str | None) -> str:
    """Plain text for places MkDocs and Material print as HTML without escaping (page titles)."""
    return html.escape(clean_text(text), quote=True)


# ------------------------------------------------------------------ paths and names


def article_path(article_id: str) -> str:
    return f"articles/{article_id}.md"


def article_url(article_id: str) -> str:
    """The built page, relative to the site root (pipeline.article_url agrees)."""
    return f"articles/{article_id}.html"


def theme_path(theme_id: str) -> str:
    # Theme ids start with a letter (yamlio.THEME_ID); `index` would collide with the
    # themes' index page, so reserved names get a leading underscore no theme id can have.
    return f"themes/{theme_id}.md" if theme_id not in RESERVED_THEME_PAGES else f"themes/_{theme_id}.md"


RESERVED_THEME_PAGES = frozenset({"index", "other"})
OTHER_PATH = "themes/other.md"


def feed_path_for(theme_id: str) -> str:
    return theme_path(theme_id)[: -len(".md")] + ".xml"


def link(from_path: str, to_path: str, fragment: str = "") -> str:
    """A relative link from one docs file to another (both relative to the docs root)."""
    rel = _relative(to_path, posixpath.dirname(from_path) or ".")
    return f"{rel}#{fragment}" if fragment else rel


@functools.lru_cache(maxsize=1 << 16)
def _relative(to_path: str, from_dir: str) -> str:
    # A pure function of two strings, called for every card of every index page: memoised.
    return posixpath.relpath(to_path, from_dir)


def normalise_site_url(site_url: str | None) -> str | None:
    if not site_url:
        return None
    return site_url if site_url.endswith("/") else site_url + "/"


def public_url(site_url: str | None, path: str, from_path: str = "") -> str:
    """Absolute when the site's address is known, else relative to `from_path`."""
    site = normalise_site_url(site_url)
    if site:
        return site + path
    return link(from_path, path) if from_path else path


def date_text(date: str | None) -> str:
    """'2024-11-06' → 2024年11月6日, '2024-11' → 2024年11月, '2024' → 2024年."""
    if not date:
        return UNDATED
    parts = [int(p) for p in date.split("-") if p.isdigit()]
    labels = ("年", "月", "日")
    return "".join(f"{value}{label}" for value, label in zip(parts, labels)) or UNDATED


def year_of(date: str | None) -> str | None:
    return date[:4] if date and date[:4].isdigit() else None


def month_key(date: str | None) -> str:
    """The archive page of a date: 'YYYY-MM', 'YYYY' when only the year is known, or 'undated'."""
    if not date or not date[:4].isdigit():
        return "undated"
    return date[:7] if len(date) >= 7 else date[:4]


# ------------------------------------------------------------------ divisions (region page names)


@dataclass(frozen=True)
class DivisionCodes:
    cities: dict[str, str]  # city name → six-digit code
    counties: dict[tuple[str, str], str]  # (city, county) → code
    order: dict[str, int]  # city or "city/county" → position in the official table


@functools.lru_cache(maxsize=1)
def division_codes() -> DivisionCodes:
    path = Path(__file__).resolve().parent / "data" / "zhejiang_divisions.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cities: dict[str, str] = {}
    counties: dict[tuple[str, str], str] = {}
    order: dict[str, int] = {}
    for city in data["cities"]:
        cities[city["name"]] = str(city["code"])
        order[city["name"]] = len(order)
        for county in city.get("counties", []):
            counties[(city["name"], county["name"])] = str(county["code"])
            order[f"{city['name']}/{county['name']}"] = len(order)
    return DivisionCodes(cities, counties, order)


def _hashed(prefix: str, name: str) -> str:
    return f"{prefix}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def city_slug(city: str) -> str:
    """ASCII file name of a city's page: its division code, or a hash for a name not in the table."""
    return division_codes().cities.get(city) or _hashed("city", city)


def county_anchor(city: str, county: str) -> str:
    code = division_codes().counties.get((city, county))
    return f"county-{code}" if code else _hashed("county", f"{city}/{county}")


def region_path(city: str) -> str:
    return f"regions/{city_slug(city)}.md"


def region_name(region: Region) -> str:
    """Short display name: the county when known, else the city."""
    return region.county or region.city


def region_names(regions: Iterable[Region]) -> list[str]:
    """Display names, without a city whose county is also listed (北仑区 says 宁波市)."""
    regions = list(regions)
    with_county = {r.city for r in regions if r.county}
    names: list[str] = []
    for region in regions:
        if region.county is None and region.city in with_county:
            continue
        name = region_name(region)
        if name not in names:
            names.append(name)
    return names


def _region_order(key: str) -> tuple[int, str]:
    return (division_codes().order.get(key, 1 << 20), key)


# ------------------------------------------------------------------ small Markdown pieces


def heading(level: int, text: str, anchor: str | None = None) -> str:
    """A heading with escaped text; `anchor` (ASCII, from this module) sets its id."""
    suffix = f" {{: #{anchor} }}" if anchor else ""
    return f"{'#' * level} {md_escape(text)}{suffix}"


def para(markdown: str, css_class: str | None = None) -> str:
    """A paragraph of already-escaped Markdown, with a class via attr_list."""
    return f"{markdown}\n{{: .{css_class} }}" if css_class else markdown


def front_matter(data: dict) -> str:
    return f"---\n{dump_mapping(data)}---\n\n"


def page_text(meta: dict | None, blocks: Iterable[str]) -> bytes:
    body = "\n\n".join(block for block in blocks if block)
    return ((front_matter(meta) if meta else "") + body.rstrip() + "\n").encode("utf-8")


def count_text(n: int) -> str:
    return f"{n} 篇"


# ------------------------------------------------------------------ article cards (index pages)


def source_label(item: Enriched) -> str:
    """'平湖日报 第1版', or '报纸版面' when the editor has not said which paper."""
    return source_label_of(item.publication, item.page)


def source_label_of(publication: str | None, page: str | None) -> str:
    parts = [p for p in (publication, page) if p]
    return " ".join(parts) if parts else "报纸版面"


def card_meta(item: Enriched) -> str:
    return card_meta_of(item.date, item.regions, item.publication, item.page)


def card_meta_of(date: str | None, regions, publication: str | None, page: str | None) -> str:
    parts = [date_text(date)]
    if regions:
        parts.append("、".join(region_names(regions)))
    parts.append(source_label_of(publication, page))
    return " · ".join(parts)


def article_card(item: Enriched, from_path: str, *, level: int = 3) -> str:
    """A card: linked title, date · regions · source, summary. Escaped throughout."""
    return _card(item, _articles_folder(posixpath.dirname(from_path)), level)


def _card(item: Enriched, articles_folder: str, level: int) -> str:
    target = f"{item.id}.md" if articles_folder == "." else f"{articles_folder}/{item.id}.md"
    title, meta, summary = _card_parts(item)
    lines = [
        '<div class="digest-card" markdown>',
        "",
        f"{'#' * level} [{title}]({target})",
        "",
        meta,
    ]
    if summary:
        lines += ["", summary]
    lines += ["", "</div>"]
    return "\n".join(lines)


def _articles_folder(from_dir: str) -> str:
    """The articles folder as seen from from_dir: card links need no relpath each (ids hold no '/')."""
    return _relative("articles", from_dir or ".")


def _card_parts(item: Enriched) -> tuple[str, str, str]:
    """The escaped title, meta line and summary of a card: the same on every index page."""
    return _card_parts_of(item.article.title, item.date, tuple(item.regions), item.publication, item.page, item.summary)


@functools.lru_cache(maxsize=1 << 15)
def _card_parts_of(
    title: str, date: str | None, regions: tuple[Region, ...], publication: str | None, page: str | None, summary: str
) -> tuple[str, str, str]:
    # Pure; an article's card appears on several index pages (theme, region, month): memoised.
    meta = card_meta_of(date, regions, publication, page)
    return (
        md_escape(title),
        para(md_escape(meta), "digest-card__meta"),
        para(md_escape(summary), "digest-card__summary") if summary else "",
    )


def card_list(items: Iterable[Enriched], from_path: str, *, level: int = 3) -> str:
    folder = _articles_folder(posixpath.dirname(from_path))
    cards = [_card(item, folder, level) for item in items]
    if not cards:
        return para("暂无文章。", "digest-empty")
    return "\n\n".join(['<div class="digest-cards" markdown>', *cards, "</div>"])


def by_year(items: list[Enriched]) -> list[tuple[str | None, list[Enriched]]]:
    """Newest year first, undated last; digest order (newest first) inside a year."""
    groups: dict[str | None, list[Enriched]] = {}
    for item in items:
        groups.setdefault(year_of(item.date), []).append(item)
    years = sorted((y for y in groups if y is not None), reverse=True)
    return [(y, groups[y]) for y in years] + ([(None, groups[None])] if None in groups else [])


def year_sections(items: list[Enriched], from_path: str) -> list[str]:
    blocks = []
    for year, group in by_year(items):
        label = f"{year}年" if year else UNDATED
        anchor = f"y{year}" if year else "undated"
        blocks += [heading(2, f"{label}（{count_text(len(group))}）", anchor), card_list(group, from_path)]
    return blocks


# ------------------------------------------------------------------ article pages


def authors_data(item: Enriched) -> list[dict]:
    return [{"name": clean_text(a.name), "role": clean_text(a.role) or None} for a in item.article.authors]


def front_matter_data(item: Enriched, digest_themes: dict[str, Theme], site_url: str | None) -> dict:
    """The article page's front matter: the article's metadata, plus what the template needs.

    `title` is HTML-escaped: MkDocs takes it as the page title, and MkDocs and Material
    print page titles into <title>, the header and the nav as HTML without escaping.
    Every other value is plain text, escaped by the template (overrides/article.html).
    """
    article = item.article
    path = article_path(article.id)
    return {
        "template": "article.html",
        "title": html_text(article.title),
        "kicker": clean_text(article.kicker) or None,
        "subtitle": clean_text(article.subtitle) or None,
        "date": item.date,
        "date_text": date_text(item.date),
        "themes": [
            {"id": t, "name": clean_text(digest_themes[t].name), "page": theme_path(t)[:-3] + ".html"}
            for t in item.themes
            if t in digest_themes
        ],
        "regions": [
            {
                "city": r.city,
                "county": r.county,
                "page": region_path(r.city)[:-3] + ".html" + (f"#{county_anchor(r.city, r.county)}" if r.county else ""),
            }
            for r in item.regions
        ],
        "authors": authors_data(item),
        "source": article.source,
        "publication": clean_text(item.publication) or None,
        "page": clean_text(item.page) or None,
        "dateline": clean_text(article.dateline.raw) if article.dateline else None,
        "summary": clean_text(item.summary),
        "keywords": [clean_text(k) for k in item.keywords],
        "figures": [{"label": clean_text(f.label), "value": clean_text(f.value)} for f in item.figures],
        "related": list(item.related),
        "featured": bool(item.featured),
        "url": public_url(site_url, article_url(article.id), path),
    }


_SUBHEAD = re.compile(r"^(#{2,3})[ \t]+(.+)$")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph → one line; a space only between two non-Chinese characters."""
    out = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(line[0])):
            out += " "
        out += line
    return out


def body_blocks(body: str) -> list[tuple[str, str]]:
    """The article body (segment's Markdown: paragraphs, '## ' subheads) → [(kind, text)]."""
    blocks: list[tuple[str, str]] = []
    for chunk in re.split(r"\n[ \t]*\n", _CONTROL.sub("", body.replace("\r\n", "\n"))):
        lines = [l for l in chunk.split("\n") if l.strip()]
        while lines:
            match = _SUBHEAD.match(lines[0].strip())
            if match:
                blocks.append(("h2" if len(match.group(1)) == 2 else "h3", match.group(2)))
                lines = lines[1:]
                continue
            # A paragraph runs until the next subhead line inside the same chunk.
            end = next((i for i, l in enumerate(lines) if _SUBHEAD.match(l.strip())), len(lines))
            text = join_lines(lines[:end])
            if text:
                blocks.append(("p", text))
            lines = lines[end:]
    return blocks


def continuation_note(prefix: str, text: str | None) -> str | None:
    if not text:
        return None
    rest = clean_text(text)
    target = rest[len(prefix):] if rest.startswith(prefix) else rest
    return target or rest


def article_body(item: Enriched, by_id: dict[str, Enriched]) -> list[str]:
    article = item.article
    path = article_path(article.id)
    blocks: list[str] = []
    came_from = continuation_note("上接", article.continues)
    if came_from:
        blocks.append(para(md_escape(f"本文为{came_from}文章的接续部分（原报标注“{clean_text(article.continues)}”）。"), "digest-note"))
    dateline = clean_text(article.dateline.raw) if article.dateline else ""
    for kind, text in body_blocks(article.body):
        if kind == "p":
            if dateline:  # the dateline opens the first paragraph, as in the paper
                blocks.append(f'<span class="digest-dateline">{md_escape(dateline)}</span> {md_escape(text)}')
                dateline = ""
            else:
                blocks.append(md_escape(text))
        else:
            blocks.append(heading(2 if kind == "h2" else 3, text))
    if dateline:
        blocks.insert(0, para(md_escape(dateline), "digest-dateline"))
    goes_on = continuation_note("下转", article.continued)
    if goes_on:
        blocks.append(para(md_escape(f"本文转至{goes_on}（原报标注“{clean_text(article.continued)}”），转版部分未收录。"), "digest-note"))
    for caption in article.captions:
        described = clean_text(caption.text)
        # A picture printed with only a credit (（张丽 摄）) still gets its line, without an empty label.
        text = md_escape(f"图片说明：{described}" if described else "图片")
        if caption.credit:
            text += f' <span class="digest-caption__credit">{md_escape(caption.credit)}</span>'
        blocks.append(para(text, "digest-caption"))
    related = [by_id[r] for r in item.related if r in by_id and r != item.id]
    if related:
        items = [
            f"- [{md_escape(other.article.title)}]({link(path, article_path(other.id))})"
            f' <span class="digest-related__meta">{md_escape(card_meta(other))}</span>'
            for other in related
        ]
        blocks.append(
            "\n\n".join(
                [
                    '<div class="digest-related no-print" markdown>',
                    heading(2, "相关举措", "related"),
                    "\n".join(items),
                    "</div>",
                ]
            )
        )
    return blocks


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever a rendered page could: this module, the model, the YAML writer, the data files."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(b"render")
    for path in [here / "render.py", here / "model.py", here / "yamlio.py", *sorted((here / "data").glob("*"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _article_page_key(prefix: bytes, item: Enriched, by_id: dict[str, Enriched], content_key: str | None) -> str:
    """Everything article_page reads: the item, and what its related links show of the others.

    With the article's content key (Digest.content_keys) the article is the key, and only the
    rest of the item is spelled out: the article (its body above all) is most of the bytes.
    """
    shown = [
        (r, other.article.title, other.date, _fields_of(other.regions), other.publication, other.page)
        for r in item.related
        if r != item.id and (other := by_id.get(r)) is not None
    ]
    if content_key is None:
        return hashlib.sha256(prefix + spelled_out((item, shown))).hexdigest()
    rest = [_fields_of(getattr(item, name)) for name in _ENRICHED_BESIDE_ARTICLE]
    return hashlib.sha256(prefix + content_key.encode() + b"\0" + spelled_out((rest, shown))).hexdigest()


def _fields_of(value: object) -> object:
    """A list of dataclass records (regions, figures, theme scores) as tuples of their fields:
    the same key, and several times faster to pickle than the records themselves."""
    if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
        return [(type(x).__name__, *vars(x).values()) for x in value]
    return value


_ENRICHED_BESIDE_ARTICLE = tuple(f.name for f in dataclasses.fields(Enriched) if f.name != "article")


def article_pages(
    items: Iterable[Enriched],
    digest_themes: dict[str, Theme],
    by_id: dict[str, Enriched],
    site_url: str | None,
    cache_dir: Path | None = None,
    jobs: int = 1,
    content_keys: dict[str, str] | None = None,
) -> dict[str, bytes]:
    """article_page for every item; with a cache_dir, pages of unchanged inputs are read back.

    The cache is keyed by a hash of every input of the page (the item, the themes, the
    related articles' card data, site_url, the code), so it returns the bytes article_page
    would: output stays a function of the input; `content_keys` stand for articles as read
    (see _article_page_key). With jobs > 1 the pages are split over forked processes (see
    forked.py): the same bytes, in the same order.
    """
    items = list(items)
    content_keys = content_keys or {}
    prefix = b""
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        themes = sorted(digest_themes.items())
        prefix = hashlib.sha256(f"{_code_fingerprint()}\0{site_url!r}\0{themes!r}".encode("utf-8")).digest()

    entries: list[Path | None] = [None] * len(items)
    pages: list[bytes | None] = [None] * len(items)
    if cache_dir is not None:
        for i, item in enumerate(items):
            entries[i] = cache_dir / f"{_article_page_key(prefix, item, by_id, content_keys.get(item.id))}.md"
            try:
                pages[i] = entries[i].read_bytes()
            except OSError:
                pass
    missing = [i for i, page in enumerate(pages) if page is None]

    def render(part: range) -> list[bytes]:
        out = []
        for j in part:
            data = article_page(items[missing[j]], digest_themes, by_id, site_url)
            entry = entries[missing[j]]
            if entry is not None:
                write_file(entry, data)
            out.append(data)
        return out

    # Only rendering is split over processes: keys and cache reads cost less than a fork.
    for i, data in zip(missing, forked_map(render, len(missing), jobs, PARALLEL_PAGES)):
        pages[i] = data
    return {article_path(item.id): page for item, page in zip(items, pages)}  # type: ignore[misc]


def article_page(item: Enriched, digest_themes: dict[str, Theme], by_id: dict[str, Enriched], site_url: str | None) -> bytes:
    meta = front_matter_data(item, digest_themes, site_url)
    # Related links in the front matter only to pages that exist (a theme bundle drops the rest).
    meta["related"] = [r for r in meta["related"] if r in by_id and r != item.id]
    return page_text(meta, article_body(item, by_id))


# ------------------------------------------------------------------ index pages


@dataclass(frozen=True)
class ThemeGroup:
    id: str | None  # None = 其他
    name: str
    description: str
    path: str
    items: list[Enriched]


def theme_groups(digest: Digest) -> list[ThemeGroup]:
    """Themes in themes.yml order, then 其他; only those with articles (a theme bundle has one)."""
    groups = []
    for theme in digest.themes:
        items = [a for a in digest.articles if theme.id in a.themes]
        if items:
            groups.append(ThemeGroup(theme.id, clean_text(theme.name), clean_text(theme.description), theme_path(theme.id), items))
    known = {t.id for t in digest.themes}
    others = [a for a in digest.articles if not any(t in known for t in a.themes)]
    if others:
        groups.append(ThemeGroup(None, OTHER_NAME, OTHER_DESCRIPTION, OTHER_PATH, others))
    return groups


def theme_card(group: ThemeGroup, from_path: str) -> str:
    lines = [
        '<div class="digest-card digest-card--theme" markdown>',
        "",
        f"### [{md_escape(group.name)}]({link(from_path, group.path)})",
        "",
        para(md_escape(count_text(len(group.items))), "digest-card__count"),
    ]
    if group.description:
        lines += ["", para(md_escape(group.description), "digest-card__summary")]
    lines += ["", "</div>"]
    return "\n".join(lines)


def home_page(digest: Digest, groups: list[ThemeGroup]) -> bytes:
    path = "index.md"
    articles = list(digest.articles)
    blocks = [
        heading(1, SITE_NAME),
        para(md_escape(SITE_PURPOSE[0]), "digest-lead"),
        para(md_escape(SITE_PURPOSE[1]), "digest-lead"),
        para(
            md_escape(f"共收录 {count_text(len(articles))}文章。")
            + f" [按主题]({link(path, 'themes/index.md')}) · [按地区]({link(path, 'regions/index.md')})"
            + f" · [按时间]({link(path, 'archive/index.md')}) · [订阅 RSS]({link(path, 'feed.xml')})",
            "digest-stats",
        ),
    ]
    featured = [a for a in articles if a.featured]
    if featured:
        blocks += [heading(2, "编辑推荐", "featured"), card_list(featured, path)]
    blocks += [heading(2, "最新文章", "latest"), card_list(articles[:HOME_LATEST], path)]
    if len(articles) > HOME_LATEST:
        blocks.append(para(f"[查看全部文章（按时间）]({link(path, 'archive/index.md')})", "digest-more"))
    blocks += [heading(2, "主题", "themes")]
    if groups:
        blocks.append("\n\n".join(['<div class="digest-cards digest-cards--grid" markdown>', *(theme_card(g, path) for g in groups), "</div>"]))
    else:
        blocks.append(para("暂无文章。", "digest-empty"))
    return page_text(None, blocks)


def themes_index(groups: list[ThemeGroup]) -> bytes:
    path = "themes/index.md"
    blocks = [heading(1, "主题"), para(md_escape("文章按内容归入主题；一篇文章可以属于多个主题，未归入任何主题的在“其他”。"), "digest-lead")]
    if groups:
        blocks.append("\n\n".join(['<div class="digest-cards digest-cards--grid" markdown>', *(theme_card(g, path) for g in groups), "</div>"]))
    else:
        blocks.append(para("暂无文章。", "digest-empty"))
    return page_text(None, blocks)


def theme_page(group: ThemeGroup) -> bytes:
    meta = {"title": html_text(group.name)}
    blocks = [heading(1, group.name)]
    if group.description:
        blocks.append(para(md_escape(group.description), "digest-lead"))
    stats = md_escape(f"共 {count_text(len(group.items))}，按时间由新到旧排列。")
    if group.id is not None:
        feed = feed_path_for(group.id)
        meta |= {"feed": feed, "feed_title": f"{SITE_NAME} · {clean_text(group.name)}"}
        stats += f" [订阅本主题 RSS]({link(group.path, feed)})"
    blocks.append(para(stats, "digest-stats"))
    blocks += year_sections(group.items, group.path)
    return page_text(meta, blocks)


def region_tree(digest: Digest) -> dict[str, dict[str | None, list[Enriched]]]:
    """city → county (None = the city as a whole) → articles in digest order."""
    tree: dict[str, dict[str | None, list[Enriched]]] = {}
    for item in digest.articles:
        seen: set[tuple[str, str | None]] = set()
        for region in item.regions:
            key = (region.city, region.county)
            if key in seen:
                continue
            seen.add(key)
            tree.setdefault(region.city, {}).setdefault(region.county, []).append(item)
    return tree


def city_articles(counties: dict[str | None, list[Enriched]]) -> list[Enriched]:
    ids: set[str] = set()
    out = []
    for group in counties.values():
        for item in group:
            if item.id not in ids:
                ids.add(item.id)
                out.append(item)
    return out


def sorted_cities(tree: dict) -> list[str]:
    return sorted(tree, key=_region_order)


def sorted_counties(city: str, counties: dict[str | None, list[Enriched]]) -> list[str | None]:
    named = sorted((c for c in counties if c), key=lambda c: _region_order(f"{city}/{c}"))
    return ([None] if None in counties else []) + named


def regions_index(tree: dict[str, dict[str | None, list[Enriched]]]) -> bytes:
    path = "regions/index.md"
    blocks = [heading(1, "地区"), para(md_escape("按文章涉及的设区市和县（市、区）浏览。"), "digest-lead")]
    if not tree:
        blocks.append(para("暂无文章。", "digest-empty"))
    for city in sorted_cities(tree):
        counties = tree[city]
        target = region_path(city)
        entries = []
        for county in sorted_counties(city, counties):
            if county is None:
                continue
            entries.append(
                f"[{md_escape(county)}]({link(path, target, county_anchor(city, county))})"
                + md_escape(f"（{len(counties[county])}）")
            )
        blocks.append(f"## [{md_escape(city)}]({link(path, target)})" + md_escape(f"（{count_text(len(city_articles(counties)))}）"))
        if entries:
            blocks.append(para(" · ".join(entries), "digest-region-list"))
    return page_text(None, blocks)


def region_page(city: str, counties: dict[str | None, list[Enriched]]) -> bytes:
    path = region_path(city)
    meta = {"title": html_text(city)}
    blocks = [heading(1, city), para(md_escape(f"共 {count_text(len(city_articles(counties)))}，按县（市、区）分组。"), "digest-stats")]
    for county in sorted_counties(city, counties):
        items = counties[county]
        if county is None:
            blocks.append(heading(2, f"全市（{count_text(len(items))}）", "city"))
        else:
            blocks.append(heading(2, f"{county}（{count_text(len(items))}）", county_anchor(city, county)))
        blocks.append(card_list(items, path))
    return page_text(meta, blocks)


def month_label(key: str) -> str:
    if key == "undated":
        return UNDATED
    if len(key) == 4:
        return f"{key}年（月份不详）"
    return date_text(key)


def archive_groups(digest: Digest) -> list[tuple[str, list[Enriched]]]:
    groups: dict[str, list[Enriched]] = {}
    for item in digest.articles:
        groups.setdefault(month_key(item.date), []).append(item)
    # Newest first; a year-only page after that year's months; undated last.
    def order(key: str) -> tuple[int, int, int]:
        if key == "undated":
            return (1, 0, 0)
        year, _, month = key.partition("-")
        return (0, -int(year), -int(month) if month else 0)

    return [(key, groups[key]) for key in sorted(groups, key=order)]


def archive_index(groups: list[tuple[str, list[Enriched]]]) -> bytes:
    path = "archive/index.md"
    blocks = [heading(1, "归档"), para(md_escape("按文章日期（报纸出版或报道的日期）逐月浏览。"), "digest-lead")]
    if not groups:
        blocks.append(para("暂无文章。", "digest-empty"))
    current_year = None
    entries: list[str] = []

    def flush() -> None:
        if entries:
            blocks.append("\n".join(entries))
            entries.clear()

    for key, items in groups:
        year = key[:4] if key != "undated" else None
        if year != current_year:
            flush()
            blocks.append(heading(2, f"{year}年" if year else UNDATED, f"y{year}" if year else "undated"))
            current_year = year
        entries.append(f"- [{md_escape(month_label(key))}]({link(path, f'archive/{key}.md')})" + md_escape(f"（{count_text(len(items))}）"))
    flush()
    return page_text(None, blocks)


def archive_page(key: str, items: list[Enriched]) -> bytes:
    path = f"archive/{key}.md"
    label = month_label(key)
    return page_text(
        {"title": html_text(label)},
        [heading(1, label), para(md_escape(f"共 {count_text(len(items))}。"), "digest-stats"), card_list(items, path)],
    )


def about_page(digest: Digest, sources: dict[str, SourceInfo]) -> bytes:
    path = "about.md"
    counts = Counter(item.article.source for item in digest.articles)
    names = sorted(set(sources) | set(counts))
    rows = ["| 版面文件 | 报纸 | 日期 | 版次 | 收录文章 |", "| --- | --- | --- | --- | ---: |"]
    for name in names:
        info = sources.get(name, SourceInfo(name=name))
        cells = [name, info.publication or "不详", date_text(info.date), info.page or "—", count_text(counts.get(name, 0))]
        rows.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    publications = sorted({s.publication for s in sources.values() if s.publication})
    dates = sorted(d for d in (item.date for item in digest.articles) if d)
    span = f"{date_text(dates[0])}至{date_text(dates[-1])}" if dates else "日期不详"
    blocks = [
        heading(1, "关于本文摘"),
        heading(2, "文章从哪里来", "sources"),
        md_escape(
            f"文章取自浙江各地报纸的版面文字：共 {len(names)} 个版面"
            + (f"，报纸包括{'、'.join(publications)}" if publications else "")
            + f"，时间跨度{span}。版面文件、报纸名称、日期和版次由编辑登记，见下表。"
        ),
        "\n".join(rows),
        heading(2, "怎样整理", "curation"),
        "\n".join(
            [
                "1. " + md_escape("程序读取版面文字，去掉断行、多余空格和重复字符，把版面切分成一篇篇文章，识别引题、标题、副题、作者、电头和图片说明。"),
                "2. " + md_escape("按主题词表给文章归类（一篇文章可以有多个主题），提取摘要、关键词、涉及的地区和关键数字，并找出内容相近的文章。"),
                "3. " + md_escape("编辑逐篇审阅：可以修改标题、作者、日期、摘要、地区和主题，标记推荐文章，合并跨版的接续部分，剔除不相关的内容。编辑的修改总是优先于程序的结果。"),
                "4. " + md_escape("每篇文章注明报纸、版次和日期；转版未收录的部分会在文中注明。"),
            ]
        ),
        heading(2, "使用", "usage"),
        md_escape("页面顶部的搜索框可以搜索全文（支持繁体字）。")
        + f" [RSS 订阅]({link(path, 'feed.xml')})"
        + md_escape("包含最新 50 篇文章；各主题页面另有本主题的订阅。")
        + f" [文章数据（JSON）]({link(path, 'api/articles.json')})"
        + md_escape("列出全部文章的元数据，供其他系统使用。"),
    ]
    return page_text(None, blocks)


# ------------------------------------------------------------------ feeds and JSON


def rfc822(date: str | None) -> str | None:
    if not date:
        return None
    parts = [int(p) for p in date.split("-") if p.isdigit()] + [1, 1]
    try:
        day = _dt.datetime(parts[0], parts[1], parts[2], tzinfo=CST)
    except ValueError:
        return None
    return format_datetime(day)


def rss_feed(title: str, description: str, items: list[Enriched], feed_path: str, digest_themes: dict[str, Theme], site_url: str | None) -> bytes:
    """RSS 2.0 of the newest FEED_SIZE items; links absolute with a site_url, else relative to the feed."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = clean_text(title)
    ET.SubElement(channel, "link").text = public_url(site_url, "index.html", feed_path)
    ET.SubElement(channel, "description").text = clean_text(description)
    ET.SubElement(channel, "language").text = "zh-CN"
    newest = next((rfc822(i.date) for i in items if rfc822(i.date)), None)
    if newest:  # the newest article's date, not the clock: same content, same bytes
        ET.SubElement(channel, "lastBuildDate").text = newest
    for item in items[:FEED_SIZE]:
        entry = ET.SubElement(channel, "item")
        url = public_url(site_url, article_url(item.id), feed_path)
        ET.SubElement(entry, "title").text = clean_text(item.article.title)
        ET.SubElement(entry, "link").text = url
        ET.SubElement(entry, "guid", {"isPermaLink": "true" if site_url else "false"}).text = url if site_url else item.id
        ET.SubElement(entry, "description").text = clean_text(item.summary)
        published = rfc822(item.date)
        if published:
            ET.SubElement(entry, "pubDate").text = published
        for theme_id in item.themes:
            theme = digest_themes.get(theme_id)
            ET.SubElement(entry, "category").text = clean_text(theme.name if theme else theme_id)
        if item.publication:
            ET.SubElement(entry, "source", {"url": public_url(site_url, "feed.xml", feed_path)}).text = clean_text(item.publication)
    ET.indent(rss, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="utf-8", xml_declaration=False) + b"\n"


def api_record(item: Enriched, site_url: str | None) -> dict:
    article = item.article
    return {
        "id": article.id,
        "url": public_url(site_url, article_url(article.id)),
        "title": clean_text(article.title),
        "kicker": clean_text(article.kicker) or None,
        "subtitle": clean_text(article.subtitle) or None,
        "date": item.date,
        "themes": list(item.themes),
        "regions": [r.path for r in item.regions],
        "authors": authors_data(item),
        "source": article.source,
        "publication": item.publication,
        "page": item.page,
        "summary": clean_text(item.summary),
        "keywords": list(item.keywords),
        "figures": [{"label": f.label, "value": f.value} for f in item.figures],
        "related": list(item.related),
        "featured": bool(item.featured),
    }


def api_json(digest: Digest, site_url: str | None) -> bytes:
    """All articles' metadata, in the digest's order (newest first, then page and position).

    One article a line: readable, diff-friendly, and written by json's C encoder (with
    `indent` json.dumps falls back to its pure-Python encoder: seconds at 10,000 articles).
    """
    head = {
        "version": API_VERSION,
        "site": normalise_site_url(site_url),
        "count": len(digest.articles),
        "themes": [{"id": t.id, "name": t.name, "name_en": t.name_en} for t in digest.themes],
    }
    lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ","]
    if digest.articles:
        records = (json.dumps(api_record(item, site_url), ensure_ascii=False) for item in digest.articles)
        lines += [' "articles": [', "  " + ",\n  ".join(records), " ]", "}"]
    else:
        lines += [' "articles": []', "}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ------------------------------------------------------------------ the whole tree


class _IndexPages:
    """Theme, region and month pages, read back from the cache when their cards are unchanged.

    Those pages are lists of cards, thousands for a big theme, and a rebuild after one page
    changed alters the few lists that hold its articles. A page's key is what it shows:
    its own fields and, per article, what its card shows (card_fields); computing that is
    a small part of rendering the cards.
    """

    def __init__(self, cache_dir: Path | None, site_url: str | None, items: Iterable[Enriched]) -> None:
        self.cache_dir = cache_dir
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self.prefix = hashlib.sha256(f"{_code_fingerprint()}\0{site_url!r}".encode("utf-8")).digest()
            # Each card spelled out once, not once per page listing it (~8 pages an article).
            self.cards = {item.id: hashlib.sha256(spelled_out(card_fields(item))).digest() for item in items}

    def __call__(self, render: Callable[..., bytes], *args: object) -> bytes:
        """render(*args[:-1]); the last argument is what the page shows, Enriched items and all."""
        *page_args, shown = args
        if self.cache_dir is None:
            return render(*page_args)
        key = hashlib.sha256(self.prefix + render.__name__.encode() + spelled_out(self._cards_of(shown))).hexdigest()
        entry = self.cache_dir / f"{key}.md"
        try:
            return entry.read_bytes()
        except OSError:
            pass
        data = render(*page_args)
        write_file(entry, data)
        return data

    def _cards_of(self, value: object) -> object:
        """value with every Enriched item replaced by its card's digest, in lists, tuples and dicts."""
        if isinstance(value, Enriched):
            return self.cards[value.id]
        if isinstance(value, (list, tuple)):
            if value and all(isinstance(v, Enriched) for v in value):
                return b"".join(map(self.cards.__getitem__, (v.id for v in value)))
            return [self._cards_of(v) for v in value]
        if isinstance(value, dict):
            return [(k, self._cards_of(v)) for k, v in value.items()]
        return value


def card_fields(item: Enriched) -> tuple:
    """Everything an index page shows of an article: its card, and the date it is grouped by."""
    regions = tuple((r.city, r.county) for r in item.regions)
    return (item.id, item.article.title, item.date, regions, item.publication, item.page, item.summary)




_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def render_site(
    digest: Digest, sources: dict[str, SourceInfo], site_url: str | None, cache_dir: Path | None = None, jobs: int = 1
) -> dict[str, bytes]:
    """Every generated docs file, keyed by its path relative to the docs folder.

    With `cache_dir`, article pages whose inputs are unchanged are reused (see article_pages);
    `jobs` > 1 renders them in that many processes.
    """
    for item in digest.articles:
        if not _SAFE_ID.match(item.id) or ".." in item.id:
            raise ValueError(f"article id {item.id!r} is not URL-safe")
    digest_themes = {t.id: t for t in digest.themes}
    by_id = {item.id: item for item in digest.articles}
    groups = theme_groups(digest)
    files: dict[str, bytes] = {
        "index.md": home_page(digest, groups),
        "about.md": about_page(digest, sources),
        "themes/index.md": themes_index(groups),
    }
    index_page = _IndexPages(cache_dir / "index" if cache_dir is not None else None, site_url, digest.articles)
    for group in groups:
        files[group.path] = index_page(theme_page, group, (group.id, group.name, group.description, group.path, group.items))
        if group.id is not None:
            theme = digest_themes[group.id]
            files[feed_path_for(group.id)] = rss_feed(
                f"{SITE_NAME} · {theme.name}", theme.description or theme.name, group.items,
                feed_path_for(group.id), digest_themes, site_url,
            )
    tree = region_tree(digest)
    files["regions/index.md"] = regions_index(tree)
    for city, counties in tree.items():
        files[region_path(city)] = index_page(region_page, city, counties, (city, counties))
    months = archive_groups(digest)
    files["archive/index.md"] = archive_index(months)
    for key, items in months:
        files[f"archive/{key}.md"] = index_page(archive_page, key, items, (key, items))
    files.update(article_pages(digest.articles, digest_themes, by_id, site_url, cache_dir, jobs, digest.content_keys))
    files["feed.xml"] = rss_feed(SITE_NAME, SITE_PURPOSE[0], list(digest.articles), "feed.xml", digest_themes, site_url)
    files["api/articles.json"] = api_json(digest, site_url)
    return dict(sorted(files.items()))
