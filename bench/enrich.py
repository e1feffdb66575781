"""Enrichment throughput on synthetic articles made from seed paragraphs.

    .venv/bin/python bench/enrich.py [N] [--jobs J]

Articles are ~1,500 characters, stitched deterministically from the paragraphs
of content/pages/*.txt (so the vocabulary is real Chinese policy news, though
more repetitive than a real corpus, which makes `related` work harder).
Prints the time of the per-article part, the corpus part, and articles/s.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.enrich import _analyse_batch, enrich_corpus, finish_corpus, get_analyzer  # noqa: E402
from generator.model import Article, SourceInfo  # noqa: E402
from generator.yamlio import load_themes  # noqa: E402


def seed_paragraphs() -> list[str]:
    out = []
    for path in sorted((ROOT / "content" / "pages").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for block in re.split(r"\n\s*\n", text):
            block = re.sub(r"\s*\n\s*", "", block.strip()).lstrip("#").strip()
            if len(block) >= 60:
                out.append(block)
    return out


def synthetic(n: int, size: int = 1500) -> list[Article]:
    rng = random.Random(20241106)
    paras = seed_paragraphs()
    articles = []
    for i in range(n):
        body, total = [], 0
        while total < size:
            p = rng.choice(paras)
            body.append(p)
            total += len(p)
        title = rng.choice(paras)[:18]
        articles.append(Article(id=f"bench-{i:05d}", source=f"bench{i // 8:04d}.txt", position=i % 8,
                                title=title, body="\n\n".join(body)))
    return articles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    themes = load_themes(ROOT / "content" / "themes.yml")
    articles = synthetic(args.n)
    chars = sum(len(a.title) + len(a.body) for a in articles)
    sources = {a.source: SourceInfo(name=a.source, date="2024-11") for a in articles}

    t0 = time.perf_counter()
    get_analyzer(tuple(themes))
    t1 = time.perf_counter()
    print(f"{len(articles)} articles, {chars / 1e6:.1f} M characters; tokenizer load {t1 - t0:.2f} s")
    if args.jobs == 1:
        work = [(a, sources[a.source]) for a in articles]
        analyses = _analyse_batch(work, tuple(themes))
        t2 = time.perf_counter()
        enriched = finish_corpus(articles, analyses, sources, tuple(themes))
        t3 = time.perf_counter()
        print(f"per-article part: {t2 - t1:.2f} s ({len(articles) / (t2 - t1):.0f} articles/s, "
              f"{chars / (t2 - t1) / 1e6:.2f} M chars/s)")
        print(f"corpus part (IDF, keywords, related): {t3 - t2:.2f} s")
        total = t3 - t1
    else:
        enriched = enrich_corpus(articles, sources, tuple(themes), jobs=args.jobs)
        total = time.perf_counter() - t1
    print(f"enrich total: {total:.2f} s, {len(articles) / total:.0f} articles/s (jobs={args.jobs})")
    with_related = sum(1 for e in enriched if e.related)
    print(f"articles with related: {with_related}/{len(enriched)}")


if __name__ == "__main__":
    main()
