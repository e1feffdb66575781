"""Content-Security-Policy meta tag (generator/csp.py): exact hashes, no third-party origin,
and the built site, search included, works under it over http://127.0.0.1 and from file://."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from browser import browser, built_site, page_in, site_server, SiteServer  # noqa: F401 (fixtures)

from generator.csp import add_csp, inline_script_hashes, policy_for, script_hash

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
ALLOWED_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}

PAGE = (
    '<!doctype html>\n<html lang="zh"><head>\n  <meta charset="utf-8">\n'
    "  <title>t</title>\n"
    "  <script>window.__a = 1</script>\n"
    '  <script id="__config" type="application/json">{"x": 1}</script>\n'
    '  <script src="x.js"></script>\n'
    "</head><body><script type=\"text/javascript\">window.__b = '文摘'</script></body></html>\n"
)

# What Chromium 150 itself printed as the required hash for this script (console message
# "Either the 'unsafe-inline' keyword, a hash ('sha256-...')"): the hashes are the browser's.
CHROMIUM_SAYS = ("window.__inline=1", "'sha256-tD0NpC9CfY8Cz5r+jLCT+ut6q0PiUglIdbjzTFyig+w='")


def policy_of(html: str) -> dict[str, list[str]]:
    (content,) = META.findall(html)
    directives = {}
    for part in unescape(content).split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


# ------------------------------------------------------------------ the function


def test_hash_is_the_one_chromium_asks_for():
    source, expected = CHROMIUM_SAYS
    assert script_hash(source) == expected


def test_meta_goes_right_after_charset_and_before_every_script():
    out = add_csp(PAGE)
    assert out.index('<meta charset="utf-8">') < out.index("Content-Security-Policy") < out.index("<script")
    assert out.replace(META.search(out).group(0), "") == PAGE
    # the charset declaration stays within the first 1024 bytes the browser scans
    assert out.encode().index(b'<meta charset="utf-8">') < 1024


def test_meta_right_after_head_when_there_is_no_charset_first():
    out = add_csp('<HTML><HEAD class="x"><title>t</title><script>1</script></HEAD></HTML>')
    assert out.startswith('<HTML><HEAD class="x"><meta http-equiv="Content-Security-Policy"')


def test_one_hash_per_executable_inline_script():
    hashes = inline_script_hashes(PAGE)
    assert hashes == [script_hash("window.__a = 1"), script_hash("window.__b = '文摘'")]
    assert script_hash('{"x": 1}') not in hashes  # data block: never executed, never hashed
    doubled = PAGE.replace("</body>", "<script>window.__a = 1</script></body>")
    assert inline_script_hashes(doubled) == hashes


def test_script_hash_sees_the_text_the_parser_sees():
    # The HTML parser turns CR LF and CR into LF before the browser hashes a script.
    assert script_hash("a;\r\nb;\rc;") == script_hash("a;\nb;\nc;")


def test_policy_allows_no_other_origin():
    policy = policy_of(add_csp(PAGE))
    for name, sources in policy.items():
        for source in sources:
            assert source in ALLOWED_SOURCES or re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", source), (name, source)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_add_csp_is_idempotent_and_replaces_a_stale_policy():
    once = add_csp(PAGE)
    assert add_csp(once) == once
    changed = once.replace("window.__a = 1", "window.__a = 2")
    again = add_csp(changed)
    assert len(META.findall(again)) == 1
    assert script_hash("window.__a = 2") in META.search(again).group(1)


def test_fragment_without_head_is_left_alone():
    assert add_csp("<p>x</p>") == "<p>x</p>"


def test_policy_for_page_without_inline_script():
    assert "'sha256-" not in policy_for("<html><head></head><body></body></html>")


# ------------------------------------------------------------------ Chromium enforces it


def _control_page(directory: Path) -> Path:
    """Hashed inline scripts (CRLF, Chinese), an external script, then two things the policy must stop."""
    (directory / "ext.js").write_text("window.__ext = 1;", encoding="utf-8")
    html = add_csp(
        '<!doctype html><html><head><meta charset="utf-8"><title>csp</title>\r\n'
        "<script>window.__one = 1;\r\nwindow.__zh = '政策举措';</script>\n"
        '<script src="ext.js"></script></head><body>\n'
        "<script>window.__two = 2</script>\n"
        "</body></html>\n"
    )
    html = html.replace(
        "</body>",
        '<script>window.__injected = 1</script><img id="far" src="https://example.org/x.png"></body>',
    )
    page = directory / "control.html"
    page.write_bytes(html.encode("utf-8"))
    return page


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_chromium_runs_hashed_scripts_and_blocks_the_rest(browser, tmp_path, scheme):
    control = _control_page(tmp_path)
    page, log = page_in(browser)
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    if scheme == "file":
        page.goto(control.as_uri())
    else:
        with SiteServer(tmp_path) as server:
            page.goto(server.url("control.html"))
            page.wait_for_load_state("load")
    state = page.evaluate("[window.__one, window.__zh, window.__two, window.__ext, window.__injected]")
    violations = page.evaluate("window.__violations")
    page.context.close()
    assert state == [1, "政策举措", 2, 1, None]
    assert any(v.startswith("script-src") and "inline" in v for v in violations), violations
    assert any(v.startswith("img-src") and "example.org" in v for v in violations), violations


# ------------------------------------------------------------------ the real site under its policy


def site_pages(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if p.name != "404.html")


@pytest.mark.slow
def test_every_built_page_carries_its_policy(built_site):
    pages = site_pages(built_site)
    assert pages
    missing, wrong = [], []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        found = META.findall(html)
        if len(found) != 1:
            missing.append(str(page.relative_to(built_site)))
            continue
        if sorted(inline_script_hashes(html)) != sorted(s for s in policy_of(html)["script-src"] if "sha256" in s):
            wrong.append(str(page.relative_to(built_site)))
    assert missing == [], f"pages without exactly one CSP meta: {missing[:10]}"
    assert wrong == [], f"pages whose hashes do not match their scripts: {wrong[:10]}"


def _first_article(root: Path) -> tuple[str, str]:
    for page in sorted((root / "articles").glob("*.html")):
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
        run = re.search(r"[\u4e00-\u9fff]{4}", re.sub(r"<[^>]+>", "", h1.group(1))) if h1 else None
        if run:
            return f"articles/{page.name}", run.group(0)
    pytest.fail("no article with a Chinese title")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_site_and_search_work_under_the_policy(browser, built_site, site_server, tmp_path, scheme):
    if scheme == "file":  # a copy, as a trainer's unzipped folder would be
        root = shutil.copytree(built_site, tmp_path / "site")
        url = lambda path: (root / path).as_uri()  # noqa: E731
    else:
        root = built_site
        url = site_server.url
    article, query = _first_article(root)
    page, log = page_in(browser)
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));"
    )
    violations = []
    for path in ("index.html", "themes/index.html", article):
        page.goto(url(path))
        page.wait_for_load_state("load")
        assert page.locator("head meta[http-equiv='Content-Security-Policy']").count() == 1
        violations += page.evaluate("window.__violations")
    opener = page.locator("label.md-header__button[for='__search']").first
    if opener.is_visible():
        opener.click()
    page.locator("[data-digest-search-input]").first.fill(query)
    results = page.locator("[data-digest-search-list] a[href]")
    results.first.wait_for(state="visible", timeout=5000)
    violations += page.evaluate("window.__violations")
    page.context.close()
    assert violations == []
    assert log.third_party == []
    assert [e for e in log.console_errors if "Content Security Policy" in e] == []
