"""YAML loading: line numbers, duplicate keys, and the real content files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import InputError, SourceInfo
from generator.yamlio import LineDict, dump_mapping, load_sources, load_themes, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mappings_remember_key_lines():
    data = parse_yaml("a: 1\nb:\n  c: 2\n  d: [1, 2]\n", "x.yml")
    assert isinstance(data, LineDict)
    assert data.line_of("a") == 1 and data.line_of("b") == 2
    assert data["b"].line_of("d") == 4


def test_duplicate_key_names_both_lines():
    with pytest.raises(InputError) as info:
        parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yml")
    assert str(info.value) == "dup.yml:3: error: duplicate key 'a' (first at line 1)"


def test_duplicate_key_in_nested_mapping():
    with pytest.raises(InputError) as info:
        parse_yaml("x:\n  k: 1\n  k: 2\n", "dup.yml")
    assert info.value.problem.line == 3


def test_malformed_yaml_is_one_line_with_file_and_line():
    with pytest.raises(InputError) as info:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "bad.yml")
    message = str(info.value)
    assert message.startswith("bad.yml:") and "malformed YAML" in message
    assert "\n" not in message
    assert info.value.problem.line is not None


def test_tab_indentation_is_malformed(tmp_path):
    path = write(tmp_path, "t.yml", "a:\n\tb: 1\n")
    with pytest.raises(InputError) as info:
        from generator.yamlio import load_yaml

        load_yaml(path)
    assert str(path) in str(info.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "s.yml"
    path.write_bytes("a: 平湖\n".encode("gb18030"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_sources(path)


def test_real_sources_file():
    sources = load_sources(CONTENT / "sources.yml")
    assert sources["001_27413fd82a551e03.txt"] == SourceInfo(
        name="001_27413fd82a551e03.txt", publication="平湖日报", date="2024-11", page="第1版"
    )
    assert sources["003_91731f87a7d51849.txt"].date == "2023"
    assert sources["000_47847500bd880218.txt"].publication is None


def test_sources_accepts_yaml_dates_and_years(tmp_path):
    path = write(tmp_path, "s.yml", "a.txt:\n  date: 2024-11-06\nb.txt:\n  date: 2023\nc.txt:\n")
    sources = load_sources(path)
    assert sources["a.txt"].date == "2024-11-06"
    assert sources["b.txt"].date == "2023"
    assert sources["c.txt"] == SourceInfo(name="c.txt")


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("a.txt:\n  publisher: x\n", 2, "unknown field 'publisher'"),
        ("a.txt:\n  date: 2024-13\n", 2, "must be a date"),
        ("a.txt:\n  date: [2024]\n", 2, "must be a date"),
        ("a.txt:\n  page: [1]\n", 2, "page must be text"),
        ("../a.txt:\n  page: A1\n", 1, "bare file name"),
        ("a.txt: 3\n", 1, "must be a mapping"),
    ],
)
def test_bad_sources(tmp_path, text, line, fragment):
    path = write(tmp_path, "sources.yml", text)
    with pytest.raises(InputError) as info:
        load_sources(path)
    assert info.value.problem.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: error:")


def test_real_themes_file():
    themes = load_themes(CONTENT / "themes.yml")
    assert [t.id for t in themes] == ["talent", "water", "rural", "governance"]
    by_id = {t.id: t for t in themes}
    assert dict(by_id["rural"].lexicon)["共富工坊"] == 3
    assert dict(by_id["water"].lexicon)["水务"] == 3
    assert by_id["governance"].name == "基层治理"
    for theme in themes:
        assert theme.name and theme.name_en and theme.description and len(theme.lexicon) >= 10


THEME_OK = """themes:
  - id: water
    name: 水务
    name_en: Water
    description: d
    lexicon:
      水务: 3
"""


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        (THEME_OK.replace("id: water", "id: Water/x"), 2, "lower-case ASCII"),
        (THEME_OK.replace("id: water", "id: ../x"), 2, "lower-case ASCII"),
        (THEME_OK.replace("水务: 3", "水务: lots"), 7, "positive number"),
        (THEME_OK.replace("水务: 3", "水务: 3\n      水务: 2"), 8, "duplicate key '水务'"),
        (THEME_OK.replace("name: 水务", "name: 水务\n    colour: blue"), 4, "unknown field 'colour'"),
        (THEME_OK + THEME_OK.replace("themes:\n", ""), 8, "duplicate theme id 'water'"),
        ("themes: []\n", 1, "non-empty list"),
    ],
)
def test_bad_themes(tmp_path, text, line, fragment):
    path = write(tmp_path, "themes.yml", text)
    with pytest.raises(InputError) as info:
        load_themes(path)
    assert fragment in str(info.value)
    assert info.value.problem.line == line


def test_unclosed_quote_is_reported_where_it_opens():
    text = 'a: 1\nb: "never closed\nc: 3\nd: 4\n'
    with pytest.raises(InputError) as info:
        parse_yaml(text, "q.yml")
    assert str(info.value).startswith("q.yml:2: error: malformed YAML: while scanning a quoted scalar"), str(info.value)


# ------------------------------------------------------------------ writing (front matter)

# Any text at all, without lone surrogates (they cannot be written as UTF-8 anyway).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_SCALAR = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | _TEXT
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _VALUE, max_size=6))
def test_dumped_front_matter_reads_back_as_the_same_value(data):
    assert yaml.safe_load(dump_mapping(data)) == (data or {})


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_no_text_breaks_out_of_its_value(text):
    """Whatever a title holds (---, newlines, quotes, YAML syntax), the document keeps its keys."""
    dumped = dump_mapping({"title": text, "after": 1})
    assert "\n---" not in dumped and list(yaml.safe_load(dumped)) == ["title", "after"]


def test_front_matter_spelling():
    text = dump_mapping({"title": "乡村振兴", "n": 2, "tags": ["a"], "none": None, "meta": {"k": [{"x": "y"}]}})
    assert text == 'title: "乡村振兴"\n"n": 2\ntags:\n- "a"\nnone: null\nmeta:\n  k:\n  - x: "y"\n'
