"""content/curation.yml: the editors' word over the machine's.

Keyed by article id; each entry may override title, kicker, subtitle, authors,
date, summary and regions; set, add or remove themes; mark `featured`;
`exclude` an article from the digest (with a `reason`); or merge a
continuation fragment into the article it continues (`merge_into: <id>`).

A broken file stops the run before anything is written: every problem is an
InputError naming the file and line. `review` lists what an editor should
look at, including entries that no longer match any article.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from .model import Author, Enriched, InputError, Problem, Region
from .yamlio import LineDict, check_fields, date_value, describe, load_yaml, require_mapping, text_value

FIELDS = (
    "title",
    "kicker",
    "subtitle",
    "authors",
    "date",
    "summary",
    "regions",
    "themes",
    "add_themes",
    "remove_themes",
    "featured",
    "exclude",
    "reason",
    "merge_into",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CurationEntry:
    id: str
    line: int | None
    set_fields: frozenset[str]  # what the entry says, so `kicker: null` can clear a kicker
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    authors: tuple[Author, ...] | None = None
    date: str | None = None
    summary: str | None = None
    regions: tuple[Region, ...] | None = None
    themes: tuple[str, ...] | None = None
    add_themes: tuple[str, ...] = ()
    remove_themes: tuple[str, ...] = ()
    featured: bool | None = None
    exclude: bool = False
    reason: str | None = None
    merge_into: str | None = None


@dataclass(frozen=True)
class Curation:
    file: str
    entries: dict[str, CurationEntry] = field(default_factory=dict)
    stale: tuple[Problem, ...] = ()  # entries naming no known article (only when loaded with strict=False)


def _closest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
    return f"; closest: {', '.join(close)}" if close else ""


def _check_id(value: Any, file: str, line: int | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(file, f"{what} must be an article id (text), got {describe(value)}", line)
    value = value.strip()
    if "/" in value or "\\" in value or ".." in value:
        raise InputError(file, f"{what} {value!r} must not contain '/', '\\' or '..'", line)
    if not _ID.match(value):
        raise InputError(file, f"{what} {value!r} is not a valid article id (ASCII letters, digits, '-', '_', '.')", line)
    return value


def _theme_list(entry: LineDict, key: str, file: str, what: str, theme_ids: set[str]) -> tuple[str, ...] | None:
    if key not in entry:
        return None
    value = entry[key]
    line = entry.line_of(key)
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(file, f"{what}: {key} must be a list of theme ids, got {describe(value)}", line)
    out = []
    for item in value:
        if not isinstance(item, str):
            raise InputError(file, f"{what}: {key} must be a list of theme ids, got {describe(item)} in it", line)
        if item not in theme_ids:
            raise InputError(
                file, f"{what}: unknown theme id {item!r} in {key}; known: {', '.join(sorted(theme_ids))}", line
            )
        if item not in out:
            out.append(item)
    return tuple(out)


def _bool(entry: LineDict, key: str, file: str, what: str) -> bool | None:
    if key not in entry or entry[key] is None:
        return None
    value = entry[key]
    if not isinstance(value, bool):
        raise InputError(file, f"{what}: {key} must be true or false, got {describe(value)}", entry.line_of(key))
    return value


def _authors(entry: LineDict, file: str, what: str) -> tuple[Author, ...] | None:
    if "authors" not in entry:
        return None
    value = entry["authors"]
    line = entry.line_of("authors")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(file, f"{what}: authors must be a list of names, got {describe(value)}", line)
    out = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(Author(name=item.strip()))
        elif isinstance(item, dict):
            item = require_mapping(item, file, f"{what}: author", line)
            check_fields(item, ("name", "role"), file, f"{what}: author")
            name = text_value(item, "name", file, f"{what}: author", required=True)
            out.append(Author(name=name or "", role=text_value(item, "role", file, f"{what}: author")))
        else:
            raise InputError(file, f"{what}: each author must be a name or {{name, role}}, got {describe(item)}", line)
    return tuple(out)


def _regions(entry: LineDict, file: str, what: str) -> tuple[Region, ...] | None:
    from .enrich.regions import divisions

    if "regions" not in entry:
        return None
    value = entry["regions"]
    line = entry.line_of("regions")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(file, f"{what}: regions must be a list like ['杭州市/西湖区'], got {describe(value)}", line)
    table = divisions()
    out: list[Region] = []
    for item in value:
        if not isinstance(item, str):
            raise InputError(file, f"{what}: regions must be a list of names, got {describe(item)} in it", line)
        region = table.region_of(item.strip())
        if region is None and "/" not in item:
            name = table.resolve(item.strip())
            region = Region(name.city, name.county) if name else None
        if region is None:
            raise InputError(
                file, f"{what}: {item!r} is not a Zhejiang city or county (write e.g. '杭州市/西湖区' or '嘉兴市')", line
            )
        if region not in out:
            out.append(region)
    return tuple(out)


def load_curation(
    path: Path | str, known_ids: set[str], theme_ids: set[str], *, strict: bool = True
) -> Curation:
    """Validate content/curation.yml against the articles and themes of this run.

    strict=False (for `review`) reports entries for unknown articles as stale
    instead of stopping; every other error still raises.
    """
    file = str(path)
    data = load_yaml(path)
    if data is None:
        return Curation(file=file)
    data = require_mapping(data, file, "curation.yml")
    entries: dict[str, CurationEntry] = {}
    stale: list[Problem] = []
    for raw_id, entry in data.items():
        line = data.line_of(raw_id)
        article_id = _check_id(raw_id, file, line, "article id")
        what = f"entry {article_id!r}"
        if article_id not in known_ids:
            message = f"unknown article id {article_id!r}{_closest(article_id, known_ids)}"
            if strict:
                raise InputError(file, message, line)
            stale.append(Problem(file=file, message=message, line=line))
            continue
        if entry is None:
            entry = LineDict()
            entry.line = line
        entry = require_mapping(entry, file, what, line)
        check_fields(entry, FIELDS, file, what)
        merge_into = None
        if entry.get("merge_into") is not None:
            merge_into = _check_id(entry["merge_into"], file, entry.line_of("merge_into"), f"{what}: merge_into")
            if merge_into == article_id:
                raise InputError(file, f"{what}: cannot merge an article into itself", entry.line_of("merge_into"))
            if merge_into not in known_ids:
                raise InputError(
                    file,
                    f"{what}: merge_into names unknown article id {merge_into!r}{_closest(merge_into, known_ids)}",
                    entry.line_of("merge_into"),
                )
        exclude = bool(_bool(entry, "exclude", file, what))
        reason = text_value(entry, "reason", file, what)
        if exclude and not reason:
            raise InputError(file, f"{what}: exclude needs a reason (reason: …)", entry.line_of("exclude"))
        for key in ("title",):
            if key in entry and not (text_value(entry, key, file, what) or ""):
                raise InputError(file, f"{what}: {key} must not be empty", entry.line_of(key))
        entries[article_id] = CurationEntry(
            id=article_id,
            line=line,
            set_fields=frozenset(entry.keys()),
            title=text_value(entry, "title", file, what),
            kicker=text_value(entry, "kicker", file, what),
            subtitle=text_value(entry, "subtitle", file, what),
            authors=_authors(entry, file, what),
            date=date_value(entry, "date", file, what),
            summary=text_value(entry, "summary", file, what),
            regions=_regions(entry, file, what),
            themes=_theme_list(entry, "themes", file, what, theme_ids),
            add_themes=_theme_list(entry, "add_themes", file, what, theme_ids) or (),
            remove_themes=_theme_list(entry, "remove_themes", file, what, theme_ids) or (),
            featured=_bool(entry, "featured", file, what),
            exclude=exclude,
            reason=reason,
            merge_into=merge_into,
        )
    # A fragment can only go into an article that stays in the digest and is not itself merged away.
    for entry in entries.values():
        target = entries.get(entry.merge_into) if entry.merge_into else None
        if target is not None and (target.exclude or target.merge_into):
            why = "is excluded" if target.exclude else f"is itself merged into {target.merge_into!r}"
            raise InputError(file, f"entry {entry.id!r}: merge target {target.id!r} {why}", entry.line)
        if entry.merge_into and entry.exclude:
            raise InputError(file, f"entry {entry.id!r}: an entry cannot both exclude and merge_into", entry.line)
    return Curation(file=file, entries=entries, stale=tuple(stale))


def _apply_entry(item: Enriched, entry: CurationEntry) -> Enriched:
    article_changes: dict[str, Any] = {}
    for key in ("title", "kicker", "subtitle"):
        if key in entry.set_fields:
            article_changes[key] = getattr(entry, key)
    if entry.authors is not None:
        article_changes["authors"] = list(entry.authors)
    article = replace(item.article, **article_changes) if article_changes else item.article
    changes: dict[str, Any] = {"article": article}
    if entry.date is not None:
        changes["date"] = entry.date
    if entry.summary is not None:
        changes["summary"] = entry.summary
    if entry.regions is not None:
        changes["regions"] = list(entry.regions)
    themes = list(entry.themes) if entry.themes is not None else list(item.themes)
    themes += [t for t in entry.add_themes if t not in themes]
    themes = [t for t in themes if t not in entry.remove_themes]
    changes["themes"] = themes
    if entry.featured is not None:
        changes["featured"] = entry.featured
    return replace(item, **changes)


def apply_curation(enriched: Sequence[Enriched], curation: Curation | None) -> list[Enriched]:
    """Curation wins over the machine; excluded articles go; merged fragments join their target."""
    if curation is None or not curation.entries:
        return list(enriched)
    entries = curation.entries
    items = [_apply_entry(e, entries[e.id]) if e.id in entries else e for e in enriched]
    by_id = {e.id: i for i, e in enumerate(items)}
    gone: dict[str, str | None] = {}  # removed id → where its readers should go instead
    for entry in entries.values():
        if entry.exclude and entry.id in by_id:
            gone[entry.id] = None
    for item in list(items):
        entry = entries.get(item.id)
        if entry is None or not entry.merge_into or entry.merge_into not in by_id:
            continue
        index = by_id[entry.merge_into]
        target = items[index]
        fragment = item.article
        body = target.article.body.rstrip() + "\n\n" + fragment.body.strip() if fragment.body.strip() else target.article.body
        merged_article = replace(
            target.article,
            body=body,
            captions=[*target.article.captions, *fragment.captions],
            continued=None,  # the continuation is now inside the article
            warnings=[*target.article.warnings, *fragment.warnings],
        )
        items[index] = replace(target, article=merged_article, merged_from=[*target.merged_from, item.id])
        gone[item.id] = entry.merge_into
    out = []
    for item in items:
        if item.id in gone:
            continue
        related = []
        for rid in item.related:
            rid = gone.get(rid, rid) if rid in gone else rid
            if rid and rid != item.id and rid not in related:
                related.append(rid)
        out.append(replace(item, related=related) if related != item.related else item)
    return out


# --- review ---------------------------------------------------------------------------------


def review(
    enriched: Sequence[Enriched],
    curation: Curation | None = None,
    problems: Sequence[Problem] = (),
) -> list[str]:
    """What an editor should look at, one line each (`python -m generator review`).

    `enriched` is the machine's output before curation; entries the editors
    already settled (themes set, excluded, merged) are not reported again.
    """
    from .enrich.themes import borderline

    entries = curation.entries if curation else {}
    lines: list[str] = []
    for item in enriched:
        entry = entries.get(item.id)
        if entry and (entry.exclude or entry.merge_into):
            continue
        title = item.article.title
        settled = entry is not None and (entry.themes is not None or entry.add_themes or entry.remove_themes)
        themes = _apply_entry(item, entry).themes if entry else item.themes
        if not themes and not settled:
            best = item.theme_scores[0] if item.theme_scores else None
            hint = f"（最高：{best.theme} {best.score:g}，{'、'.join(best.terms[:3])}）" if best else ""
            lines.append(f"无主题（其他）: {item.id} 《{title}》{hint}")
        if not settled:
            for score in borderline(item.theme_scores, item.themes):
                state = "已标注" if score.theme in item.themes else "未标注"
                lines.append(
                    f"主题分数临界: {item.id} 《{title}》 {score.theme} {score.score:g} {state}"
                    f"（{'、'.join(score.terms[:4])}）"
                )
        if item.article.continues:
            lines.append(
                f"续篇片段: {item.id} 《{title}》 {item.article.continues}；"
                f"若前文也在，可用 merge_into 合并，否则考虑 exclude"
            )
        for warning in item.article.warnings:
            lines.append(f"分段警告: {item.id} 《{title}》 {warning}")
    for problem in problems:
        lines.append(f"输入问题: {problem}")
    if curation:
        for problem in curation.stale:
            lines.append(f"过期的编辑条目: {problem.file}:{problem.line}: {problem.message}")
    return lines


def review_report(content_dir: Path) -> list[str]:
    """Run ingest and enrichment on a content folder and review the result (nothing is written)."""
    from .enrich import enrich_corpus
    from .pipeline import ContentPaths, default_jobs, ingest_all, page_files
    from .yamlio import load_sources, load_themes

    paths = ContentPaths(Path(content_dir))
    themes = load_themes(paths.themes)
    sources = load_sources(paths.sources) if paths.sources.exists() else {}
    results, problems = ingest_all(page_files(paths), cache_dir=None, jobs=default_jobs())
    articles = [a for r in results for a in r.articles]
    curation = None
    if paths.curation.exists():
        curation = load_curation(paths.curation, {a.id for a in articles}, {t.id for t in themes}, strict=False)
    enriched = enrich_corpus(articles, sources, themes, jobs=default_jobs())
    return review(enriched, curation, problems)
