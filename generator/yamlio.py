"""YAML for editor-written files: line numbers on every key, no silent surprises.

PyYAML's SafeLoader keeps the last of two duplicate keys without a word, and
forgets where things were. Editors fix their files from error messages, so
every mapping here remembers the line of each key, and a duplicate key, a
wrong type or an unknown field stops the run with `file:line: message`.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from .model import InputError, SourceInfo, Theme


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int | None = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers and rejects duplicate keys."""

    file_name: str = "<yaml>"


def _construct_map(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # `<<:` merge keys, as SafeLoader does
    data = LineDict()
    data.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise InputError(loader.file_name, "a key must be a plain value, not a list or mapping", line) from None
        if key in data:
            raise InputError(
                loader.file_name,
                f"duplicate key {key!r} (first at line {data.key_lines[key]})",
                line,
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line
    return data


def _construct_seq(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    data = LineList()
    data.line = node.start_mark.line + 1
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.item_lines.append(child.start_mark.line + 1)
    return data


def _construct_timestamp(loader: LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise InputError(
            loader.file_name, f"{node.value!r} is not a real date ({exc})", node.start_mark.line + 1
        ) from None


LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str, file_name: str) -> Any:
    """Parse YAML text; any problem is an InputError naming file and line."""
    loader = LineLoader(text)
    loader.file_name = file_name
    try:
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote or bracket is found at the end of the file (problem_mark); the
        # line to fix is where it was opened (context_mark, "while scanning a quoted scalar").
        unclosed = exc.context is not None and exc.problem is not None and "end of stream" in exc.problem
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "malformed YAML"
        if unclosed:
            what = f"{exc.context} that is never closed"
        raise InputError(file_name, f"malformed YAML: {what}", line) from None
    except yaml.YAMLError as exc:
        raise InputError(file_name, f"malformed YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML recognised but cannot build
        raise InputError(file_name, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def load_yaml(path: Path | str) -> Any:
    """Read and parse a YAML file; unreadable or undecodable files are InputErrors too."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(name, "file not found") from None
    except OSError as exc:
        raise InputError(name, f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(name, "not valid UTF-8", line) from None
    return parse_yaml(text, name)


# --- small validators shared by sources, themes and curation -----------------------------

_TYPE_NAMES = {str: "text", int: "a number", float: "a number", bool: "true or false", list: "a list", dict: "a mapping"}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{type(value).__name__} {value!r}"


def line_of(container: Any, key: Any) -> int | None:
    finder = getattr(container, "line_of", None)
    return finder(key) if finder else None


def require_mapping(value: Any, file: str, what: str, line: int | None = None) -> LineDict:
    if not isinstance(value, dict):
        raise InputError(file, f"{what} must be a mapping, got {describe(value)}", getattr(value, "line", None) or line)
    if not isinstance(value, LineDict):
        value = LineDict(value)
    return value


def check_fields(mapping: LineDict, allowed: Iterable[str], file: str, what: str) -> None:
    allowed = list(allowed)
    for key in mapping:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise InputError(file, f"unknown field {key!r} in {what}{hint}", mapping.line_of(key))


def text_value(mapping: LineDict, key: str, file: str, what: str, *, required: bool = False) -> str | None:
    if key not in mapping or mapping[key] is None:
        if required:
            raise InputError(file, f"{what}: field {key!r} is required", mapping.line)
        return None
    value = mapping[key]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(file, f"{what}: {key} must be text, got {describe(value)}", mapping.line_of(key))
    text = str(value).strip()
    if required and not text:
        raise InputError(file, f"{what}: {key} must not be empty", mapping.line_of(key))
    return text


_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def date_value(mapping: LineDict, key: str, file: str, what: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; YAML's own dates and bare years are accepted too."""
    if key not in mapping or mapping[key] is None:
        return None
    value = mapping[key]
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise InputError(
            file, f"{what}: {key} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, got {describe(value)}", mapping.line_of(key)
        )
    value = value.strip()
    if len(value) == 10:
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(file, f"{what}: {key} {value!r} is not a real date", mapping.line_of(key)) from None
    return value


# --- content/sources.yml ------------------------------------------------------------------

SOURCE_FIELDS = ("publication", "date", "page")


def load_sources(path: Path | str) -> dict[str, SourceInfo]:
    """content/sources.yml: page file name → what an editor knows about it."""
    file = str(path)
    data = load_yaml(path)
    if data is None:
        return {}
    data = require_mapping(data, file, "sources.yml")
    sources: dict[str, SourceInfo] = {}
    for name, entry in data.items():
        line = data.line_of(name)
        if not isinstance(name, str) or not name.strip():
            raise InputError(file, f"page file name must be text, got {describe(name)}", line)
        if "/" in name or "\\" in name or ".." in name:
            raise InputError(file, f"page file name {name!r} must be a bare file name (no '/' or '..')", line)
        what = f"entry {name!r}"
        if entry is None:
            sources[name] = SourceInfo(name=name)
            continue
        entry = require_mapping(entry, file, what, line)
        check_fields(entry, SOURCE_FIELDS, file, what)
        sources[name] = SourceInfo(
            name=name,
            publication=text_value(entry, "publication", file, what),
            date=date_value(entry, "date", file, what),
            page=text_value(entry, "page", file, what),
        )
    return sources


# --- content/themes.yml -------------------------------------------------------------------

THEME_FIELDS = ("id", "name", "name_en", "description", "lexicon")
THEME_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def load_themes(path: Path | str) -> tuple[Theme, ...]:
    """content/themes.yml: `themes:` is a list of {id, name, name_en, description, lexicon}."""
    file = str(path)
    data = load_yaml(path)
    data = require_mapping(data, file, "themes.yml")
    check_fields(data, ("themes",), file, "themes.yml")
    items = data.get("themes")
    if not isinstance(items, list) or not items:
        raise InputError(file, "themes.yml needs a non-empty list under 'themes:'", data.line_of("themes"))
    themes: list[Theme] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(items):
        line = items.line_of(index) if isinstance(items, LineList) else None
        item = require_mapping(item, file, f"theme #{index + 1}", line)
        check_fields(item, THEME_FIELDS, file, f"theme #{index + 1}")
        theme_id = text_value(item, "id", file, f"theme #{index + 1}", required=True)
        assert theme_id is not None
        if not THEME_ID.match(theme_id):
            raise InputError(
                file,
                f"theme id {theme_id!r} must be lower-case ASCII letters, digits, '-' or '_' (it is used in URLs)",
                item.line_of("id"),
            )
        if theme_id in seen:
            raise InputError(file, f"duplicate theme id {theme_id!r} (first at line {seen[theme_id]})", item.line_of("id"))
        seen[theme_id] = item.line_of("id")
        what = f"theme {theme_id!r}"
        lexicon = item.get("lexicon")
        if not isinstance(lexicon, dict) or not lexicon:
            raise InputError(file, f"{what}: lexicon must be a non-empty mapping of term: weight", item.line_of("lexicon"))
        terms: list[tuple[str, float]] = []
        for term, weight in lexicon.items():
            tline = lexicon.line_of(term) if isinstance(lexicon, LineDict) else None
            if not isinstance(term, str) or not term.strip():
                raise InputError(file, f"{what}: lexicon term must be text, got {describe(term)}", tline)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
                raise InputError(file, f"{what}: weight of {term!r} must be a positive number, got {describe(weight)}", tline)
            if any(ch.isspace() for ch in term.strip()):
                raise InputError(file, f"{what}: lexicon term {term!r} must not contain spaces", tline)
            terms.append((term.strip(), float(weight)))
        themes.append(
            Theme(
                id=theme_id,
                name=text_value(item, "name", file, what, required=True) or theme_id,
                name_en=text_value(item, "name_en", file, what, required=True) or theme_id,
                description=text_value(item, "description", file, what) or "",
                lexicon=tuple(terms),
            )
        )
    return tuple(themes)


# ------------------------------------------------------------------ writing

# What PyYAML's reader accepts as printable (yaml/reader.py, NON_PRINTABLE's complement).
# Everything else, line breaks and tabs too, is written as an escape: a double-quoted
# scalar that holds only printable characters and escapes reads back as exactly its text.
_YAML_UNSAFE = re.compile("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\"\\\\\u2028\u2029]")
_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED_WORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})


def _escape_char(match: re.Match) -> str:
    ch = match.group()
    known = _YAML_ESCAPES.get(ch)
    if known:
        return known
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def quoted(text: str) -> str:
    """A YAML double-quoted scalar reading back as exactly `text`."""
    return '"' + _YAML_UNSAFE.sub(_escape_char, text) + '"'


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} as a YAML scalar")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"keys must be str, not {type(key).__name__}")
    # A plain key must read back as a string: not one of YAML 1.1's booleans or nulls in any case.
    return key if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED_WORDS else quoted(key)


def _block(value: Any, indent: str, out: list[str]) -> None:
    """`value` (a non-empty dict or list) in block style, each line starting with `indent`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{indent}{_key(key)}:\n")
                # PyYAML's style: a list under a key is not indented, a mapping is.
                _block(item, indent if isinstance(item, list) else indent + "  ", out)
            else:
                out.append(f"{indent}{_key(key)}: {_flow_empty(item)}\n")
        return
    for item in value:
        if isinstance(item, (dict, list)) and item:
            inner: list[str] = []
            _block(item, indent + "  ", inner)
            # The first line shares the dash: "- key: value".
            inner[0] = f"{indent}- " + inner[0][len(indent) + 2 :]
            out.extend(inner)
        else:
            out.append(f"{indent}- {_flow_empty(item)}\n")


def _flow_empty(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def dump_mapping(data: dict) -> str:
    """A mapping of str, int, float, bool, None, lists and mappings → block-style YAML text.

    Every string is double-quoted with escapes for anything not printable, so no text can
    change the document's structure; yaml.safe_load reads back an equal value (tested with
    arbitrary text). Written by hand because PyYAML's representer, even with libyaml's
    emitter, took 0.9 ms a page: the larger part of writing 10,000 articles.
    """
    if not data:
        return "{}\n"
    out: list[str] = []
    _block(data, "", out)
    return "".join(out)
