"""Print stylesheet (overrides/assets/stylesheets/print.css): an article page printed to PDF
in Chromium (page.pdf) is A4, carries no site chrome, and shows source, date and public URL.

The PDF is read back with pdftotext (poppler-utils) and compared without whitespace, since
pdftotext breaks lines where the page does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import browser, built_site, page_in  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
PRINT_CSS = ROOT / "overrides" / "assets" / "stylesheets" / "print.css"
A4_POINTS = (595.28, 841.89)

# Site chrome: what a reader sees on screen around the article.
CHROME = ".md-header, .md-tabs, .md-sidebar, .md-footer, .md-search, .md-path, nav"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_tools() -> None:
    missing = [tool for tool in ("pdftotext", "pdfinfo") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (poppler-utils; run `make browser`)")


def test_print_css_hides_chrome_and_sets_a4():
    css = PRINT_CSS.read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    for selector in (".md-header", ".md-sidebar", ".md-footer", ".md-search", ".md-tabs", "nav", ".no-print"):
        assert selector in css
    assert ".print-only" in css
    assert "http://" not in css and "https://" not in css and "@import" not in css


def _articles(site: Path) -> list[Path]:
    pages = sorted((site / "articles").glob("*.html"), key=lambda p: (-p.stat().st_size, p.name))
    if not pages:
        pytest.fail("the built site has no article pages")
    return pages


@pytest.mark.slow
def test_pages_link_the_print_stylesheet_for_print_only(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r"<link\b[^>]*print\.css[^>]*>", html)
    assert links, "index.html does not link assets/stylesheets/print.css"
    assert all('media="print"' in link for link in links), links
    assert (built_site / "assets" / "stylesheets" / "print.css").is_file()


@pytest.mark.slow
@pytest.mark.browser
def test_article_printed_to_a4_pdf_has_source_line_and_no_chrome(browser, built_site, tmp_path):
    pdf_tools()
    # The longest article: the one most likely to spill over the page width or onto page 2.
    article = _articles(built_site)[0]
    page, log = page_in(browser)
    page.goto(article.as_uri())
    page.wait_for_load_state("load")
    screen = page.evaluate(
        """(chrome) => ({
            chrome: [...document.querySelectorAll(chrome)].map(e => e.innerText || '').join('\\n'),
            content: document.querySelector('.md-content').innerText,
            title: document.querySelector('.md-content h1').innerText,
            printOnly: [...document.querySelectorAll('.print-only')].map(e => e.textContent).join('\\n'),
            lastParagraph: ([...document.querySelectorAll('.md-content p')]
                .filter(p => !p.closest('.no-print, .print-only, nav') && p.innerText.trim().length > 10)
                .pop() || {innerText: ''}).innerText,
        })""",
        CHROME,
    )
    assert screen["printOnly"].strip(), (
        f"{article.name} has no .print-only line: the article template should emit one with "
        "source, date and the article's public URL"
    )
    # On screen the print-only line is out of sight.
    assert page.locator(".print-only").first.is_visible() is False

    pdf = tmp_path / "article.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    page.emulate_media(media="print")
    overflow = page.evaluate(
        "[...document.querySelectorAll('.md-content *')]"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length"
    )
    page.context.close()

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size.group(1)) - A4_POINTS[0]) < 1 and abs(float(size.group(2)) - A4_POINTS[1]) < 1, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = squash(text)
    print(f"{article.name}: {pages} A4 page(s), {len(printed)} characters printed")

    # The article itself, and its source line (source, date, public URL).
    assert squash(screen["title"]) in printed
    assert squash(screen["lastParagraph"])[-30:] in printed, "the end of the article is missing from the PDF"
    assert squash(screen["printOnly"]) in printed
    assert re.search(r"https?://\S+/articles/[\w.-]+\.html", squash(screen["printOnly"])), screen["printOnly"]
    assert re.search(r"(19|20)\d\d", screen["printOnly"]), "no date in the print-only line"

    # No chrome: no line of the header, tabs, sidebars, footer, search or breadcrumbs that is
    # not also part of the article itself.
    content = squash(screen["content"]) + squash(screen["printOnly"])
    chrome_lines = {squash(line) for line in screen["chrome"].splitlines()}
    leaked = sorted(line for line in chrome_lines if len(line) >= 2 and line not in content and line in printed)
    assert leaked == [], f"site chrome printed: {leaked[:20]}"
    for word in ("输入关键词搜索", "搜索文章"):
        assert word not in printed or word in content
    assert overflow == 0, f"{overflow} elements wider than the printed page"
    assert log.third_party == []
