"""Stage read: encodings, line endings, binary/empty/undecodable files, big files."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from generator.read import MISSING_GLYPH, decode_bytes, read_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "content" / "pages").glob("*.txt"))
SEED = ROOT / "content" / "pages" / "001_27413fd82a551e03.txt"


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def errors(problems):
    return [p for p in problems if p.level == "error"]


def warnings(problems):
    return [p for p in problems if p.level == "warning"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name[:3])
def test_seed_pages_read_as_utf8(path: Path) -> None:
    page, problems = read_page(path)
    assert problems == []
    assert page is not None
    assert page.name == path.name
    assert page.encoding == "utf-8"
    assert page.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert page.text == path.read_text(encoding="utf-8")
    assert "\r" not in page.text


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.txt", codecs.BOM_UTF8 + seed_text().encode("utf-8"))
    page, problems = read_page(path)
    assert problems == [] and page is not None
    assert page.encoding == "utf-8-sig"
    assert page.text == seed_text()
    assert not page.text.startswith("\ufeff")


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_bom(tmp_path: Path, codec: str, bom: bytes) -> None:
    path = write(tmp_path, "u16.txt", bom + seed_text().encode(codec))
    page, problems = read_page(path)
    assert problems == [] and page is not None
    assert page.encoding == "utf-16"
    assert page.text == seed_text()


def test_utf16_without_bom_is_recognised_not_called_binary() -> None:
    text = "本报讯 记者 王强\nABC 2024年11月6日，平湖。\n" * 20
    decoded, encoding, problems = decode_bytes(text.encode("utf-16-le"), "nobom.txt")
    assert decoded == text and encoding == "utf-16-le" and problems == []


def test_utf16_without_bom_may_hold_ideographic_spaces() -> None:
    """U+3000's low byte is 00: a NUL on the other side of the ASCII NULs (found by hypothesis)."""
    text = "平平平\u3000<script><script>"
    decoded, encoding, problems = decode_bytes(text.encode("utf-16-le"), "nobom.txt")
    assert decoded == text and encoding == "utf-16-le"


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_gb18030_page_reads_same_as_utf8(tmp_path: Path, codec: str) -> None:
    tried = 0
    for seed in PAGES:
        text = seed.read_text(encoding="utf-8")
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:  # GBK lacks a few characters (・ in page 002); GB18030 has them all
            assert codec == "gbk"
            continue
        tried += 1
        path = write(tmp_path, seed.name, data)
        page, problems = read_page(path)
        assert problems == [], seed.name
        assert page is not None and page.encoding == "gb18030"
        assert page.text == text
    assert tried >= 4


def test_short_gbk_byline_is_not_misread() -> None:
    # A statistical detector calls this cp949; the fixed order gets it right.
    text, encoding, problems = decode_bytes("记者 陶佳敏".encode("gbk"), "short.txt")
    assert (text, encoding, problems) == ("记者 陶佳敏", "gb18030", [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("第一行\r\n第二行\r\n", "第一行\n第二行\n"),
        ("第一行\r第二行\r", "第一行\n第二行\n"),
        ("甲\r\n乙\r丙\n丁\r\n\r\n戊", "甲\n乙\n丙\n丁\n\n戊"),
    ],
    ids=["crlf", "cr", "mixed"],
)
def test_line_endings_normalised(tmp_path: Path, raw: str, expected: str) -> None:
    page, problems = read_page(write(tmp_path, "eol.txt", raw.encode("utf-8")))
    assert problems == [] and page is not None
    assert page.text == expected


def test_crlf_seed_page_equals_lf(tmp_path: Path) -> None:
    page, _ = read_page(write(tmp_path, "crlf.txt", seed_text().replace("\n", "\r\n").encode("utf-8")))
    assert page is not None and page.text == seed_text()


def test_control_characters_removed_tab_becomes_space() -> None:
    text, _, problems = decode_bytes("本报讯\t记者\x07 王强\x1b\n正文".encode(), "ctl.txt")
    assert text == "本报讯 记者 王强\n正文"
    assert any("control" in p.message for p in warnings(problems))


def test_form_feed_is_a_line_break() -> None:
    text, _, _ = decode_bytes("第一版\f第二版".encode(), "ff.txt")
    assert text == "第一版\n第二版"


def test_replacement_character_runs_become_one_missing_glyph() -> None:
    text, encoding, problems = decode_bytes("第一行\r\n周\ufffd\ufffd晶说，水\ufffd大脑".encode(), "fffd.txt")
    assert encoding == "utf-8"
    assert text == f"第一行\n周{MISSING_GLYPH}晶说，水{MISSING_GLYPH}大脑"
    [problem] = warnings(problems)
    assert (problem.file, problem.line) == ("fffd.txt", 2)
    assert problem.message.startswith("2 run(s) of undecodable characters")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"PK\x03\x04\x14\x00\x06\x00",
        "正文\x00\x00\x00里有 NUL".encode(),
        bytes(range(0, 32)) * 40,
    ],
    ids=["png", "pdf", "zip", "nul", "controls"],
)
def test_binary_file_is_an_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    page, problems = read_page(write(tmp_path, "photo.txt", data))
    assert page is None
    [problem] = errors(problems)
    assert problem.file == "photo.txt"
    assert problem.message.startswith("binary file, not a text page")
    assert "photo.txt" in str(problem)


def test_undecodable_bytes_are_an_error_with_offset(tmp_path: Path) -> None:
    data = "第一行\n第二行".encode() + b"\n\xff\xfe\xfd"
    # Not a BOM at the start, not UTF-8, not GB18030.
    page, problems = read_page(write(tmp_path, "bad.txt", data))
    assert page is None
    [problem] = errors(problems)
    offset = data.index(b"\xff")
    assert problem.message == f"cannot decode as UTF-8 or GB18030 (byte 0xff at offset {offset})"
    assert problem.file == "bad.txt" and problem.line == 3
    assert str(problem).startswith("bad.txt:3: error: cannot decode")


def test_latin1_file_is_an_error_not_mojibake() -> None:
    text, encoding, problems = decode_bytes("Caf\xe9 cr\xe8me br\xfbl\xe9e\n".encode("latin-1"), "latin.txt")
    assert text is None and encoding is None
    assert errors(problems)[0].message.startswith("cannot decode as UTF-8 or GB18030")


def test_utf8_page_with_one_corrupt_byte_stays_utf8() -> None:
    good = seed_text().encode("utf-8")
    cut = good.index(b"\n", 300) + 1  # at a character boundary
    data = good[:cut] + b"\xff" + good[cut:]
    text, encoding, problems = decode_bytes(data, "corrupt.txt")
    assert encoding == "utf-8"
    assert text is not None and "本报讯 昨天下午" in text and MISSING_GLYPH in text
    assert [p.level for p in problems] == ["warning", "warning"]
    assert problems[0].message == f"1 invalid UTF-8 byte sequence(s) replaced (first: byte 0xff at offset {cut})"
    assert problems[0].line == good[:cut].count(b"\n") + 1


def test_bom_that_does_not_decode_is_an_error() -> None:
    text, _, problems = decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfd", "badbom.txt")
    assert text is None and errors(problems)


@pytest.mark.parametrize("data", [b"", b"   \n\n\t \r\n", "\u3000\u3000\n".encode(), codecs.BOM_UTF8 + b"\n \n"])
def test_empty_or_whitespace_only_is_a_warning(tmp_path: Path, data: bytes) -> None:
    page, problems = read_page(write(tmp_path, "empty.txt", data))
    assert page is None
    assert problems and all(p.level == "warning" and p.file == "empty.txt" for p in problems)
    assert "empty" in problems[-1].message


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    page, problems = read_page(tmp_path / "gone.txt")
    assert page is None and errors(problems)[0].file == "gone.txt"


def test_directory_is_an_error_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    page, problems = read_page(tmp_path / "dir.txt")
    assert page is None and errors(problems)


def test_five_megabyte_page(tmp_path: Path) -> None:
    text = seed_text()
    big = text * (5_000_000 // len(text.encode()) + 1)
    page, problems = read_page(write(tmp_path, "big.txt", big.replace("\n", "\r\n").encode("utf-8")))
    assert problems == [] and page is not None
    assert page.text == big


def test_one_megabyte_single_line(tmp_path: Path) -> None:
    line = "平湖重大项目建设按下“快进键”，" * 70_000
    page, problems = read_page(write(tmp_path, "line.txt", line.encode("gb18030")))
    assert problems == [] and page is not None and page.text == line
