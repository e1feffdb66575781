"""One link checker for built HTML, shared by the site tests and the bundle tests.

Every href/src/srcset of every page must name a file of the tree: a link MkDocs
did not check (template links, the 404 page's absolute links, links inside the
generated Markdown's raw HTML) is checked here, on the built files themselves.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

URL_ATTRS = frozenset({"href", "src", "poster", "data", "action"})
HARMLESS_SCHEMES = frozenset({"mailto", "tel", "data"})


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRS:
                self.refs.append((tag, name, value))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.refs.append((tag, name, candidate.split()[0]))


def page_refs(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, URL) of every reference in a page, srcset candidates one by one."""
    parser = _Refs()
    parser.feed(html)
    parser.close()
    return parser.refs


def unresolved_refs(
    root: Path, *, site_url: str | None = None, external_ok: Callable[[str], bool] = lambda url: True
) -> list[str]:
    """Every reference of every HTML file under root that names no file under root.

    Links to `site_url` are paths of the site, checked like relative ones, and so are
    absolute paths under its path (the 404 page's); without a site_url an absolute path
    has nowhere to go (a bundle opened from file://). Other http(s) links must satisfy
    `external_ok`; javascript:, //host and other schemes are always reported.
    """
    root = root.resolve()
    prefix = (urlsplit(site_url).path or "/") if site_url else None
    problems = []
    for page in sorted(root.rglob("*.html")):
        for tag, attr, value in page_refs(page.read_text(encoding="utf-8")):
            where = f"{page.relative_to(root)}: <{tag} {attr}={value!r}>"
            parts = urlsplit(value.strip())
            if parts.scheme in HARMLESS_SCHEMES:
                continue
            if parts.scheme in ("http", "https"):
                if site_url and value.startswith(site_url):
                    parts = parts._replace(scheme="", netloc="")  # a path on the site: check it
                elif external_ok(value):
                    continue
                else:
                    problems.append(f"{where}: link to another site")
                    continue
            elif parts.scheme or parts.netloc:
                problems.append(f"{where}: unexpected scheme")
                continue
            if not parts.path:
                continue  # "#anchor" or "?q=" on the page itself
            if parts.path.startswith("/"):
                if prefix is None or not parts.path.startswith(prefix):
                    problems.append(f"{where}: outside the site's path {prefix or '(none: opened from disk)'}")
                    continue
                target = root / unquote(parts.path[len(prefix) :])
            else:
                target = (page.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/"):
                target = target / "index.html"
            try:
                target.resolve().relative_to(root)
            except ValueError:
                problems.append(f"{where}: leaves the tree")
                continue
            if not target.is_file():
                problems.append(f"{where}: no such file")
    return problems
