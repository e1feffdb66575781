"""Stage 2 (clean): normalise the text of newspaper pages dumped from PDFs.

Pure functions, no state; every one is idempotent (f(f(x)) == f(x), checked with
hypothesis), never raises and runs in linear time: regexes are compiled once and
anchored so they cannot backtrack quadratically, and the scans for the word next
to a punctuation mark share their work between marks.

- `clean_text`     one piece of inline text (a paragraph, a caption); newlines are
                   wraps. Spaces, ASCII punctuation in Chinese context, quote
                   pairing, glyphs doubled by PDF extraction, ＡＢＣ１２３, NFC.
- `clean_title`    the same, but keeps the single space between headline phrases
                   (`深入履职 当好“两员”`); use it for titles, kickers, subtitles, subheads.
- `join_lines`     paragraphs (cleaned) from the hard-wrapped lines of one article body.
- `collapse_doubled` the doubled-glyph rule on its own (clean_text applies it).
- `extract_furniture`, `is_banner`, `banner_score`: page furniture.
- helpers for the segmenter: `is_cjk`, `cjk_count`, `ends_sentence`,
  `strip_markdown_heading`, `display_width`.

Decisions worth knowing:
- A space next to a Chinese character or full-width punctuation is always removed,
  including between Chinese and Latin/digits (`达 1723 亿元` → `达1723亿元`, `占 GDP`
  → `占GDP`), as Chinese newspapers set them. Bylines (`罗焱 陈鑫`) must be split by
  the segmenter *before* cleaning.
- "Chinese context" for `, : ; ? ! ( )` means the nearest letter or digit on either
  side (skipping spaces and punctuation) is Chinese; `1,000` and `10:30` (digits on
  both sides), URLs and e-mail addresses keep ASCII. `.` is never converted.
- Doubled glyphs: see `collapse_doubled` for the evidence rules; real repetitions
  (看看, 研究研究, 2020, 1100, 谢谢大家谢谢大家) survive.
- Banners: `is_banner` judges shape only, and a two-phrase headline (`企呼我应 精准助企`)
  has the same shape as a slogan (`决战四季度 夺取全年胜`); the segmenter decides
  with context (a following title/byline/dateline means heading).
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from .model import Furniture

# ---------------------------------------------------------------------------
# Character classes

# Han ideographs (BMP, extensions, compatibility), 〇, kana, Hangul syllables, bopomofo.
_CJK_RANGES = (
    "\u3007"
    "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
    "\u3105-\u312f\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\uac00-\ud7a3"
    "\U00020000-\U0003134f"
)
_CJK_CHAR_RE = re.compile(f"[{_CJK_RANGES}]")
# Punctuation that belongs to CJK typesetting (full width): spaces beside it are always noise.
_CJK_PUNCT = "\u3001-\u3006\u3008-\u303f\ufe10-\ufe1f\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_WIDE = _CJK_RANGES + _CJK_PUNCT
_WIDE_CLASS = f"[{_WIDE}]"

# Sentence-final marks; closing quotes/brackets count when they follow one.
_FINAL = "。！？!?；;…"
_CLOSERS = "”’」』）)】〕》〉\"'"
_FINAL_SET = frozenset(_FINAL)
_CLOSER_SET = frozenset(_CLOSERS)
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# Closing quotes/brackets looked through at the end of a line (bounded: O(1) per line).
_MAX_TRAILING_CLOSERS = 8

# Whitespace of every kind becomes one ASCII space; invisible format characters go.
_SPACE_CHARS = "\t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x85\u2028\u2029"
_INVISIBLE_CHARS = "\u200b\u2060\ufeff\u00ad\u180e"
_CONTROL_CHARS = "".join(chr(c) for c in range(0x20) if chr(c) not in _SPACE_CHARS) + "\x7f" + "".join(
    chr(c) for c in range(0x80, 0xA0) if chr(c) != "\x85"
)
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_ALNUM.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH_ALNUM.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_TRANSLATE: dict[int, int | str | None] = {ord(c): " " for c in _SPACE_CHARS}
_TRANSLATE.update({ord(c): None for c in _INVISIBLE_CHARS + _CONTROL_CHARS})
_TRANSLATE.update(_FULLWIDTH_ALNUM)

_NEEDS_TRANSLATE_RE = re.compile(
    "[" + re.escape(_SPACE_CHARS.replace("\n", "") + _INVISIBLE_CHARS + _CONTROL_CHARS) + "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)
_MULTI_SPACE_RE = re.compile(" {2,}")
_HAS_CJK_RE = _CJK_CHAR_RE
# A space next to a CJK character or full-width punctuation is never wanted in Chinese text
# (this also drops the space between Chinese and Latin/digits: "达 1723 亿元" → "达1723亿元").
# Written to start with the space itself (the character before it is looked at from behind
# the space), so the engine jumps from space to space instead of trying every position.
_SPACE_NEAR_WIDE_RE = re.compile(f" (?:(?={_WIDE_CLASS})|(?<={_WIDE_CLASS} ))")

# Middle dots of other code points between two CJK characters → U+00B7 ("共享联盟・桐庐").
_OTHER_MIDDOT_RE = re.compile("[\u30fb\uff65\u2022\u2027\u2219\u22c5]")
_MIDDOT_RE = re.compile(f"(?<=[{_CJK_RANGES}])[\u30fb\uff65\u2022\u2027\u2219\u22c5](?=[{_CJK_RANGES}])")

# URLs and e-mail addresses keep their ASCII punctuation.
_PROTECTED_RE = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    r"|(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
)

_ASCII_TO_WIDE = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_CONVERTIBLE_RE = re.compile(r"[,:;?!]")
_ASCII_PUNCT_RE = re.compile(r"[,:;?!()\"']")
# A mark with a CJK letter before or after it; each pattern starts with its mark (the letter
# before is looked at from behind the mark), so the engine jumps from mark to mark.
_MARK_BESIDE_CJK_RES = tuple(
    (mark, re.compile(f"{re.escape(mark)}(?:(?=[{_CJK_RANGES}])|(?<=[{_CJK_RANGES}]{re.escape(mark)}))"))
    for mark in _ASCII_TO_WIDE
)


def is_cjk(ch: str) -> bool:
    """A CJK letter (Han, kana, Hangul syllable, bopomofo, 〇); not punctuation."""
    return len(ch) == 1 and _CJK_CHAR_RE.match(ch) is not None


def cjk_count(s: str) -> int:
    """Number of CJK letters in s."""
    return len(_CJK_CHAR_RE.findall(s))


def display_width(s: str) -> float:
    """Width in full-width character cells: printable ASCII counts half."""
    narrow = len(s.encode("ascii", "ignore"))
    return len(s) - 0.5 * narrow


def ends_sentence(s: str) -> bool:
    """Does s end with sentence-final punctuation (possibly followed by closing quotes/brackets)?"""
    return _ends_sentence_stripped(s.rstrip())


def _ends_sentence_stripped(s: str) -> bool:
    # Fast path, same answer, for nearly every line: the last character decides unless it is
    # a closing quote/bracket (look through it) or "." (look at the letter before it).
    last = s[-1:]
    if last in _FINAL_SET:
        return True
    if last not in _CLOSER_SET and last != ".":
        return False
    i = len(s) - 1
    stop = max(-1, i - _MAX_TRAILING_CLOSERS - 1)
    while i > stop and s[i] in _CLOSER_SET:
        i -= 1
    if i < 0 or i == stop:
        return False
    ch = s[i]
    if ch in _FINAL_SET:
        return True
    # "." is a full stop after a Latin letter ("the end."), not after a digit ("总投资1.").
    return ch == "." and i > 0 and s[i - 1] in _ASCII_LETTERS


_HEADING_RE = re.compile(r"[ \t]{0,3}(#{1,6})(?=[ \t]|[^\s#]|$)")


def strip_markdown_heading(line: str) -> tuple[int, str]:
    """("## 标题") → (2, "标题"); (0, line) when the line is not an ATX heading.

    Lenient about the space after the hashes when a CJK character or an opening
    quote/bracket follows ("#标题"), because page dumps are not careful Markdown;
    "#1" or "#hashtag" stay text. A closing run of hashes ("## 标题 ##") is dropped.
    """
    match = _HEADING_RE.match(line)
    if not match:
        return 0, line
    level = len(match.group(1))
    rest = line[match.end() :]
    if rest and not rest[0].isspace() and not is_cjk(rest[0]) and rest[0] not in "“\"「《（(【":
        return 0, line
    text = rest.strip(" \t")
    # Closing sequence: hashes preceded by a space (or alone), as in CommonMark.
    unhashed = text.rstrip("#")
    if unhashed != text and (not unhashed or unhashed[-1] in " \t"):
        text = unhashed.rstrip(" \t")
    return level, text.strip()


# ---------------------------------------------------------------------------
# clean_text building blocks


def _prepare(text: str) -> str:
    """Characters first: controls and invisibles out, whitespace to spaces, ＡＢＣ１２３ → ABC123, NFC."""
    if "\n" in text:
        text = text.replace("\n", " ")
    if _NEEDS_TRANSLATE_RE.search(text):
        text = text.translate(_TRANSLATE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text:
        text = _MULTI_SPACE_RE.sub(" ", text)
    return text


def _protected_spans(text: str) -> list[tuple[int, int]]:
    if "://" not in text and "www." not in text and "@" not in text:
        return []
    return [m.span() for m in _PROTECTED_RE.finditer(text)]


def _in_spans(pos: int, starts: list[int], spans: list[tuple[int, int]]) -> bool:
    if not spans:
        return False
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


_ALNUM_RE = re.compile(r"[^\W_]")


def _chinese_contexts(text: str, positions: list[int]) -> dict[int, bool]:
    """For each position: is the nearest letter/digit before or after it Chinese?

    Spaces and punctuation are skipped (so ASCII and full-width marks, doubled or not,
    give the same answer and the conversions stay idempotent). Positions are visited in
    order and share the search of the gap between two letters: linear time overall.
    """
    result: dict[int, bool] = {}
    reversed_text = ""
    n = len(text)
    gap_left, gap_right, gap_chinese = -2, -2, False
    for pos in positions:  # callers pass them in increasing order
        # Fast path, same answer: a Chinese character right beside the mark.
        if (pos > 0 and text[pos - 1] >= "\u3007" and is_cjk(text[pos - 1])) or (
            pos + 1 < n and text[pos + 1] >= "\u3007" and is_cjk(text[pos + 1])
        ):
            result[pos] = True
            continue
        if not (gap_left < pos < gap_right):
            if not reversed_text:
                reversed_text = text[::-1]
            before = _ALNUM_RE.search(reversed_text, n - pos)
            after = _ALNUM_RE.search(text, pos + 1)
            gap_left = n - 1 - before.start() if before else -1
            gap_right = after.start() if after else n
            gap_chinese = (before is not None and is_cjk(before.group())) or (after is not None and is_cjk(after.group()))
        result[pos] = gap_chinese
    return result


def _convert_marks(text: str, spans: list[tuple[int, int]]) -> str:
    """, : ; ? ! → full width next to Chinese, but not in 1,000 / 10:30 / URLs."""
    starts = [s for s, _ in spans]
    if not spans:
        # Fast path in C for the common case, a mark right next to a Chinese character
        # (same answer as the general rule below, which handles the rest).
        for mark, pattern in _MARK_BESIDE_CJK_RES:
            if mark in text:
                text = pattern.sub(_ASCII_TO_WIDE[mark], text)
    marks = [m.start() for m in _CONVERTIBLE_RE.finditer(text)]
    if spans:
        marks = [pos for pos in marks if not _in_spans(pos, starts, spans)]
    if not marks:
        return text
    chinese = _chinese_contexts(text, marks)
    replacement: dict[int, str] = {}
    last = len(text) - 1
    for pos in marks:
        if not chinese[pos]:
            continue
        mark = text[pos]
        if mark in ",:" and 0 < pos < last and text[pos - 1].isdigit() and text[pos + 1].isdigit():
            continue
        replacement[pos] = _ASCII_TO_WIDE[mark]
    return _replace_at(text, replacement)


_PAREN_RE = re.compile(r"[()]")


def _convert_parens(text: str, spans: list[tuple[int, int]]) -> str:
    """(…) → （…） when the content or a neighbouring word is Chinese; matched with a stack."""
    if "(" not in text and ")" not in text:
        return text
    starts = [s for s, _ in spans]
    parens = [m.start() for m in _PAREN_RE.finditer(text)]
    if spans:
        parens = [pos for pos in parens if not _in_spans(pos, starts, spans)]
    chinese = _chinese_contexts(text, parens)
    replacement: dict[int, str] = {}
    stack: list[int] = []
    unmatched: list[int] = []
    for i in parens:
        if text[i] == "(":
            stack.append(i)
        elif stack:
            open_at = stack.pop()
            if chinese[open_at] or chinese[i] or _CJK_CHAR_RE.search(text, open_at + 1, i):
                replacement[open_at] = "（"
                replacement[i] = "）"
        else:
            unmatched.append(i)
    unmatched.extend(stack)
    for i in unmatched:
        if chinese[i]:
            replacement[i] = "（" if text[i] == "(" else "）"
    return _replace_at(text, replacement)


_QUOTE_CHARS_RE = re.compile("[\"“”'‘’]")
_CURLY_QUOTE_RE = re.compile("[“”‘’]")
_BAD_AFTER_OPEN = set("，。！？、；：）)》」』】,.;:!? ")
_BAD_BEFORE_CLOSE = set("：:（(《「『【")


def _pair_quotes(text: str, spans: list[tuple[int, int]]) -> str:
    """Straight quotes in Chinese text → “ ” and ‘ ’, paired in order.

    Curly quotes already present take part in the pairing. With an odd number of
    straight double quotes the paragraph may start inside a quotation (columns cut
    mid-quote), so both readings are tried and the one with fewer typographic
    impossibilities (an opening quote before a comma, a closing one after a colon)
    wins. An unpaired ' while a double quote is open is an OCR'd closing ” (seen on
    real pages: `"没有…的投资地。' 为了`).
    """
    if '"' not in text and "'" not in text:
        return text
    marks = [m.start() for m in _QUOTE_CHARS_RE.finditer(text)]
    if spans:
        starts = [s for s, _ in spans]
        marks = [p for p in marks if not _in_spans(p, starts, spans)]
    if len(marks) % 2 == 0 and "'" not in text and '""' not in text and not _CURLY_QUOTE_RE.search(text):
        # The usual case, same answer as the general rule below: only straight double quotes,
        # none doubled, an even number of them. They open and close in turn.
        return _replace_at(text, {p: "”" if i % 2 else "“" for i, p in enumerate(marks)})
    singles_left = 0
    if "'" in text:
        # Apostrophes between Latin letters (don't, Xi'an) are not quotes.
        marks = [
            p
            for p in marks
            if not (
                text[p] == "'"
                and 0 < p < len(text) - 1
                and text[p - 1].isascii()
                and text[p - 1].isalpha()
                and text[p + 1].isascii()
                and text[p + 1].isalpha()
            )
        ]
        singles_left = sum(1 for p in marks if text[p] == "'")
    # "" is a quote mark doubled by PDF extraction (""快进键快进键""): one mark, written
    # doubled in the chosen direction (““ or ””) so that collapse_doubled sees it.
    units: list[tuple[int, int]] = []  # (position, width)
    index = 0
    while index < len(marks):
        p = marks[index]
        if text[p] == '"' and index + 1 < len(marks) and marks[index + 1] == p + 1 and text[p + 1] == '"':
            units.append((p, 2))
            index += 2
        else:
            units.append((p, 1))
            index += 1

    pairs = sum(1 for _, width in units if width == 2)
    # Written doubled only where collapse_doubled will undo it; an isolated "" is just “”.
    doubled_ok = pairs > 0 and (
        pairs + len(_DOUBLED_PUNCT_RE.findall(text)) >= 2
        or _DOUBLED_DECIMAL_RE.search(text) is not None
        or _DOUBLED_SEGMENT_RE.search(text) is not None
    )

    def run(start_open: bool) -> tuple[int, dict[int, str]]:
        out: dict[int, str] = {}
        double_open = start_open
        single_open = False
        remaining_singles = singles_left
        penalty = 0
        for p, width in units:
            ch = text[p]
            if ch == "“":
                double_open = True
                continue
            if ch == "”":
                double_open = False
                continue
            if ch == "‘":
                single_open = True
                continue
            if ch == "’":
                single_open = False
                continue
            if width == 2 and not doubled_ok:
                out[p], out[p + 1] = "“", "”"  # an empty quotation
                continue
            if ch == '"':
                new = "”" if double_open else "“"
                double_open = not double_open
            else:  # "'"
                remaining_singles -= 1
                prev = text[p - 1] if p else ""
                if not single_open and remaining_singles == 0 and (double_open or prev in "。！？!?…"):
                    new = "”"
                    double_open = False
                else:
                    new = "’" if single_open else "‘"
                    single_open = not single_open
            out[p] = new
            if width == 2:
                out[p + 1] = new
            after = text[p + width] if p + width < len(text) else ""
            before = text[p - 1] if p else ""
            if new in "“‘" and (after == "" or after in _BAD_AFTER_OPEN):
                penalty += 1
            if new in "”’" and (before == "" or before in _BAD_BEFORE_CLOSE):
                penalty += 1
        if double_open:
            penalty += 1
        return penalty, out

    straight_doubles = sum(1 for p, width in units if text[p] == '"' and (width == 1 or doubled_ok))
    penalty, replacement = run(False)
    if straight_doubles % 2 == 1:
        other_penalty, other = run(True)
        if other_penalty < penalty:
            replacement = other
    return _replace_at(text, replacement)


def _replace_at(text: str, replacement: dict[int, str]) -> str:
    """text with the character at each position replaced; slices, not a list of every character."""
    if not replacement:
        return text
    pieces: list[str] = []
    last = 0
    for position in sorted(replacement):
        pieces.append(text[last:position])
        pieces.append(replacement[position])
        last = position + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _convert_punctuation(text: str) -> str:
    """ASCII punctuation in Chinese context → full width; only for text that has Chinese in it."""
    if not _ASCII_PUNCT_RE.search(text) or not _HAS_CJK_RE.search(text):
        return text
    spans = _protected_spans(text)
    text = _pair_quotes(text, spans)
    text = _convert_parens(text, spans)
    return _convert_marks(text, spans)


def _remove_spaces(text: str, keep_phrase_spaces: bool) -> str:
    if " " not in text:
        return text
    if not keep_phrase_spaces:
        return _SPACE_NEAR_WIDE_RE.sub("", text).strip(" ")
    # Headlines: a space between two phrases of ≥ 3 CJK letters each is a separator, keep one.
    tokens = text.strip(" ").split(" ")
    out = [tokens[0]]
    for left, right in zip(tokens, tokens[1:]):
        a, b = left[-1:], right[:1]
        wide_join = _WIDE_OR_QUOTE_RE.match(a) is not None or _WIDE_OR_QUOTE_RE.match(b) is not None
        if not wide_join:
            out.append(" ")
        elif cjk_count(left) >= 3 and cjk_count(right) >= 3 and not _CJK_PUNCT_RE.match(a) and not _CJK_PUNCT_RE.match(b):
            out.append(" ")
        out.append(right)
    return "".join(out)


_WIDE_OR_QUOTE_RE = re.compile(f"[{_WIDE}“”‘’]")
_CJK_PUNCT_RE = re.compile(f"[{_CJK_PUNCT}]")

# --- glyphs doubled by PDF extraction -------------------------------------
# 347347..22 → 347.2 ; 99..55 → 9.5 ; 137137..7777 → 137.77 (both halves doubled, dot doubled).
_DOUBLED_DECIMAL_RE = re.compile(r"(?<![\d.])(\d{1,12})\1\.\.(\d{1,12})\2(?![\d.])")
# 138138 → 138, only when the same text shows other doubling (never 2020, 1100).
_DOUBLED_DIGITS_RE = re.compile(r"(?<![\d.])(\d{3,12})\1(?![\d.])")
# Char-doubled punctuation: ““ ”” 《《 … (not …… or —— which are single marks in Chinese).
_DOUBLED_PUNCT = "“”‘’《》（）【】〔〕「」『』，、：；。"
_DOUBLED_PUNCT_RE = re.compile(f"([{_DOUBLED_PUNCT}])\\1+")
# Characters that separate the "segments" in which a whole-segment doubling XX is looked for.
# Every character str.isspace() knows (what \s matches), spelled out: a class of plain ranges
# compiles to one table lookup, while \s inside a class is a second test for every character.
_UNICODE_SPACES = re.escape("".join(chr(c) for c in range(0x3001) if chr(c).isspace()))
_SEGMENT_DELIMITERS = (
    _UNICODE_SPACES + r"!-/:-@\[-`{-~\u00a1-\u00bf\u2010-\u2027\u2030-\u205e" + _CJK_PUNCT + r"\u00b7\u30fb\u2219\u22c5"
)
_SEG = f"[^{_SEGMENT_DELIMITERS}]"
_BOUNDARY_BEFORE = f"(?<!{_SEG})"
_BOUNDARY_AFTER = f"(?!{_SEG})"
# A unit of up to this many characters is checked (bounds the backtracking: linear time).
_MAX_UNIT = 200
# A unit at least this long (with Chinese in it) is collapsed on its own evidence.
_STRONG_UNIT = 5
# Shorter units (2..4) are collapsed only when the same text shows other doubling.
_WEAK_UNIT = 2
# A whole segment doubled character by character (平平湖湖…) with at least this many pairs.
_CHAR_DOUBLED_PAIRS = 8
# One scan for both kinds.
_DOUBLED_SEGMENT_RE = re.compile(
    f"{_BOUNDARY_BEFORE}(?:({_SEG}{{2,{_MAX_UNIT}}})\\1|(?:({_SEG})\\2){{{_CHAR_DOUBLED_PAIRS},}}){_BOUNDARY_AFTER}"
)


def _exact_double(segment: str, min_unit: int) -> bool:
    half = len(segment) // 2
    return (
        len(segment) % 2 == 0
        and half >= min_unit
        and segment[:half] == segment[half:]
        and _HAS_CJK_RE.search(segment, 0, half) is not None
    )


def _char_doubled(segment: str) -> bool:
    return (
        len(segment) >= 2 * _CHAR_DOUBLED_PAIRS
        and len(segment) % 2 == 0
        and segment[0::2] == segment[1::2]
        and _HAS_CJK_RE.search(segment) is not None
    )


def _is_strong(segment: str) -> bool:
    return _char_doubled(segment) or _exact_double(segment, _STRONG_UNIT)


def _undouble(segment: str, weak_ok: bool) -> str:
    """Strong doublings are undone until none is left (so a second pass finds nothing);
    a short unit (2–4) is halved once, and only with evidence elsewhere in the text."""
    changed = False
    while True:
        if _char_doubled(segment):
            segment = segment[0::2]
        elif _exact_double(segment, _STRONG_UNIT):
            segment = segment[: len(segment) // 2]
        else:
            break
        changed = True
    if not changed and weak_ok and _exact_double(segment, _WEAK_UNIT):
        segment = segment[: len(segment) // 2]
    return segment


# Whole segments long enough to be a doubling that counts on its own (2 × _STRONG_UNIT);
# the boundary before keeps the scan linear (a match only starts where a segment does).
_LONG_SEGMENT_RE = re.compile(f"{_BOUNDARY_BEFORE}{_SEG}{{{2 * _STRONG_UNIT},}}")


def _may_have_strong_segment(text: str) -> bool:
    """Cheap necessary condition for a strong doubling: some long segment is XX or char-doubled.

    Looser than `_is_strong` (no CJK or unit-length test), which is all the fast path needs.
    """
    for segment in _LONG_SEGMENT_RE.findall(text):
        length = len(segment)
        if length % 2:
            continue
        half = length // 2
        # One character compared first: the slices are built only for a likely doubling.
        if segment[0] == segment[half] and segment[:half] == segment[half:]:
            return True
        if segment[0] == segment[1] and segment[0::2] == segment[1::2]:
            return True
    return False


def _doubled_segments(text: str) -> list[tuple[int, int]]:
    """Spans of whole segments that are XX (unit ≤ _MAX_UNIT) or char-doubled, with CJK in them."""
    return [m.span() for m in _DOUBLED_SEGMENT_RE.finditer(text) if _HAS_CJK_RE.search(text, m.start(), m.end())]


def collapse_doubled(text: str) -> str:
    """Undo glyph doubling from PDF extraction, conservatively.

    `347347..22亿元` → `347.2亿元`; `平湖重大项目建设按下平湖重大项目建设按下““快进键快进键””`
    → `平湖重大项目建设按下“快进键”`. Evidence on its own: a unit of ≥ 5 characters
    doubled as a whole segment (text between punctuation/spaces), a segment doubled
    character by character over ≥ 8 pairs, a number with a doubled decimal point.
    Collapsed only with such evidence — or doubled punctuation — in the same text:
    shorter doubled segments (2–4), doubled digit runs (138138%), doubled punctuation
    (““ ””). Real repetitions survive: 看看, 研究研究, 谢谢大家谢谢大家, 2020, 1100,
    天天向上, “人人人”.
    """
    if ".." not in text and not _DOUBLED_PUNCT_RE.search(text) and not _may_have_strong_segment(text):
        # Fast path, same answer: with no doubled decimal point, no doubled punctuation and no
        # strong doubling there is no evidence, and the rules below change nothing (most text).
        return text
    evidence = False
    if ".." in text:
        text, count = _DOUBLED_DECIMAL_RE.subn(r"\1.\2", text)
        evidence = count > 0
    spans = _doubled_segments(text)
    doubled_punct = len(_DOUBLED_PUNCT_RE.findall(text))
    if not (evidence or spans or doubled_punct >= 2):
        return text
    evidence = evidence or any(_is_strong(text[a:b]) for a, b in spans)
    weak_ok = evidence or doubled_punct > 0
    if not (evidence or weak_ok):
        return text
    if evidence or doubled_punct >= 2:
        # Digits first: undoubling them can make a segment an exact XX, handled just below.
        if _DOUBLED_DIGITS_RE.search(text):
            text = _DOUBLED_DIGITS_RE.sub(r"\1", text)
            spans = _doubled_segments(text)
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        segment = text[start:end]
        new = _undouble(segment, weak_ok)
        if new != segment:
            evidence = True
        pieces.append(text[last:start])
        pieces.append(new)
        last = end
    pieces.append(text[last:])
    text = "".join(pieces)
    if evidence or doubled_punct >= 2:
        text = _DOUBLED_PUNCT_RE.sub(r"\1", text)
    return text


# Every character the rules before the doubling rule act on (whitespace, invisibles, controls,
# ＡＢＣ１２３, ASCII punctuation, other middle dots). Text without any that is already NFC —
# most paragraphs of Chinese — would come through them unchanged, so one scan skips them all.
_EDITABLE_CHARS_RE = re.compile(
    "["
    + re.escape(_SPACE_CHARS + _INVISIBLE_CHARS + _CONTROL_CHARS + " ,:;?!()\"'")
    + "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u30fb\uff65\u2022\u2027\u2219\u22c5]"
)


# An ASCII full stop right after a Chinese character, ending the text or followed by Chinese
# (新建人才公寓2000套.根据意见): a sentence end typed on an ASCII keyboard. Never between
# digits (347.2), Latin letters (U.S.) or in runs (...).
_CJK_FULL_STOP_RE = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff])\.(?=\s*$|[\u3400-\u4dbf\u4e00-\u9fff“‘（《])"
)


def _clean(text: str, keep_phrase_spaces: bool) -> str:
    if _EDITABLE_CHARS_RE.search(text) or not unicodedata.is_normalized("NFC", text):
        text = _prepare(text)
        text = _convert_punctuation(text)
        text = _remove_spaces(text, keep_phrase_spaces)
        if _OTHER_MIDDOT_RE.search(text):
            text = _MIDDOT_RE.sub("\u00b7", text)
    text = collapse_doubled(text)
    if "." in text:
        text = _CJK_FULL_STOP_RE.sub("。", text)
    return text.strip(" ")


def clean_text(text: str) -> str:
    """Normalise one piece of inline text (newlines inside are wraps). Idempotent, never raises."""
    return _clean(text, keep_phrase_spaces=False)


def clean_title(text: str) -> str:
    """Like clean_text, but keeps one space between headline phrases: `深入履职 当好“两员”`.

    Repeated to a fixed point: undoubling can shorten a phrase below the length that
    keeps its space, and removing a space can join two halves of a doubling. Titles are
    short and every round that changes something makes the text shorter.
    """
    cleaned = _clean(text, keep_phrase_spaces=True)
    if cleaned == text:
        return cleaned  # already a fixed point (most headlines): a second round would change nothing
    text = cleaned
    for _ in range(8):
        again = _clean(text, keep_phrase_spaces=True)
        if again == text:
            break
        text = again
    return text


# ---------------------------------------------------------------------------
# join_lines

# Paragraph indentation: an ideographic space, a tab, or two spaces.
_INDENTS = ("\u3000", "\t", "  ", "\u00a0\u00a0", " \u00a0", "\u00a0 ")
_INDENT_STARTS = frozenset(indent[0] for indent in _INDENTS)
_LIST_START_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|\d{1,2}(?:[.．](?!\d)|、)|[（(][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]|[●■◆▲★•·\-\*]\s?)"
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def join_lines(lines: list[str]) -> list[str]:
    """Paragraphs from the raw body lines of one article ("" = blank line), each cleaned.

    A line that ends mid-sentence is joined to the next non-blank line, even across
    blank lines (pages put blanks inside sentences). A line that ends a sentence ends
    the paragraph, unless the text is column-wrapped and the line is full width (it
    may wrap exactly at the column edge) with no blank line or indentation to say
    otherwise. Blank lines count as evidence only when they are not between (nearly)
    every pair of lines.

    Idempotent: join_lines(join_lines(x)) == join_lines(x). The rules are applied
    again to the cleaned paragraphs until they merge no further (cleaning can turn
    a line start into a closing quote, say); normally that check merges nothing.
    """
    entries: list[tuple[str, bool, bool]] = []  # (line, blank line before it, indented)
    blank_before = False
    for raw in lines:
        if raw is None:
            continue
        raw = str(raw)
        for line in raw.split("\n") if "\n" in raw else (raw,):
            stripped = line.strip(_BLANK_CHARS)
            if not stripped:
                blank_before = True
                continue
            indented = line[0] in _INDENT_STARTS and line.startswith(_INDENTS)  # set test first: most lines
            entries.append((stripped, blank_before, indented))
            blank_before = False
    paragraphs = [p for p in (clean_text(_join_wrapped(g)) for g in _group_lines(entries)) if p]
    while len(paragraphs) > 1 and not _all_break(paragraphs):
        groups = _group_lines([(p, False, False) for p in paragraphs])
        if len(groups) == len(paragraphs):
            break
        paragraphs = [p for p in (clean_text(_join_wrapped(g)) for g in groups) if p]
    return paragraphs


def _all_break(paragraphs: list[str]) -> bool:
    """Cheap check that join_lines would keep these paragraphs apart (the usual case).

    Every paragraph but the last ends a sentence (or a colon before a list) and none
    starts with closing punctuation; then no line ends mid-sentence except perhaps the
    last, so the text does not count as column-wrapped and every boundary is a break.
    """
    for prev, line in zip(paragraphs, paragraphs[1:]):
        if line[0] in _CONTINUATION_START:
            return False
        if prev[-1] in _COLONS or not _ends_sentence_stripped(prev):
            return False
    return True


def _group_lines(entries: list[tuple[str, bool, bool]]) -> list[list[str]]:
    """Stripped lines grouped into paragraphs; entries are (line, blank line before, indented)."""
    count = len(entries)
    if not count:
        return []
    stripped, blanks, indents = (list(column) for column in zip(*entries))
    ends = [_ends_sentence_stripped(line) for line in stripped]
    blank_transitions = blanks[1:].count(True)
    blanks_informative = count == 1 or blank_transitions <= 0.5 * (count - 1)
    indent_count = indents.count(True)
    indents_informative = 0 < indent_count <= 0.5 * count
    # Column-wrapped: many lines of about the same, narrow width, most of them ending mid-sentence.
    # The widths are measured only when the cheap test leaves the question open; they matter
    # only for wrapped text.
    wrapped = False
    full_width = full_chars = 0.0
    widths: list[float] = []
    lengths: list[int] = []
    if count >= 3 and ends.count(False) >= 0.5 * count:
        lengths = [len(line) for line in stripped]
        widths = [length - 0.5 * len(line.encode("ascii", "ignore")) for line, length in zip(stripped, lengths)]
        column_width, column_chars = _percentile(widths, 0.8), _percentile(lengths, 0.8)
        wrapped = column_width <= 40 and sum(1 for w in widths if w >= column_width - 2) >= 0.5 * count
        full_width, full_chars = column_width - 1.5, column_chars - 1

    groups: list[list[str]] = [[stripped[0]]]
    for index in range(1, count):
        line = stripped[index]
        if line[0] in _CONTINUATION_START:
            groups[-1].append(line)
            continue
        prev = stripped[index - 1]
        if prev[-1] in _COLONS:
            # A colon ends a paragraph only before a list.
            brk = _LIST_START_RE.match(line) is not None
        elif not ends[index - 1]:
            brk = False
        else:
            _, blank_before, indented = entries[index]
            if (
                (blank_before and blanks_informative)
                or (indented and indents_informative)
                or not wrapped
                or (widths[index - 1] < full_width and lengths[index - 1] < full_chars)
            ):
                brk = True
            else:
                # A full-width line of column text ending a sentence may wrap exactly at the column edge.
                brk = _LIST_START_RE.match(line) is not None
        if brk:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


_BLANK_CHARS = " \t\u3000\u00a0\u200b\ufeff"
# A line starting with one of these continues the previous line whatever it ended with.
# (One character each: a set lookup of line[0] instead of str.startswith over a tuple.)
_CONTINUATION_START = frozenset("”’」』）)】〕》〉，。、；：！？,.;:!?…%％")
# A line ending with a colon ends a paragraph only before a list.
_COLONS = frozenset("：:")


def _join_wrapped(lines: list[str]) -> str:
    """Undo hard wraps: no space, except between two Latin letters (a wrap between English words)."""
    if len(lines) == 1:
        return lines[0]
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        if prev[-1:] in _ASCII_LETTERS and line[:1] in _ASCII_LETTERS:
            out.append(" ")
        out.append(line)
    return "".join(out)


# ---------------------------------------------------------------------------
# Page furniture

_CN_NUM = "一二三四五六七八九十百零〇两"
_FURNITURE_CORE = (
    r"(?P<verb>下转|转至|转|上接|紧接|接|承|续)\s*"
    r"(?P<where>(?:第\s*)?(?:[0-9]{1,3}|[" + _CN_NUM + r"]{1,4}|[A-Za-z][0-9]{0,2})\s*(?:版|页|面)"
    r"|(?:第\s*)?[0-9]{1,3}|上版|下版|上期|前版)"
)
_FURNITURE_PAREN_RE = re.compile(r"[（(]\s*" + _FURNITURE_CORE + r"\s*[)）]")
_FURNITURE_LINE_RE = re.compile(r"^\s*" + _FURNITURE_CORE + r"\s*$")
_CONTINUED_VERBS = {"下转", "转至", "转"}


def _furniture_from(match: re.Match[str]) -> Furniture:
    verb = match.group("verb")
    where = re.sub(r"\s+", "", match.group("where"))
    kind = "continued" if verb in _CONTINUED_VERBS else "continues"
    return Furniture(kind=kind, text=verb + where)


def extract_furniture(text: str) -> tuple[str, list[Furniture]]:
    """Take continuation markers out of a line/paragraph: （下转2版） (上接第一版) （转第3版）…

    Returns the text without them (trimmed) and the markers as Furniture
    (kind "continued" for 下转/转, "continues" for 上接/接/紧接/承/续), text without parens.
    """
    found: list[Furniture] = []
    if "转" not in text and "接" not in text and "承" not in text and "续" not in text:
        return text, found

    def take(match: re.Match[str]) -> str:
        found.append(_furniture_from(match))
        return ""

    rest = _FURNITURE_PAREN_RE.sub(take, text)
    bare = _FURNITURE_LINE_RE.match(rest)
    if bare and ("版" in bare.group() or "页" in bare.group() or "面" in bare.group()):
        found.append(_furniture_from(bare))
        rest = ""
    if found:
        rest = _MULTI_SPACE_RE.sub(" ", rest).strip()
    return rest, found


_PHRASE_SPACES_RE = re.compile("[ \u3000\u00a0]+")
_BANNER_PUNCT_RE = re.compile(f"[{_CJK_PUNCT}!-/:-@\\[-`{{-~“”‘’…—]")


def banner_score(line: str) -> float:
    """How much a line *looks* like a slogan banner (决战四季度 夺取全年胜): 0..1, shape only.

    2–3 space-separated phrases of Chinese, no punctuation, short and of equal length
    score high. Shape cannot tell a banner from a two-phrase headline (企呼我应 精准助企,
    村村建工坊 增收有良方): the segmenter must look at the context (a title, byline
    or dateline after it means it is a heading, not a banner).
    """
    text = line.strip(" \t\u3000")
    if not text or _BANNER_PUNCT_RE.search(text):
        return 0.0
    phrases = [p for p in _PHRASE_SPACES_RE.split(text) if p]
    if not 2 <= len(phrases) <= 3:
        return 0.0
    if any(cjk_count(p) != len(p) for p in phrases):
        return 0.0  # digits or Latin: a figure or a name, not a slogan
    lengths = [len(p) for p in phrases]
    total = sum(lengths)
    if min(lengths) < 2 or max(lengths) > 8 or total > 20:
        return 0.0
    score = 1.0
    score -= 0.15 * (max(lengths) - min(lengths))
    score -= 0.05 * max(0, total - 12)
    if len(phrases) == 3:
        score -= 0.2
    return max(0.0, min(1.0, score))


def is_banner(line: str) -> bool:
    """Conservative banner test: exactly 2 phrases, ≤ 12 CJK letters, lengths within 1, no punctuation.

    Shape only (see banner_score): a two-phrase headline has the same shape, so the
    segmenter should treat a banner-shaped line as a banner only when no title,
    byline or dateline follows it.
    """
    text = line.strip(" \t\u3000")
    phrases = [p for p in _PHRASE_SPACES_RE.split(text) if p]
    if len(phrases) != 2 or cjk_count(text) > 12:
        return False
    return banner_score(text) >= 0.85
