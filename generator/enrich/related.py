"""The most similar other articles, by TF-IDF cosine, without comparing all pairs.

Each article keeps a sparse vector of its VECTOR_TERMS strongest terms
(L2-normalised). An inverted index maps a term to the articles for which it is
strongest (each posting list cut to POSTING_LIMIT entries by weight, so a term
common to thousands of articles does not make thousands of candidates).
For each article, its QUERY_TERMS strongest terms are looked up; the articles
found under most of them (counted in C, by collections.Counter) are the RERANK
candidates, which are then scored by the full cosine. Work per article is
bounded, so 10,000 articles are ~10⁶ Python steps instead of 10⁸ pairs.
Ties break by article id, so output is deterministic.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import Counter

from ..forked import forked_map

VECTOR_TERMS = 30
QUERY_TERMS = 8
POSTING_LIMIT = 64
RERANK = 12
MAX_RELATED = 3
MIN_SIMILARITY = 0.02
# Below this many articles a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000


def sparse_vector(term_weights: dict[str, float] | list[tuple[float, str]]) -> dict[str, float]:
    """Top terms, L2-normalised. Accepts a weight dict or a list of (-weight, term) sorted ascending."""
    if isinstance(term_weights, dict):
        ranked = sorted((-w, t) for t, w in term_weights.items())
    else:
        ranked = term_weights
    top = ranked[:VECTOR_TERMS]
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    return {t: -w / norm for w, t in top}


def find_related(ids: list[str], vectors: list[dict[str, float]], k: int = MAX_RELATED, *, jobs: int = 1) -> list[list[str]]:
    """For each article, the ids of up to k most similar others; `vectors` as sparse_vector makes them.

    The index is built here; the articles' lookups are split over `jobs` forked processes.
    """
    trimmed = strongest_postings(ids, vectors)

    def related_in(part: range) -> list[list[str]]:
        return [_related_one(index, ids, vectors, trimmed, k) for index in part]

    return forked_map(related_in, len(vectors), jobs, PARALLEL_THRESHOLD)


def strongest_postings(
    ids: list[str], vectors: list[dict[str, float]], terms: set[str] | None = None
) -> dict[str, list[int]]:
    """Term → the articles where it weighs most (at most POSTING_LIMIT, ties by id).

    With `terms`, only those terms' lists (corpus.py rebuilds the lists an edit may have changed).
    """
    postings: dict[str, list[tuple[float, str, int]]] = {}
    for index, vector in enumerate(vectors):
        # The order postings are met in does not matter: each list is sorted by (weight, id, index).
        items = vector.items() if terms is None else [(t, vector[t]) for t in vector.keys() & terms]
        for term, w in items:
            postings.setdefault(term, []).append((-w, ids[index], index))
    trimmed: dict[str, list[int]] = {}
    for term, plist in postings.items():
        plist.sort()
        trimmed[term] = [index for _negw, _id, index in plist[:POSTING_LIMIT]]
    return trimmed


def _related_one(
    index: int, ids: list[str], vectors: list[dict[str, float]], trimmed: dict[str, list[int]], k: int
) -> list[str]:
    return rank_candidates(index, candidates_of(index, vectors, trimmed), ids, vectors, k)


def candidates_of(index: int, vectors: list[dict[str, float]], trimmed: dict[str, list[int]]) -> list[int]:
    """The RERANK articles found under most of the article's QUERY_TERMS strongest terms.

    Reads only the article's own vector and the trimmed postings of its query terms.
    """
    # A vector's terms are in order of weight (sparse_vector), so its first ones are the strongest.
    query = itertools.islice(vectors[index], QUERY_TERMS)
    shared = Counter(itertools.chain.from_iterable(trimmed[term] for term in query))
    shared.pop(index, None)
    # Most shared terms first; among equals, the order the postings met them (a stable sort).
    return [other for other, _count in sorted(shared.items(), key=_second, reverse=True)[:RERANK]]


def rank_candidates(index: int, candidates: list[int], ids: list[str], vectors: list[dict[str, float]], k: int) -> list[str]:
    """The ids of the k candidates most similar to the article; reads only their vectors and ids."""
    vector = vectors[index]
    scored = []
    for other in candidates:
        ov = vectors[other]
        # fsum: the same value whatever order the set yields the common terms in.
        cos = math.fsum(vector[t] * ov[t] for t in vector.keys() & ov.keys())
        if cos >= MIN_SIMILARITY:
            scored.append((-round(cos, 9), ids[other]))
    scored.sort()
    return [i for _, i in scored[:k]]


# The count of a (article, count) pair, in C: this key runs for every candidate of every article.
_second = operator.itemgetter(1)
