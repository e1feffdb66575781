"""Offline zip bundles (generator/bundle.py), built from the real mkdocs.yml and seed pages.

A bundle is unzipped into a temp folder and checked as a trainer would use it: every
href/src of every page resolves inside the bundle, a theme bundle holds only that
theme's articles, and in headless Chromium opened from file:// with every non-file
request refused, navigation and search work and nothing leaves the bundle.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.yamlio import load_themes
from browser import browser, page_in  # noqa: F401 (fixture)
from links import page_refs, unresolved_refs

from generator.bundle import (
    README_NAME,
    BundleInfo,
    build_bundle,
    bundle_name,
    readme_text,
    write_zip,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
DATE = "2026-01-15"

needs_site = pytest.mark.skipif(
    not (ROOT / "generator" / "mkdocs_plugin.py").exists() or not CONFIG.exists(),
    reason="mkdocs.yml / generator/mkdocs_plugin.py (site engineer) not there yet",
)


# ------------------------------------------------------------------ helpers


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
    (top,) = [p for p in into.iterdir() if p.is_dir()]
    return top


def article_ids(root: Path) -> set[str]:
    return {p.stem for p in (root / "articles").glob("*.html")}


def linked_articles(page: Path) -> set[str]:
    ids = set()
    for _tag, _attr, value in page_refs(page.read_text(encoding="utf-8")):
        path = urlsplit(value).path
        match = re.search(r"(?:^|/)articles/([^/]+)\.html$", path)
        if match and not urlsplit(value).scheme:
            ids.add(match.group(1))
    return ids


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    """The whole-digest bundle and the bundle of the theme with the most articles, unzipped."""
    if not CONFIG.exists() or not (ROOT / "generator" / "mkdocs_plugin.py").exists():
        pytest.skip("mkdocs.yml / generator/mkdocs_plugin.py (site engineer) not there yet")
    base = tmp_path_factory.mktemp("bundles")
    dist = base / "dist"
    started = time.perf_counter()
    whole = build_bundle(CONFIG, None, dist, DATE)
    whole_root = unzip(whole.path, base / "all")
    theme_ids = {t.id for t in load_themes(ROOT / "content" / "themes.yml")}
    by_theme = {
        page.stem: linked_articles(page)
        for page in (whole_root / "themes").glob("*.html")
        if page.stem in theme_ids  # not index.html, nor other.html (articles with no theme)
    }
    theme = max(sorted(by_theme), key=lambda t: len(by_theme[t]))
    part = build_bundle(CONFIG, theme, dist, DATE)
    print(f"two bundles built in {time.perf_counter() - started:.1f} s: "
          f"all {whole.size / 1024:.0f} KB ({whole.articles} articles), "
          f"{theme} {part.size / 1024:.0f} KB ({part.articles} articles)")
    return {
        "all": whole,
        "all_root": whole_root,
        "theme": theme,
        "theme_info": part,
        "theme_root": unzip(part.path, base / theme),
        "theme_articles": by_theme[theme],
    }


# ------------------------------------------------------------------ zip format (fast)


def _tree(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for rel, text in {
        "index.html": "<a href='b/c.html'>c</a>",
        "b/c.html": "c",
        "a.txt": "a",
        "sitemap.xml": "x",
        "assets/javascripts/lunr/x.js": "x",
        "assets/javascripts/bundle.js.map": "{}",
    }.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    return site


def test_zip_is_deterministic_sorted_and_under_one_top_folder(tmp_path):
    site = _tree(tmp_path)
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    write_zip(site, first, "digest-all-2026-01-15", {README_NAME: b"r"}, DATE)
    (site / "a.txt").touch()  # a newer mtime must not show in the zip
    write_zip(site, second, "digest-all-2026-01-15", {README_NAME: b"r"}, DATE)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    files = [n for n in names if not n.endswith("/")]
    assert files == sorted(files)
    assert all(n.startswith("digest-all-2026-01-15/") for n in names)
    assert {i.date_time for i in infos} == {(2026, 1, 15, 0, 0, 0)}
    assert "digest-all-2026-01-15/使用说明.txt" in names
    # crawler files, Material's unused search and source maps stay out
    assert not [n for n in names if "sitemap" in n or "/lunr/" in n or n.endswith(".map")]


def test_bundle_names_are_ascii():
    assert bundle_name(None, DATE) == "digest-all-2026-01-15"
    assert bundle_name("talent", DATE) == "digest-talent-2026-01-15"
    assert bundle_name("water", DATE).isascii()


def test_readme_says_how_to_open_and_when_it_was_built():
    text = readme_text(title="政策举措文摘", top="digest-all-2026-01-15", date=DATE, articles=38, site_url=None)
    assert text.startswith("\ufeff") and "\r\n" in text
    for needle in ("解压", "index.html", "digest-all-2026-01-15", DATE, "38 篇", "无需联网"):
        assert needle in text


def test_dangling_ref_checker_catches_what_it_should(tmp_path):
    root = tmp_path / "b"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "x.html").write_text("x")
    (root / "index.html").write_text(
        '<a href="articles/x.html#p">ok</a><a href="#top">ok</a><a href="https://e.org/">out</a>'
        '<img src="data:image/png;base64,AA"><a href="articles/y.html">bad</a>'
        '<script src="../outside.js"></script><a href="javascript:alert(1)">bad</a>'
    )
    problems = unresolved_refs(root)
    assert len(problems) == 3, problems


# ------------------------------------------------------------------ CLI (fast: fails before building)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "bundle", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )


@needs_site
def test_unknown_theme_is_a_clear_error_and_writes_nothing(tmp_path):
    proc = run_cli("--theme", "no-such-theme", "--out", str(tmp_path / "dist"))
    assert proc.returncode == 2, proc.stderr
    assert "no-such-theme" in proc.stderr and "themes.yml" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "dist").exists()


def test_all_and_theme_together_is_refused(tmp_path):
    proc = run_cli("--all", "--theme", "talent", "--out", str(tmp_path / "dist"))
    assert proc.returncode == 2
    assert "--all" in proc.stderr


def test_missing_config_is_a_clear_error(tmp_path):
    proc = run_cli("--config", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 2
    assert "nope.yml" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ real bundles


@pytest.mark.slow
def test_whole_bundle_layout_and_readme(bundles):
    info: BundleInfo = bundles["all"]
    root: Path = bundles["all_root"]
    assert info.path.name == f"digest-all-{DATE}.zip"
    assert root.name == f"digest-all-{DATE}"
    assert (root / "index.html").is_file()
    assert info.articles == len(article_ids(root)) > 0
    readme = (root / README_NAME).read_text(encoding="utf-8-sig")
    assert DATE in readme and f"{info.articles} 篇" in readme and "index.html" in readme


@pytest.mark.slow
@pytest.mark.parametrize("which", ["all_root", "theme_root"])
def test_no_dangling_links_in_bundles(bundles, which):
    problems = unresolved_refs(bundles[which])
    assert problems == [], "\n".join(problems[:30])


@pytest.mark.slow
def test_theme_bundle_holds_exactly_that_themes_articles(bundles):
    theme, root = bundles["theme"], bundles["theme_root"]
    expected = bundles["theme_articles"]
    assert expected, f"theme {theme} lists no article in the whole digest"
    assert article_ids(root) == expected
    assert bundles["theme_info"].articles == len(expected)
    assert bundles["theme_info"].path.name == f"digest-{theme}-{DATE}.zip"
    # Pages that lead to the articles link only to articles in the bundle.
    linked = set()
    for page in root.rglob("*.html"):
        linked |= linked_articles(page)
    assert linked <= expected
    assert linked_articles(root / "themes" / f"{theme}.html") == expected


# ------------------------------------------------------------------ in Chromium, from file://


def offline_page(browser):
    """A page that may load file: (and data:) URLs only; anything else is refused and recorded."""
    page, log = page_in(browser)

    def only_files(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_files)  # stricter than page_in's: not even localhost
    return page, log


def left_the_bundle(log) -> list[str]:
    return [u for u in log.urls if not u.startswith(("file:", "data:"))]


def search_query_for(root: Path) -> tuple[str, str]:
    """A 4-character run of Chinese from some article's title, and that article's id."""
    for page in sorted((root / "articles").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        text = re.sub(r"<[^>]+>", "", h1.group(1)) if h1 else ""
        run = re.search(r"[\u4e00-\u9fff]{4}", text)
        if run:
            return run.group(0), page.stem
    pytest.fail("no article title with four Chinese characters in a row")


def run_search(page, query: str):
    """Open the search, type the query; returns (result links, seconds to the first result)."""
    opener = page.locator("label.md-header__button[for='__search']").first
    if opener.is_visible():  # narrow screens: the box hides behind a button
        opener.click()
    box = page.locator("[data-digest-search-input]").first
    box.click()
    started = time.perf_counter()
    box.fill(query)
    links = page.locator("[data-digest-search-list] a[href]")
    links.first.wait_for(state="visible", timeout=5000)
    return links, time.perf_counter() - started


@pytest.mark.slow
@pytest.mark.browser
def test_whole_bundle_works_offline_from_file_url(browser, bundles):
    root: Path = bundles["all_root"]
    query, article = search_query_for(root)
    page, log = offline_page(browser)
    page.goto((root / "index.html").as_uri())
    assert page.title()
    # stylesheets applied, not just linked: Material's header is laid out
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    # home → themes index → a theme page → an article, all by clicking
    page.locator("a[href$='themes/index.html']").first.click()
    page.wait_for_url("**/themes/index.html")
    page.locator(".md-content a[href$='.html']:not([href$='index.html'])").first.click()
    page.wait_for_url("**/themes/*.html")
    page.locator(".md-content a[href*='articles/']").first.click()
    page.wait_for_url("**/articles/*.html")
    assert page.locator(".md-content h1").first.inner_text().strip()
    page.goto((root / "index.html").as_uri())
    links, seconds = run_search(page, query)
    print(f"search {query!r} from file://: first result after {seconds * 1000:.0f} ms")
    assert seconds < 1.0
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert any(f"articles/{article}.html" in h for h in hrefs), hrefs
    links.first.click()
    page.wait_for_url("**/articles/*.html")
    page.context.close()
    assert left_the_bundle(log) == []
    assert log.console_errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_theme_bundle_search_stays_inside_the_theme(browser, bundles):
    root: Path = bundles["theme_root"]
    query, _article = search_query_for(root)
    page, log = offline_page(browser)
    page.goto((root / "index.html").as_uri())
    links, _seconds = run_search(page, query)
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    for href in hrefs:
        match = re.search(r"articles/([^/#?]+)\.html", href)
        assert match and match.group(1) in bundles["theme_articles"], href
    links.first.click()
    page.wait_for_url("**/articles/*.html")
    page.context.close()
    assert left_the_bundle(log) == []
    assert log.console_errors == []


@pytest.mark.slow
def test_same_content_and_date_give_the_same_zip_bytes(bundles, tmp_path):
    again = build_bundle(CONFIG, bundles["theme"], tmp_path, DATE)
    assert again.path.read_bytes() == bundles["theme_info"].path.read_bytes()
