"""corpus.py: the corpus part updated from the previous run's state equals a cold run, exactly."""

from __future__ import annotations

import pickle
import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.enrich import CORPUS_STATE, corpus, enrich_corpus, related
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, hand_made, segmented

THEMES = load_themes(CONTENT / "themes.yml")
SOURCES = load_sources(CONTENT / "sources.yml")


@dataclass(frozen=True)
class Doc:
    """What the corpus part reads of an ArticleAnalysis."""

    counts: Counter
    head_terms: frozenset[str]


# Few terms, so that many articles share them: posting lists get cut at POSTING_LIMIT, and
# one article's edit moves the IDF of terms held by many others. Some contain others
# (共富 / 共富工坊), which top_keywords treats specially; some are in the lexicon.
VOCABULARY = ["共富", "共富工坊", "乡村振兴", "党建", "供水", "水厂", "人才", "招商", "项目", "改革"] + [
    f"词{chr(0x4E00 + i)}{chr(0x4E80 + i)}" for i in range(70)
]
LEXICON = frozenset(["共富工坊", "乡村振兴", "供水", VOCABULARY[20], VOCABULARY[40]])


def random_doc(rng: random.Random) -> Doc:
    # Zipf-like: low indices are common to many articles, high ones rare.
    size = rng.randint(0, 40)
    terms = {VOCABULARY[min(int(rng.paretovariate(0.8)) - 1, len(VOCABULARY) - 1)] for _ in range(size)}
    terms |= set(rng.sample(VOCABULARY, rng.randint(0, 6)))
    counts = Counter({t: rng.randint(1, 6) for t in terms})
    head = frozenset(t for t in counts if rng.random() < 0.1)
    return Doc(counts, head)


def random_corpus(rng: random.Random, n: int) -> tuple[list[str], list[Doc]]:
    return [f"a{i:04d}" for i in range(n)], [random_doc(rng) for _ in range(n)]


def edit(rng: random.Random, ids: list[str], docs: list[Doc], kind: str) -> set[int]:
    """One edit in place, of the kinds a rebuild meets; the positions it touched."""
    i = rng.randrange(len(docs))
    counts = Counter(docs[i].counts)
    if kind == "add":  # a term, often one many articles hold
        counts[rng.choice(VOCABULARY[:12] if rng.random() < 0.6 else VOCABULARY)] += rng.randint(1, 3)
    elif kind == "remove" and counts:
        del counts[rng.choice(sorted(counts))]
    elif kind == "recount" and counts:
        counts[rng.choice(sorted(counts))] = rng.randint(1, 9)
    elif kind == "replace":
        ids_keep = ids[i]
        docs[i] = random_doc(rng)
        ids[i] = ids_keep
        return {i}
    elif kind == "head":
        terms = sorted(counts)
        docs[i] = Doc(counts, frozenset(rng.sample(terms, min(len(terms), rng.randint(0, 2)))))
        return {i}
    elif kind == "rename":
        ids[i] = f"b{rng.randrange(10**6):06d}"
        if ids.count(ids[i]) > 1:
            ids[i] += "x"
        return {i}
    elif kind == "swap":
        j = rng.randrange(len(docs))
        ids[i], ids[j] = ids[j], ids[i]
        docs[i], docs[j] = docs[j], docs[i]
        return {i, j}
    docs[i] = Doc(counts, docs[i].head_terms)
    return {i}


def results(state: corpus.CorpusState) -> tuple:
    """Everything a run computes; vectors as item lists, since their order is their query terms.

    An article's terms are a set to the state (they only move document frequencies): the
    order an incremental run keeps them in may differ from a cold run's, so they compare sorted.
    """
    offsets = state.term_offsets
    return (
        [sorted(state.vocabulary[k] for k in state.term_ids[offsets[i] : offsets[i + 1]]) for i in range(state.n_docs)],
        state.ids,
        state.keywords,
        [list(v.items()) for v in state.vectors],
        state.trimmed,
        state.candidates,
        state.related,
        state.doc_freq,
    )


def cold(ids: list[str], docs: list[Doc], jobs: int = 1) -> corpus.CorpusState:
    state, stats = corpus.finish(ids, docs, LEXICON, jobs)
    assert stats.mode == "cold"
    return state


def first_run(tmp_path, seed: int, n: int) -> tuple[random.Random, list[str], list[Doc], Path]:
    """A random corpus, and the state file its cold run left (tmp_path is shared by examples)."""
    rng = random.Random(seed)
    ids, docs = random_corpus(rng, n)
    path = tmp_path / f"state-{seed}-{n}.bin"
    path.unlink(missing_ok=True)
    corpus.finish(ids, docs, LEXICON, state_path=path)
    return rng, ids, docs, path


EDITS = st.lists(st.sampled_from(["add", "remove", "recount", "replace", "head", "rename", "swap"]), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 150), rounds=st.lists(EDITS, min_size=1, max_size=3))
def test_incremental_runs_equal_cold_runs(tmp_path, seed, n, rounds):
    rng, ids, docs, path = first_run(tmp_path, seed, n)
    for kinds in rounds:  # each round starts from the state the previous incremental run saved
        touched = set().union(*(edit(rng, ids, docs, kind) for kind in kinds))
        state, stats = corpus.finish(list(ids), list(docs), LEXICON, state_path=path)
        # cold only when most articles changed (then it costs less)
        assert stats.mode in ("incremental", "unchanged") or 2 * len(touched) > n
        assert results(state) == results(cold(ids, docs))
        assert results(corpus.load_state(path, state.fingerprint)) == results(state)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 100), grow=st.booleans())
def test_a_different_article_count_starts_cold(tmp_path, seed, n, grow):
    rng, ids, docs, path = first_run(tmp_path, seed, n)
    if grow:
        ids, docs = ids + ["new"], docs + [random_doc(rng)]
    else:
        ids, docs = ids[1:], docs[1:]
    state, stats = corpus.finish(ids, docs, LEXICON, state_path=path)
    assert stats.mode == "cold"
    assert results(state) == results(cold(ids, docs))
    # and the state saved is the new corpus's: an unchanged rerun reuses it
    assert corpus.finish(ids, docs, LEXICON, state_path=path)[1].mode == "unchanged"


def test_an_unchanged_rerun_weighs_nothing_and_writes_nothing(tmp_path):
    ids, docs = random_corpus(random.Random(1), 300)
    path = tmp_path / "state.bin"
    first, stats = corpus.finish(ids, docs, LEXICON, state_path=path)
    assert stats.mode == "cold" and stats.weighed == 300
    written = path.stat().st_mtime_ns
    again, stats = corpus.finish(ids, docs, LEXICON, state_path=path)
    assert stats == corpus.Stats("unchanged")  # nothing weighed, no posting list, no look-up
    assert results(again) == results(first)
    assert path.stat().st_mtime_ns == written


def test_an_edit_recomputes_only_what_it_reaches(tmp_path):
    ids, docs = random_corpus(random.Random(2), 400)
    path = tmp_path / "state.bin"
    corpus.finish(ids, docs, LEXICON, state_path=path)
    # A term no other article has: only its own IDF entry moves.
    docs[7] = Doc(docs[7].counts + Counter({"独有新词": 3}), docs[7].head_terms)
    state, stats = corpus.finish(ids, docs, LEXICON, state_path=path)
    assert stats.mode == "incremental"
    assert (stats.changed, stats.delta_terms, stats.weighed, stats.revectored) == (1, 1, 1, 1)
    assert stats.looked_up < 400
    assert results(state) == results(cold(ids, docs))


def test_a_damaged_or_foreign_state_starts_cold(tmp_path):
    ids, docs = random_corpus(random.Random(3), 120)
    path = tmp_path / "state.bin"
    good, _stats = corpus.finish(ids, docs, LEXICON, state_path=path)
    expected = results(good)
    damaged = [
        b"",
        b"not a pickle",
        path.read_bytes()[: len(path.read_bytes()) // 2],
        pickle.dumps({"something": "else"}),
        pickle.dumps(replace(good, fingerprint="from older code")),
        pickle.dumps(replace(good, keywords=good.keywords[:-1])),
    ]
    for data in damaged:
        path.write_bytes(data)
        state, stats = corpus.finish(ids, docs, LEXICON, state_path=path)
        assert stats.mode == "cold"
        assert results(state) == expected
    # another lexicon is another fingerprint
    state, stats = corpus.finish(ids, docs, LEXICON | {"党建"}, state_path=path)
    assert stats.mode == "cold"
    assert not list(tmp_path.glob("*.tmp"))


def test_forked_recomputation_equals_cold(tmp_path):
    """Enough articles reached for the recomputation to be split over two processes."""
    rng = random.Random(4)
    n = related.PARALLEL_THRESHOLD + 300
    ids, docs = random_corpus(rng, n)
    docs = [Doc(d.counts + Counter({"项目": 1}), d.head_terms) for d in docs]  # a term every article has
    path = tmp_path / "state.bin"
    corpus.finish(ids, docs, LEXICON, jobs=2, state_path=path)
    docs[0] = Doc(docs[0].counts - Counter({"项目": 5}), docs[0].head_terms)  # its IDF moves for all
    state, stats = corpus.finish(ids, docs, LEXICON, jobs=2, state_path=path)
    assert stats.mode == "incremental" and stats.weighed == n
    assert results(state) == results(cold(ids, docs, jobs=1))


def test_enrich_corpus_with_a_cache_equals_a_plain_run_after_edits(tmp_path):
    """The real thing: seed articles, analysis cache keys, the state beside the analyses."""
    articles = hand_made() + (segmented() or [])
    enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    assert (tmp_path / CORPUS_STATE).is_file()
    body_edit = replace(articles[3], body=articles[3].body + "\n共富工坊带动乡村振兴，编辑补充说明。")
    renamed = replace(articles[5], id=articles[5].id + "-renamed")
    for changed in ([body_edit if a is articles[3] else a for a in articles], [renamed if a is articles[5] else a for a in articles]):
        assert enrich_corpus(changed, SOURCES, THEMES, cache_dir=tmp_path) == enrich_corpus(changed, SOURCES, THEMES)
