"""The corpus-level part of enrichment, incremental across runs with a cold run's exact output.

Cold, it is what it always was: document frequencies over every article's `counts` → an IDF
table → each article's ranked terms → its keywords and sparse vector → trimmed postings →
each article's RERANK candidates → its related articles. All of that is kept in a
`CorpusState` (a pickle beside the analysis cache) with each article's identity `key`.

The next run with the same number of articles recomputes only what an edit can reach:

- C, the articles whose key or id changed. None: the stored results, nothing weighed.
- Δ, the terms whose document frequency changed: the changed articles' old terms (kept in
  the state) out, their new terms in. The article count is the same, so the IDF of no other
  term moved; an article's ranked terms read only its counts, its head terms,
  the lexicon and the IDF of its own terms. A = C ∪ {articles holding a term of Δ} are
  weighed again, the rest keep their keywords and vector.
- V, the articles of A whose vector (or id) came out different. Only the posting lists of
  their old and new vector terms can change; P, those lists that did.
- R = V ∪ {articles querying a term of P} ∪ {articles with a candidate in V}. An article's
  candidates read its own vector and the postings of its query terms; its ranking reads the
  candidates' vectors and ids (an id change puts the article in C, hence A and V). So every
  article outside R has the candidates and related list it had, and only R is looked up.

A different article count (IDF moves for every term), most articles changed, or a state
from other code, another lexicon or a damaged file: a cold computation, then a new state.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import pickle
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from ..atomic import write_file
from ..forked import forked_map
from . import keywords as _keywords
from . import related as _related

__all__ = ["CorpusState", "Stats", "RANKED_TERMS", "corpus_fingerprint", "content_keys", "finish", "load_state", "save_state"]

log = logging.getLogger(__name__)

# What the corpus part reads of an article's ranked terms: its keyword candidates and its vector.
RANKED_TERMS = max(_keywords.MAX_KEYWORDS * 4, _related.VECTOR_TERMS)
# Bump when CorpusState changes shape (the fingerprint covers the code that fills it).
STATE_VERSION = "2"


class Doc(Protocol):
    """What the corpus part reads of an article's analysis (ArticleAnalysis has both)."""

    counts: Counter
    head_terms: frozenset[str]


@dataclass(frozen=True)
class CorpusState:
    """What a run computed, for the next run to reuse; index i is the i-th article of that run."""

    fingerprint: str
    ids: list[str]
    keys: list[str]
    doc_freq: dict[str, int]
    n_docs: int
    # Every term met since the last cold run. Terms are stored as these very str objects
    # everywhere in the state, so the pickle holds each once (their copies, one per article,
    # made the state 3× bigger and its loading 5× slower).
    vocabulary: list[str]
    # Article i's terms (its counts' keys) are vocabulary[k] for k in
    # term_ids[term_offsets[i]:term_offsets[i + 1]]: with them an update adjusts the document
    # frequencies by the changed articles alone (counting all articles' terms again took 0.2 s).
    term_ids: array
    term_offsets: array
    keywords: list[list[str]]
    vectors: list[dict[str, float]]
    trimmed: dict[str, list[int]]  # term → article indices (related.strongest_postings)
    candidates: list[list[int]]  # the articles related.rank_candidates scored for each article
    related: list[list[str]]
    # jieba's IDF of the vocabulary's terms it lists, and its default for the others: an
    # update whose articles bring no new term need not parse jieba's 270,000-line table.
    background: dict[str, float]
    background_default: float


@dataclass(frozen=True)
class Stats:
    """How much a run recomputed: for logs, benchmarks and tests."""

    mode: str  # "cold", "unchanged" or "incremental"
    changed: int = 0  # C: articles whose key or id changed
    delta_terms: int = 0  # Δ: terms whose document frequency changed
    weighed: int = 0  # A: articles whose keywords and vector were computed
    revectored: int = 0  # V: articles whose vector or id came out different
    postings: int = 0  # P: trimmed posting lists that changed
    looked_up: int = 0  # R: articles whose candidates and related list were computed


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The code and data the results depend on besides the articles and the lexicon."""
    import jieba  # its version stands for its bundled IDF table (keywords.background_idf)

    digest = hashlib.sha256(f"{STATE_VERSION}\0jieba {jieba.__version__}\0python {sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    for name in ("keywords.py", "related.py", "corpus.py"):
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()


def corpus_fingerprint(lexicon: frozenset[str]) -> str:
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update("\0".join(sorted(lexicon)).encode("utf-8"))
    return digest.hexdigest()


def content_keys(docs: Sequence[Doc]) -> list[str]:
    """A key per article from what the corpus part reads of it, for callers without cache keys."""
    return [
        hashlib.sha256(repr((sorted(d.counts.items()), sorted(d.head_terms))).encode("utf-8")).hexdigest() for d in docs
    ]


def load_state(path: Path, fingerprint: str) -> CorpusState | None:
    try:
        state = pickle.loads(path.read_bytes())
    except Exception:  # missing, truncated, or classes of another version: start cold
        return None
    if not isinstance(state, CorpusState) or state.fingerprint != fingerprint:
        return None
    n = len(state.ids)
    lists = (state.keys, state.keywords, state.vectors, state.candidates, state.related)
    if state.n_docs != n or any(len(x) != n for x in lists) or len(state.term_offsets) != n + 1:
        return None
    return state


def save_state(path: Path, state: CorpusState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def finish(
    ids: list[str],
    docs: Sequence[Doc],
    lexicon: frozenset[str],
    jobs: int = 1,
    keys: list[str] | None = None,
    state_path: Path | None = None,
) -> tuple[CorpusState, Stats]:
    """Keywords, vectors and related articles of every article; reusing `state_path`'s state if it fits.

    `keys[i]` must change whenever docs[i] could (the analysis cache keys do); without keys,
    and with a state_path, they are computed from the docs (content_keys).
    """
    fingerprint = corpus_fingerprint(lexicon)
    if keys is None:
        keys = content_keys(docs) if state_path is not None else [""] * len(docs)
    if len(keys) != len(docs) or len(ids) != len(docs):
        raise ValueError(f"{len(ids)} ids, {len(keys)} keys and {len(docs)} analyses: one of each per article")
    previous = load_state(state_path, fingerprint) if state_path is not None else None
    updated = _update(previous, ids, keys, docs, lexicon, jobs) if previous and previous.n_docs == len(docs) else None
    if updated is not None:
        state, stats = updated
    else:
        state = _cold(fingerprint, ids, keys, docs, lexicon, jobs)
        n = len(docs)
        stats = Stats("cold", changed=n, weighed=n, revectored=n, looked_up=n, postings=len(state.trimmed))
    if state_path is not None and stats.mode != "unchanged":
        save_state(state_path, state)
    log.debug("corpus part: %s", stats)
    return state, stats


def _weigh(
    positions: Sequence[int],
    docs: Sequence[Doc],
    idf_table: dict[str, float],
    lexicon: frozenset[str],
    canonical: dict[str, int],
    vocabulary: list[str],
    jobs: int,
) -> list[tuple[list[str], dict[str, float]]]:
    """(keywords, vector) of the articles at `positions`, in forked processes when they are many.

    Their terms are the vocabulary's str objects (vocabulary[canonical[term]]), see CorpusState.
    """

    def weigh(part: range) -> list[tuple[list[str], dict[str, float]]]:
        out = []
        for j in part:
            doc = docs[positions[j]]
            ranked = _keywords.ranked_weights(doc.counts, idf_table, doc.head_terms, lexicon, limit=RANKED_TERMS)
            keywords = [vocabulary[canonical[t]] for t in _keywords.top_keywords(ranked)]
            vector = {vocabulary[canonical[t]]: w for t, w in _related.sparse_vector(ranked).items()}
            out.append((keywords, vector))
        return out

    return forked_map(weigh, len(positions), jobs, _related.PARALLEL_THRESHOLD)


def _look_up(
    positions: Sequence[int],
    ids: list[str],
    vectors: list[dict[str, float]],
    trimmed: dict[str, list[int]],
    jobs: int,
    known: dict[int, list[int]] | None = None,
) -> list[tuple[list[int], list[str]]]:
    """(candidates, related ids) of the articles at `positions`, as related.find_related finds them.

    `known` has the candidates of some of them, still valid: those are only ranked again.
    """
    known = known or {}

    def look_up(part: range) -> list[tuple[list[int], list[str]]]:
        out = []
        for j in part:
            index = positions[j]
            candidates = known[index] if index in known else _related.candidates_of(index, vectors, trimmed)
            out.append((candidates, _related.rank_candidates(index, candidates, ids, vectors, _related.MAX_RELATED)))
        return out

    return forked_map(look_up, len(positions), jobs, _related.PARALLEL_THRESHOLD)


def _cold(
    fingerprint: str, ids: list[str], keys: list[str], docs: Sequence[Doc], lexicon: frozenset[str], jobs: int
) -> CorpusState:
    idf = _keywords.Idf.from_counts([d.counts for d in docs])
    n = len(docs)
    vocabulary = list(idf.doc_freq)
    canonical = {term: k for k, term in enumerate(vocabulary)}
    term_ids, term_offsets = array("I"), array("Q", [0])
    for doc in docs:
        term_ids.extend(map(canonical.__getitem__, doc.counts))
        term_offsets.append(len(term_ids))
    weighed = _weigh(range(n), docs, idf.table(), lexicon, canonical, vocabulary, jobs)
    vectors = [vector for _keywords_of, vector in weighed]
    trimmed = _related.strongest_postings(ids, vectors)
    found = _look_up(range(n), ids, vectors, trimmed, jobs)
    return CorpusState(
        fingerprint=fingerprint,
        ids=list(ids),
        keys=list(keys),
        doc_freq=idf.doc_freq,
        n_docs=n,
        vocabulary=vocabulary,
        term_ids=term_ids,
        term_offsets=term_offsets,
        keywords=[keywords for keywords, _vector in weighed],
        vectors=vectors,
        trimmed=trimmed,
        candidates=[candidates for candidates, _related_ids in found],
        related=[related_ids for _found, related_ids in found],
        background=_listed(idf.background, vocabulary),
        background_default=idf.background_default,
    )


def _listed(background: dict[str, float], terms: list[str]) -> dict[str, float]:
    return {term: background[term] for term in terms if term in background}


def _update(
    old: CorpusState, ids: list[str], keys: list[str], docs: Sequence[Doc], lexicon: frozenset[str], jobs: int
) -> tuple[CorpusState, Stats] | None:
    """The state of the current articles from `old`, of as many articles; see the module docstring.

    None when most articles changed: then a cold run is the better way.
    """
    n = len(docs)
    changed = [i for i in range(n) if keys[i] != old.keys[i] or ids[i] != old.ids[i]]
    if not changed:
        return old, Stats("unchanged")
    if 2 * len(changed) > n:
        return None  # most articles are new: a cold run costs less and forgets unused terms

    # Δ: document frequencies move by the changed articles' old terms out, new terms in.
    vocabulary = list(old.vocabulary)
    canonical = {term: k for k, term in enumerate(vocabulary)}
    known_terms = len(vocabulary)
    offsets = old.term_offsets
    moved_df: Counter = Counter()
    new_terms: dict[int, array] = {}
    for i in changed:
        moved_df.subtract(map(vocabulary.__getitem__, old.term_ids[offsets[i] : offsets[i + 1]]))
        for term in docs[i].counts.keys() - canonical.keys():
            canonical[term] = len(vocabulary)
            vocabulary.append(term)
        new_terms[i] = array("I", map(canonical.__getitem__, docs[i].counts))
        moved_df.update(docs[i].counts.keys())
    delta = {term for term, moved in moved_df.items() if moved}
    doc_freq = dict(old.doc_freq)
    for term in delta:
        df = doc_freq.get(term, 0) + moved_df[term]
        if df:
            doc_freq[vocabulary[canonical[term]]] = df
        else:
            del doc_freq[term]
    term_ids, term_offsets = _replace_runs(old.term_ids, offsets, new_terms)

    # A: the changed articles, and those holding a term whose IDF moved. Found by the term
    # ids the state keeps rather than by the articles' counts: reading those back from the
    # analysis cache is what a rebuild avoids (ArticleAnalysis.counts).
    moved_ids = {canonical[term] for term in delta}
    holding = (
        i for i in range(n) if delta and not moved_ids.isdisjoint(term_ids[term_offsets[i] : term_offsets[i + 1]])
    )
    weigh = sorted(set(changed).union(holding))
    if len(vocabulary) == known_terms:  # no new term: the state knows every background IDF needed
        background, background_default = old.background, old.background_default
        listed = old.background
    else:
        background, background_default = _keywords.background_idf()
        listed = {**old.background, **_listed(background, vocabulary[known_terms:])}
    idf = _keywords.Idf(doc_freq=doc_freq, n_docs=n, background=background, background_default=background_default)
    # Each distinct term once: A's articles share most of their terms.
    idf_table = {term: idf(term) for term in set().union(*(docs[i].counts.keys() for i in weigh))}
    keyword_lists, vectors = list(old.keywords), list(old.vectors)
    moved: list[int] = []  # V
    for i, (keywords, vector) in zip(weigh, _weigh(weigh, docs, idf_table, lexicon, canonical, vocabulary, jobs)):
        keyword_lists[i] = keywords
        # Items, not dicts: a vector's order (strongest first) is what its query terms are.
        if ids[i] != old.ids[i] or list(vector.items()) != list(old.vectors[i].items()):
            moved.append(i)
        vectors[i] = vector

    # P: a posting list lists the articles whose vector has the term, so only the terms of
    # V's old and new vectors can have a different one.
    terms = {term for i in moved for term in itertools.chain(old.vectors[i], vectors[i])}
    fresh = _related.strongest_postings(ids, vectors, terms) if terms else {}
    trimmed = dict(old.trimmed)
    postings = set()
    for term in terms:
        plist = fresh.get(term)
        if plist != old.trimmed.get(term):
            postings.add(term)
            if plist is None:
                del trimmed[term]
            else:
                trimmed[vocabulary[canonical[term]]] = plist

    # R: articles whose query terms' postings, own vector, or a candidate's vector or id changed
    # (a related id is a candidate's id, so a changed one is in V too).
    # Those with only a candidate in V keep their candidates: they are only ranked again.
    moved_set = set(moved)
    look = set(moved)
    if postings:
        look.update(i for i, v in enumerate(vectors) if not postings.isdisjoint(itertools.islice(v, _related.QUERY_TERMS)))
    rerank = {i: c for i, c in enumerate(old.candidates) if i not in look and not moved_set.isdisjoint(c)}
    relook = sorted(look.union(rerank))
    candidates, related = list(old.candidates), list(old.related)
    for i, (found, related_ids) in zip(relook, _look_up(relook, ids, vectors, trimmed, jobs, rerank)):
        candidates[i] = found
        related[i] = related_ids

    state = CorpusState(
        fingerprint=old.fingerprint,
        ids=list(ids),
        keys=list(keys),
        doc_freq=doc_freq,
        n_docs=n,
        vocabulary=vocabulary,
        term_ids=term_ids,
        term_offsets=term_offsets,
        keywords=keyword_lists,
        vectors=vectors,
        trimmed=trimmed,
        candidates=candidates,
        related=related,
        background=listed,
        background_default=background_default,
    )
    stats = Stats(
        "incremental",
        changed=len(changed),
        delta_terms=len(delta),
        weighed=len(weigh),
        revectored=len(moved),
        postings=len(postings),
        looked_up=len(relook),
    )
    return state, stats


def _replace_runs(flat: array, offsets: array, runs: dict[int, array]) -> tuple[array, array]:
    """`flat` cut at `offsets` into one run per article, with the runs of `runs` replaced."""
    out = array(flat.typecode)
    start = 0  # the first article not copied yet
    for i in sorted(runs):
        out += flat[offsets[start] : offsets[i]]
        out += runs[i]
        start = i + 1
    out += flat[offsets[start] : offsets[-1]]
    lengths = [offsets[i + 1] - offsets[i] for i in range(len(offsets) - 1)]
    for i, run in runs.items():
        lengths[i] = len(run)
    return out, array(offsets.typecode, itertools.accumulate(lengths, initial=0))
