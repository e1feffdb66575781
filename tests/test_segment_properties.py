"""Properties of segmentation on text nobody wrote by hand (hypothesis).

- segment_page never raises and never falls back to its internal-error path;
- ids are unique and URL-safe, positions run 0, 1, 2 …;
- no text is lost or duplicated: every Han character of the page (as clean_text leaves each
  line: it may merge glyphs that PDF extraction doubled) ends up in exactly one place — an
  article's kicker, title, subtitle, author names/roles, dateline, body or captions, or the
  page's reported furniture (a role label is counted once per article). A title derived from the first sentence (no headline on the
  page) repeats body text, so it is not counted; a person credited twice in one article is
  listed once, so only the characters of people listed may go missing.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator import clean
from generator.model import PageResult, RawPage
from generator.segment import UNTITLED_WARNING, segment_page

PAGES = Path(__file__).resolve().parent.parent / "content" / "pages"
SEED_LINES = sorted({line for path in PAGES.glob("*.txt") for line in path.read_text("utf-8").split("\n")})
HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# SEGMENT_EXAMPLES=2000 for a longer hunt than the default run.
SETTINGS = settings(deadline=None, max_examples=int(os.environ.get("SEGMENT_EXAMPLES", "100")), suppress_health_check=[HealthCheck.too_slow])


def han(text: str | None) -> Counter:
    return Counter(HAN_RE.findall(unicodedata.normalize("NFC", text or "")))


def page_han(text: str) -> Counter:
    return sum((han(clean.clean_text(line)) for line in text.split("\n")), Counter())


def output_han(result: PageResult) -> Counter:
    total: Counter = Counter()
    for a in result.articles:
        if UNTITLED_WARNING not in a.warnings:
            total += han(a.title)
        total += han(a.kicker) + han(a.subtitle) + han(a.body)
        for author in a.authors:
            total += han(author.name)
        for role in {author.role for author in a.authors}:  # one label ("通讯员 陶冶 曹律") credits several people
            total += han(role)
        if a.dateline:
            total += han(a.dateline.raw)
        for caption in a.captions:
            total += han(caption.text) + han(caption.credit)
    for item in result.furniture:
        total += han(item.text)
    return total


def lost(expected: Counter, found: Counter, result: PageResult, text: str) -> Counter:
    """Characters missing from the output, other than repeated credits of someone already listed
    and characters clean collapses as PDF-doubled glyphs once lines run together."""
    credited = set()
    for a in result.articles:
        for author in a.authors:
            credited |= set(han(author.name)) | set(han(author.role))
    collapsible = set(han(text) - han(clean.clean_text("".join(text.split("\n")))))
    return Counter({c: n for c, n in (expected - found).items() if c not in credited | collapsible})


def check_invariants(result: PageResult, name: str) -> None:
    assert not [p for p in result.problems if "internal error" in p.message], result.problems
    assert all(p.file == name for p in result.problems)
    ids = [a.id for a in result.articles]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    assert [a.position for a in result.articles] == list(range(len(result.articles)))
    for a in result.articles:
        assert a.title.strip()
        assert all("\n" not in p for p in a.body.split("\n\n"))


def no_doubled_neighbours(lines: list[str]) -> bool:
    """Two equal lines in a row would be joined into one paragraph that clean_text may then
    read as a PDF-doubled run and halve: that is clean's rule working, not text lost."""
    filled = [line for line in lines if line.strip()]
    return all(a.strip() != b.strip() for a, b in zip(filled, filled[1:]))


@SETTINGS
@given(st.text(max_size=400))
def test_never_raises_on_arbitrary_text(text):
    result = segment_page(RawPage("any.txt", text, "utf-8", "x"))
    check_invariants(result, "any.txt")


@SETTINGS
@given(st.lists(st.sampled_from(SEED_LINES), min_size=0, max_size=60))
def test_never_raises_on_recombined_seed_lines(lines):
    result = segment_page(RawPage("mix.txt", "\n".join(lines), "utf-8", "x"))
    check_invariants(result, "mix.txt")


@SETTINGS
@given(st.lists(st.sampled_from(SEED_LINES), min_size=1, max_size=60))
def test_no_text_lost_or_duplicated_in_recombined_seed_lines(lines):
    assume(no_doubled_neighbours(lines))
    text = "\n".join(lines)
    result = segment_page(RawPage("mix.txt", text, "utf-8", "x"))
    expected, found = page_han(text), output_han(result)
    # Nothing beyond the raw page: clean may leave a doubled run alone once lines are joined
    # (it decides from context), so the ceiling is the text before any collapsing.
    assert found - han(text) == Counter(), f"duplicated: {found - han(text)}"
    assert lost(expected, found, result, text) == Counter(), f"lost: {expected - found}"


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.sampled_from(SEED_LINES),
            st.text(alphabet="记者通讯员本报讯摄影■（）()张王李陈 12月日电下转上接版#，。、：", max_size=30),
        ),
        max_size=40,
    )
)
def test_no_text_lost_with_byline_and_furniture_noise(lines):
    assume(no_doubled_neighbours(lines))
    text = "\n".join(lines)
    result = segment_page(RawPage("noise.txt", text, "utf-8", "x"))
    check_invariants(result, "noise.txt")
    expected, found = page_han(text), output_han(result)
    assert lost(expected, found, result, text) == Counter(), f"lost: {expected - found}"


def test_every_seed_page_keeps_all_its_text():
    for path in sorted(PAGES.glob("*.txt")):
        text = path.read_text("utf-8")
        result = segment_page(RawPage(path.name, text, "utf-8", "x"))
        expected, found = page_han(text), output_han(result)
        assert lost(expected, found, result, text) == Counter(), (path.name, expected - found)
        assert found - expected == Counter(), (path.name, found - expected)
