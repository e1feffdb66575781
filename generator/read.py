"""Stage 1 (read): page file bytes → RawPage with "\\n" line endings.

Decoding order (see research/stack-facts.md, "Text"): a byte-order mark decides
when there is one; otherwise strict UTF-8, then strict GB18030 (a superset of
GBK/GB2312, 100 % right on the GBK slices we tried). No statistical detector:
below ~32 characters they guess wrong (e.g. cp949 for `记者 陶佳敏`).

Nothing here raises for bad input: every problem becomes a `Problem` naming the
file (and line when known), and an unusable file yields `None`.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from .model import Problem, RawPage

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Signatures of file types people drop into a folder of text pages by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"RIFF", "media file"),
    (b"\x00\x00\x01\x00", "icon"),
)

# A UTF-8 file with a few corrupt bytes is still a UTF-8 file: decode it with
# replacement characters (and a warning) rather than as GB18030 mojibake, as
# long as the bad bytes are this rare among the non-ASCII bytes...
_NEAR_UTF8_MAX_BAD_SHARE = 0.01
# ...and there are enough non-ASCII bytes to judge by.
_NEAR_UTF8_MIN_NON_ASCII = 64

# Share of control characters above which decoded "text" is really binary data.
_BINARY_CONTROL_SHARE = 0.05
# ...and at least this many: a short line with a stray \x07 is still text.
_BINARY_CONTROL_MIN = 8

# Control characters a text page should not contain. \t and \n stay (\t becomes a
# space), \r is handled as a line ending, \f and \v are page/line breaks.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")
_CONTROL_OR_NUL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAKS = str.maketrans({"\f": "\n", "\v": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n", "\t": " "})
_LINE_BREAK_CHARS_RE = re.compile("[\f\v\x85\u2028\u2029\t]")
# Any character the rules above act on (controls, breaks, tabs): one scan shows most pages have none.
_UNUSUAL_CHAR_RE = re.compile("[\x00-\x08\t\v\f\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_REPLACEMENT_RUN_RE = re.compile("\ufffd+")
# U+FFFD runs mark glyphs lost upstream; □ is what Chinese print uses for a missing character.
MISSING_GLYPH = "□"
# Characters that are not visible text: a page made only of these is empty.
_INVISIBLE = " \t\n\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff" + "".join(chr(c) for c in range(0x2000, 0x200B))
_VISIBLE_RE = re.compile(f"[^{_INVISIBLE}]")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_with_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding  # "utf-16"/"utf-32"/"utf-8-sig" consume the BOM
            except UnicodeDecodeError:
                return None
    return None


def _looks_like_text(text: str) -> bool:
    """Plausible human text: mostly printable ASCII, whitespace (no-break and zero-width spaces and
    stray BOMs included: dumps carry them), CJK and common punctuation."""
    if not text:
        return False
    plausible = sum(
        1
        for ch in text
        if " " <= ch <= "~" or ch in "\n\r\t\u00a0\u200b\ufeff" or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027"
    )
    return plausible >= 0.95 * len(text)


def _decode_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: NULs in every other byte of ASCII text. Accepted only when the result reads as text."""
    if len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    # ASCII puts its NULs on one side; a few on the other come from characters like U+3000
    # (ideographic space, low byte 00), so that side is compared with the first, not the length.
    if max(even_nuls, odd_nuls) < 0.2 * half or min(even_nuls, odd_nuls) > 0.1 * max(even_nuls, odd_nuls):
        return None
    encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    sample = text[:20000]
    return (text, encoding) if _looks_like_text(sample) and "\x00" not in text else None


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _error(name: str, message: str, line: int | None = None) -> Problem:
    return Problem(file=name, message=message, line=line, level="error")


def _warning(name: str, message: str, line: int | None = None) -> Problem:
    return Problem(file=name, message=message, line=line, level="warning")


def normalise_text(text: str) -> tuple[str, int, int]:
    """Line endings → "\\n", leading BOM dropped, stray control characters removed, U+FFFD runs → □.

    Returns (text, controls removed, replacement runs, line of the first one). Linear time.
    """
    return _normalise_text(text, unusual=_UNUSUAL_CHAR_RE.search(text) is not None)


def _normalise_text(text: str, *, unusual: bool) -> tuple[str, int, int, int | None]:
    """`normalise_text` for a caller that has already scanned the text for unusual characters
    (removing "\\r" or a BOM adds or removes none of them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text.lstrip("\ufeff")  # a file saved twice "with BOM" starts with two
    controls = 0
    if unusual:
        if _LINE_BREAK_CHARS_RE.search(text):
            text = text.translate(_LINE_BREAKS)
        if _CONTROL_RE.search(text):
            text, controls = _CONTROL_RE.subn("", text)
    replacements, first_line = 0, None
    if "\ufffd" in text:
        first_line = text.count("\n", 0, text.index("\ufffd")) + 1
        text, replacements = _REPLACEMENT_RUN_RE.subn(MISSING_GLYPH, text)
    return text, controls, replacements, first_line


def decode_bytes(data: bytes, name: str) -> tuple[str | None, str | None, list[Problem]]:
    """The pure core of `read_page`: (text, encoding, problems); text is None when the file is unusable."""
    problems: list[Problem] = []
    if not data or data.isspace():
        return None, None, [_warning(name, "empty page (no text), skipped")]

    decoded = _decode_with_bom(data)
    if decoded is None and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return None, None, [_error(name, "byte-order mark present but the file does not decode with it")]

    if decoded is None and b"\x00" in data:
        kind = _binary_kind(data)
        decoded = None if kind else _decode_bomless_utf16(data)
        if decoded is None:
            offset = data.index(b"\x00")
            detail = f" ({kind})" if kind else f" (NUL byte at offset {offset})"
            return None, None, [_error(name, "binary file, not a text page" + detail)]

    if decoded is None:
        kind = _binary_kind(data)
        if kind:
            return None, None, [_error(name, f"binary file, not a text page ({kind})")]
        try:
            decoded = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            decoded = _decode_fallback(data, name, utf8_error, problems)
            if decoded is None:
                return None, None, problems

    raw_text, encoding = decoded
    # Control characters (other than line/tab) in bulk mean binary data that happened to decode.
    sample = raw_text if len(raw_text) <= 1_000_000 else raw_text[:1_000_000]
    unusual = _UNUSUAL_CHAR_RE.search(raw_text) is not None  # one scan; nearly every page has none
    control_count = len(_CONTROL_OR_NUL_RE.findall(sample)) if unusual else 0
    if control_count > max(_BINARY_CONTROL_MIN, _BINARY_CONTROL_SHARE * len(sample)):
        return None, None, [_error(name, "binary file, not a text page (too many control characters)")]

    text, controls, replacements, first_line = _normalise_text(raw_text, unusual=unusual)
    if controls:
        problems.append(_warning(name, f"removed {controls} control character(s)"))
    if replacements:
        problems.append(
            _warning(name, f"{replacements} run(s) of undecodable characters shown as {MISSING_GLYPH}", first_line)
        )
    if not _VISIBLE_RE.search(text):
        return None, encoding, [*problems, _warning(name, "empty page (whitespace only), skipped")]
    return text, encoding, problems


def _decode_fallback(
    data: bytes, name: str, utf8_error: UnicodeDecodeError, problems: list[Problem]
) -> tuple[str, str] | None:
    """Not valid UTF-8: nearly-UTF-8 (a few corrupt bytes), else GB18030, else an error naming the first bad byte."""
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    if non_ascii >= _NEAR_UTF8_MIN_NON_ASCII:
        text = data.decode("utf-8", errors="replace")
        # Count bad *bytes* by how many U+FFFD the replacement produced beyond those already in the file.
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        if 0 < bad <= _NEAR_UTF8_MAX_BAD_SHARE * non_ascii:
            offset = utf8_error.start
            problems.append(
                _warning(
                    name,
                    f"{bad} invalid UTF-8 byte sequence(s) replaced (first: byte 0x{data[offset]:02x} at offset {offset})",
                    _line_of(data, offset),
                )
            )
            return text, "utf-8"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    offset = utf8_error.start
    problems.append(
        _error(
            name,
            f"cannot decode as UTF-8 or GB18030 (byte 0x{data[offset]:02x} at offset {offset})",
            _line_of(data, offset),
        )
    )
    return None


def read_page(path: Path) -> tuple[RawPage | None, list[Problem]]:
    """Read and decode one page file. Never raises for bad input; problems name the file."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [_error(name, f"cannot read file: {exc.strerror or exc}")]
    text, encoding, problems = decode_bytes(data, name)
    if text is None or encoding is None:
        return None, problems
    page = RawPage(name=name, text=text, encoding=encoding, sha256=hashlib.sha256(data).hexdigest())
    return page, problems
