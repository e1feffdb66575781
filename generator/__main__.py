"""Command line: python -m generator {inspect,review,build,bundle}."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from .model import Enriched, InputError, Problem

DEFAULT_CONTENT = Path("content")


def _enriched_to_dict(item: Enriched) -> dict:
    from .segment import article_to_dict

    data = article_to_dict(item.article)
    data.update(
        date=item.date,
        publication=item.publication,
        page=item.page,
        themes=list(item.themes),
        theme_scores=[asdict(s) for s in item.theme_scores],
        summary=item.summary,
        keywords=list(item.keywords),
        regions=[r.path for r in item.regions],
        figures=[asdict(f) for f in item.figures],
        related=list(item.related),
        featured=item.featured,
    )
    return data


def cmd_inspect(args: argparse.Namespace) -> int:
    """Preview what page files yield, enriched against the content folder's themes and sources."""
    from .enrich import enrich_corpus
    from .pipeline import ContentPaths, completed_sources, ingest_all
    from .segment import page_text_report
    from .yamlio import load_sources, load_themes

    content = ContentPaths(Path(args.content))
    files = [Path(p) for p in args.paths]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise InputError(missing[0], "no such file")
    results, problems = ingest_all(files, cache_dir=None, jobs=1)
    themes = load_themes(content.themes)
    sources = load_sources(content.sources) if content.sources.exists() else {}
    sources = completed_sources(sources, results)
    articles = [a for r in results for a in r.articles]
    enriched = enrich_corpus(articles, sources, themes, jobs=1)
    if args.json:
        payload = {
            "articles": [_enriched_to_dict(e) for e in enriched],
            "warnings": [str(p) for p in problems],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    by_id = {e.id: e for e in enriched}
    for result in results:
        print(page_text_report(result))
        for article in result.articles:
            item = by_id.get(article.id)
            if item is None:
                continue
            print(f"  [{article.id}] 主题: {'、'.join(item.themes) or '其他'}  地区: {'、'.join(r.path for r in item.regions) or '—'}")
            print(f"      日期: {item.date or '不详'}  关键词: {'、'.join(item.keywords)}")
            print(f"      摘要: {item.summary}")
            for figure in item.figures:
                print(f"      数字: {figure.label} {figure.value}")
        print()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .curate import review_report

    lines = review_report(Path(args.content))
    print("\n".join(lines) if lines else "没有需要编辑处理的事项。")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import run

    # Per-page problems are logged by the pipeline as it goes.
    digest = run(Path(args.content), Path(args.out), only_theme=args.theme, site_url=args.site_url)
    print(f"{len(digest.articles)} articles written to {args.out}")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from .bundle import cli_bundle

    return cli_bundle(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator", description="政策举措文摘 generator")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("inspect", help="show what page files yield (articles, enrichment, warnings)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help='print {"articles": [...], "warnings": [...]}')
    p.add_argument("--content", default=str(DEFAULT_CONTENT), help="content folder with themes.yml, sources.yml")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("review", help="list what an editor should look at")
    p.add_argument("--content", default=str(DEFAULT_CONTENT))
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("build", help="generate the Markdown pages into a folder (mkdocs build does this too)")
    p.add_argument("--content", default=str(DEFAULT_CONTENT))
    p.add_argument("--out", default="build/docs")
    p.add_argument("--theme", default=None, help="only this theme's articles")
    p.add_argument("--site-url", default=None)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("bundle", help="write offline zip bundles of the site")
    p.add_argument("--theme", default=None, help="theme id; default: the whole digest")
    p.add_argument("--all", action="store_true", help="the whole digest and one bundle per theme")
    p.add_argument("--out", default="dist")
    p.add_argument("--config", default="mkdocs.yml")
    p.set_defaults(func=cmd_bundle)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        return args.func(args)
    except InputError as exc:
        print(exc, file=sys.stderr)  # already "file:line: error: message"
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
