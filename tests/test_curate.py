"""content/curation.yml: validation with file:line errors, overrides winning, review."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.curate import apply_curation, load_curation, review
from generator.enrich import enrich_corpus
from generator.model import Author, InputError, Region
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, GOVERNANCE, INVEST, OBITUARY, POETRY, RURAL, TALENT, WATER, hand_made, segmented

THEMES = load_themes(CONTENT / "themes.yml")
THEME_IDS = {t.id for t in THEMES}
SOURCES = load_sources(CONTENT / "sources.yml")


@pytest.fixture(scope="module")
def enriched():
    return enrich_corpus(hand_made(), SOURCES, THEMES)


@pytest.fixture(scope="module")
def known(enriched):
    return {e.id for e in enriched}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curation.yml"
    path.write_text(text, encoding="utf-8")
    return path


def curated(tmp_path, enriched, known, text):
    curation = load_curation(write(tmp_path, text), known, THEME_IDS)
    return {e.id: e for e in apply_curation(enriched, curation)}


def test_overrides_win_over_the_machine(tmp_path, enriched, known):
    machine = {e.id: e for e in enriched}
    assert machine[INVEST.id].themes == []
    out = curated(tmp_path, enriched, known, f"""
{INVEST.id}:
  title: 平湖重大项目建设按下快进键
  kicker: 决战四季度
  summary: 平湖20个省“千项万亿”项目前10个月完成投资137.77亿元。
  date: 2024-11-05
  regions: [嘉兴市/平湖市, 海宁市]
  themes: [water]
  add_themes: [rural]
  remove_themes: [water]
  featured: true
  authors: [言成声, {{name: 王强, role: 摄影}}]
{WATER.id}:
  subtitle: null
""")
    item = out[INVEST.id]
    assert item.article.title == "平湖重大项目建设按下快进键"
    assert item.article.kicker == "决战四季度"
    assert item.summary.startswith("平湖20个")
    assert item.date == "2024-11-05"
    assert item.regions == [Region("嘉兴市", "平湖市"), Region("嘉兴市", "海宁市")]
    assert item.themes == ["rural"]
    assert item.featured is True
    assert item.article.authors == [Author("言成声"), Author("王强", "摄影")]
    assert item.keywords == machine[INVEST.id].keywords  # untouched fields stay the machine's
    assert out[WATER.id].article.subtitle is None and out[WATER.id].article.title == WATER.title


def test_exclude_removes_and_cleans_related(tmp_path, enriched, known):
    out = curated(tmp_path, enriched, known, f"""
{OBITUARY.id}:
  exclude: true
  reason: 讣告，不是政策举措
{POETRY.id}: {{exclude: true, reason: 诗歌节是文化活动}}
""")
    assert OBITUARY.id not in out and POETRY.id not in out
    for item in out.values():
        assert OBITUARY.id not in item.related and POETRY.id not in item.related


def test_merge_appends_fragment_to_target(tmp_path, enriched, known):
    out = curated(tmp_path, enriched, known, f"""
{TALENT.id}:
  merge_into: {INVEST.id}
""")
    assert TALENT.id not in out
    target = out[INVEST.id]
    assert target.merged_from == [TALENT.id]
    assert target.article.body.startswith(INVEST.body[:20])
    assert "累计助力引进高端人才382人" in target.article.body
    assert target.article.continued is None
    for item in out.values():
        assert TALENT.id not in item.related and item.id not in item.related


def test_empty_file_changes_nothing(tmp_path, enriched, known):
    curation = load_curation(write(tmp_path, "# nothing yet\n"), known, THEME_IDS)
    assert apply_curation(enriched, curation) == list(enriched)


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("000-watr:\n  featured: true\n", 1, "unknown article id '000-watr'; closest: 000-water"),
        (f"{WATER.id}:\n  themes: [water, sport]\n", 2, "unknown theme id 'sport'"),
        (f"{WATER.id}:\n  add_themes: [Talent]\n", 2, "unknown theme id 'Talent'"),
        (f"{WATER.id}:\n  featured: yes please\n", 2, "featured must be true or false"),
        (f"{WATER.id}:\n  feature: true\n", 2, "unknown field 'feature' in entry '000-water'; did you mean 'featured'?"),
        (f"{WATER.id}:\n  title: [a, b]\n", 2, "title must be text"),
        (f"{WATER.id}:\n  themes: water\n  themes: rural\n", 3, "duplicate key 'themes' (first at line 2)"),
        (f"{WATER.id}:\n  featured: true\n{WATER.id}:\n  exclude: true\n", 3, "duplicate key"),
        (f"{WATER.id}:\n  title: [unclosed\n", 3, "malformed YAML"),
        (f"{WATER.id}:\n  date: 2024-13-01\n", 2, "not a real date"),
        (f"{WATER.id}:\n  date: '2024-02-30'\n", 2, "not a real date"),
        (f"{WATER.id}:\n  date: Feb 2024\n", 2, "must be a date"),
        (f"{WATER.id}:\n  regions: [上海市/普陀区]\n", 2, "not a Zhejiang city or county"),
        (f"{WATER.id}:\n  exclude: true\n", 2, "exclude needs a reason"),
        (f"{WATER.id}:\n  merge_into: {WATER.id}\n", 2, "cannot merge an article into itself"),
        (f"{WATER.id}:\n  merge_into: nothing-here\n", 2, "merge_into names unknown article id"),
        (f"{WATER.id}:\n  merge_into: ../etc\n", 2, "must not contain '/'"),
        ("../../etc/passwd:\n  featured: true\n", 1, "must not contain '/'"),
        (f"{WATER.id}: [featured]\n", 1, "must be a mapping"),
        ("- just\n- a list\n", 1, "must be a mapping"),
        (
            f"{WATER.id}:\n  merge_into: {RURAL.id}\n{RURAL.id}:\n  exclude: true\n  reason: x\n",
            1,
            "is excluded",
        ),
    ],
)
def test_bad_curation_is_one_clear_line(tmp_path, known, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_curation(path, known, THEME_IDS)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: error: "), message
    assert fragment in message


def test_review_lists_what_needs_an_editor(tmp_path, enriched, known):
    path = write(tmp_path, f"""
{OBITUARY.id}: {{exclude: true, reason: 讣告}}
gone-article:
  featured: true
""")
    curation = load_curation(path, known, THEME_IDS, strict=False)
    assert [p.line for p in curation.stale] == [3]
    lines = review(enriched, curation)
    text = "\n".join(lines)
    assert f"无主题（其他）: {INVEST.id}" in text
    assert f"无主题（其他）: {POETRY.id}" in text
    assert OBITUARY.id not in text  # settled by the editors
    assert "过期的编辑条目" in text and "gone-article" in text and ":3:" in text
    assert all("\n" not in line for line in lines)


def test_review_reports_fragments_and_warnings(enriched):
    from dataclasses import replace

    item = enriched[0]
    fragment = replace(item, article=replace(item.article, continues="上接第一版", warnings=["columns out of order"]))
    lines = review([fragment])
    assert any(line.startswith("续篇片段") and "上接第一版" in line for line in lines)
    assert any(line.startswith("分段警告") and "columns out of order" in line for line in lines)


def test_shipped_curation_file_is_valid():
    path = CONTENT / "curation.yml"
    articles = segmented()
    if articles is None or not path.exists():
        pytest.skip("needs segmentation and content/curation.yml")
    known = {a.id for a in articles}
    curation = load_curation(path, known, THEME_IDS)
    enriched = apply_curation(enrich_corpus(articles, SOURCES, THEMES), curation)
    titles = {e.article.title for e in enriched}
    assert not any("逝世" in t for t in titles)
    assert not any("吟诗赛诗" in t for t in titles)
    featured = [e for e in enriched if e.featured]
    assert 2 <= len(featured) <= 3
    for entry in curation.entries.values():
        if entry.exclude:
            assert entry.reason
