"""Shared browser fixtures: real headless Chromium (Debian's) driven by Playwright, a local
HTTP server for a built site, a request recorder that blocks the outside world, and a
once-per-session real `mkdocs build` of the seed content.

Use from a test module:

    from browser import browser, built_site, site_server, page_in, SiteServer  # noqa: F401 (fixtures)

    @pytest.mark.browser
    def test_something(browser, site_server):
        page, log = page_in(browser)
        page.goto(site_server.url("index.html"))
        assert not log.third_party

Tests skip (with the reason printed) when chromium or playwright is missing; a site
that fails to build is a failure, not a skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def browser_missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"chromium not found at {CHROMIUM} (run `make browser` as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-test.txt)"
    return None


def skip_without_browser() -> None:
    reason = browser_missing()
    if reason:
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)


def is_local(url: str) -> bool:
    """file:, data:, blob:, about: and this machine's own servers are not third parties."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class RequestLog:
    """Every request a page made; third-party ones are aborted when blocking is on."""

    urls: list[str] = field(default_factory=list)
    third_party: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def record_requests(page, *, block_external: bool = True) -> RequestLog:
    """Attach a recorder to a Playwright page (before its first navigation)."""
    log = RequestLog()

    def on_request(request) -> None:
        log.urls.append(request.url)
        if not is_local(request.url):
            log.third_party.append(request.url)

    page.on("request", on_request)
    page.on("requestfailed", lambda request: log.failed.append(request.url))
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
    if block_external:
        def route(r) -> None:
            if is_local(r.request.url):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
    return log


def page_in(browser, *, block_external: bool = True, viewport: dict | None = None, **context_args):
    """A fresh context and page with a request recorder: (page, log)."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN", **context_args)
    page = context.new_page()
    log = record_requests(page, block_external=block_external)
    return page, log


# Fixtures imported into several test modules are separate fixtures to pytest (one per
# module), so the browser and the built site are kept here, once per test process.
_SHARED: dict[str, object] = {}


def _close_shared() -> None:
    instance, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if instance is not None:
        instance.close()
    if playwright is not None:
        playwright.stop()


def shared_browser():
    """The one headless Debian Chromium of this test process (closed at exit)."""
    if "browser" not in _SHARED:
        import atexit

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        atexit.register(_close_shared)
    return _SHARED["browser"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, shared by every test module."""
    skip_without_browser()
    return shared_browser()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        pass


class SiteServer:
    """A static HTTP server on 127.0.0.1 (random port) serving one directory; records bytes sent."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.sent: list[tuple[str, int]] = []
        server_self = self

        class Handler(_QuietHandler):
            def send_head(self):  # noqa: N802 (stdlib name)
                f = super().send_head()
                if f is not None:
                    try:
                        size = os.fstat(f.fileno()).st_size
                    except (AttributeError, OSError):
                        size = 0
                    server_self.sent.append((self.path, size))
                return f

        handler = functools.partial(Handler, directory=str(self.directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")


def build_site(dest: Path, *, config: Path | None = None) -> Path:
    """A real `mkdocs build --strict` of the project into dest; fails the test with the log on error."""
    config = config or ROOT / "mkdocs.yml"
    mkdocs = Path(sys.executable).parent / "mkdocs"
    cmd = [str(mkdocs), "build", "--strict", "--config-file", str(config), "--site-dir", str(dest)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"mkdocs build failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")
    return dest


def site_missing() -> str | None:
    if not (ROOT / "mkdocs.yml").exists():
        return "mkdocs.yml not written yet"
    for module in ("render", "segment", "mkdocs_plugin", "search_index"):
        if not (ROOT / "generator" / f"{module}.py").exists():
            return f"generator/{module}.py not written yet"
    return None


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The seed content built once per test process with the real mkdocs (site dir in a temp folder)."""
    reason = site_missing()
    if reason:
        print(f"SKIP: {reason}", file=sys.stderr)
        pytest.skip(reason)
    prebuilt = os.environ.get("DIGEST_SITE_DIR")
    if prebuilt:  # reuse a site built by hand, to iterate on browser tests quickly
        return Path(prebuilt)
    if "site" not in _SHARED:
        _SHARED["site"] = build_site(tmp_path_factory.mktemp("site") / "site")
    return _SHARED["site"]


@pytest.fixture(scope="session")
def site_server(built_site):
    key = f"server:{built_site}"
    if key not in _SHARED:
        server = SiteServer(built_site).__enter__()
        _SHARED[key] = server
    return _SHARED[key]


def axe_source() -> str | None:
    return AXE_JS.read_text(encoding="utf-8") if AXE_JS.exists() else None


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


MINI_MKDOCS = """site_name: 政策举措文摘
docs_dir: docs
site_dir: site
use_directory_urls: false
theme:
  name: material
  language: zh
  font: false
  custom_dir: {overrides}
plugins: []
nav:
  - 首页: index.md
not_in_nav: |
  /articles/
"""


def build_mini_site(dest: Path, digest, article_url) -> Path:
    """A small real Material site (our overrides, search index of `digest`, one page per article),
    for testing the search UI before, and independently of, the digest's own site build."""
    from generator.search_index import build_search_index

    docs = dest / "docs"
    (docs / "articles").mkdir(parents=True)
    (docs / "index.md").write_text("# 政策举措文摘\n\n浙江各地政策举措。\n", encoding="utf-8")
    for item in digest.articles:
        page = docs / article_url(item).replace(".html", ".md")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {item.article.title}\n\n{item.article.body}\n", encoding="utf-8")
    for name, data in build_search_index(digest, article_url).items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_bytes(data)
    config = dest / "mkdocs.yml"
    config.write_text(MINI_MKDOCS.format(overrides=ROOT / "overrides"), encoding="utf-8")
    return build_site(dest / "site", config=config)
