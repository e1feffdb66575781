"""Search in real headless Chromium: queries typed into the search box.

Two targets:
- a harness page (the real partials/search.html rendered by Jinja, the real search.js,
  the index of the seed articles) served over HTTP and opened from file://, so the
  browser side is tested before (and independently of) the whole site;
- the real site built by mkdocs from the seed pages (skipped until it can be built).

Queries come from the seed text itself: each article's keywords (what enrichment
considers its words), names of places it mentions, and pieces of its title. An
article is relevant to a query when its text contains every part of the query.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import ROOT, SiteServer, browser, built_site, page_in, site_server  # noqa: F401 (fixtures)
from generator.enrich import enrich_corpus
from generator.model import Digest
from generator.search_index import SearchDoc, build_search_index, normalise, query_parts
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, hand_made, segmented

pytestmark = pytest.mark.browser

THEMES = load_themes(CONTENT / "themes.yml")
SOURCES = load_sources(CONTENT / "sources.yml")
MATERIAL = ROOT / ".venv" / "lib" / "python3.11" / "site-packages" / "material" / "templates"


def url(item) -> str:
    return f"articles/{item.id}.html"


# ---------------------------------------------------------------- harness


def render_partial(base: str) -> str:
    """overrides/partials/search.html rendered as MkDocs would (icons from Material's templates)."""
    import jinja2
    import material

    templates = Path(material.__file__).resolve().parent / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(ROOT / "overrides"), str(templates)]))

    def url_filter(path: str) -> str:
        return f"{base}/{path}"

    env.filters["url"] = url_filter
    config = {"theme": {"icon": {}}}
    return env.get_template("partials/search.html").render(config=config, base_url=base)


HARNESS = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>搜索测试</title></head>
<body>
<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off" aria-label="搜索开关">
<header><nav>{partial}</nav></header>
<main><h1>搜索测试</h1><a id="elsewhere" href="#">别处</a></main>
</body></html>
"""


def write_harness(dest: Path, digest: Digest) -> Path:
    """A tiny site: one page at sub/page.html (so relative paths are exercised), the index, the assets."""
    for name, data in build_search_index(digest, url).items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)
    for asset in ("assets/javascripts/search.js", "assets/stylesheets/search.css"):
        (dest / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "overrides" / asset, dest / asset)
    for item in digest.articles:
        page = dest / url(item)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<!doctype html><title>{item.id}</title>", encoding="utf-8")
    (dest / "sub").mkdir(exist_ok=True)
    (dest / "sub" / "page.html").write_text(HARNESS.format(partial=render_partial("..")), encoding="utf-8")
    return dest / "sub" / "page.html"


def rough_articles() -> list:
    """Seed pages cut into article-sized pieces, for while segmentation is missing: real text, many articles."""
    from generator.model import Article

    out = []
    for path in sorted((CONTENT / "pages").glob("*.txt")):
        blocks = [re.sub(r"\s*\n\s*", "", b).strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
        blocks = [b for b in blocks if len(b) > 8]
        for k in range(0, len(blocks), 4):
            chunk = blocks[k : k + 4]
            title = re.sub(r"[^\u4e00-\u9fff]", "", chunk[0])[:14] or f"片段{k}"
            out.append(Article(id=f"{path.stem[:3]}-{k}", source=path.name, position=k, title=title, body="\n\n".join(chunk[1:]) or chunk[0]))
    return out


@dataclass
class Corpus:
    digest: Digest
    texts: list[str]  # normalised searchable text, digest order
    titles: list[str]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    articles = segmented() or hand_made() + rough_articles()
    digest = Digest(articles=tuple(enrich_corpus(articles, SOURCES, THEMES)), themes=THEMES)
    docs = [SearchDoc(item, url(item)) for item in digest.articles]
    return Corpus(digest, [normalise(d.text) for d in docs], [normalise(d.title) for d in docs])


@pytest.fixture(scope="module")
def harness(tmp_path_factory, corpus) -> Path:
    return write_harness(tmp_path_factory.mktemp("harness"), corpus.digest)


@pytest.fixture(scope="module")
def harness_server(harness):
    with SiteServer(harness.parent.parent) as server:
        yield server


# ---------------------------------------------------------------- driving the search box


ROOT_SEL = '[data-md-component="digest-search"]'


def search(page, query: str, timeout: float = 5000) -> list[dict]:
    box = page.locator("[data-digest-search-input]")
    box.fill("")
    box.fill(query)
    page.wait_for_function(
        """(q) => { const r = document.querySelector('%s');
                    return r.getAttribute('data-digest-search-query') === q; }""" % ROOT_SEL,
        arg=query,
        timeout=timeout,
    )
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-digest-search-list] li')).map(li => ({
              href: li.querySelector('a').getAttribute('href'),
              title: li.querySelector('.digest-search__title').textContent,
              teaser: li.querySelector('.md-search-result__teaser').textContent,
              marks: Array.from(li.querySelectorAll('mark')).map(m => m.textContent),
           }))"""
    )


def status(page) -> str:
    return page.locator("[data-digest-search-status]").text_content().strip()


def article_ids(results: list[dict]) -> list[str]:
    return [re.search(r"articles/([^/]+)\.html$", r["href"]).group(1) for r in results]


def open_page(browser, address: str):
    page, log = page_in(browser)
    page.goto(address)
    page.wait_for_selector(ROOT_SEL + "[data-digest-search-mounted]", state="attached")
    return page, log


# ---------------------------------------------------------------- the query set


def query_set(corpus: Corpus) -> list[str]:
    """Words and names from the seed text: keywords, places, title pieces; deterministic."""
    queries: list[str] = []

    def add(q: str) -> None:
        q = q.strip()
        if len(q) >= 2 and q not in queries and any(q in t for t in corpus.texts):
            queries.append(q)

    for item in corpus.digest.articles:
        for word in item.keywords[:4]:
            add(normalise(word))
        for region in item.regions[:2]:
            add(normalise((region.county or region.city)))
        title_runs = re.findall(r"[\u4e00-\u9fff]{4,}", normalise(item.article.title))
        if title_runs:
            add(title_runs[0][:4])
    # Two words at once: narrows to the articles having both.
    for item in corpus.digest.articles[:6]:
        if len(item.keywords) >= 2:
            add(normalise(item.keywords[0]) + " " + normalise(item.keywords[-1]))
    # Spread over the corpus, and few enough that the test stays quick.
    step = max(1, len(queries) // 150)
    return queries[::step]


def relevant(corpus: Corpus, query: str) -> set[int]:
    parts = query_parts(query)
    return {n for n, text in enumerate(corpus.texts) if all(p in text for p in parts)}


def evaluate(page, corpus: Corpus, queries: list[str]) -> dict:
    ids = [item.id for item in corpus.digest.articles]
    top1 = p5 = r20 = 0.0
    misses = []
    for q in queries:
        got = [ids.index(i) for i in article_ids(search(page, q))]
        want = relevant(corpus, q)
        in_title = {n for n in want if all(p in corpus.titles[n] for p in query_parts(q))}
        best = in_title or want
        ok1 = bool(got) and got[0] in best
        top1 += ok1
        head = got[:5]
        p5 += (sum(n in want for n in head) / len(head)) if head else 0.0
        r20 += len(set(got[:20]) & want) / min(len(want), 20)
        if not ok1 or not want & set(got[:20]) == set(sorted(want)[:20]) and len(want) <= 20 and set(got) != want:
            misses.append((q, got[:5], sorted(want)[:5]))
    n = len(queries)
    return {"n": n, "top1": top1 / n, "p5": p5 / n, "r20": r20 / n, "misses": misses}


# ---------------------------------------------------------------- tests on the harness


def test_query_quality_over_http(browser, harness_server, corpus) -> None:
    page, log = open_page(browser, harness_server.url("sub/page.html"))
    queries = query_set(corpus)
    assert len(queries) >= 20
    result = evaluate(page, corpus, queries)
    print(f"\n{result['n']} queries: top-1 {result['top1']:.3f}, P@5 {result['p5']:.3f}, R@20 {result['r20']:.3f}")
    for miss in result["misses"]:
        print("  miss:", miss)
    assert result["top1"] >= 0.95
    assert result["p5"] >= 0.95
    assert result["r20"] >= 0.98
    assert not log.third_party
    assert not log.console_errors


def test_results_are_exact_and_clean(browser, harness_server, corpus) -> None:
    page, _log = open_page(browser, harness_server.url("sub/page.html"))
    for q in ("毛家坪水厂", "职业经理人", "共富工坊", "水务"):
        want = relevant(corpus, q)
        results = search(page, q)
        assert len(results) == len(want), q
        if want:
            assert status(page) == f"找到 {len(want)} 篇"
        for r in results:
            assert "\u200b" not in r["title"] and "\u200b" not in r["teaser"]
            assert r["marks"] and all(normalise(m) == q for m in r["marks"]), (q, r["marks"])
            # Links are relative to the page (sub/page.html → ../articles/…).
            assert r["href"].startswith(harness_server.url("articles/"))
    assert search(page, "坪家毛") == []
    assert status(page) == "没有找到相关文章"


def test_traditional_queries(browser, harness_server, corpus) -> None:
    import opencc

    to_trad = opencc.OpenCC("s2t")
    page, _log = open_page(browser, harness_server.url("sub/page.html"))
    answered = 0
    queries = [q for q in query_set(corpus) if to_trad.convert(q) != q][:15]
    assert queries
    for q in queries:
        simplified = article_ids(search(page, q))
        traditional = article_ids(search(page, to_trad.convert(q)))
        assert traditional == simplified, (q, to_trad.convert(q))
        answered += bool(traditional)
    assert answered == len(queries)


def test_from_file_url_without_network(browser, harness, corpus) -> None:
    page, log = open_page(browser, harness.as_uri())
    want = relevant(corpus, "职业经理人")
    results = search(page, "职业经理人")
    assert len(results) == len(want) > 0
    assert results[0]["href"].startswith("file://")
    assert all(u.startswith("file://") for u in log.urls), log.urls
    assert not log.console_errors


def test_keyboard(browser, harness_server) -> None:
    page, _log = open_page(browser, harness_server.url("sub/page.html"))
    page.locator("#elsewhere").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.hasAttribute('data-digest-search-input')")
    assert page.evaluate("document.getElementById('__search').checked")
    page.keyboard.type("共富工坊")
    page.wait_for_function("document.querySelector('%s').getAttribute('data-digest-search-query') === '共富工坊'" % ROOT_SEL)
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.className")
    assert "md-search-result__link" in first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.hasAttribute('data-digest-search-input')")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")


def test_html_in_titles_is_text(browser, tmp_path) -> None:
    from generator.model import Article

    evil = Article(id="evil", source="x.txt", position=0, title='<img src=x onerror="window.pwned=1">共富工坊', body="共富工坊<b>粗</b>")
    digest = Digest(articles=tuple(enrich_corpus([evil], SOURCES, THEMES)), themes=THEMES)
    page_path = write_harness(tmp_path, digest)
    page, _log = open_page(browser, page_path.as_uri())
    results = search(page, "共富工坊")
    assert results[0]["title"].startswith("<img src=x")
    assert page.evaluate("window.pwned === undefined && !document.querySelector('[data-digest-search-list] img, [data-digest-search-list] b')")


def test_python_and_javascript_agree(browser, harness_server) -> None:
    from generator.search_index import decode_numbers, encode_numbers, shard_of

    page, _log = open_page(browser, harness_server.url("sub/page.html"))
    page.locator("[data-digest-search-input]").fill("预热")  # loads t2s.js so normalise sees the table
    page.wait_for_function("document.querySelector('%s').hasAttribute('data-digest-search-query')" % ROOT_SEL)
    keys = ["乡村", "共富工坊", "a", "5g", "𠀀字", "職業"]
    js = page.evaluate(
        "(keys) => keys.map(k => window.__digestSearch.internals.shardOf(k, 4096))", keys
    )
    assert js == [shard_of(k, 4096) for k in keys]
    numbers = [0, 1, 31, 32, 1023, 1024, 99999, 2**30]
    assert page.evaluate("(t) => window.__digestSearch.internals.decode(t)", encode_numbers(numbers)) == numbers
    for text in ("鄉村振興ＡＢｃ　１２", "職業經理人", "一目瞭然的乾隆"):
        search(page, text)  # loads the parts of the traditional → simplified table the text needs
        assert page.evaluate("(t) => window.__digestSearch.internals.normalise(t)", text) == normalise(text)
        assert page.evaluate("(t) => window.__digestSearch.internals.parse(t)", text) == query_parts(text)


# ---------------------------------------------------------------- tests on the built site


def test_built_site_search(browser, site_server) -> None:
    """The real site (seed pages through the whole pipeline): query quality, links, no third parties."""
    from generator.pipeline import build_digest

    digest, _sources = build_digest(CONTENT, jobs=1)
    docs = [SearchDoc(item, url(item)) for item in digest.articles]
    site_corpus = Corpus(digest, [normalise(d.text) for d in docs], [normalise(d.title) for d in docs])
    page, log = open_page(browser, site_server.url("articles/" + digest.articles[0].id + ".html"))
    queries = query_set(site_corpus)
    result = evaluate(page, site_corpus, queries)
    print(f"\nsite, {result['n']} queries: top-1 {result['top1']:.3f}, P@5 {result['p5']:.3f}, R@20 {result['r20']:.3f}")
    for miss in result["misses"]:
        print("  miss:", miss)
    assert result["top1"] >= 0.95 and result["p5"] >= 0.95 and result["r20"] >= 0.98
    results = search(page, queries[0])
    page.goto(results[0]["href"])
    assert page.title()
    assert not log.third_party


# ---------------------------------------------------------------- inside a real Material page


@pytest.fixture(scope="module")
def mini_server(tmp_path_factory, corpus):
    from browser import build_mini_site

    site = build_mini_site(tmp_path_factory.mktemp("mini"), corpus.digest, url)
    with SiteServer(site) as server:
        yield server


def test_inside_material(browser, mini_server, corpus) -> None:
    """Our header and partial in a real mkdocs + Material build: Material's bundle leaves search to us."""
    item = corpus.digest.articles[0]
    page, log = open_page(browser, mini_server.url(url(item)))
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.hasAttribute('data-digest-search-input')")
    results = search(page, "职业经理人")
    assert len(results) == len(relevant(corpus, "职业经理人")) > 0
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert "/articles/" in page.url and page.title()
    assert not any("search_index" in u or "/workers/search" in u for u in log.urls), log.urls
    assert not log.third_party and not log.console_errors
