"""Enrichment: what readers browse by (themes, regions, dates) and skim (summary, figures).

Two layers, so the pipeline can parallelise the expensive part:
- `analyse_article(article, themes, source)`: pure and per article (jieba
  tokenizing, theme scores, summary, regions, figures, date). Top-level and
  picklable, for a multiprocessing pool; each process builds its tokenizer once.
- corpus level, in the calling process: IDF over all articles → keywords,
  TF-IDF vectors → related articles.
`enrich_corpus(articles, sources, themes, jobs=1, cache_dir=None)` does both; with a
cache_dir the per-article layer is reused for unchanged articles (content-hash cache), and
the corpus level recomputes only what the changed articles reach (corpus.py).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import pickle
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ..atomic import write_file
from ..forked import Standby
from ..model import Article, Dateline, Enriched, Figure, Region, SourceInfo, Theme, ThemeScore, spelled_out
from . import corpus as _corpus
from . import figures as _figures
from . import keywords as _keywords
from . import regions as _regions
from . import summary as _summary
from . import themes as _themes
from ..search_index import document_words, search_dictionary, search_fields, text_key
from .text import cut_by_line, paragraphs, shared_tokenizer

__all__ = [
    "Analyzer",
    "ArticleAnalysis",
    "analyse_article",
    "analyse_cached",
    "analysis_keys",
    "analysis_standby",
    "article_date",
    "enrich_corpus",
    "finish_corpus",
    "get_analyzer",
]

_SPACE = re.compile(r"\s")
# Below this many articles a process pool costs more (start-up, jieba load) than it saves.
PARALLEL_THRESHOLD = 400
RANKED_TERMS = _corpus.RANKED_TERMS
# The corpus part's state, in the analysis cache folder; not *.pickle, the analyses' pattern.
CORPUS_STATE = "corpus-state.bin"
# Bump when ArticleAnalysis changes shape, so stale cache entries are ignored.
ANALYSIS_CACHE_VERSION = "2"


@dataclass(frozen=True)
class ArticleAnalysis:
    """Everything about one article that does not depend on the rest of the corpus."""

    id: str
    length: int
    # The content terms (keyword candidates) over headline and body, pickled: see `counts`.
    counts_data: bytes
    head_terms: frozenset[str]
    theme_scores: tuple[ThemeScore, ...]
    themes: tuple[str, ...]
    summary: str
    regions: tuple[Region, ...]
    figures: tuple[Figure, ...]
    date: str | None
    # (text_key, document_words) of the article's searchable text, so the search index need not
    # cut it again (nor load a tokenizer when a rebuild re-indexes a run of unchanged articles).
    search_words: tuple[bytes, str] | None = None

    @functools.cached_property
    def counts(self) -> Counter:
        """Term → count, decoded on first use.

        Hundreds of strings an article: decoding them is most of the cost of reading an
        analysis back from the cache, and a rebuild needs the counts of few articles
        (those whose keywords may have moved; see corpus.py).
        """
        return Counter(pickle.loads(self.counts_data))


class Analyzer:
    """A tokenizer with the theme lexicons in its dictionary, plus the theme index."""

    def __init__(self, themes: tuple[Theme, ...]) -> None:
        self.themes = themes
        self.index = _themes.ThemeIndex.build(themes)
        self.lexicon = frozenset(self.index.terms)
        self.tokenizer, self.cut = shared_tokenizer(self.lexicon | frozenset(_regions.dictionary_words()))

    def analyse(self, article: Article, source: SourceInfo | None = None) -> ArticleAnalysis:
        head = "\n".join(x for x in (article.kicker, article.title, article.subtitle) if x)
        # A photo story's text is its caption: that is what its summary and figures come from.
        paras = paragraphs(article.body) or [c.text for c in article.captions if c.text]
        body_parts = paragraphs(article.body, with_headings=True) + [c.text for c in article.captions if c.text]
        body = "\n".join(body_parts)
        memo: dict[str, list[str]] = {}
        head_tokens = cut_by_line(self.cut, head, memo)
        body_tokens = cut_by_line(self.cut, body, memo)
        length = len(head) + len(body) - len(_SPACE.findall(head)) - len(_SPACE.findall(body))

        head_all, body_all = Counter(head_tokens), Counter(body_tokens)
        strong: dict[str, float] = {}
        in_headline: dict[str, float] = {}
        scores = _themes.score_themes(self.index, head_all, body_all, length, strong, in_headline)
        accepted = _themes.accept_themes(scores, strong, in_headline)

        head_counts = _keywords.content_counts(head_all)
        counts = _keywords.content_counts(body_all)
        counts.update(head_counts)
        head_terms = frozenset(head_counts)
        cue = set(head_terms) | {t for s in scores for t in s.terms}
        summary = _summary.summarise(paras, cue)

        table = _regions.divisions()
        home = table.resolve(source.publication) if source and source.publication else None
        regions = _regions.find_regions(
            head,
            body,
            head_tokens=head_tokens,
            body_tokens=body_tokens,
            home=home,
            dateline_place=story_place(article.dateline),
        )
        freq = self.tokenizer.FREQ
        figures = _figures.find_figures(head, paras, is_word=lambda w: bool(freq.get(w)) or _figures._is_word(w))
        date = article_date(source.date if source else None, article.dateline)
        search_text = search_fields(article)[0]
        words = document_words(cut_by_line(self.cut, search_text, memo), search_text, self.search_dictionary)
        return ArticleAnalysis(
            id=article.id,
            length=length,
            counts_data=pickle.dumps(dict(counts), protocol=pickle.HIGHEST_PROTOCOL),
            head_terms=head_terms,
            theme_scores=tuple(scores),
            themes=tuple(accepted),
            summary=summary,
            regions=tuple(regions),
            figures=tuple(figures),
            date=date,
            search_words=(text_key(search_text), words),
        )

    @functools.cached_property
    def search_dictionary(self) -> frozenset[str]:
        return search_dictionary(self.tokenizer)


# A news agency's dateline names its bureau (新华社杭州9月17日电), not where the story happened;
# a paper's own (本报嘉兴3月5日电) names where its reporter went.
AGENCY_DATELINES = ("新华社", "中新社", "中新网", "人民网", "央视网", "浙江在线")


def story_place(dateline: Dateline | None) -> str | None:
    if dateline is None or dateline.raw.startswith(AGENCY_DATELINES):
        return None
    return dateline.place


@functools.lru_cache(maxsize=4)
def get_analyzer(themes: tuple[Theme, ...]) -> Analyzer:
    """One analyzer per process and theme set: the jieba dictionary loads once."""
    return Analyzer(themes)


def analyse_article(article: Article, themes: tuple[Theme, ...], source: SourceInfo | None = None) -> ArticleAnalysis:
    return get_analyzer(themes).analyse(article, source)


def _analyse_batch(batch: list[tuple[Article, SourceInfo | None]], themes: tuple[Theme, ...]) -> list[ArticleAnalysis]:
    analyzer = get_analyzer(themes)
    return [analyzer.analyse(article, source) for article, source in batch]


def article_date(source_date: str | None, dateline: Dateline | None) -> str | None:
    """The page's date, refined to the day by a dateline that names one (本报桐庐2月26日电)."""
    if not source_date:
        return None
    if dateline is None or not dateline.month:
        return source_date
    year = int(source_date[:4])
    if len(source_date) >= 7:
        page_month = int(source_date[5:7])
        if dateline.month == 12 and page_month == 1:
            year -= 1  # a December dateline on a January page
        elif dateline.month > page_month:
            return source_date  # a dateline after the page's month is something else; keep what we know
    if not dateline.day:
        return source_date if len(source_date) >= 7 else f"{year:04d}-{dateline.month:02d}"
    try:
        return _dt.date(year, dateline.month, dateline.day).isoformat()
    except ValueError:
        return source_date


def finish_corpus(
    articles: list[Article],
    analyses: list[ArticleAnalysis],
    sources: dict[str, SourceInfo],
    themes: tuple[Theme, ...],
    jobs: int = 1,
    keys: list[str] | None = None,
    state_path: Path | None = None,
) -> list[Enriched]:
    """The corpus-level part: IDF, keywords, related articles; then the Enriched records.

    With jobs > 1 the per-article loops are split over forked processes (see forked.py).
    With `state_path`, what this run computes is kept there and the next run recomputes only
    what its changes reach (see corpus.py); `keys[i]` identifies analyses[i] (equal key, equal
    analysis), as the analysis cache keys do. The output is the same either way.
    """
    lexicon = frozenset(term for theme in themes for term, _ in theme.lexicon)
    state, _stats = _corpus.finish([a.id for a in articles], analyses, lexicon, jobs, keys, state_path)
    # Copies: the lists are the state's too, and callers may edit their records.
    keyword_lists = [list(k) for k in state.keywords]
    related = [list(r) for r in state.related]
    out = []
    for article, analysis, keywords, rel in zip(articles, analyses, keyword_lists, related):
        source = sources.get(article.source)
        out.append(
            Enriched(
                article=article,
                date=analysis.date,
                themes=list(analysis.themes),
                theme_scores=list(analysis.theme_scores),
                summary=analysis.summary,
                keywords=keywords,
                regions=list(analysis.regions),
                figures=list(analysis.figures),
                related=rel,
                publication=source.publication if source else None,
                page=source.page if source else None,
            )
        )
    return out


def _analyse_all(work: list[tuple[Article, SourceInfo | None]], themes: tuple[Theme, ...], jobs: int) -> list[ArticleAnalysis]:
    if not work:  # everything cached: no need to load the tokenizer (~1 s)
        return []
    if jobs > 1 and len(work) >= PARALLEL_THRESHOLD:
        size = max(50, len(work) // (jobs * 8))
        batches = [work[i : i + size] for i in range(0, len(work), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(functools.partial(_analyse_batch, themes=themes), batches)
            return [a for batch in results for a in batch]
    return _analyse_batch(work, themes)


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever the per-article analysis could: this package, the model, the search
    index's text and words (search_index.py), the data files."""
    import jieba

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{ANALYSIS_CACHE_VERSION}\0jieba {jieba.__version__}".encode())
    files = sorted(here.glob("*.py")) + [here.parent / "model.py", here.parent / "search_index.py"]
    files += sorted((here.parent / "data").glob("*"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _analysis_key(prefix: str, article: Article, source: SourceInfo | None) -> str:
    """Everything analyse() reads: the article and its page's SourceInfo, field by field."""
    return hashlib.sha256(prefix.encode() + spelled_out((source, article))).hexdigest()


def _read_cached(path: Path) -> ArticleAnalysis | None:
    try:
        value = pickle.loads(path.read_bytes())
    except Exception:  # missing, truncated or from another version: just a miss
        return None
    return value if isinstance(value, ArticleAnalysis) else None


def _write_cached(path: Path, analysis: ArticleAnalysis) -> None:
    write_file(path, pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))


def analysis_keys(
    work: list[tuple[Article, SourceInfo | None]], themes: tuple[Theme, ...], article_keys: list[str] | None = None
) -> list[str]:
    """Each article's analysis cache key: equal keys, equal analyses.

    `article_keys`, if given, stand for the articles themselves: any string that changes
    whenever its article does (the pipeline's: its page file's content key and its place
    on the page). Spelling out 10,000 articles instead costs a third of a second.
    """
    prefix = hashlib.sha256(f"{_code_fingerprint()}\0{themes!r}".encode("utf-8")).hexdigest()
    if article_keys is None:
        return [_analysis_key(prefix, a, s) for a, s in work]
    start = prefix.encode()
    return [
        hashlib.sha256(start + key.encode() + b"\0" + spelled_out(source)).hexdigest()
        for key, (_article, source) in zip(article_keys, work, strict=True)
    ]


def analyse_cached(
    work: list[tuple[Article, SourceInfo | None]],
    themes: tuple[Theme, ...],
    jobs: int,
    cache_dir: Path,
    keys: list[str] | None = None,
    standby: Standby | None = None,
) -> list[ArticleAnalysis]:
    """The per-article part, reusing analyses of unchanged articles (cache keyed by content hash).

    An article's analysis depends only on the article, its page's SourceInfo, the themes and
    the code, all of which are in the key; so a rebuild after one page changed analyses only
    that page's articles. `keys`, if the caller has them already, are analysis_keys(work, themes).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    if keys is None:
        keys = analysis_keys(work, themes)
    paths = [cache_dir / f"{key}.pickle" for key in keys]
    absent = [i for i, path in enumerate(paths) if not path.exists()]
    absent_set = set(absent)

    def read_present() -> list[ArticleAnalysis | None]:
        return [None if i in absent_set else _read_cached(path) for i, path in enumerate(paths)]

    if standby is not None and 0 < len(absent) < PARALLEL_THRESHOLD:
        # A rebuild reads thousands of analyses and makes a few: the few in the standby
        # child, whose tokenizer is loaded by now, while this process reads the rest.
        made, analyses = standby.beside(([work[i] for i in absent], [paths[i] for i in absent]), read_present)
    else:
        analyses = read_present()
        made = _analyse_and_keep([work[i] for i in absent], [paths[i] for i in absent], themes, jobs)
    for i, analysis in zip(absent, made):
        analyses[i] = analysis
    # Entries that were there but unreadable, or of another article (a hash collision).
    misses = [i for i, found in enumerate(analyses) if found is None or found.id != work[i][0].id]
    for i, analysis in zip(misses, _analyse_and_keep([work[i] for i in misses], [paths[i] for i in misses], themes, jobs)):
        analyses[i] = analysis
    return analyses  # type: ignore[return-value]  # every miss was filled


def analysis_standby(themes: tuple[Theme, ...]) -> Standby:
    """A forked child loading the analyzer now, to analyse (and cache) a rebuild's changed
    articles later: a payload is (work, cache paths), as analyse_cached sends it."""
    themes = tuple(themes)
    return Standby(lambda: get_analyzer(themes), lambda payload: _analyse_and_keep(*payload, themes, 1))


def _analyse_and_keep(
    work: list[tuple[Article, SourceInfo | None]], paths: list[Path], themes: tuple[Theme, ...], jobs: int
) -> list[ArticleAnalysis]:
    analyses = _analyse_all(work, themes, jobs)
    for path, analysis in zip(paths, analyses):
        _write_cached(path, analysis)
    return analyses


def enrich_corpus(
    articles: list[Article],
    sources: dict[str, SourceInfo],
    themes: tuple[Theme, ...],
    jobs: int = 1,
    cache_dir: Path | None = None,
    search_words: dict[bytes, str] | None = None,
    standby: Standby | None = None,
    article_keys: list[str] | None = None,
) -> list[Enriched]:
    """Enrich every article; the same input gives the same output whatever `jobs` is, cache or not.

    With `cache_dir`, per-article analyses are kept there by content hash (see analyse_cached),
    and the corpus part's results in its file CORPUS_STATE, to be updated, not redone, by the
    next run (see corpus.py).
    A `search_words` dict receives the searchable words of every article (for
    search_index.build_search_index's known_words: tokenizing once is half the cost).
    With a cache, a `standby` (analysis_standby) analyses a rebuild's few changed articles,
    and `article_keys` (see analysis_keys) spare spelling every article out for its key.
    """
    articles = list(articles)
    themes = tuple(themes)
    work = [(a, sources.get(a.source)) for a in articles]
    keys, state_path = None, None
    if cache_dir is not None:
        keys = analysis_keys(work, themes, article_keys)
        state_path = Path(cache_dir) / CORPUS_STATE
        analyses = analyse_cached(work, themes, jobs, Path(cache_dir), keys, standby)
    else:
        analyses = _analyse_all(work, themes, jobs)
    if search_words is not None:
        search_words.update(a.search_words for a in analyses if a.search_words is not None)
    return finish_corpus(articles, analyses, sources, themes, jobs, keys, state_path)
