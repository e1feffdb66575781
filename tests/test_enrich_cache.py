"""The per-article analysis cache of enrich_corpus (content-hash keyed, used by pipeline.run)."""

from __future__ import annotations

import pickle
from dataclasses import replace

from generator.enrich import enrich_corpus
from generator.model import SourceInfo
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, TALENT, WATER, hand_made, segmented

THEMES = load_themes(CONTENT / "themes.yml")
SOURCES = load_sources(CONTENT / "sources.yml")


def seed_corpus():
    return hand_made() + (segmented() or [])


def test_cached_output_equals_uncached_cold_and_warm(tmp_path):
    articles = seed_corpus()
    plain = enrich_corpus(articles, SOURCES, THEMES)
    cold = enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    warm = enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    assert cold == plain
    assert warm == plain
    assert len(list(tmp_path.glob("*.pickle"))) == len({(a.id, repr(a)) for a in articles})


def test_warm_run_reads_the_cache(tmp_path):
    articles = hand_made()
    enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    # Plant a different summary in every entry: a warm run must return it (nothing re-analysed).
    for path in tmp_path.glob("*.pickle"):
        analysis = pickle.loads(path.read_bytes())
        path.write_bytes(pickle.dumps(replace(analysis, summary="来自缓存")))
    warm = enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    assert {e.summary for e in warm} == {"来自缓存"}


def test_a_changed_article_is_analysed_again(tmp_path):
    articles = hand_made()
    before = {e.id: e for e in enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)}
    assert before[WATER.id].themes == ["water"]
    # The water article rewritten as a talent article: same id, new text.
    changed = [replace(a, body=TALENT.body, title=TALENT.title) if a.id == WATER.id else a for a in articles]
    after = {e.id: e for e in enrich_corpus(changed, SOURCES, THEMES, cache_dir=tmp_path)}
    assert after[WATER.id].themes == ["talent"]
    assert after == {e.id: e for e in enrich_corpus(changed, SOURCES, THEMES)}


def test_a_changed_source_date_is_seen(tmp_path):
    articles = [WATER]
    enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    sources = {**SOURCES, WATER.source: SourceInfo(name=WATER.source, date="2019-05")}
    (item,) = enrich_corpus(articles, sources, THEMES, cache_dir=tmp_path)
    assert item.date == "2019-05"


def test_a_corrupt_entry_is_a_miss(tmp_path):
    articles = hand_made()
    plain = enrich_corpus(articles, SOURCES, THEMES)
    enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path)
    entries = sorted(tmp_path.glob("*.pickle"))
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(pickle.dumps({"something": "else"}))
    assert enrich_corpus(articles, SOURCES, THEMES, cache_dir=tmp_path) == plain
    assert not list(tmp_path.glob("*.tmp"))


def _tree(folder) -> dict[str, bytes]:
    root = folder.resolve()
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_pipeline_output_is_the_same_with_a_warm_cache(tmp_path):
    """pipeline.run with the cache warm (and after one page changed) writes what a cold run writes."""
    import shutil

    from generator import pipeline

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    cache = tmp_path / "cache"
    pipeline.run(content, tmp_path / "cold", cache_dir=cache, jobs=1)
    assert list((cache / "analysis").glob("*.pickle"))
    pipeline.run(content, tmp_path / "warm", cache_dir=cache, jobs=1)
    assert _tree(tmp_path / "warm") == _tree(tmp_path / "cold")

    page = sorted((content / "pages").glob("*.txt"))[0]
    page.write_text(page.read_text(encoding="utf-8").replace("受众达1500人次", "受众达1600人次"), encoding="utf-8")
    pipeline.run(content, tmp_path / "changed", cache_dir=cache, jobs=1)
    pipeline.run(content, tmp_path / "fresh", cache_dir=tmp_path / "empty-cache", jobs=1)
    changed = _tree(tmp_path / "changed")
    assert changed == _tree(tmp_path / "fresh")
    assert changed != _tree(tmp_path / "cold")


def test_a_curated_article_is_never_served_from_a_cache_keyed_by_its_page(tmp_path):
    """Caches key unchanged articles by their page's content (Digest.content_keys); one whose
    title curation changes has the same page bytes, so it must be keyed by what it shows."""
    import shutil

    from generator import pipeline

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    cache = tmp_path / "cache"
    pipeline.run(content, tmp_path / "before", cache_dir=cache, jobs=1)
    curation = content / "curation.yml"
    text = curation.read_text(encoding="utf-8")
    assert "title: 衢州以全生命周期服务招引重大产业项目（续）" in text
    curation.write_text(text.replace("招引重大产业项目（续）", "招引重大产业项目（下篇）"), encoding="utf-8")
    pipeline.run(content, tmp_path / "after", cache_dir=cache, jobs=1)
    pipeline.run(content, tmp_path / "fresh", cache_dir=tmp_path / "empty-cache", jobs=1)
    after = _tree(tmp_path / "after")
    assert after == _tree(tmp_path / "fresh")
    assert any("（下篇）".encode() in data for path, data in after.items() if path.startswith("articles/"))


def test_an_edited_sources_file_is_read_again_and_the_collector_is_back_on(tmp_path):
    """sources.yml is parsed once per content (pipeline.parsed_once): an edit must still show."""
    import gc
    import json
    import shutil

    from generator import pipeline

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    cache = tmp_path / "cache"
    pipeline.run(content, tmp_path / "before", cache_dir=cache, jobs=1)
    assert gc.isenabled()
    assert list((cache / "parsed").glob("sources.yml-*.pickle"))
    sources = content / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    publication = next(s.publication for _name, s in sorted(load_sources(sources).items()) if s.publication)
    sources.write_text(text.replace(publication, "测试改名日报"), encoding="utf-8")
    pipeline.run(content, tmp_path / "after", cache_dir=cache, jobs=1)
    articles = json.loads((tmp_path / "after" / "api" / "articles.json").read_text(encoding="utf-8"))["articles"]
    assert "测试改名日报" in {a["publication"] for a in articles}
    assert gc.isenabled()


def test_a_few_changed_articles_are_analysed_by_the_standby_child(tmp_path):
    # A rebuild's changed articles go to a forked child that loaded the analyzer while the
    # pages were read (enrich.analysis_standby); it keeps their analyses in the cache too.
    from generator.enrich import analysis_standby

    articles = seed_corpus()
    enrich_corpus(articles, SOURCES, THEMES, jobs=2, cache_dir=tmp_path)
    changed = [replace(a, body=a.body + "\n\n新增一段关于人才公寓的说明。") if a.id == WATER.id else a for a in articles]
    before = set(tmp_path.glob("*.pickle"))
    with analysis_standby(THEMES) as standby:
        warm = enrich_corpus(changed, SOURCES, THEMES, jobs=2, cache_dir=tmp_path, standby=standby)
    assert warm == enrich_corpus(changed, SOURCES, THEMES)
    assert len(set(tmp_path.glob("*.pickle")) - before) == 1  # the child kept its analysis


def test_counts_read_back_from_the_cache_equal_the_fresh_ones(tmp_path):
    from generator.enrich import analyse_cached, analyse_article

    work = [(a, SOURCES.get(a.source)) for a in hand_made()]
    analyse_cached(work, THEMES, 1, tmp_path)
    for (article, source), cached in zip(work, analyse_cached(work, THEMES, 1, tmp_path)):
        fresh = analyse_article(article, THEMES, source)
        assert cached.counts == fresh.counts and cached.counts
        assert cached == fresh  # the search words too: the index reuses them
