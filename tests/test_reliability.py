"""Reliability and security end to end (issue 7): bad input never breaks the site, leaks
script or markup, writes outside the output folders, or leaves a half-written site.

Every build here is a real `mkdocs build --strict` (the .venv's mkdocs, a subprocess) of a
temporary copy of content/ with hostile files added, through a temporary mkdocs.yml whose
`digest` plugin points `content_dir` and `out_dir` into the temporary folder; pages are
opened in real Chromium (tests/browser.py). Hostile inputs live in tests/hostile.py.

1. Hostile page files, batched into one build: empty, whitespace only, GB18030, UTF-16, mixed
   line endings, one 1 MB line, markup/Jinja/front matter/`javascript:` in the text, titles and
   a file name full of quotes, colons, `#` and tags → shown as text, no element or attribute from
   the input (parsed HTML, then Chromium: no dialog, no request to evil.example, search included).
   Binary/undecodable pages in a second build → an error line naming each file, the rest builds.
   A 20 MB page in a third (slow: about 40–90 s, jieba dominates).
2. themes.yml / curation.yml / sources.yml broken, path-like (`../`, `/`) or unknown ids and
   themes → one line `file:line: error: …`, nonzero exit, nothing in the folder changed or added
   (only the generator's page cache, `.cache/` beside the content folder, may gain entries: pages
   are read before curation.yml is checked against their ids).
3. SIGKILL midway: `python -m generator build` (out_dir is old or new, never a mixture) and
   `make site` (site/ untouched). `mkdocs build` alone cleans and rewrites its site_dir in
   place, so it is `make site`'s build/site.new → site swap that protects site/.
4. Determinism: plugin and CLI write the same Markdown (other folder, other hash seed, other
   cache); two builds differ only in what MkDocs stamps:

   * ``sitemap.xml``: every ``<lastmod>`` is the build date (UTC day; ``SOURCE_DATE_EPOCH``
     when set, else today);
   * ``sitemap.xml.gz``: the same XML, and the gzip header's MTIME is that date's midnight.

5. Every built page has one CSP meta tag allowing no origin; no built file points at a host
   other than site_url's and repo_url's.

Plus properties the ingest tests leave out: read → segment on arbitrary bytes, every supported
encoding reading back the same text, and the segmenter losing no text among hostile markup.

Covered elsewhere, not repeated here: the CSP function and the site/search under the policy
(test_csp.py), third-party requests of the seed site (test_network.py), a duplicate key in
themes.yml, an unknown article id in curation.yml and hostile curated titles (test_site.py),
atomic publishing as a function (test_publish.py), cleaner and segmenter properties
(test_clean_properties.py, test_segment_properties.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.atomic import publish_tree

import hostile
import test_segment_properties as segment_accounting  # its Han-character accounting (no text lost)
from browser import SiteServer, browser, page_in, site_missing  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
BIN = Path(sys.executable).parent
MKDOCS = BIN / "mkdocs"
# A fixed build date, so builds compare byte for byte (see the module docstring).
EPOCH = "1730851200"  # 2024-11-06 00:00 UTC
STAMPED = {"sitemap.xml", "sitemap.xml.gz"}
WARNING_LINE = re.compile(r"^\s*(WARNING|ERROR)\b", re.M)
ALLOWED_CSP_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


def skip_without_site() -> None:
    reason = site_missing()
    if reason:
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)


# ------------------------------------------------------------------ building


def write_config(path: Path, content: Path, out_dir: Path, *, only_theme: str | None = None) -> Path:
    """The repo's mkdocs.yml with the content folder, generated docs and overrides pointed elsewhere."""
    text = CONFIG.read_text(encoding="utf-8")
    plugin = f"content_dir: {content}"
    if only_theme is not None:
        plugin += f"\n      only_theme: {json.dumps(only_theme)}"
    replacements = {
        "docs_dir: content": f"docs_dir: {content}",
        "custom_dir: overrides": f"custom_dir: {ROOT / 'overrides'}",
        "content_dir: content": plugin,
        "out_dir: build/docs": f"out_dir: {out_dir}",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"mkdocs.yml no longer says {old!r} once: update this test"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH, **extra}


def mkdocs_build(config: Path, site_dir: Path, **env: str) -> subprocess.CompletedProcess:
    cmd = [str(MKDOCS), "build", "--strict", "--config-file", str(config), "--site-dir", str(site_dir)]
    return subprocess.run(cmd, cwd=config.parent, capture_output=True, text=True, timeout=900, env=environment(**env))


def build_ok(config: Path, site_dir: Path, **env: str) -> str:
    done = mkdocs_build(config, site_dir, **env)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"mkdocs build failed ({done.returncode}):\n{log[-6000:]}")
    assert "Traceback" not in log, log[-6000:]
    return log


def copy_content(dest: Path, extra_pages: dict[str, bytes] | None = None, *, seeds: bool = True) -> Path:
    """A copy of content/ (YAML files; the seed pages unless seeds=False) plus extra page files."""
    skip = [".*"] + ([] if seeds else ["*.txt", "curation.yml"])  # curation.yml names seed articles
    shutil.copytree(ROOT / "content", dest, ignore=shutil.ignore_patterns(*skip))
    for name, data in (extra_pages or {}).items():
        (dest / "pages" / name).write_bytes(data)
    return dest


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (followed through the out_dir symlink), path → bytes."""
    root = root.resolve()
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot(root: Path, *, skip: Callable[[str], bool] = lambda rel: False) -> dict[str, str]:
    """Every entry under root (not following symlinks): path → kind and content hash / link target."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if skip(rel):
                continue
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = "file:" + hashlib.sha256(path.read_bytes()).hexdigest()
        dirnames[:] = [d for d in dirnames if not skip((Path(dirpath) / d).relative_to(root).as_posix())]
    return found


def diff(before: dict, after: dict) -> list[str]:
    keys = sorted(set(before) | set(after))
    return [f"{k}: {before.get(k)} → {after.get(k)}" for k in keys if before.get(k) != after.get(k)]


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(r"\berror\b", line, re.I) and "Aborted" not in line]


# ------------------------------------------------------------------ reading built HTML

EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
SCRIPT_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data\s*:\s*text/html)", re.I)
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "ping"}
FOREIGN_TAGS = {"iframe", "frame", "object", "embed", "applet", "base"}


class Markup(HTMLParser):
    """What a built page would make a browser do, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []  # elements/attributes that can only come from the input
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value) of URL attributes
        self.csp: list[str] = []
        self.text: list[str] = []
        self.title = ""
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.bad.append(f"event handler: {where}")
            if name in URL_ATTRS or name == "srcset":
                for candidate in (value.split(",") if name == "srcset" else [value]):
                    ref = candidate.split()[0] if name == "srcset" and candidate.split() else candidate
                    self.refs.append((tag, name, ref))
                    if SCRIPT_SCHEME.match(ref):
                        self.bad.append(f"script URL: {where}")
                    if hostile.EVIL_HOST in ref:
                        self.bad.append(f"reference to {hostile.EVIL_HOST}: {where}")
        if tag == "img" and (values.get("src") in ("x", "") or EXTERNAL.match(values.get("src") or "")):
            self.bad.append(f"image from the input: {where}")
        if tag in FOREIGN_TAGS or (tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh"):
            self.bad.append(f"foreign element: {where}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        for name in ("src", "action", "formaction"):
            if tag in ("script", "form", "button", "input") and EXTERNAL.match(values.get(name) or ""):
                self.bad.append(f"external {name}: {where}")
        if tag not in {"br", "img", "input", "link", "meta", "hr", "wbr", "source", "area", "col", "base", "embed", "track"}:
            self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        inside = self._in[-1] if self._in else ""
        if inside == "script":
            if "alert" in data or hostile.EVIL_HOST in data:
                self.bad.append(f"script from the input: {data[:80]!r}")
            return
        if inside == "style":
            if hostile.EVIL_HOST in data or "@import" in data:
                self.bad.append(f"style from the input: {data[:80]!r}")
            return
        if inside == "title":
            self.title += data
        self.text.append(data)

    @property
    def visible(self) -> str:
        return "".join(self.text)


def read_page(path: Path) -> Markup:
    parser = Markup()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def policy(content: str) -> dict[str, list[str]]:
    out = {}
    for part in unescape(content).split(";"):
        if part.strip():
            name, *sources = part.split()
            out[name] = sources
    return out


def site_urls() -> tuple[str, str]:
    from mkdocs.config import load_config

    config = load_config(str(CONFIG))
    return config.site_url, config.repo_url


# ------------------------------------------------------------------ 1. hostile pages, one build


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> dict:
    """Seed pages plus every accepted hostile page (tests/hostile.py), built once."""
    skip_without_site()
    root = tmp_path_factory.mktemp("hostile")
    content = copy_content(root / "content", hostile.accepted_pages())
    # The editors' corrections of seed articles would make them differ from their re-encoded copies.
    (content / "curation.yml").unlink(missing_ok=True)
    with (content / "sources.yml").open("a", encoding="utf-8") as sources:
        sources.write(hostile.SOURCES_YAML)
    out_dir = root / "docs"
    config = write_config(root / "mkdocs.yml", content, out_dir)
    site = root / "site"
    log = build_ok(config, site, PYTHONHASHSEED="1")
    api = json.loads((site / "api" / "articles.json").read_text(encoding="utf-8"))
    return {"root": root, "content": content, "docs": out_dir, "site": site, "log": log, "api": api}


def articles_from(api: dict, source: str) -> list[dict]:
    return [a for a in api["articles"] if a["source"] == source]


@pytest.mark.slow
def test_hostile_pages_build_and_empty_ones_are_reported(hostile_site):
    log = hostile_site["log"]
    assert WARNING_LINE.findall(log) == [], log[-4000:]
    for name, reason in (("zz_empty.txt", "empty"), ("zz_whitespace.txt", "empty")):
        lines = [line for line in log.splitlines() if name in line]
        assert lines and reason in lines[0], (name, lines)
        assert articles_from(hostile_site["api"], name) == []
    for name in hostile.accepted_pages():
        if name not in ("zz_empty.txt", "zz_whitespace.txt"):
            assert articles_from(hostile_site["api"], name), f"{name}: no article"


def _body(markdown: bytes) -> str:
    """An article page's Markdown without front matter and related block (those name other pages)."""
    text = markdown.decode("utf-8").split("\n---\n", 1)[1]
    return text.split('<div class="digest-related', 1)[0]


@pytest.mark.slow
@pytest.mark.parametrize("copy", ["zz_gb18030.txt", "zz_utf16.txt", "zz_mixed_eol.txt"])
def test_other_encodings_and_line_endings_read_like_the_utf8_seed(hostile_site, copy):
    """GB18030, UTF-16 and CR/LF/CRLF copies of a seed page give its articles, word for word."""
    seed = sorted(p.name for p in hostile.SEED_PAGES.glob("*.txt"))[-1]  # hostile.seed_text()'s page
    api = hostile_site["api"]
    original = {a["id"].rsplit("-", 1)[1]: a for a in articles_from(api, seed)}
    copied = {a["id"].rsplit("-", 1)[1]: a for a in articles_from(api, copy)}
    assert original and set(copied) == set(original)  # same titles (ids end in the title's hash)
    docs = tree(hostile_site["docs"])
    for key, article in original.items():
        other = copied[key]
        assert (other["title"], other["authors"], other["summary"]) == (article["title"], article["authors"], article["summary"])
        assert _body(docs[f"articles/{other['id']}.md"]) == _body(docs[f"articles/{article['id']}.md"])


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.slow
def test_one_megabyte_line_keeps_its_text(hostile_site):
    """A page that is one 1 MB line becomes article(s) holding its Chinese text (doubled glyphs may collapse)."""
    articles = articles_from(hostile_site["api"], "zz_one_line.txt")
    pages = [read_page(hostile_site["site"] / "articles" / f"{a['id']}.html") for a in articles]
    line = hostile.single_line().decode("utf-8")
    shown = sum(len(HAN.findall(page.visible)) for page in pages)
    assert shown >= 0.98 * len(HAN.findall(line)), (shown, len(HAN.findall(line)))
    assert [page.bad for page in pages if page.bad] == []


MARKUP_SOURCES = ("zz_markup.txt", "zz_markup_plain.txt", hostile.HOSTILE_FILE_NAME)


@pytest.mark.slow
def test_no_element_or_attribute_comes_from_the_input(hostile_site):
    """Every built page: no script, handler, javascript: URL, outside image or frame from the text."""
    site: Path = hostile_site["site"]
    bad = []
    for path in html_pages(site):
        found = read_page(path).bad
        bad += [f"{path.relative_to(site)}: {b}" for b in found]
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.relative_to(site)}: {p.pattern}" for p in hostile.LEAK_PATTERNS if p.search(text)]
    assert bad == [], "\n".join(bad[:40])


@pytest.mark.slow
def test_markup_in_the_text_is_shown_as_text(hostile_site):
    site: Path = hostile_site["site"]
    articles = [a for s in MARKUP_SOURCES for a in articles_from(hostile_site["api"], s)]
    assert len(articles) >= 3
    shown = ""
    for article in articles:
        page = read_page(site / "articles" / f"{article['id']}.html")
        shown += page.visible
        # The title (quotes, colons, '#', markup) reaches <title> and the h1 as the same text.
        assert page.title.startswith(article["title"] + " - "), (page.title, article["title"])
        html = (site / "articles" / f"{article['id']}.html").read_text(encoding="utf-8")
        h1 = re.search(r'<h1 class="digest-title">(.*?)</h1>', html, re.S)
        assert h1 and unescape(h1.group(1)) == article["title"]
        assert "被篡改的标题" not in page.title  # front matter in the text set nothing
    literals = (
        hostile.SCRIPT, "<img src=x onerror=alert", "javascript:alert", "{{ config }}", "{{ 7*7 }}", "{%", "<iframe",
        f"http://{hostile.EVIL_HOST}/x.png", "井号#以及##结尾",
        "<script>alert(11)</script>日报", "<img src=x onerror=alert(12)>", "{{ config }} 晚报",  # sources.yml
    )
    for literal in literals:
        assert literal in shown, literal
    assert hostile.HOSTILE_FILE_NAME in read_page(site / "about.html").visible  # the file name, as text
    # Jinja was not evaluated: no config dump, no 49 in place of {{ 7*7 }}.
    assert "{{ config.site_name }}" in shown  # the kicker, verbatim
    assert "'site_name':" not in shown and "MkDocsConfig" not in shown and "<b>粗体</b>" in shown
    # The hostile title lists as text on the pages that link to the article.
    title = next(a["title"] for a in articles if "井号" in a["title"])
    listed = [p for p in html_pages(site) if title in read_page(p).visible and "articles/" not in p.as_posix()]
    assert listed, "the hostile title is on no index page"


def _pages_showing(site: Path, sources: tuple[str, ...], api: dict) -> list[str]:
    ids = {a["id"] for s in sources for a in articles_from(api, s)}
    out = []
    for path in html_pages(site):
        text = path.read_text(encoding="utf-8")
        if any(i in text for i in ids):
            out.append(path.relative_to(site).as_posix())
    return out


DOM_PROBE = """() => {
  const q = (s) => document.querySelectorAll(s).length;
  const scripts = [...document.scripts].filter(s => /alert|evil\\.example/.test(s.textContent + (s.src || '')));
  return {
    scripts: scripts.length,
    handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    jsLinks: [...document.querySelectorAll('[href],[src],[action]')].filter(e =>
      /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')).length,
    images: [...document.images].filter(i => !i.src.startsWith(location.origin) && !i.src.startsWith('data:')).length,
    frames: q('iframe, frame, object, embed, .evil, svg[onload]'),
  };
}"""


@pytest.mark.slow
@pytest.mark.browser
def test_hostile_pages_in_chromium_run_no_script(browser, hostile_site):
    """Pages showing the hostile articles, and search results for them: no dialog, no request out, no element."""
    site: Path = hostile_site["site"]
    paths = _pages_showing(site, MARKUP_SOURCES, hostile_site["api"])
    assert any(p.startswith("articles/") for p in paths) and "index.html" in paths
    with SiteServer(site) as server:
        page, log = page_in(browser)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        probes, results = {}, {}
        for path in paths:
            page.goto(server.url(path))
            page.wait_for_load_state("load")
            probes[path] = page.evaluate(DOM_PROBE)
        for query in ("alert", "script", "人才新政", "evil"):
            page.goto(server.url(f"index.html?q={query}"))
            page.wait_for_function(
                "(q) => document.querySelector('[data-md-component=digest-search]')"
                "?.getAttribute('data-digest-search-query') === q",
                arg=query,
            )
            page.wait_for_load_state("networkidle")
            probes[f"search:{query}"] = page.evaluate(DOM_PROBE)
            results[query] = page.locator("[data-digest-search-list] a[href]").count()
        page.context.close()
    clean = {"scripts": 0, "handlers": 0, "jsLinks": 0, "images": 0, "frames": 0}
    assert {k: v for k, v in probes.items() if v != clean} == {}
    assert dialogs == []
    assert [u for u in log.urls if hostile.EVIL_HOST in u] == []
    assert log.third_party == []
    assert results["alert"] > 0 and results["人才新政"] > 0, results  # the hostile text was in the results shown
    print(f"{len(paths)} pages and searches checked; results listed: {results}")


@pytest.mark.slow
def test_unreadable_pages_are_named_and_left_out(tmp_path):
    """Binary, image and undecodable page files: an error line naming each file (and line), no
    traceback, no article from them; the other pages still build (README, "What happens with bad input")."""
    skip_without_site()
    rejected = hostile.rejected_pages()
    content = copy_content(tmp_path / "content", rejected)
    site = tmp_path / "site"
    log = build_ok(write_config(tmp_path / "mkdocs.yml", content, tmp_path / "docs"), site)
    for name in rejected:
        lines = [line for line in log.splitlines() if name in line]
        assert len(lines) == 1 and re.search(rf"{re.escape(name)}(:\d+)?: error: ", lines[0]), (name, lines)
    # The undecodable bytes are on line 4 (offset 102): the message says where.
    assert re.search(r"zz_undecodable\.txt:4: error: .*0x80.*102", log), log[-3000:]
    assert re.search(r"zz_image\.txt: error: .*PNG", log), log[-3000:]
    api = json.loads((site / "api" / "articles.json").read_text(encoding="utf-8"))
    assert not {a["source"] for a in api["articles"]} & set(rejected)
    seeds = {p.name for p in hostile.SEED_PAGES.glob("*.txt")}
    assert {a["source"] for a in api["articles"]} == seeds


@pytest.mark.slow
def test_twenty_megabyte_page_builds(tmp_path):
    """A 20 MB page file (seed paragraphs under numbered headlines) builds; its text is on the pages.

    Takes about a minute and a half on two busy cores: jieba (keywords, search index) dominates.
    """
    skip_without_site()
    data = hostile.huge_page()
    assert len(data) >= 20_000_000
    content = copy_content(tmp_path / "content", {"zz_huge.txt": data}, seeds=False)
    site = tmp_path / "site"
    log = build_ok(write_config(tmp_path / "mkdocs.yml", content, tmp_path / "docs"), site)
    assert WARNING_LINE.findall(log) == [], log[-3000:]
    api = json.loads((site / "api" / "articles.json").read_text(encoding="utf-8"))
    expected = len(re.findall(rb"^# ", data, re.M))
    assert len(api["articles"]) == expected
    sample = max(hostile.seed_paragraphs(), key=len)
    some = HAN.findall(sample)[:40]
    pages = [p for p in (site / "articles").glob("*.html")]
    assert len(pages) == expected
    assert any("".join(some) in "".join(HAN.findall(read_page(p).visible)) for p in pages)


# ------------------------------------------------------------------ properties the ingest tests leave out
# (test_clean_properties.py: the cleaner; test_segment_properties.py: the segmenter on arbitrary
# text and on seed lines. Here: the read stage on arbitrary bytes and encodings, and the segmenter
# losing no text among hostile markup and arbitrary Unicode.)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HAN_CHARS = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@PROPERTY
@given(st.binary(max_size=800))
def test_read_then_segment_never_raise_on_arbitrary_bytes(data):
    from generator.model import RawPage
    from generator.read import decode_bytes
    from generator.segment import segment_page

    text, encoding, problems = decode_bytes(data, "any.txt")
    assert all(p.file == "any.txt" for p in problems)
    if text is not None:
        assert "\r" not in text and "\x00" not in text
        result = segment_page(RawPage("any.txt", text, encoding or "utf-8", "x"))
        assert all(p.file == "any.txt" for p in result.problems)
        assert not [p for p in result.problems if "internal error" in p.message]


PAGE_PIECES = list("平湖重大项目建设记者本报讯通讯员下转上接版（）()<>#*[]{}%!-—:：，。、 \t\u3000abcXYZ012") + [
    "\n", "\r\n", "\r", "---", "# ", "<script>", "{{", "}}", "\ufeff", "\u00a0"]


@PROPERTY
@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=200).map("".join),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030"]))
def test_every_supported_encoding_reads_back_the_same_text(text, encoding):
    """A page's text saved in any supported encoding reads back as the UTF-8 file would."""
    from generator.read import decode_bytes

    if encoding == "gb18030":
        # Short GB18030 runs can also be valid UTF-8 (D6 A1 is U+05A1), and UTF-8 is tried first.
        assume(len(HAN_CHARS.findall(text)) >= 8)
    if encoding == "utf-16-le":
        # BOM-less UTF-16 (beyond the issue, which asks for UTF-16 with BOM) is recognised by its
        # NUL bytes, so it needs mostly ASCII text: at least half of the characters.
        assume(sum(c.isascii() for c in text) >= 0.5 * len(text) >= 10)
    as_utf8 = decode_bytes(text.encode("utf-8"), "p.txt")[0]
    decoded = decode_bytes(text.encode(encoding), "p.txt")[0]
    assert decoded == as_utf8, (encoding, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(
    st.sampled_from([hostile.SCRIPT, hostile.IMG_ONERROR, hostile.JS_LINK_MD, hostile.EXTERNAL_IMG_MD, hostile.JINJA_VAR,
                     hostile.JINJA_TAG, "---", "# ", "## ", "> ", "* ", "1. ", '"', "：", "#", "<div>", "</div>", "|", "```"]),
    st.text(max_size=12),
    st.sampled_from(sorted({line for p in hostile.SEED_PAGES.glob("*.txt") for line in p.read_text("utf-8").split("\n")})),
), max_size=4).map("".join), min_size=1, max_size=40))
def test_segmenter_loses_no_text_among_markup_and_arbitrary_unicode(lines):
    """Every Chinese character of a page full of markup ends up in exactly one article field or a
    reported piece of furniture (test_segment_properties.py's accounting, on hostile lines)."""
    from generator.model import RawPage
    from generator.segment import segment_page

    accounting = segment_accounting
    assume(accounting.no_doubled_neighbours(lines))
    text = "\n".join(lines)
    result = segment_page(RawPage("m.txt", text, "utf-8", "x"))
    expected, found = accounting.page_han(text), accounting.output_han(result)
    assert accounting.lost(expected, found, result, text) == Counter(), f"lost: {expected - found}"
    assert found - accounting.han(text) == Counter(), f"duplicated: {found - accounting.han(text)}"


# ------------------------------------------------------------------ 2. editors' YAML: clear errors, nothing written


@pytest.fixture(scope="module")
def yaml_root(tmp_path_factory) -> dict:
    """A folder holding a previous successful build (root/docs, root/site) that failing builds must not touch.

    Each case's content folder is a sibling `c_<case>` of the base one, so all share the
    generator's page cache (root/.cache, beside the content folder, as for content/ in the repo).
    """
    skip_without_site()
    root = tmp_path_factory.mktemp("yaml")
    base = copy_content(root / "c_base")
    log = build_ok(write_config(root / "cfg_base.yml", base, root / "docs"), root / "site")
    assert "Traceback" not in log
    api = json.loads((root / "site" / "api" / "articles.json").read_text(encoding="utf-8"))
    return {"root": root, "base": base, "article": api["articles"][0]["id"]}


def _replace_line(path: Path, number: int, new: str, *, expect: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[number - 1].strip() == expect, f"{path.name}:{number} is now {lines[number - 1]!r}: update this test"
    lines[number - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


def _append(path: Path, text: str) -> int:
    """Append lines; returns the line number of the first appended line."""
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def _theme_line(content: Path, theme_id: str) -> int:
    lines = (content / "themes.yml").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if line.strip() == f"- id: {theme_id}")


def _themes_edit(theme_id: str, new: str) -> Callable[[Path, str], tuple[str, int]]:
    def mutate(content: Path, article: str) -> tuple[str, int]:
        line = _theme_line(content, theme_id)
        _replace_line(content / "themes.yml", line, new, expect=f"- id: {theme_id}")
        return "themes.yml", line

    return mutate


def _curation(text: str | bytes, line: int) -> Callable[[Path, str], tuple[str, int]]:
    def mutate(content: Path, article: str) -> tuple[str, int]:
        data = text.replace("ARTICLE", article) if isinstance(text, str) else text
        target = content / "curation.yml"
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return "curation.yml", line

    return mutate


def _themes_tab(content: Path, article: str) -> tuple[str, int]:
    line = _theme_line(content, "talent") + 2
    _replace_line(content / "themes.yml", line, "\tname_en: Talent", expect="name_en: Talent")
    return "themes.yml", line


def _themes_unknown_field(content: Path, article: str) -> tuple[str, int]:
    line = _theme_line(content, "water") + 1
    lines = (content / "themes.yml").read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, "    colour: blue")
    (content / "themes.yml").write_text("\n".join(lines), encoding="utf-8")
    return "themes.yml", line


def _sources_dotdot(content: Path, article: str) -> tuple[str, int]:
    return "sources.yml", _append(content / "sources.yml", "../../etc/passwd:\n  date: 2024-01-01\n")


def _sources_duplicate(content: Path, article: str) -> tuple[str, int]:
    first = sorted(p.name for p in (content / "pages").glob("*.txt"))[0]
    return "sources.yml", _append(content / "sources.yml", f"{first}:\n  page: A1\n")


# case → (mutation returning (file, line), what the message says)
YAML_CASES: dict[str, tuple[Callable[[Path, str], tuple[str, int]], str]] = {
    "themes-malformed": (_themes_tab, r"malformed YAML"),
    "themes-id-dotdot": (_themes_edit("talent", "  - id: ../x"), r"theme id '\.\./x' must be"),
    "themes-id-slash": (_themes_edit("water", "  - id: water/../../x"), r"theme id 'water/\.\./\.\./x' must be"),
    "themes-duplicate-id": (_themes_edit("water", "  - id: talent"), r"duplicate theme id 'talent'"),
    "themes-unknown-field": (_themes_unknown_field, r"unknown field 'colour'"),
    "curation-key-dotdot": (_curation("# corrections\n../../etc:\n  title: x\n", 2), r"'\.\./\.\./etc' must not contain"),
    "curation-key-slash": (_curation("water/x:\n  featured: true\n", 1), r"'water/x' must not contain"),
    "curation-merge-dotdot": (_curation("ARTICLE:\n  merge_into: ../../etc/passwd\n", 2), r"must not contain"),
    "curation-unknown-theme": (_curation("ARTICLE:\n  add_themes: [nope]\n", 2), r"unknown theme id 'nope'"),
    "curation-theme-dotdot": (_curation("ARTICLE:\n  themes: ['../x']\n", 2), r"unknown theme id '\.\./x'"),
    "curation-region-dotdot": (_curation("ARTICLE:\n  regions: ['../../etc']\n", 2), r"not a Zhejiang city"),
    "curation-duplicate-key": (_curation("ARTICLE:\n  featured: true\nARTICLE:\n  featured: false\n", 3), r"duplicate key"),
    "curation-duplicate-field": (_curation("ARTICLE:\n  title: 一\n  title: 二\n", 3), r"duplicate key 'title'"),
    "curation-malformed": (_curation("ARTICLE:\n  title: x\n featured: true\n", 3), r"malformed YAML"),
    "curation-gb18030": (_curation("ARTICLE:\n  title: 新标题\n".encode("gb18030"), 2), r"not valid UTF-8"),
    "curation-binary": (_curation(hostile.PNG_BYTES, 1), r"not valid UTF-8"),
    "sources-key-dotdot": (_sources_dotdot, r"must be a bare file name"),
    "sources-duplicate-key": (_sources_duplicate, r"duplicate key"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_bad_yaml_is_one_error_line_and_writes_nothing(yaml_root, case):
    """Broken or path-like themes.yml / curation.yml / sources.yml: nonzero exit, one line
    `<file>:<line>: error: …`, no traceback, and no file anywhere changed or added (the previous
    generated docs and site stay as they were). Only the page cache (root/.cache) may gain entries:
    pages are read before curation.yml is checked against their article ids."""
    root: Path = yaml_root["root"]
    mutate, message = YAML_CASES[case]
    content = copy_content(root / f"c_{case}")
    file, line = mutate(content, yaml_root["article"])
    config = write_config(root / f"cfg_{case}.yml", content, root / "docs")
    not_cache = lambda rel: rel == ".cache" or rel.startswith(".cache/")  # noqa: E731
    before, around = snapshot(root, skip=not_cache), sorted(os.listdir(root.parent))
    done = mkdocs_build(config, root / "site")
    log = done.stdout + done.stderr
    assert done.returncode != 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    errors = error_lines(log)
    assert len(errors) == 1, log[-3000:]
    assert re.search(rf"{re.escape(str(content / file))}:{line}: error: .*{message}", errors[0]), errors[0]
    assert diff(before, snapshot(root, skip=not_cache)) == []
    assert sorted(os.listdir(root.parent)) == around


@pytest.mark.slow
def test_unknown_only_theme_is_an_error_naming_themes_file(yaml_root):
    """The plugin's only_theme option naming no theme (or a path): an error naming themes.yml."""
    root: Path = yaml_root["root"]
    config = write_config(root / "cfg_only_theme.yml", yaml_root["base"], root / "docs", only_theme="../talent")
    before = snapshot(root, skip=lambda rel: rel.startswith(".cache"))
    done = mkdocs_build(config, root / "site")
    log = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in log, log[-3000:]
    (error,) = error_lines(log)
    assert "themes.yml" in error and "'../talent'" in error, error
    assert diff(before, snapshot(root, skip=lambda rel: rel.startswith(".cache"))) == []


def test_generator_cli_names_bad_files_once_and_stops_in_one_line(tmp_path):
    """`python -m generator build`: unreadable pages named once each on stderr (exit 0, the rest
    written); a broken curation.yml is one line `file:line: error: …`, exit 2, nothing written."""
    content = copy_content(tmp_path / "content", {**hostile.rejected_pages(), "zz_empty.txt": b""})
    out_dir = tmp_path / "docs"
    cmd = [sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out_dir)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment())
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    for name in [*hostile.rejected_pages(), "zz_empty.txt"]:
        assert sum(name in line for line in done.stderr.splitlines()) == 1, (name, done.stderr)
    (content / "curation.yml").write_text("# corrections\n../../etc:\n  title: x\n", encoding="utf-8")
    written = snapshot(tmp_path, skip=lambda rel: rel.startswith(".cache"))
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment())
    assert done.returncode == 2, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if "curation.yml" in line]
    assert lines == [f"{content / 'curation.yml'}:2: error: article id '../../etc' must not contain '/', '\\' or '..'"], done.stderr
    assert "Traceback" not in done.stderr
    assert diff(written, snapshot(tmp_path, skip=lambda rel: rel.startswith(".cache"))) == []


# ------------------------------------------------------------------ 3. no half-written site: kill -9 midway


def start(cmd: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    """A process in its own group (so a kill reaches its children), output to a file."""
    out = log.open("wb")
    return subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=environment(), start_new_session=True)


def kill_when(proc: subprocess.Popen, ready: Callable[[float], bool], timeout: float = 300) -> bool:
    """SIGKILL the process group as soon as ready(elapsed) holds; False if it ended first."""
    began = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - began
        if ready(elapsed) or elapsed > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.001)
    return False


def after(seconds: float) -> Callable[[float], bool]:
    return lambda elapsed: elapsed >= seconds


def files_under(pattern: str, parent: Path, at_least: int) -> Callable[[float], bool]:
    """Some folder matching pattern in parent holds at least that many files (a write in progress)."""

    def ready(elapsed: float) -> bool:
        for folder in parent.glob(pattern):
            try:
                if sum(1 for p in folder.rglob("*") if p.is_file()) >= at_least:
                    return True
            except OSError:  # renamed or removed while we looked
                continue
        return False

    return ready


def new_version(out_dir: Path) -> Callable[[float], bool]:
    """A complete new version folder exists, the symlink not yet swapped (atomic.publish_tree)."""
    current = os.readlink(out_dir)

    def ready(elapsed: float) -> bool:
        return any(p.name != current and "-staging-" not in p.name and "-link-" not in p.name
                   for p in out_dir.parent.glob(f".{out_dir.name}-*"))

    return ready


@pytest.mark.slow
def test_generator_killed_midway_keeps_the_previous_docs(tmp_path):
    """`python -m generator build` on a synthetic corpus (bench/make_corpus.py), SIGKILLed while
    starting, reading pages, writing its staging folder, and between the finished version folder and
    the symlink swap: out_dir is byte-identical to the previous run's every time (or, for a kill that
    came after the swap, to the new run's, complete). Then a full run succeeds and leaves one version."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), "48", "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    content, out_dir = tmp_path / "content", tmp_path / "docs"
    build = [sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(out_dir)]
    first = subprocess.run(build, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment())
    assert first.returncode == 0, first.stderr[-3000:]
    previous = tree(out_dir)
    assert len(previous) > 100
    # New content, so a finished run would publish a different tree.
    shutil.copy(sorted(hostile.SEED_PAGES.glob("*.txt"))[0], content / "pages" / "zz_new.txt")

    kill_points = {
        "0.5 s": after(0.5),
        "1 s": after(1.0),
        "2 s": after(2.0),
        "staging started": files_under(f".{out_dir.name}-staging-*", tmp_path, 1),
        "staging half written": files_under(f".{out_dir.name}-staging-*", tmp_path, len(previous) // 2),
        "before the swap": new_version(out_dir),
    }
    outcomes = {}
    for name, ready in kill_points.items():
        if tree(out_dir) != previous:
            # A kill that came after the swap left the new tree: put the old one back, or the next
            # run would find nothing to publish (the generator is fast enough for that at 2 s).
            publish_tree(previous, out_dir)
        proc = start(build, ROOT, tmp_path / f"kill-{name.replace(' ', '_')}.log")
        killed = kill_when(proc, ready)
        outcomes[name] = (killed, tree(out_dir))
    final = subprocess.run(build, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment())
    assert final.returncode == 0, final.stderr[-3000:]
    new = tree(out_dir)
    assert new != previous
    report = {}
    for name, (killed, seen) in outcomes.items():
        changed = sorted(k for k in set(seen) | set(new) if seen.get(k) != new.get(k))
        assert seen in (previous, new), f"killed at {name}: out_dir is neither the old nor the new tree: {changed[:10]}"
        report[name] = ("killed" if killed else "finished first") + (", old tree" if seen == previous else ", new tree")
    print(report)
    assert all(outcomes[name][0] and outcomes[name][1] == previous for name in ("0.5 s", "1 s", "staging started"))
    versions = sorted(p.name for p in tmp_path.glob(f".{out_dir.name}-*"))
    # No staging, trash or old version left behind: the version and its manifest only.
    assert versions == [os.readlink(out_dir), os.readlink(out_dir) + ".sha256"], versions


def _make_project(dest: Path) -> Path:
    """The files `make site` needs, in a temporary folder: Makefile, mkdocs.yml and content/ copied;
    overrides/ and .venv linked to the repo's."""
    dest.mkdir()
    for name in ("Makefile", "mkdocs.yml", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, dest / name)
    copy_content(dest / "content")
    (dest / "overrides").symlink_to(ROOT / "overrides")
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def make_site(project: Path) -> list[str]:
    # -o: never remake the venv from here (it is the repo's, linked).
    return ["make", "--no-print-directory", "-o", ".venv/bin/.installed", "site"]


@pytest.mark.slow
def test_make_site_killed_midway_keeps_the_previous_site(tmp_path):
    """`make site` SIGKILLed while MkDocs writes build/site.new (and at fixed times): site/ is
    byte-identical to the previous build's. (`mkdocs build` alone cleans and rewrites its site_dir
    in place, so a kill there leaves a half-written folder: the Makefile's build/site.new → site
    swap is what protects site/.) Then a full `make site` succeeds and leaves no build/site.new."""
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    skip_without_site()
    project = _make_project(tmp_path / "project")
    cmd = make_site(project)
    first = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=900, env=environment())
    assert first.returncode == 0, (first.stdout + first.stderr)[-3000:]
    seeds = sorted(hostile.SEED_PAGES.glob("*.txt"))
    # A timed build like the ones killed below (one new page, caches warm) sets the kill times,
    # so they stay inside the build however fast the machine or the generator gets.
    shutil.copy(seeds[0], project / "content" / "pages" / "zz_new.txt")
    started = time.monotonic()
    timed = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=900, env=environment())
    duration = time.monotonic() - started
    assert timed.returncode == 0, (timed.stdout + timed.stderr)[-3000:]
    site = project / "site"
    previous = snapshot(site)
    previous_docs = tree(project / "build" / "docs")
    shutil.copy(seeds[1], project / "content" / "pages" / "zz_newer.txt")

    # Killed runs leave their page caches behind, so later runs are shorter: latest kill first.
    kill_points = {
        "60 % of a build": after(0.6 * duration),
        "site.new half written": files_under("site.new", project / "build", len(previous) // 3),
        "20 % of a build": after(0.2 * duration),
    }
    seen_docs = {}
    for name, ready in kill_points.items():
        proc = start(cmd, project, tmp_path / f"make-{name.replace(' ', '_')}.log")
        killed = kill_when(proc, ready)
        assert killed, f"make site finished before the kill at {name}"
        assert diff(previous, snapshot(site)) == [], f"site/ changed by a build killed at {name}"
        seen_docs[name] = tree(project / "build" / "docs")
    final = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=900, env=environment())
    assert final.returncode == 0, (final.stdout + final.stderr)[-3000:]
    assert diff(previous, snapshot(site)) != []
    assert not (project / "build" / "site.new").exists() and not (project / "build" / "site.old").exists()
    new_docs = tree(project / "build" / "docs")
    for name, docs in seen_docs.items():
        assert docs in (previous_docs, new_docs), f"build/docs half written after a kill at {name}"


@pytest.mark.slow
def test_pages_whose_names_slug_alike_lose_no_article(tmp_path):
    """Two papers printing the same story, in files whose names make the same ASCII slug
    (`平湖日报-2024-11-06-第1版.txt`, `嘉兴日报-2024-11-06-第1版.txt` → `2024-11-06-1`): either every
    article keeps its own page, or the build stops with an error naming the files; never one page
    silently written over the other."""
    skip_without_site()
    seed = sorted(hostile.SEED_PAGES.glob("*.txt"))[-1].read_bytes()
    names = ["平湖日报-2024-11-06-第1版.txt", "嘉兴日报-2024-11-06-第1版.txt"]
    content = copy_content(tmp_path / "content", {name: seed for name in names}, seeds=False)
    site = tmp_path / "site"
    done = mkdocs_build(write_config(tmp_path / "mkdocs.yml", content, tmp_path / "docs"), site)
    log = done.stdout + done.stderr
    assert "Traceback" not in log, log[-3000:]
    if done.returncode != 0:
        errors = error_lines(log)
        assert len(errors) == 1 and all(name in errors[0] for name in names), log[-3000:]
        return
    api = json.loads((site / "api" / "articles.json").read_text(encoding="utf-8"))
    ids = [a["id"] for a in api["articles"]]
    per_page = {name: len(articles_from(api, name)) for name in names}
    assert per_page[names[0]] == per_page[names[1]] > 0
    assert len(ids) == len(set(ids)), "two articles share an id: one page overwrote the other"
    assert len(list((site / "articles").glob("*.html"))) == len(ids)


# ------------------------------------------------------------------ 4. determinism


@pytest.mark.slow
def test_generator_cli_and_plugin_write_identical_markdown(hostile_site, tmp_path):
    """The Markdown tree of the hostile build (mkdocs plugin, PYTHONHASHSEED=1) and a
    `python -m generator build` of a copy elsewhere (PYTHONHASHSEED=2, its own page cache):
    byte-identical. Paths, hash seeds and caches leave no trace in the output."""
    content = shutil.copytree(hostile_site["content"], tmp_path / "elsewhere" / "content")
    site_url, _ = site_urls()
    cmd = [sys.executable, "-m", "generator", "build", "--content", str(content), "--out", str(tmp_path / "docs"),
           "--site-url", site_url]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment(PYTHONHASHSEED="2"))
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = tree(hostile_site["docs"]), tree(tmp_path / "docs")
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    if differ:  # show the first differing lines, to tell a stamp from a real difference
        a, b = first[differ[0]].decode().splitlines(), second[differ[0]].decode().splitlines()
        where = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        pytest.fail(f"{len(differ)} files differ, e.g. {differ[0]} line {where + 1}:\n"
                    f"  plugin: {a[where] if where < len(a) else '<end>'}\n  cli:    {b[where] if where < len(b) else '<end>'}")


LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


@pytest.mark.slow
def test_two_builds_differ_only_in_what_mkdocs_stamps(yaml_root, tmp_path):
    """A second build of the same content, from another folder, another hash seed and a build date
    400 days later: every file byte-identical except sitemap.xml and sitemap.xml.gz, and those
    only in <lastmod> (and the gzip header's MTIME). See the module docstring."""
    content = shutil.copytree(yaml_root["base"], tmp_path / "c_again")
    site = tmp_path / "site"
    later = str(int(EPOCH) + 400 * 86400)
    build_ok(write_config(tmp_path / "cfg.yml", content, tmp_path / "docs"), site, PYTHONHASHSEED="7", SOURCE_DATE_EPOCH=later)
    first, second = tree(yaml_root["root"] / "site"), tree(site)
    assert sorted(first) == sorted(second)
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ == sorted(STAMPED), differ
    assert LASTMOD.sub(b"", first["sitemap.xml"]) == LASTMOD.sub(b"", second["sitemap.xml"])
    assert LASTMOD.findall(first["sitemap.xml"]) != LASTMOD.findall(second["sitemap.xml"])
    unzipped = [gzip.decompress(t["sitemap.xml.gz"]) for t in (first, second)]
    assert unzipped[0] == first["sitemap.xml"] and unzipped[1] == second["sitemap.xml"]
    # gzip header: bytes 4–7 are MTIME; the rest of the header and the stream agree.
    a, b = first["sitemap.xml.gz"], second["sitemap.xml.gz"]
    assert a[:4] == b[:4] and a[8:10] == b[8:10]


# ------------------------------------------------------------------ 5. network hygiene of every built file


def _built_sites(hostile_site, yaml_root) -> dict[str, Path]:
    return {"hostile": hostile_site["site"], "seed": yaml_root["root"] / "site"}


@pytest.mark.slow
def test_every_page_carries_a_first_party_csp(hostile_site, yaml_root):
    """Every HTML page of both builds (404 included): exactly one CSP meta tag, and every source
    in it is 'self', 'none', data:, 'unsafe-inline' (style-src only) or a script hash: no origin."""
    problems = []
    for label, site in _built_sites(hostile_site, yaml_root).items():
        pages = html_pages(site)
        assert len(pages) > 20
        for path in pages:
            found = read_page(path).csp
            where = f"{label}:{path.relative_to(site)}"
            if len(found) != 1:
                problems.append(f"{where}: {len(found)} CSP meta tags")
                continue
            directives = policy(found[0])
            if directives.get("default-src") != ["'self'"] or "'unsafe-inline'" in directives.get("script-src", ["x"]):
                problems.append(f"{where}: {found[0]}")
            for name, sources in directives.items():
                for source in sources:
                    if source not in ALLOWED_CSP_SOURCES and not re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", source):
                        problems.append(f"{where}: {name} allows {source}")
                    if source == "'unsafe-inline'" and name != "style-src":
                        problems.append(f"{where}: {name} allows 'unsafe-inline'")
    assert problems == [], "\n".join(problems[:40])


def _outside(url: str, allowed: tuple[str, ...]) -> bool:
    url = url.strip()
    return bool(EXTERNAL.match(url)) and not url.startswith(allowed)


@pytest.mark.slow
def test_no_built_file_points_at_another_host(hostile_site, yaml_root):
    """In both builds (the hostile one has evil.example URLs in its text): no URL attribute of any
    HTML page, no url()/@import of any stylesheet, no link/guid/loc/url of any feed, sitemap or
    api/articles.json names a host other than site_url's and repo_url's. (Text that merely
    mentions a URL is text; vendor JavaScript is covered by the browser tests.)"""
    allowed = site_urls()
    found = []
    checked = {".html": 0, ".css": 0, ".xml": 0, ".json": 0}
    for label, site in _built_sites(hostile_site, yaml_root).items():
        for path in sorted(site.rglob("*")):
            rel = f"{label}:{path.relative_to(site).as_posix()}"
            if path.suffix in checked and (path.suffix != ".json" or path.name == "articles.json"):
                checked[path.suffix] += 1
            if path.suffix == ".html":
                for tag, attr, value in read_page(path).refs:
                    if _outside(value, allowed):
                        found.append(f"{rel}: <{tag} {attr}={value!r}>")
            elif path.suffix == ".css":
                css = path.read_text(encoding="utf-8", errors="replace")
                for match in re.finditer(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)", css):
                    if _outside(match.group(1), allowed):
                        found.append(f"{rel}: {match.group(1)}")
            elif path.suffix == ".xml":
                xml = path.read_text(encoding="utf-8")
                for match in re.finditer(r"<(link|guid|loc|comments)\b[^>]*>([^<]*)<|\burl=\"([^\"]*)\"", xml):
                    value = unescape(match.group(2) or match.group(3) or "")
                    if _outside(value, allowed):
                        found.append(f"{rel}: {value}")
            elif path.name == "articles.json":
                api = json.loads(path.read_text(encoding="utf-8"))
                for value in [api.get("site") or ""] + [a["url"] for a in api["articles"]]:
                    if _outside(value, allowed):
                        found.append(f"{rel}: {value}")
    assert found == [], "\n".join(found[:40])
    assert all(checked.values()), checked
