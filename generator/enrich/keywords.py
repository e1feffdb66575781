"""Keywords by TF-IDF, with an IDF measured on the corpus itself.

jieba ships an IDF table computed on general text; in a digest of local policy
news, words like 乡村振兴 or 党建 are far commoner than there, and the corpus
knows it. The corpus IDF is blended with jieba's: with few articles the corpus
says little, so weight moves to the corpus as it grows (n / (n + BLEND_N)).
Lexicon terms and headline words rank up; stop words, single characters and
anything with a digit never make a keyword.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .text import stopwords

MAX_KEYWORDS = 8
MIN_KEYWORDS = 5
BLEND_N = 100
LEXICON_BOOST = 1.5
HEAD_BOOST = 1.5
# Keywords below this share of the best one are noise, unless needed to reach MIN_KEYWORDS.
RELATIVE_FLOOR = 0.2

# Chinese words of two or more characters, or Latin words that are acronyms (PTA, GDP)
# or at least three letters long: "in" from 酒in府河 is not a keyword.
_WORD = re.compile(r"^(?:[\u3400-\u9fff]{2,}|[A-Z]{2,}[A-Za-z]*|[A-Za-z]{3,})$")


def is_content_term(token: str, stop: frozenset[str]) -> bool:
    return len(token) >= 2 and _WORD.match(token) is not None and token not in stop


def content_counts(tokens: list[str] | Counter) -> Counter:
    stop = stopwords()
    # Count first (in C), then judge each distinct token once.
    counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
    return Counter({t: c for t, c in counts.items() if is_content_term(t, stop)})


@functools.lru_cache(maxsize=1)
def background_idf() -> tuple[dict[str, float], float]:
    """jieba's bundled IDF table and its median (jieba's own default for unknown words)."""
    import jieba

    path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
    text = path.read_text(encoding="utf-8")
    fields = text.split()
    if len(fields) == 2 * text.count("\n") + (not text.endswith("\n")):
        # "word value" on every line: split in C (270,000 lines; a run reads them once).
        words, values = fields[0::2], fields[1::2]
    else:
        words, values = [], []
        for line in text.splitlines():
            word, _, value = line.partition(" ")
            if value:
                words.append(word)
                values.append(value)
    table = dict(zip(words, map(float, values)))
    numbers = sorted(table.values())
    median = numbers[len(numbers) // 2] if numbers else 10.0
    return table, median


@dataclass(frozen=True)
class Idf:
    doc_freq: dict[str, int]
    n_docs: int
    background: dict[str, float]
    background_default: float

    @classmethod
    def from_counts(cls, docs: list[Counter]) -> "Idf":
        df: Counter = Counter()
        for counts in docs:
            df.update(counts.keys())
        table, median = background_idf()
        return cls(doc_freq=dict(df), n_docs=len(docs), background=table, background_default=median)

    def __call__(self, term: str) -> float:
        n = self.n_docs
        corpus = math.log((n + 1) / (self.doc_freq.get(term, 0) + 1)) + 1.0
        alpha = n / (n + BLEND_N)
        return alpha * corpus + (1 - alpha) * self.background.get(term, self.background_default)


    def table(self) -> dict[str, float]:
        """IDF of every term in the corpus, computed once (the per-article loops only look up)."""
        return {term: self(term) for term in self.doc_freq}


def ranked_weights(
    counts: Counter,
    idf_table: dict[str, float],
    head_terms: frozenset[str] | set[str],
    lexicon: frozenset[str] | set[str],
    limit: int | None = None,
) -> list[tuple[float, str]]:
    """TF-IDF weights as (-weight, term), strongest first (ties by term); the first `limit` only, if given.

    Runs once per article over hundreds of terms, so every pass over them is in C (map,
    zip, compress, sort); only the few boosted terms are touched one by one.
    """
    total = sum(counts.values()) or 1
    tf = map(operator.truediv, counts.values(), itertools.repeat(total))
    weight = dict(zip(counts, map(operator.mul, tf, map(idf_table.__getitem__, counts))))
    for term in lexicon & counts.keys() if len(lexicon) < len(counts) else counts.keys() & lexicon:
        weight[term] *= LEXICON_BOOST
    for term in head_terms:
        if term in weight:
            weight[term] *= HEAD_BOOST
    pairs = zip(map(operator.neg, weight.values()), weight)
    if limit is not None and len(weight) > limit:
        # Sorting floats is several times faster than sorting (weight, term) pairs: find the
        # limit-th weight, keep what weighs at least that (ties included), sort only those.
        floor = sorted(weight.values(), reverse=True)[limit - 1]
        return sorted(itertools.compress(pairs, map(floor.__le__, weight.values())))[:limit]
    return sorted(pairs)


def weights(counts: Counter, idf: Idf, head_terms: set[str], lexicon: set[str]) -> dict[str, float]:
    table = {t: idf(t) for t in counts}
    return {t: -w for w, t in ranked_weights(counts, table, head_terms, lexicon)}


def top_keywords(term_weights: dict[str, float] | list[tuple[float, str]]) -> list[str]:
    if isinstance(term_weights, dict):
        ranked = [(t, w) for w, t in sorted((-w, t) for t, w in term_weights.items())]
    else:
        ranked = [(t, -w) for w, t in term_weights[: MAX_KEYWORDS * 4]]
    if not ranked:
        return []
    best = ranked[0][1]
    out = []
    for term, w in ranked:
        if len(out) >= MAX_KEYWORDS:
            break
        if len(out) >= MIN_KEYWORDS and w < RELATIVE_FLOOR * best:
            break
        # 共富工坊 and 共富 both: the longer one says it.
        if any(term in kept or kept in term for kept in out):
            continue
        out.append(term)
    return out
