"""Orchestration: content folder in, generated docs folder out.

read → clean → segment (per page, cached by content hash, in parallel for big
corpora) → enrich (corpus-wide) → curate → render + search index → publish
atomically. Each stage lives in its own module; this one only wires them.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from . import atomic
from .forked import Standby, side_by_side
from .model import Article, Digest, Enriched, InputError, PageResult, Problem, SourceInfo, Theme

log = logging.getLogger("generator")
T = TypeVar("T")

PAGE_SUFFIXES = (".txt", ".md")
# Below this many pages a process pool costs more (start-up, jieba load) than it saves.
PARALLEL_THRESHOLD = 64
# Below this many articles, building the search index beside the pages costs more (a fork,
# its results pickled and read back) than it saves.
SIDE_BY_SIDE_THRESHOLD = 1000
# Bump when segmentation output changes shape, so stale cache entries are ignored.
CACHE_VERSION = "1"


@dataclass(frozen=True)
class ContentPaths:
    root: Path

    @property
    def pages(self) -> Path:
        return self.root / "pages"

    @property
    def sources(self) -> Path:
        return self.root / "sources.yml"

    @property
    def themes(self) -> Path:
        return self.root / "themes.yml"

    @property
    def curation(self) -> Path:
        return self.root / "curation.yml"


def page_files(paths: ContentPaths) -> list[Path]:
    if not paths.pages.is_dir():
        raise InputError(str(paths.pages), "page folder not found")
    return sorted(
        p for p in paths.pages.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
    )


def _code_fingerprint() -> str:
    """Changes whenever the ingest code changes, so the cache never serves stale output."""
    here = Path(__file__).parent
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for name in ("read.py", "clean.py", "segment.py", "model.py"):
        module = here / name
        if module.exists():
            digest.update(module.read_bytes())
    return digest.hexdigest()[:12]


def ingest_file(path: Path, cache_dir: Path | None, fingerprint: str) -> tuple[PageResult | None, list[Problem]]:
    """read → clean → segment one page file; never raises for bad input."""
    from .read import read_page
    from .segment import segment_page

    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file=path.name, message=f"cannot read file: {exc.strerror}", level="error")]
    cached = _cache_entry(path, data, cache_dir, fingerprint) if cache_dir else None
    if cached:
        outcome = _load_cached(cached)
        if outcome is not None:
            return outcome
    page, problems = read_page(path)
    result = None
    if page is not None:
        result = segment_page(page)
        problems = [*problems, *result.problems]
    outcome = (result, list(problems))
    if cached:
        atomic.write_file(cached, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    return outcome


def _cache_entry(path: Path, data: bytes, cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / f"{page_key(path, data, fingerprint)}.pickle"


def page_key(path: Path, data: bytes, fingerprint: str) -> str:
    """What a page's articles are a function of: its bytes, its name and the ingest code."""
    return hashlib.sha256(data + path.name.encode("utf-8") + fingerprint.encode()).hexdigest()


def _load_cached(entry: Path) -> tuple[PageResult | None, list[Problem]] | None:
    try:
        return pickle.loads(entry.read_bytes())
    except Exception:  # missing or corrupt: just a miss
        return None


def cached_outcome(path: Path, cache_dir: Path, fingerprint: str) -> tuple[PageResult | None, list[Problem]] | None:
    """A page's cached ingest result, or None (also when the file cannot be read: ingest_file reports that)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _load_cached(_cache_entry(path, data, cache_dir, fingerprint))


def _ingest_worker(args: tuple[str, str | None, str]) -> tuple[PageResult | None, list[Problem]]:
    path, cache_dir, fingerprint = args
    return ingest_file(Path(path), Path(cache_dir) if cache_dir else None, fingerprint)


def ingest_all(files: list[Path], cache_dir: Path | None, jobs: int) -> tuple[list[PageResult], list[Problem]]:
    fingerprint = _code_fingerprint()
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)
    # Cache hits are read here: a pool only pays (start-up, imports) for pages that need segmenting.
    outcomes = [cached_outcome(p, cache_dir, fingerprint) if cache_dir else None for p in files]
    misses = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if jobs > 1 and len(misses) >= PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            args = [(str(files[i]), str(cache_dir) if cache_dir else None, fingerprint) for i in misses]
            fresh = list(pool.map(_ingest_worker, args, chunksize=16))
    else:
        fresh = [ingest_file(files[i], cache_dir, fingerprint) for i in misses]
    for i, outcome in zip(misses, fresh):
        outcomes[i] = outcome
    results, problems = [], []
    for result, page_problems in outcomes:
        problems.extend(page_problems)
        if result is not None:
            results.append(result)
    return results, problems


def article_keys(files: list[Path], results: list[PageResult]) -> list[str] | None:
    """For each article of `results`, a key that changes whenever the article can: its page's
    key (what the page cache is keyed by) and its place on the page. None if a page cannot be
    read again (the caller then spells articles out)."""
    fingerprint = _code_fingerprint()
    pages: dict[str, str] = {}
    try:
        for path in files:
            pages[path.name] = page_key(path, path.read_bytes(), fingerprint)
    except OSError:
        return None
    keys = []
    for result in results:
        page = pages.get(result.source)
        if page is None:
            return None
        keys += [f"{page}:{n}" for n in range(len(result.articles))]
    return keys


def parsed_once(path: Path, load: Callable[[Path], T], cache_dir: Path | None) -> T:
    """load(path), reused from the cache while the file's bytes and the YAML code are the same.

    sources.yml grows by a line or two a page; parsing it with a line number on every
    key takes half a second at 2,500 pages, for a file that rarely changes. Only
    successful parses are kept: a broken file is parsed, and reported, every time.
    """
    if cache_dir is None:
        return load(path)
    try:
        data = path.read_bytes()
    except OSError:
        return load(path)  # reports the problem as an InputError
    here = Path(__file__).parent
    key = hashlib.sha256(data)
    for module in ("yamlio.py", "model.py"):
        key.update((here / module).read_bytes())
    entry = cache_dir / "parsed" / f"{path.name}-{key.hexdigest()[:32]}.pickle"
    try:
        return pickle.loads(entry.read_bytes())
    except Exception:  # missing or unreadable: parse again
        pass
    value = load(path)
    entry.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_file(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def with_folio(info: SourceInfo, result: PageResult) -> SourceInfo:
    """What sources.yml says of a page, completed from the page itself: its folio line
    (湖州日报  2025年3月12日  星期三  第3版), then its file name (浙江日报-2025-03-06-第5版.txt).
    An editor's entry always wins, field by field; the folio wins over the name."""
    from .segment import file_name_parts, folio_parts

    found: dict[str, str] = {}
    for piece in result.furniture:
        if piece.kind == "folio":
            found = folio_parts(piece.text) or {}
            break
    named = file_name_parts(result.source)
    return replace(
        info,
        publication=info.publication or found.get("publication") or named.get("publication"),
        date=info.date or found.get("date") or named.get("date"),
        page=info.page or found.get("page") or named.get("page"),
    )


def completed_sources(sources: dict[str, SourceInfo], results: list[PageResult]) -> dict[str, SourceInfo]:
    """sources.yml's entries, plus one for every page read, each completed by with_folio."""
    out = dict(sources)
    for result in sorted(results, key=lambda r: r.source):
        out[result.source] = with_folio(out.get(result.source) or SourceInfo(name=result.source), result)
    return out


def _sort_key(item: Enriched) -> tuple:
    # Newest first; undated last; then by page and position for a stable order.
    return (item.date is None, _negated(item.date or ""), item.article.source, item.article.position)


def _negated(date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in date.split("-") if part.isdigit())


def restrict_to_theme(articles: list[Enriched], theme_id: str) -> list[Enriched]:
    """Keep one theme's articles, and only the links between them."""
    kept = [a for a in articles if theme_id in a.themes]
    ids = {a.id for a in kept}
    return [replace(a, related=[r for r in a.related if r in ids]) for a in kept]


def check_unique_ids(articles: list[Article]) -> None:
    """Stop when two pages yield the same article id, rather than let one page overwrite the other.

    Ids are the page file's ASCII slug plus a hash of the title, so two files whose names slug
    alike (`平湖日报-…-第1版.txt`, `嘉兴日报-…-第1版.txt`) carrying the same headline collide.
    """
    first: dict[str, Article] = {}
    for article in articles:
        other = first.setdefault(article.id, article)
        if other is not article:
            raise InputError(
                article.source,
                f"article 《{article.title}》 gets the id {article.id!r}, as does 《{other.title}》 of "
                f"{other.source}: rename one of the two page files",
            )


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def build_digest(
    content_dir: Path,
    *,
    only_theme: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    search_words: dict[bytes, str] | None = None,
) -> tuple[Digest, dict[str, SourceInfo]]:
    """Everything up to curation; raises InputError for input that must stop the run.

    `search_words`, if given, receives what enrichment cut of the searchable texts (see enrich_corpus).
    """
    from .yamlio import load_themes

    paths = ContentPaths(Path(content_dir))
    themes: tuple[Theme, ...] = load_themes(paths.themes)
    theme_ids = {t.id for t in themes}
    if only_theme is not None and only_theme not in theme_ids:
        raise InputError(str(paths.themes), f"unknown theme id {only_theme!r}; known: {', '.join(sorted(theme_ids))}")
    jobs = jobs or default_jobs()
    with _analysis_standby(themes, jobs, cache_dir) as standby:
        return _build_digest(paths, themes, only_theme, jobs, cache_dir, search_words, standby)


def _analysis_standby(themes: tuple[Theme, ...], jobs: int, cache_dir: Path | None) -> contextlib.AbstractContextManager:
    """A child loading the tokenizer while the pages are read, when this looks like a rebuild
    (the cache holds a previous run's corpus state): see enrich.analysis_standby."""
    from .enrich import CORPUS_STATE, analysis_standby

    if jobs > 1 and cache_dir is not None and (cache_dir / "analysis" / CORPUS_STATE).exists():
        return analysis_standby(themes)
    return contextlib.nullcontext()


def _build_digest(
    paths: ContentPaths,
    themes: tuple[Theme, ...],
    only_theme: str | None,
    jobs: int,
    cache_dir: Path | None,
    search_words: dict[bytes, str] | None,
    standby: Standby | None,
) -> tuple[Digest, dict[str, SourceInfo]]:
    from .curate import apply_curation, load_curation
    from .enrich import enrich_corpus
    from .yamlio import load_sources

    theme_ids = {t.id for t in themes}
    files = page_files(paths)
    sources = parsed_once(paths.sources, load_sources, cache_dir) if paths.sources.exists() else {}
    results, problems = ingest_all(files, cache_dir, jobs)
    articles = [article for result in results for article in result.articles]
    check_unique_ids(articles)
    known_ids = {a.id for a in articles}
    # Curation is validated before any work is written, so a broken file stops the run early.
    curation = load_curation(paths.curation, known_ids, theme_ids) if paths.curation.exists() else None
    sources = completed_sources(sources, results)
    keys = article_keys(files, results) if cache_dir else None
    # Per-article analyses are cached beside the page cache, by content hash: a one-page
    # change re-analyses only that page's articles, and the corpus-level part recomputes only
    # what their changes reach (enrich/corpus.py).
    enriched = enrich_corpus(
        articles,
        sources,
        themes,
        jobs=jobs,
        cache_dir=cache_dir / "analysis" if cache_dir else None,
        search_words=search_words,
        standby=standby,
        article_keys=keys,
    )
    if curation is not None:
        enriched = apply_curation(enriched, curation)
    if only_theme is not None:
        enriched = restrict_to_theme(enriched, only_theme)
    enriched.sort(key=_sort_key)
    for problem in problems:
        log.warning(str(problem)) if problem.level == "warning" else log.error(str(problem))
    digest = Digest(
        articles=tuple(enriched),
        themes=themes,
        problems=tuple(problems),
        content_keys=_unedited_keys(enriched, articles, keys) if keys is not None else {},
    )
    return digest, sources


def _unedited_keys(enriched: list[Enriched], articles: list[Article], keys: list[str]) -> dict[str, str]:
    """Article id → its content key, for the articles still the very objects read: curation's
    edits and merges replace an article, and then its page bytes no longer stand for it."""
    read = {id(article): key for article, key in zip(articles, keys)}
    # `articles` holds every object read, so no id() here belongs to a new object.
    return {item.id: read[id(item.article)] for item in enriched if id(item.article) in read}


def article_url(item: Enriched) -> str:
    return f"articles/{item.id}.html"


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the run, back to what it was after.

    A run builds millions of long-lived objects (tokens, postings, pages) and frees them
    together at the end; every full collection walks all of them, which cost a tenth of a
    10,000-article run. The data has no cycles to find; what the run frees goes at once by
    reference counting.

    What the run keeps is frozen (gc.freeze) before the collector is enabled again: every
    object made while it was off is still in the youngest generation, and the first
    collection after would walk them all (a third of a second) to find nothing. Frozen
    objects are still freed by reference counting; only a cycle among them would stay.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def generate(
    content_dir: Path,
    *,
    only_theme: str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> tuple[Digest, dict[str, bytes]]:
    """The whole generated docs tree as a mapping, without writing anything."""
    jobs = jobs or default_jobs()
    with collector_paused():
        return _generate(content_dir, only_theme, site_url, jobs, cache_dir)


def _generate(
    content_dir: Path, only_theme: str | None, site_url: str | None, jobs: int, cache_dir: Path | None
) -> tuple[Digest, dict[str, bytes]]:
    from .render import render_site
    from .search_index import build_search_index

    words: dict[bytes, str] = {}
    digest, sources = build_digest(content_dir, only_theme=only_theme, jobs=jobs, cache_dir=cache_dir, search_words=words)
    # The search index and the pages depend on the digest only, not on each other: with
    # two cores they are built side by side. Postings of unchanged runs of articles are
    # cached by content hash; the words enrichment cut are handed over, not cut again.
    search, files = side_by_side(
        lambda: build_search_index(
            digest, article_url, jobs=jobs, cache_dir=cache_dir / "search" if cache_dir else None, known_words=words
        ),
        lambda: render_site(digest, sources, site_url, cache_dir=cache_dir / "render" if cache_dir else None, jobs=jobs),
        parallel=jobs > 1 and len(digest.articles) >= SIDE_BY_SIDE_THRESHOLD,
    )
    del words
    files.update(search)
    del search
    return digest, files


def run(
    content_dir: Path,
    out_dir: Path,
    *,
    only_theme: str | None = None,
    site_url: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> Digest:
    """Generate and publish into out_dir atomically (nothing is written if any stage fails)."""
    if cache_dir is None:
        cache_dir = Path(content_dir).resolve().parent / ".cache" / "pages"
    with collector_paused():
        digest, files = generate(content_dir, only_theme=only_theme, site_url=site_url, jobs=jobs, cache_dir=cache_dir)
        changed = atomic.publish_tree(files, Path(out_dir))
    log.info("generator: %d articles, %d files%s", len(digest.articles), len(files), "" if changed else " (unchanged)")
    return digest
