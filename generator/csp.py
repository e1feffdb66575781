"""Content-Security-Policy for every built page, as a <meta> tag.

The site is static (GitHub Pages, or a zip opened from ``file://``), so there
are no response headers to set: the policy travels inside each page. Inline
scripts are allowed one by one, by the SHA-256 of the exact script text found
in *that* page (Material's inline scripts embed the page's ``base_url``, so the
hashes differ between ``index.html`` and ``articles/x.html``).

Choices, measured in headless Chromium (Debian chromium 150) on Material 9.8.1 pages
(tests/test_csp.py checks the site and search under the policy, over http and file://):

* ``'self'`` matches ``file:`` URLs for a page opened from ``file://``:
  external scripts (including a ``<script src>`` added by script, which is how
  the search index shards load), stylesheets and images load, while an
  unhashed inline script and an ``https://`` image are blocked. So one policy
  serves the hosted site and the offline bundles; no ``file:`` source is added
  (it would only widen the hosted policy).
* ``img-src data:``: Material's stylesheet draws its icons (admonitions,
  search, clipboard) as ``data:image/svg+xml`` masks; without it Chromium logs
  an img-src violation on every page.
* ``style-src 'unsafe-inline'``: Python-Markdown tables write
  ``style="text-align: ..."`` attributes and Material's templates write
  ``style=`` too; style attributes can only be allowed by hash with
  ``'unsafe-hashes'``. Inline CSS cannot run code, so the protection that
  matters (no script from outside the site or the page) is kept.
* ``frame-ancestors`` is ignored in a meta policy (Chromium warns), so it is
  left out; ``object-src 'none'`` and ``base-uri 'self'`` close the other
  script-loading paths.
* A CSP-blocked request still shows as a ``request`` event in Playwright, so
  the network tests block and record requests themselves rather than rely on
  the policy.
"""

from __future__ import annotations

import base64
import hashlib
import re

# Tag internals may hold ">" inside quoted attribute values.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_SCRIPT = re.compile(rf"<script\b({_ATTRS})>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_HEAD = re.compile(rf"<head\b{_ATTRS}>", re.IGNORECASE)
_CHARSET = re.compile(rf"\s*<meta\s+charset\s*=\s*{_ATTRS}>", re.IGNORECASE)
_EXISTING = re.compile(
    rf"""<meta\b(?={_ATTRS}http-equiv\s*=\s*["']?content-security-policy)({_ATTRS})>""",
    re.IGNORECASE,
)
_TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SRC = re.compile(r"""(?:^|\s)src\s*=""", re.IGNORECASE)

# Script types the browser executes (and so checks against script-src); data
# blocks such as Material's <script type="application/json" id="__config"> are not.
_JS_TYPES = {
    "",
    "module",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "text/ecmascript",
    "application/x-javascript",
    "text/x-javascript",
}

BASE_POLICY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'",)),  # plus one hash per inline script
    ("style-src", ("'self'", "'unsafe-inline'")),
    ("img-src", ("'self'", "data:")),
    ("font-src", ("'self'",)),
    ("connect-src", ("'self'",)),
    ("object-src", ("'none'",)),
    ("base-uri", ("'self'",)),
    ("form-action", ("'self'",)),
)


def _is_executable(attrs: str) -> bool:
    if _SRC.search(attrs):
        return False  # external scripts are covered by 'self', not by hash
    match = _TYPE.search(attrs)
    if match is None:
        return True
    value = next(g for g in match.groups() if g is not None)
    return value.strip().lower() in _JS_TYPES


def script_hash(source: str) -> str:
    """The CSP source expression for one inline script's text."""
    # The HTML parser turns CR LF and lone CR into LF before the browser hashes the text.
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_script_hashes(html: str) -> list[str]:
    """Hashes of the inline scripts in the page, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for match in _SCRIPT.finditer(html):
        if _is_executable(match.group(1)):
            seen.setdefault(script_hash(match.group(2)), None)
    return list(seen)


def policy_for(html: str) -> str:
    hashes = inline_script_hashes(html)
    parts = []
    for directive, sources in BASE_POLICY:
        if directive == "script-src":
            sources = (*sources, *hashes)
        parts.append(f"{directive} {' '.join(sources)}")
    return "; ".join(parts)


def add_csp(html: str) -> str:
    """The page with a CSP meta tag as early in <head> as possible.

    Placed after ``<meta charset>`` when that comes first, so the charset stays
    within the first 1024 bytes the browser scans (pages opened from file://
    have no Content-Type header to fall back on), and before every script and
    stylesheet, since a meta policy only governs what comes after it.
    Idempotent: an existing CSP meta tag is replaced.
    """
    html = _EXISTING.sub("", html)
    head = _HEAD.search(html)
    if head is None:
        return html  # not a full page (a fragment or a redirect stub): nothing to protect
    policy = policy_for(html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    at = head.end()
    charset = _CHARSET.match(html, at)
    if charset is not None:
        at = charset.end()
    return f"{html[:at]}{meta}{html[at:]}"
