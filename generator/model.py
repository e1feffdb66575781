"""Plain data passed between the pipeline stages.

read → clean → segment → enrich → curate → render → build/bundle.
Every stage is a set of pure functions from these dataclasses to these
dataclasses; nothing here knows about MkDocs.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A warning or error about an input, always pointing at a file (and line when known)."""

    file: str
    message: str
    line: int | None = None
    level: str = "warning"  # "warning" | "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.message}"


class InputError(Exception):
    """Bad input that stops the run: the message names the file and line."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.problem = Problem(file=file, message=message, line=line, level="error")
        super().__init__(str(self.problem))


@dataclass(frozen=True)
class RawPage:
    """A page file as decoded text (stage: read)."""

    name: str  # file name, e.g. "000_47847500bd880218.txt"; the article's `source`
    text: str  # decoded, line endings normalised to "\n"
    encoding: str  # what decoding succeeded, e.g. "utf-8", "utf-8-sig", "utf-16", "gb18030"
    sha256: str  # of the raw bytes; the cache key of everything derived from the page


@dataclass(frozen=True)
class Author:
    name: str  # person name only, no label: "陈璐"
    role: str | None = None  # "记者" | "通讯员" | "摄影" | "制图" | "共享联盟·桐庐" ... as the page gives it


@dataclass(frozen=True)
class Dateline:
    raw: str  # "本报讯", "本报桐庐2月26日电"
    place: str | None = None  # "桐庐"
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class Caption:
    text: str  # "织里乡村美如画"
    credit: str | None = None  # "图片由吴兴区织里镇提供", "本报记者 刘健 摄"


@dataclass(frozen=True)
class Furniture:
    """Page furniture taken out of the text but kept as data."""

    kind: str  # "continued" (下转) | "continues" (上接) | "banner" | "figure-box" | "column-label" | "folio" | "byline"
    text: str


@dataclass
class Article:
    """One article as segmented from a page (stages: segment; fields refined by curate)."""

    id: str  # URL-safe, stable across runs, reorderings and added pages
    source: str  # page file name
    position: int  # order on the page, 0-based
    title: str
    kicker: str | None = None  # 引题
    subtitle: str | None = None  # 副题
    authors: list[Author] = field(default_factory=list)
    dateline: Dateline | None = None
    body: str = ""  # Markdown: paragraphs separated by blank lines, subheads as "## "
    captions: list[Caption] = field(default_factory=list)
    continued: str | None = None  # "下转2版": the article goes on elsewhere
    continues: str | None = None  # "上接第一版": this is a continuation fragment
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PageResult:
    """Everything one page file yields (stages read → clean → segment)."""

    source: str
    articles: tuple[Article, ...]
    furniture: tuple[Furniture, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """What an editor knows about a page file (content/sources.yml)."""

    name: str
    publication: str | None = None
    date: str | None = None  # "2024", "2024-11", "2024-11-06"
    page: str | None = None  # "第3版", "A2"


@dataclass(frozen=True)
class ThemeScore:
    theme: str  # theme id
    score: float
    terms: tuple[str, ...]  # the lexicon terms that triggered it, strongest first


@dataclass(frozen=True)
class Figure:
    label: str  # "总制水能力"
    value: str  # "200万吨/日"
    context: str = ""  # the clause it came from


@dataclass(frozen=True)
class Region:
    city: str  # "杭州市"
    county: str | None = None  # "西湖区"

    @property
    def path(self) -> str:
        return f"{self.city}/{self.county}" if self.county else self.city


@dataclass
class Enriched:
    """An article with what readers browse by (stages: enrich, then curate)."""

    article: Article
    date: str | None = None  # ISO, as precise as known: "2024-11-06" | "2024-11" | "2024"
    themes: list[str] = field(default_factory=list)  # accepted theme ids, strongest first; [] = 其他
    theme_scores: list[ThemeScore] = field(default_factory=list)  # every theme that scored, for review
    summary: str = ""
    keywords: list[str] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # article ids
    featured: bool = False
    publication: str | None = None
    page: str | None = None
    merged_from: list[str] = field(default_factory=list)  # ids of fragments merged in by curation

    @property
    def id(self) -> str:
        return self.article.id


@dataclass(frozen=True)
class Theme:
    """One entry of content/themes.yml."""

    id: str  # "talent"; ASCII, used in URLs and file names
    name: str  # "人才"
    name_en: str  # "Talent"
    description: str
    lexicon: tuple[tuple[str, float], ...]  # (term, weight), as written in the file


@dataclass(frozen=True)
class Digest:
    """The whole corpus after curation: what render and the search index consume."""

    articles: tuple[Enriched, ...]  # excluded articles removed, fragments merged; newest first
    themes: tuple[Theme, ...]
    problems: tuple[Problem, ...] = ()
    # Article id → a key that changes whenever that article (as read, before enrichment) can,
    # for the articles curation left as read; caches key pages by it instead of spelling the
    # article out (pipeline.article_keys).
    content_keys: dict[str, str] = field(default_factory=dict)


def spelled_out(value: object) -> bytes:
    """The value's pickle without the memo, for cache keys: equal values give equal bytes,
    however their strings happen to be shared (a memo would write a repeated object as a
    back-reference). Several times faster than repr() over 10,000 articles."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo; fine for data without cycles
    pickler.dump(value)
    return buffer.getvalue()
