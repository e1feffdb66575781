"""The search index (generator/search_index.py) on real seed articles, read back in Python."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.enrich import enrich_corpus
from generator.model import Article, Digest
from generator.search_index import (
    IndexReader,
    SearchDoc,
    build_search_index,
    decode_numbers,
    encode_numbers,
    index_stats,
    normalise,
    plain_body,
    query_parts,
    shard_of,
    t2s_tables,
)
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, hand_made, segmented

THEMES = load_themes(CONTENT / "themes.yml")
SOURCES = load_sources(CONTENT / "sources.yml")


def url(item) -> str:
    return f"articles/{item.id}.html"


def digest_of(articles: list[Article]) -> Digest:
    return Digest(articles=tuple(enrich_corpus(articles, SOURCES, THEMES)), themes=THEMES)


@pytest.fixture(scope="module")
def hand() -> tuple[Digest, dict[str, bytes]]:
    digest = digest_of(hand_made())
    return digest, build_search_index(digest, url)


@pytest.fixture(scope="module")
def seeds() -> tuple[Digest, dict[str, bytes]]:
    """Every seed article as segmented, or the hand-made ones while segmentation is missing."""
    articles = segmented() or hand_made()
    digest = digest_of(articles)
    return digest, build_search_index(digest, url)


# ---------------------------------------------------------------- codec and normalisation


@given(st.lists(st.integers(min_value=0, max_value=2**40)))
@settings(max_examples=200)
def test_numbers_round_trip(numbers: list[int]) -> None:
    text = encode_numbers(numbers)
    assert decode_numbers(text) == numbers
    assert '"' not in text and "\\" not in text


def test_small_numbers_are_short() -> None:
    assert len(encode_numbers([31])) == 1
    assert len(encode_numbers([1023])) == 2
    assert len(encode_numbers([32767])) == 3


def test_shard_of_is_fnv1a() -> None:
    # Known FNV-1a 32-bit values, so search.js (which has the same constants) agrees.
    assert shard_of("a", 2**32) == 0xE40C292C
    assert shard_of("", 7) == 0x811C9DC5 % 7


@given(st.text(max_size=40))
def test_normalise_keeps_length(text: str) -> None:
    assert len(normalise(text)) == len(text)


def test_normalise_traditional_width_case() -> None:
    assert normalise("鄉村振興") == "乡村振兴"
    assert normalise("職業經理人") == "职业经理人"
    assert normalise("ＡＢｃ１２　5G") == "abc12 5g"
    # Idempotent: the index maps text once, the query once; a second pass changes nothing.
    chars, _ = t2s_tables()
    assert all(chars.get(v, v) == v for v in chars.values())


def test_query_parts() -> None:
    assert query_parts("鄉村振興") == ["乡村振兴"]
    assert query_parts(" 外卖骑手  西湖区 ") == ["外卖骑手", "西湖区"]
    assert query_parts("省“千项万亿”") == ["省", "千项万亿"]
    assert query_parts("乡村 乡村振兴") == ["乡村振兴"]
    assert query_parts("，。 ") == []


# ---------------------------------------------------------------- files


def test_layout_and_determinism(hand) -> None:
    digest, files = hand
    assert all(name.startswith("search/") for name in files)
    assert {"search/meta.js", "search/t/0.js", "search/s/0.js", "search/d/0.js"} <= set(files)
    assert files == build_search_index(digest, url)
    for name, data in files.items():
        assert data.startswith("\ufeff__digestSearch.".encode()), name
        assert data.endswith(b");\n"), name


def test_same_bytes_in_batches_and_processes(hand, monkeypatch) -> None:
    import generator.search_index as si

    digest, files = hand
    monkeypatch.setattr(si, "BATCH_SIZE", 2)
    monkeypatch.setattr(si, "PARALLEL_THRESHOLD", 1)
    assert build_search_index(digest, url, jobs=2) == files


def test_documents_are_clean(hand) -> None:
    digest, files = hand
    reader = IndexReader(files)
    assert reader.meta["count"] == len(digest.articles)
    for n, item in enumerate(digest.articles):
        doc = files[f"search/d/{n}.js"].decode("utf-8-sig")
        assert "\u200b" not in doc
        assert f'"u":"articles/{item.id}.html"' in doc


def test_zero_width_and_markdown_are_removed() -> None:
    article = Article(id="x", source="x.txt", position=0, title="共富\u200b工坊", body="## 小标题\n\n**加粗**正文\\*")
    doc = SearchDoc(digest_of([article]).articles[0], "articles/x.html")
    assert doc.title == "共富工坊"
    assert doc.text == "共富工坊\n小标题\n加粗正文*"


def _plain_body_every_pattern_on_every_line(markdown: str) -> str:
    """plain_body as first written: each pattern on each line, needed or not."""
    from generator.search_index import _BLANK_LINES, _HEADING, _MD_EMPHASIS, _MD_ESCAPE

    paras = []
    for block in _BLANK_LINES.split(markdown):
        lines = [
            _MD_ESCAPE.sub(r"\1", _MD_EMPHASIS.sub(r"\2", _HEADING.sub("", line))).strip() for line in block.splitlines()
        ]
        if text := "".join(lines).strip():
            paras.append(text)
    return "\n".join(paras)


@given(st.text(alphabet=st.sampled_from("#*_\\ \n\t\r\u2028[]()-.!字文标题"), max_size=60))
@settings(max_examples=400, deadline=None)
def test_plain_body_skips_only_patterns_that_cannot_match(markdown: str) -> None:
    assert plain_body(markdown) == _plain_body_every_pattern_on_every_line(markdown)


def test_html_in_titles_stays_data() -> None:
    article = Article(id="x", source="x.txt", position=0, title='<img src=x onerror="alert(1)">标题', body="正文")
    files = build_search_index(digest_of([article]), url)
    doc = files["search/d/0.js"].decode("utf-8-sig")
    assert '"t":"<img src=x onerror=\\"alert(1)\\">标题"' in doc


def test_empty_digest() -> None:
    files = build_search_index(Digest(articles=(), themes=THEMES), url)
    assert IndexReader(files).match("乡村振兴") == set()


# ---------------------------------------------------------------- matching


def _texts(digest: Digest) -> list[str]:
    return [normalise(SearchDoc(item, url(item)).text) for item in digest.articles]


def _substrings(texts: list[str], count: int) -> list[str]:
    """Deterministic sample of 2–6 character Han substrings of the corpus."""
    out: list[str] = []
    for n, text in enumerate(texts):
        runs = re.findall(r"[\u4e00-\u9fff]{6,}", text)
        for k, run in enumerate(runs[:: max(1, len(runs) // 8)]):
            size = 2 + (n + k) % 5
            out.append(run[k % (len(run) - size + 1) :][:size])
    return out[:count]


def test_every_substring_finds_exactly_its_articles(seeds) -> None:
    digest, files = seeds
    reader = IndexReader(files)
    texts = _texts(digest)
    queries = _substrings(texts, 400)
    assert len(queries) > 40
    for q in queries:
        expected = {n for n, text in enumerate(texts) if q in text}
        assert reader.match(q) == expected, q


def test_single_characters_of_a_word_never_match(hand) -> None:
    digest, files = hand
    reader = IndexReader(files)
    texts = _texts(digest)
    # 水 and 务 both occur in many articles; only 水务 itself may match.
    assert reader.match("水务") == {n for n, t in enumerate(texts) if "水务" in t}
    assert reader.match("毛家坪水厂") == {n for n, t in enumerate(texts) if "毛家坪水厂" in t} != set()
    assert reader.match("坪家毛") == set()


def test_spaces_mean_and(hand) -> None:
    digest, files = hand
    reader = IndexReader(files)
    texts = _texts(digest)
    both = {n for n, t in enumerate(texts) if "发展" in t and "人才" in t}
    assert reader.match("发展 人才") == reader.match("人才，发展") == both != set()
    assert both < reader.match("发展")


def test_traditional_query_finds_simplified_text(hand) -> None:
    _digest, files = hand
    reader = IndexReader(files)
    assert reader.match("職業經理人") == reader.match("职业经理人") != set()
    assert reader.match("鄉村振興") == reader.match("乡村振兴") != set()


def test_bytes_per_query_are_a_fraction_of_the_index(seeds) -> None:
    _digest, files = seeds
    reader = IndexReader(files)
    total = index_stats(files)["total"]
    for q in ("乡村振兴", "共富工坊", "水厂"):
        assert reader.bytes_for_query(q) < total


def test_theme_lexicon_words_are_indexed_whole(hand) -> None:
    digest, files = hand
    reader = IndexReader(files)
    lexicon = {term for theme in digest.themes for term, _ in theme.lexicon}
    assert "乡村振兴" in lexicon or "共富工坊" in lexicon
    for term in ("乡村振兴", "共富工坊"):
        if term in lexicon:
            assert reader.word(term), term


def test_words_handed_over_by_enrichment_give_the_same_index(seeds, tmp_path):
    """Enrichment's tokens (search_words) stand in for a second jieba pass, byte for byte."""
    digest, files = seeds
    words: dict[bytes, str] = {}
    handed = Digest(articles=tuple(enrich_corpus([i.article for i in digest.articles], SOURCES, THEMES, search_words=words)), themes=THEMES)
    assert handed == digest
    assert len(words) == len(digest.articles)
    assert build_search_index(handed, url, known_words=words) == files
    # Cached chunks built from handed-over words serve a run that has none, and the reverse.
    assert build_search_index(handed, url, known_words=words, cache_dir=tmp_path) == files
    assert build_search_index(handed, url, cache_dir=tmp_path) == files
