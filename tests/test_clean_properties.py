"""Stage clean, properties over generated text (hypothesis): never raises, idempotent, loses no Chinese."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.clean import (
    banner_score,
    clean_text,
    clean_title,
    collapse_doubled,
    ends_sentence,
    extract_furniture,
    is_banner,
    join_lines,
    strip_markdown_heading,
)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")

# Text that looks like the pages: Chinese, ASCII and full-width punctuation, quotes,
# spaces of every kind, digits and dots (for 347347..22), doubled-glyph material.
PAGE_ALPHABET = list(
    "平湖重大项目建设按下快进键看研究人天向上共同学习进步中文记者陈璐"
    "，。：；！？、…—“”‘’（）《》【】"
    ",.:;!?()\"'-/%+"
    "0123456789AbcXYZ"
    " \u3000\u00a0\u200b\t\n"
    "・•\ufffd\x07"
)
page_text = st.text(alphabet=st.sampled_from(PAGE_ALPHABET), max_size=80)
# Chunks that trigger the doubling rules: whole doubled units, doubled punctuation, doubled decimals.
doubling_chunks = st.sampled_from(
    ["平湖重大项目平湖重大项目", "快进键快进键", "研究研究", "““", "””", "347347..22", "99..55", "138138", "看看", "，", "。", " ", "\n"]
)
page_like = st.one_of(
    st.text(max_size=60),
    page_text,
    st.lists(st.one_of(doubling_chunks, page_text), max_size=8).map("".join),
)
line_lists = st.lists(st.one_of(page_like, st.just(""), st.sampled_from(["有组织、有亮点、有温度。", "“实地调研+文稿创作”的开", "（下转2版）"])), max_size=12)


def han_counter(text: str) -> Counter[str]:
    return Counter(HAN.findall(unicodedata.normalize("NFC", text)))


@settings(max_examples=200, deadline=None)
@given(page_like)
def test_clean_text_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert isinstance(once, str)
    assert clean_text(once) == once
    assert once == once.strip(" ")
    assert "\n" not in once and "  " not in once


@settings(max_examples=200, deadline=None)
@given(page_like)
def test_clean_title_is_idempotent(text: str) -> None:
    once = clean_title(text)
    assert clean_title(once) == once


@settings(max_examples=200, deadline=None)
@given(page_like)
def test_clean_text_loses_no_chinese_character(text: str) -> None:
    before = han_counter(text)
    after = han_counter(clean_text(text))
    assert after <= before  # nothing invented; only doubled glyphs (XX → X) may go...
    assert set(after) == set(before)  # ...so every character is still there at least once


# Text that cannot contain a doubling: distinct Chinese characters, split into lines
# with punctuation, spaces and blank lines in between.
UNIQUE_HAN = "制水讲坛助力企业高质量发展张妍琦厂长给职工解程管理经验宁波首席人为一线化员传授微生物检测中常用的灭菌方法"
assert len(set(UNIQUE_HAN)) == len(UNIQUE_HAN)
separators = st.sampled_from(["", "", "", "，", "。", "、", ",", " ", "\u3000", "\n", "\n\n", "“", "”", '"', "(", ")", "12", "AB"])


@st.composite
def plain_lines(draw: st.DrawFn) -> list[str]:
    chars = draw(st.permutations(UNIQUE_HAN))
    pieces = []
    for ch in chars[: draw(st.integers(0, len(chars)))]:
        pieces.append(ch)
        pieces.append(draw(separators))
    return "".join(pieces).split("\n")


@settings(max_examples=200, deadline=None)
@given(plain_lines())
def test_join_lines_keeps_every_chinese_character_of_plain_text(lines: list[str]) -> None:
    paragraphs = join_lines(lines)
    assert han_counter("".join(paragraphs)) == han_counter("".join(lines))
    assert join_lines(paragraphs) == paragraphs


@settings(max_examples=200, deadline=None)
@given(page_like)
def test_collapse_doubled_is_idempotent(text: str) -> None:
    once = collapse_doubled(text)
    assert collapse_doubled(once) == once
    assert han_counter(once) <= han_counter(text)


@settings(max_examples=200, deadline=None)
@given(line_lists)
def test_join_lines_never_raises_is_idempotent_and_keeps_chinese(lines: list[str]) -> None:
    paragraphs = join_lines(lines)
    assert join_lines(paragraphs) == paragraphs
    assert all(p and "\n" not in p for p in paragraphs)
    before = han_counter("".join(lines))
    after = han_counter("".join(paragraphs))
    assert after <= before
    assert set(after) == set(before)


@settings(max_examples=200, deadline=None)
@given(page_like)
def test_extract_furniture_never_raises_and_is_idempotent(text: str) -> None:
    rest, found = extract_furniture(text)
    again, found_again = extract_furniture(rest)
    assert again == rest and found_again == []
    for furniture in found:
        assert furniture.kind in {"continued", "continues"}


@settings(max_examples=200, deadline=None)
@given(st.one_of(page_like, page_like.map(lambda s: "#" * 3 + " " + s)))
def test_line_helpers_never_raise(line: str) -> None:
    level, text = strip_markdown_heading(line)
    assert 0 <= level <= 6
    assert strip_markdown_heading(text)[0] == 0 or text.startswith("#")
    assert 0.0 <= banner_score(line) <= 1.0
    assert isinstance(is_banner(line), bool)
    assert isinstance(ends_sentence(line), bool)
