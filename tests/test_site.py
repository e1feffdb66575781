"""The real site: `mkdocs build --strict` of the repo's mkdocs.yml over the seed pages.

Builds with the real MkDocs + Material + the `digest` plugin (subprocess, as `make site`
does), then checks the built files: no warning in the log, a page per article, no link
to a missing file, a nav of five sections, Chinese, nothing from another host, two
builds byte-identical; in real Chromium, no horizontal scroll at 375 px and the article
header; and bad input (themes.yml, curation.yml) as a one-line error naming file and line.

Skips, with the reason printed, until the ingest stages (segment.py) exist.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import SiteServer, browser, page_in, site_missing  # noqa: F401 (fixture)
from links import unresolved_refs

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
NAV = {"index.html": "首页", "themes/index.html": "主题", "regions/index.html": "地区", "archive/index.html": "归档", "about.html": "关于"}
# Lines of the MkDocs log that count as warnings (strict turns them into a failed build,
# but a warning from a plugin's own logger would not be counted, so read the log too).
WARNING_LINE = re.compile(r"^\s*(WARNING|ERROR)\b", re.M)
# Files MkDocs stamps with the build date (<lastmod>, from SOURCE_DATE_EPOCH or today).
STAMPED = {"sitemap.xml", "sitemap.xml.gz"}
# Material's JavaScript bundle names third-party URLs it only requests on demand: the
# GitHub API for a `data-md-component="source"` link (overrides/partials/source.html
# renders the repo link without it), mermaid for `.mermaid` diagrams (article text is
# escaped, so none), a ResizeObserver polyfill for browsers without one. The browser
# tests (test_network.py, test_csp.py) check that no such request is made.
MATERIAL_BUNDLE = re.compile(r"assets/javascripts/(bundle\.[0-9a-f]+\.min\.js|lunr/|workers/)")


def skip_without_site() -> None:
    reason = site_missing()
    if reason:
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)


def mkdocs(config: Path, site_dir: Path, *, strict: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).parent / "mkdocs"), "build", "--config-file", str(config), "--site-dir", str(site_dir)]
    if strict:
        cmd.append("--strict")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, env=environment)


def build_or_fail(config: Path, site_dir: Path) -> str:
    done = mkdocs(config, site_dir)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"mkdocs build failed ({done.returncode}):\n{log[-6000:]}")
    return log


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """The repo's site, built once for this module; with its build log."""
    skip_without_site()
    site_dir = tmp_path_factory.mktemp("site") / "site"
    log = build_or_fail(CONFIG, site_dir)
    api = json.loads((site_dir / "api" / "articles.json").read_text(encoding="utf-8"))
    return {"dir": site_dir, "log": log, "api": api, "site_url": api["site"]}


def temp_config(tmp: Path, content: Path, out_dir: Path) -> Path:
    """mkdocs.yml with the content folder, generated docs and overrides pointed elsewhere."""
    text = CONFIG.read_text(encoding="utf-8")
    replacements = {
        "docs_dir: content": f"docs_dir: {content}",
        "custom_dir: overrides": f"custom_dir: {ROOT / 'overrides'}",
        "content_dir: content": f"content_dir: {content}",
        "out_dir: build/docs": f"out_dir: {out_dir}",
    }
    for old, new in replacements.items():
        assert old in text, f"mkdocs.yml no longer says {old!r}: update this test"
        text = text.replace(old, new)
    config = tmp / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def copy_content(tmp: Path) -> Path:
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns(".*"))
    return content


# ------------------------------------------------------------------ HTML helpers


class Page(HTMLParser):
    """Links, the nav and a few elements of one built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.styles: list[str] = []
        self.html_lang: str | None = None
        self.nav_links: list[tuple[str, str]] = []  # (href, text) in the primary nav and tabs
        self._stack: list[tuple[str, bool]] = []  # (tag, inside site nav)
        self._link: list | None = None

    def _in_nav(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        for name in ("href", "src", "poster", "data", "action"):
            if attrs.get(name):
                self.refs.append((tag, name, attrs[name]))
        if attrs.get("srcset"):
            for candidate in attrs["srcset"].split(","):
                if candidate.strip():
                    self.refs.append((tag, "srcset", candidate.split()[0]))
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        classes = (attrs.get("class") or "").split()
        nav = self._in_nav() or "md-nav--primary" in classes or "md-tabs" in classes
        if tag in VOID:
            return
        self._stack.append((tag, nav))
        if tag == "a" and nav and "href" in attrs:
            self._link = [attrs["href"], ""]

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.nav_links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def parse_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def date_key(date: str | None) -> tuple:
    """Newest first, undated last (pipeline._sort_key)."""
    return (date is None, tuple(-int(p) for p in (date or "").split("-") if p.isdigit()))


# ------------------------------------------------------------------ the checkers themselves (fast)


def test_link_checker_catches_what_it_should(tmp_path):
    site_url, repo_url = "https://example.org/digest/", "https://github.com/example/digest"
    root = tmp_path / "site"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "a.html").write_text('<a href="../index.html#top">ok</a><a href="b.html">missing</a>')
    (root / "index.html").write_text(
        '<a href="articles/a.html">ok</a><a href="#x">ok</a><a href="?q=1">ok</a>'
        f'<link rel="canonical" href="{site_url}index.html"><a href="{repo_url}">repo</a>'
        '<img src="data:image/png;base64,AA"><script src="/digest/articles/a.html"></script>'
        '<a href="https://evil.example/">out</a><img src="//cdn.example/x.png">'
        f'<a href="{site_url}nope.html">gone</a><a href="/elsewhere/x.html">outside</a>'
        '<a href="../../etc/passwd">up</a><a href="javascript:alert(1)">js</a>'
    )
    problems = unresolved_refs(root, site_url=site_url, external_ok=lambda url: url.startswith(repo_url))
    assert len(problems) == 7, "\n".join(problems)


def test_injection_detector_catches_what_it_should():
    detector = Injected()
    detector.feed('<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=x</p><img src=x onerror=alert(1)><script>alert(2)</script>')
    assert len(detector.found) == 3, detector.found  # the img, its onerror, the script; not the escaped text
    clean = Injected()
    clean.feed('<p>&lt;img src=x onerror=alert(1)&gt;</p><script>var a = 1</script>')
    assert clean.found == []


# ------------------------------------------------------------------ the build


@pytest.mark.slow
def test_strict_build_logs_no_warning(site):
    warnings = WARNING_LINE.findall(site["log"])
    assert warnings == [], site["log"][-4000:]
    assert "Traceback" not in site["log"]
    print(site["log"].strip().splitlines()[-1])


@pytest.mark.slow
def test_every_article_has_its_page_and_content_files_are_not_published(site):
    site_dir: Path = site["dir"]
    ids = [a["id"] for a in site["api"]["articles"]]
    assert ids, "no article in api/articles.json"
    assert len(ids) == len(set(ids))
    missing = [i for i in ids if not (site_dir / "articles" / f"{i}.html").is_file()]
    assert missing == []
    assert {p.stem for p in (site_dir / "articles").glob("*.html")} == set(ids)
    # the editors' input (docs_dir is the content folder) is not part of the site
    assert not (site_dir / "pages").exists()
    assert not list(site_dir.glob("*.yml"))
    for path in ("index.html", "about.html", "themes/index.html", "regions/index.html", "archive/index.html", "feed.xml", "404.html"):
        assert (site_dir / path).is_file(), path
    print(f"{len(ids)} article pages, {len(html_pages(site_dir))} HTML pages in all")


@pytest.mark.slow
def test_no_broken_internal_links(site):
    from mkdocs.config import load_config

    config = load_config(str(CONFIG))
    problems = unresolved_refs(site["dir"], site_url=config.site_url, external_ok=lambda url: url.startswith(config.repo_url))
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.slow
def test_nav_has_the_five_sections_only(site):
    site_dir: Path = site["dir"]
    titles = {a["title"] for a in site["api"]["articles"]}
    for name in ("index.html", "themes/index.html", f"articles/{site['api']['articles'][0]['id']}.html"):
        page = parse_page(site_dir / name)
        hrefs = {}
        for href, text in page.nav_links:
            if href.startswith(("#", "http:", "https:")):
                continue  # the page's own table of contents; the repository link
            target = os.path.normpath(os.path.join(os.path.dirname(name), href.split("#")[0] or name)).replace(os.sep, "/")
            hrefs[target] = text
        assert set(hrefs) == set(NAV), (name, hrefs)
        assert {hrefs[h] for h in hrefs} == set(NAV.values()), (name, hrefs)
        assert not titles & set(hrefs.values())


@pytest.mark.slow
def test_every_page_is_chinese(site):
    for page_file in html_pages(site["dir"]):
        assert parse_page(page_file).html_lang == "zh", page_file


@pytest.mark.slow
def test_nothing_refers_to_another_host(site):
    """No URL of another host in any page's src/href/style, any stylesheet, or our scripts."""
    from mkdocs.config import load_config

    config = load_config(str(CONFIG))
    allowed = (config.site_url, config.repo_url)
    site_dir: Path = site["dir"]
    found = []
    for page_file in html_pages(site_dir):
        page = parse_page(page_file)
        for tag, attr, value in page.refs:
            if re.match(r"(https?:)?//", value) and not value.startswith(allowed):
                found.append(f"{page_file.relative_to(site_dir)}: <{tag} {attr}={value}>")
        for style in page.styles:
            if re.search(r"url\(\s*['\"]?(https?:)?//", style):
                found.append(f"{page_file.relative_to(site_dir)}: style {style}")
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if path.suffix not in (".html", ".css", ".js", ".xml", ".json") or MATERIAL_BUNDLE.search(rel):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for bad in ("fonts.googleapis", "fonts.gstatic", "unpkg.com", "cdn.jsdelivr", "api.github.com"):
            if bad in text:
                found.append(f"{rel}: {bad}")
        if path.suffix == ".css":
            for match in re.finditer(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:https?:)?//[^'\")\s]+)", text):
                found.append(f"{rel}: {match.group(1)}")
        if path.suffix == ".js" and rel.startswith("assets/"):  # our scripts (search/ holds article text)
            for match in re.finditer(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\"]*", text):
                found.append(f"{rel}: {match.group(0)}")
    assert found == [], "\n".join(found[:40])
    # the repository link is a plain link: Material's source component (GitHub API) is off
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert 'data-md-component="source"' not in index


@pytest.mark.slow
def test_theme_pages_list_newest_first(site):
    site_dir: Path = site["dir"]
    dates = {a["id"]: a["date"] for a in site["api"]["articles"]}
    themes = [t["id"] for t in site["api"]["themes"]]
    checked = 0
    for page_file in sorted((site_dir / "themes").glob("*.html")):
        if page_file.stem == "index":
            continue
        ids = [
            m.group(1)
            for _tag, attr, value in parse_page(page_file).refs
            if attr == "href" and (m := re.fullmatch(r"\.\./articles/([\w.-]+)\.html", value))
        ]
        assert ids, page_file
        keys = [date_key(dates[i]) for i in ids]
        assert keys == sorted(keys), (page_file.name, [dates[i] for i in ids])
        if page_file.stem in themes:
            members = {a["id"] for a in site["api"]["articles"] if page_file.stem in a["themes"]}
            assert set(ids) == members
        checked += 1
    assert checked


class ByClass(HTMLParser):
    """Text and hrefs of elements with the given classes (no nesting of the same class)."""

    def __init__(self, classes: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.text: dict[str, list[str]] = {c: [] for c in classes}
        self.hrefs: dict[str, list[str]] = {c: [] for c in classes}
        self._open: list[tuple[str, str, int]] = []  # (class, tag, depth)
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        self._depth += 1
        for cls in (attrs.get("class") or "").split():
            if cls in self.classes:
                self._open.append((cls, tag, self._depth))
                self.text[cls].append("")
        if tag == "a" and attrs.get("href"):
            for cls, _tag, _depth in self._open:
                self.hrefs[cls].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self._open = [o for o in self._open if not (o[1] == tag and o[2] == self._depth)]
        self._depth -= 1

    def handle_data(self, data):
        for cls, _tag, _depth in self._open:
            self.text[cls][-1] += data


@pytest.mark.slow
def test_every_article_header_matches_its_data(site):
    """Kicker, title, subtitle, source, date, authors, theme badges and related links, all articles."""
    site_dir: Path = site["dir"]
    theme_pages = {t["id"]: t["name"] for t in site["api"]["themes"]}
    seen = {"kicker": 0, "subtitle": 0, "authors": 0, "themes": 0, "related": 0}
    classes = {"digest-kicker", "digest-title", "digest-subtitle", "digest-source", "digest-author",
               "digest-badge--theme", "digest-related", "print-only"}
    for article in site["api"]["articles"]:
        found = ByClass(classes)
        found.feed((site_dir / "articles" / f"{article['id']}.html").read_text(encoding="utf-8"))
        text = {k: [" ".join(v.split()) for v in values] for k, values in found.text.items()}
        assert text["digest-title"] == [" ".join(article["title"].split())], article["id"]
        assert text["digest-kicker"] == ([article["kicker"]] if article["kicker"] else []), article["id"]
        assert text["digest-subtitle"] == ([article["subtitle"]] if article["subtitle"] else []), article["id"]
        (source,) = text["digest-source"]
        assert (article["publication"] or "报纸版面") in source
        assert (article["date"] or "")[:4] in source
        assert [t.split()[-1] for t in text["digest-author"]] == [a["name"].split()[-1] for a in article["authors"]]
        assert text["digest-badge--theme"] == [theme_pages[t] for t in article["themes"]]
        assert found.hrefs["digest-badge--theme"] == [f"../themes/{t}.html" for t in article["themes"]]
        related = [h for h in found.hrefs["digest-related"] if not h.startswith("#")]
        assert related == [f"{r}.html" for r in article["related"]], article["id"]
        (print_line,) = text["print-only"]
        assert f"articles/{article['id']}.html" in print_line
        for key in seen:
            seen[key] += bool(article[key])
    print(f"{len(site['api']['articles'])} article headers checked; articles with a field: {seen}")
    assert seen["themes"] and seen["related"] and seen["authors"]


@pytest.mark.slow
def test_two_builds_are_byte_identical(site, tmp_path):
    again = tmp_path / "again"
    build_or_fail(CONFIG, again)
    first: Path = site["dir"]
    names = {p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()}
    assert names == {p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file()}
    differ = sorted(n for n in names if (first / n).read_bytes() != (again / n).read_bytes())
    assert [n for n in differ if n not in STAMPED] == []
    print(f"{len(names)} files identical{'; stamped with the build date: ' + ', '.join(differ) if differ else ''}")


# ------------------------------------------------------------------ bad input


@pytest.mark.slow
def test_broken_themes_file_is_a_one_line_error(tmp_path):
    skip_without_site()
    content = copy_content(tmp_path)
    themes = content / "themes.yml"
    lines = themes.read_text(encoding="utf-8").splitlines()
    first_id = next(i for i, line in enumerate(lines) if line.strip().startswith("- id:"))
    lines.insert(first_id + 1, "    id: twice")  # a duplicate key, on a known line
    themes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out_dir = tmp_path / "docs"
    done = mkdocs(temp_config(tmp_path, content, out_dir), tmp_path / "site")
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    assert "Traceback" not in log, log
    errors = [line for line in log.splitlines() if "themes.yml" in line]
    assert errors, log
    assert f"themes.yml:{first_id + 2}:" in errors[0], errors
    assert "duplicate" in errors[0]
    assert not out_dir.exists() and not (tmp_path / "site").exists()


@pytest.mark.slow
def test_broken_curation_file_is_a_one_line_error(tmp_path, site):
    content = copy_content(tmp_path)
    article = site["api"]["articles"][0]["id"]
    (content / "curation.yml").write_text(
        f"# editors' corrections\n{article}:\n  featured: true\nno-such-article-x:\n  title: 新标题\n", encoding="utf-8"
    )
    done = mkdocs(temp_config(tmp_path, content, tmp_path / "docs"), tmp_path / "site")
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    assert "Traceback" not in log, log
    assert re.search(r"curation\.yml:4:.*no-such-article-x", log), log


@pytest.mark.slow
def test_hostile_curated_text_is_shown_as_text(tmp_path, site):
    """An editor's title with markup (curation.yml) reaches <title>, the header and the h1 as text."""
    content = copy_content(tmp_path)
    article = site["api"]["articles"][0]["id"]
    title = "<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }} [x](javascript:alert(3))"
    kicker = "--- {% raw %} <b>引题</b> #"
    (content / "curation.yml").write_text(
        f"{article}:\n  title: {json.dumps(title, ensure_ascii=False)}\n  kicker: {json.dumps(kicker, ensure_ascii=False)}\n",
        encoding="utf-8",
    )
    site_dir = tmp_path / "site"
    log = build_or_fail(temp_config(tmp_path, content, tmp_path / "docs"), site_dir)
    assert WARNING_LINE.findall(log) == [], log
    html = (site_dir / "articles" / f"{article}.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>引题" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    h1 = re.search(r'<h1 class="digest-title">(.*?)</h1>', html, re.S).group(1)
    from html import unescape

    assert unescape(h1) == title
    assert "{{ 7*7 }}" in unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
    for page_file in html_pages(site_dir):
        injected = Injected()
        injected.feed(page_file.read_text(encoding="utf-8"))
        assert injected.found == [], (page_file.name, injected.found)


class Injected(HTMLParser):
    """Elements and attributes that only injected markup would create."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value and "javascript:" in value.lower()):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "b", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


# ------------------------------------------------------------------ in Chromium


@pytest.fixture(scope="module")
def server(site):
    with SiteServer(site["dir"]) as running:
        yield running


def first_page(folder: Path) -> str:
    pages = sorted(p for p in folder.glob("*.html") if p.stem != "index")
    assert pages
    return f"{folder.name}/{pages[0].name}"


@pytest.mark.slow
@pytest.mark.browser
def test_no_horizontal_scroll_on_a_phone(browser, site, server):
    site_dir: Path = site["dir"]
    longest = max((site_dir / "articles").glob("*.html"), key=lambda p: p.stat().st_size)
    paths = ["index.html", "themes/index.html", first_page(site_dir / "themes"), first_page(site_dir / "regions"),
             "archive/index.html", "about.html", f"articles/{longest.name}"]
    page, log = page_in(browser, viewport={"width": 375, "height": 740})
    widths = {}
    for path in paths:
        page.goto(server.url(path))
        page.wait_for_load_state("load")
        widths[path] = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    page.context.close()
    print(widths)
    assert {p: w for p, w in widths.items() if w[0] > w[1]} == {}
    assert log.third_party == [] and log.console_errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_article_page_shows_its_header_and_related_block(browser, site, server):
    articles = site["api"]["articles"]

    def pick(*fields: str) -> dict:
        ranked = sorted(articles, key=lambda a: -sum(bool(a.get(f)) for f in fields))
        return ranked[0]

    article = pick("kicker", "subtitle", "authors", "themes", "related", "publication")
    page, log = page_in(browser, viewport={"width": 375, "height": 740})
    page.goto(server.url(f"articles/{article['id']}.html"))
    shown = page.evaluate(
        """() => {
            const text = (sel) => [...document.querySelectorAll(sel)]
                .filter(e => e.getClientRects().length).map(e => e.innerText.trim());
            return {
                kicker: text('.digest-kicker'), title: text('h1'), subtitle: text('.digest-subtitle'),
                source: text('.digest-source'), authors: text('.digest-author'),
                themes: [...document.querySelectorAll('a.digest-badge--theme')].map(a => [a.innerText.trim(), a.getAttribute('href')]),
                related: [...document.querySelectorAll('.digest-related a[href$=".html"]')].map(a => a.getAttribute('href')),
                printOnly: [...document.querySelectorAll('.print-only')].filter(e => e.getClientRects().length).length,
            };
        }"""
    )
    page.context.close()
    assert shown["title"] == [article["title"]]
    assert shown["kicker"] == ([article["kicker"]] if article["kicker"] else [])
    assert shown["subtitle"] == ([article["subtitle"]] if article["subtitle"] else [])
    source = shown["source"][0]
    assert (article["publication"] or "报纸版面") in source
    if article["date"]:
        assert article["date"][:4] + "年" in source
    assert [a.split()[-1] for a in shown["authors"]] == [a["name"] for a in article["authors"]]
    theme_names = {t["id"]: t["name"] for t in site["api"]["themes"]}
    assert shown["themes"] == [[theme_names[t], f"../themes/{t}.html"] for t in article["themes"]]
    assert shown["related"] == [f"{r}.html" for r in article["related"]]
    assert shown["printOnly"] == 0  # on paper only
    assert log.console_errors == []
    print(f"checked {article['id']}: kicker={bool(article['kicker'])} subtitle={bool(article['subtitle'])} "
          f"authors={len(article['authors'])} themes={article['themes']} related={len(article['related'])}")
