"""Extractive summary: whole sentences from the start of the article, ≤ 120 characters.

1. Datelines, bylines and column labels at the start of a paragraph
   (本报讯, 本报桐庐2月26日电（记者 …）, ■记者 …, 【改革故事】) are skipped.
2. Normally: the lead sentence, plus the next ones while they fit.
3. Fallback when the lead is longer than the limit (or is a fragment without
   an end mark): among the first sentences of the article, the window of
   consecutive whole sentences that fits and carries most of the article's
   theme terms and headline words, earlier windows preferred on ties.
4. Last resort, when no sentence in the article is short enough: the longest
   run of whole clauses (cut after ，；) that fits, closed with "……" so a reader
   sees that it was shortened. The summary never ends mid-clause.
"""

from __future__ import annotations

import re

from .text import ends_with_full_stop, sentences

MAX_CHARS = 120
_EDITORS_NOTE = ("编者按", "编者的话", "编前语", "编者注")
MIN_SENTENCE = 8  # shorter "sentences" (千帆竞渡，百舸争流。) say nothing on their own
CANDIDATE_SENTENCES = 12

_PREFIXES = re.compile(
    r"^(?:"
    r"本报讯\s*|"
    r"本报[^\s，。]{0,12}?\d{1,2}月\d{1,2}日电\s*|"
    r"新华社[^\s，。]{0,12}?\d{1,2}月\d{1,2}日电\s*|"
    r"[（(](?:[^（）()]{0,40}?(?:记者|通讯员|共享联盟)[^（）()]{0,60}?)[）)]\s*|"
    r"■\s*(?:记\s*者|通讯员)[^\n]{0,30}?\s+|"
    r"【[^】]{1,12}】\s*"
    r")"
)


def strip_lead_in(paragraph: str) -> str:
    """Remove dateline, byline and column-label prefixes, repeatedly (本报讯 （记者 …）)."""
    previous = None
    text = paragraph.strip()
    while previous != text:
        previous = text
        text = _PREFIXES.sub("", text, count=1).strip()
    return text


# “……。”某某说。 — the attribution after a quote is no sentence to start from.
_ATTRIBUTION = re.compile(r"^[^，。,“”\"]{0,40}(?:说|表示|介绍|如是说|说道|感叹道|回忆道|坦言)[。！]$")


def _usable(sentence: str) -> bool:
    return len(sentence) >= MIN_SENTENCE and ends_with_full_stop(sentence) and not _ATTRIBUTION.match(sentence)


def summarise(paragraphs: list[str], cue_words: set[str] | None = None) -> str:
    sents: list[str] = []
    for paragraph in paragraphs:
        if paragraph.lstrip().startswith(_EDITORS_NOTE):
            continue  # the paper introducing a series, not what the article reports
        paragraph = strip_lead_in(paragraph)
        sents.extend(sentences(paragraph))
        if len(sents) >= CANDIDATE_SENTENCES * 3:
            break
    sents = [s for s in sents if s]
    if not sents:
        return ""
    if _usable(sents[0]) and len(sents[0]) <= MAX_CHARS:
        return _extend(sents, 0)
    cue_words = cue_words or set()
    best: tuple[float, int] | None = None
    for i, sentence in enumerate(sents[:CANDIDATE_SENTENCES]):
        if not _usable(sentence) or len(sentence) > MAX_CHARS:
            continue
        text = _extend(sents, i)
        cover = sum(1 for word in cue_words if word in text)
        score = cover + len(text) / MAX_CHARS - 0.3 * i
        if best is None or score > best[0]:
            best = (score, i)
    if best is not None:
        return _extend(sents, best[1])
    for sentence in sents:
        if _usable(sentence) and len(sentence) <= MAX_CHARS:
            return _extend(sents, sents.index(sentence))
    return _clauses(sents[0])


def _extend(sents: list[str], start: int) -> str:
    text = sents[start]
    for nxt in sents[start + 1 :]:
        if not _usable(nxt) or len(text) + len(nxt) > MAX_CHARS:
            break
        text += nxt
    return text


def _clauses(sentence: str) -> str:
    cut = -1
    for match in re.finditer(r"[，；,;]", sentence):
        if match.start() + 2 > MAX_CHARS:
            break
        cut = match.start()
    if cut <= 0:
        return ""
    return sentence[:cut] + "……"
