"""Zero third-party requests: pages of the built site loaded in real Chromium, every request recorded.

The outside world is blocked (so a test machine without internet behaves like one with it),
and any request to a host other than the local test server fails the test: fonts, CDNs,
analytics, polyfills. Search is exercised too, since it loads scripts at query time.
"""

from __future__ import annotations

import pytest

from browser import browser, built_site, page_in, site_server  # noqa: F401 (fixtures)
from test_a11y import open_search, site_pages

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("which", ["home", "theme", "article"])
def test_pages_make_no_third_party_requests(browser, site_server, built_site, which) -> None:
    page, log = page_in(browser)
    page.goto(site_server.url(site_pages(built_site)[which]))
    page.wait_for_load_state("networkidle")
    assert log.urls, "nothing recorded"
    assert log.third_party == []
    assert [u for u in log.failed if "favicon" not in u] == []


def test_search_makes_no_third_party_requests(browser, site_server) -> None:
    page, log = page_in(browser)
    open_search(page, site_server.url("index.html"), "乡村振兴")
    page.wait_for_load_state("networkidle")
    assert any("/search/s/" in u for u in log.urls)
    assert log.third_party == []
    # Material's own search would fetch search/search_index.json: it must stay off.
    assert not any("search_index" in u or "/workers/search" in u for u in log.urls)
    assert log.failed == []


def test_from_file_url(browser, built_site) -> None:
    """The built site opened from disk (as the offline bundles are): no request leaves file://."""
    page, log = page_in(browser)
    open_search(page, (built_site / "index.html").as_uri(), "乡村振兴")
    page.wait_for_load_state("networkidle")
    assert log.urls and all(u.startswith(("file:", "data:")) for u in log.urls), [u for u in log.urls if not u.startswith("file:")]
    assert page.locator("[data-digest-search-status]").text_content().strip() != "搜索索引加载失败"
