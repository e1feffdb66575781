"""Accessibility: axe-core (npm axe-core, `make npm-tools`) injected by Playwright into real Chromium.

No serious or critical violation on the home page, a theme page, an article page and the
search results, in the site built by mkdocs from the seed pages; plus the search UI alone in a
small Material site, so it is checked before the whole site builds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from browser import axe_source, browser, build_mini_site, built_site, page_in, site_server, SiteServer  # noqa: F401

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe() -> str:
    source = axe_source()
    if source is None:
        reason = "axe-core missing (run `make npm-tools`)"
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)
    return source


def violations(page, axe: str, context: str = "document") -> list[str]:
    page.add_script_tag(content=axe)
    found = page.evaluate(
        f"""() => axe.run({context}, {{resultTypes: ['violations']}}).then(r => r.violations
              .filter(v => {sorted(BLOCKING)!r}.includes(v.impact))
              .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"""
    )
    return found


def open_search(page, address: str, query: str) -> None:
    sep = "&" if "?" in address else "?"
    page.goto(f"{address}{sep}q={query}")
    page.wait_for_function(
        "(q) => document.querySelector('[data-md-component=digest-search]').getAttribute('data-digest-search-query') === q",
        arg=query,
    )


def site_pages(site: Path) -> dict[str, str]:
    def first(folder: str) -> str:
        pages = sorted(p for p in (site / folder).glob("*.html") if p.name != "index.html")
        assert pages, f"no pages in {folder}/"
        return f"{folder}/{pages[0].name}"

    return {"home": "index.html", "theme": first("themes"), "article": first("articles")}


@pytest.mark.parametrize("which", ["home", "theme", "article"])
def test_site_pages(browser, site_server, built_site, axe, which) -> None:
    for width in (1280, 375):
        # axe is injected as a script tag, which the page's own CSP would block.
        page, _log = page_in(browser, viewport={"width": width, "height": 800}, bypass_csp=True)
        page.goto(site_server.url(site_pages(built_site)[which]))
        assert violations(page, axe) == [], (which, width)


def test_site_search_results(browser, site_server, axe) -> None:
    page, _log = page_in(browser, bypass_csp=True)
    open_search(page, site_server.url("index.html"), "发展")
    assert page.locator("[data-digest-search-list] li").count() > 0
    assert violations(page, axe) == []


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory):
    from generator.enrich import enrich_corpus
    from generator.model import Digest
    from generator.yamlio import load_sources, load_themes

    from seed_articles import CONTENT, hand_made

    themes = load_themes(CONTENT / "themes.yml")
    digest = Digest(articles=tuple(enrich_corpus(hand_made(), load_sources(CONTENT / "sources.yml"), themes)), themes=themes)
    site = build_mini_site(tmp_path_factory.mktemp("mini"), digest, lambda item: f"articles/{item.id}.html")
    with SiteServer(site) as server:
        yield server


def test_search_ui_alone(browser, mini_site, axe) -> None:
    """The search box and results (our partial and CSS inside Material), desktop and phone."""
    for width in (1280, 375):
        page, _log = page_in(browser, viewport={"width": width, "height": 800})
        open_search(page, mini_site.url("articles/000-water.html"), "共富工坊")
        assert page.locator("[data-digest-search-list] li").count() > 0
        scope = "{include: [['.md-header']]}"
        assert violations(page, axe, scope) == [], width
