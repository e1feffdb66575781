"""Throughput of read → clean → segment on synthetic pages, single process.

    .venv/bin/python bench/ingest.py [PAGES] [--seed S] [--repeat N] [--profile]

Builds PAGES (default 1,200) synthetic newspaper pages from the seed pages' paragraphs in
five layouts (Markdown, kicker + dateline with ASCII punctuation, unmarked headlines,
column-wrapped with headlines after their bodies, closing bylines in parentheses), encodes
them (UTF-8, some GB18030 and CRLF), then times `read.decode_bytes` + `segment.segment_page`
(which calls clean) on one core, N times (default 3). Prints the median MB/s and articles/s
per CPU second and per wall second (target ≥ 5 MB/s per CPU second; wall time also counts
other load on the machine), and how many
of the generated headlines segmentation found exactly — the pages are built from known
parts, so that is a check of the rules on layouts beyond the five seeds.

`build_page(rng, layout)` / `synthetic_pages(n, seed)` are importable by other bench scripts.
Seed paragraphs are taken with simple rules of our own (long lines ending a sentence), not
with generator/segment.py, so the benchmark does not depend on what it measures.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.read import decode_bytes  # noqa: E402
from generator.model import RawPage  # noqa: E402
from generator.segment import segment_page  # noqa: E402

SEED_PAGES = ROOT / "content" / "pages"
DEFAULT_PAGES = 1_200
DEFAULT_SEED = 20241106
LAYOUTS = ("markdown", "kicker", "plain", "columns", "closing")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜钟陆汪范金"
GIVEN = "佳琪妍璐婷雨欣晓涵子轩浩宇俊杰思远嘉怡一鸣志强建华丽娟海燕伟明文静欣然晨阳梦瑶天佑泽若曦铭雅琴春晖秀英国庆立新振"
PLACES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "桐庐", "平湖", "德清", "嵊泗")
PHRASES = (
    "共富工坊", "营商环境", "人才引育", "基层治理", "数字经济", "乡村振兴", "民生实事", "项目攻坚",
    "党建引领", "社区服务", "产业升级", "文旅融合", "科技创新", "干部队伍", "微改革", "优质供水",
)
VERBS = ("探索", "推进", "打造", "助力", "赋能", "深化", "激活", "点亮")
ENDINGS = ("新路径", "新图景", "按下快进键", "跑出加速度", "见实效", "结硕果", "开新局", "暖民心")


@dataclass(frozen=True)
class SyntheticArticle:
    title: str
    kicker: str | None
    subtitle: str | None
    authors: tuple[str, ...]


@dataclass(frozen=True)
class SyntheticPage:
    name: str
    data: bytes  # the file as it would be on disk
    layout: str
    articles: tuple[SyntheticArticle, ...]


@lru_cache(maxsize=1)
def seed_paragraphs() -> tuple[str, ...]:
    """Whole-sentence paragraphs from the unwrapped seed pages, stray spaces removed."""
    found: list[str] = []
    for path in sorted(SEED_PAGES.glob("*.txt")):
        for line in path.read_text("utf-8").split("\n"):
            line = re.sub(r"(?<=[\u4e00-\u9fff，。、“”,]) (?=[\u4e00-\u9fff，。、“”,])", "", line.strip())
            if len(line) >= 60 and line[-1] in "。”" and not line.startswith(("#", "本报")):
                found.append(line.replace(",", "，"))
    return tuple(found)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _title(rng: random.Random) -> str:
    form = rng.randrange(4)
    place, phrase = rng.choice(PLACES), rng.choice(PHRASES)
    if form == 0:
        return f"{place}{rng.choice(VERBS)}{phrase}{rng.choice(ENDINGS)}"
    if form == 1:
        return f"{place}：“{phrase}”{rng.choice(VERBS)}{rng.choice(PHRASES)}"
    if form == 2:
        return f"{rng.choice(VERBS)}{phrase} {rng.choice(VERBS)}{rng.choice(PHRASES)}"
    return f"{phrase}{rng.choice(ENDINGS)}"


def _body(rng: random.Random, count: int) -> list[str]:
    return rng.sample(seed_paragraphs(), count)


def _wrap(paragraph: str, width: int) -> list[str]:
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)]


def _spaced(text: str, rng: random.Random) -> str:
    """PDF noise: ASCII commas, a stray space every so often."""
    text = text.replace("，", ",").replace("：", ":")
    out = []
    for index, ch in enumerate(text):
        out.append(ch)
        if index and index % rng.randint(14, 22) == 0 and ch not in "“”\"":
            out.append(" ")
    return "".join(out)


def build_article(rng: random.Random, layout: str) -> tuple[str, SyntheticArticle]:
    """One article's text in a layout, and what it is."""
    title = _title(rng)
    people = tuple(_name(rng) for _ in range(rng.randint(1, 3)))
    paragraphs = _body(rng, rng.randint(3, 7))
    kicker = subtitle = None
    if layout == "markdown":
        parts = []
        if rng.random() < 0.25:
            kicker = f"{rng.choice(PLACES)}{rng.choice(PHRASES)}工作综述"
            parts.append(f"## {kicker}")
        parts += [f"# {title}", " ".join(people)]
        for index, paragraph in enumerate(paragraphs):
            if index == 2 and rng.random() < 0.5:
                parts.append(f"## {rng.choice(VERBS)}{rng.choice(PHRASES)}")
            parts.append(paragraph)
        text = "\n\n".join(parts)
    elif layout == "kicker":
        kicker = f"{rng.choice(PLACES)}{rng.choice(PHRASES)}{rng.choice(ENDINGS)}"
        place = rng.choice(PLACES)
        reporter, helper = people[0], people[-1]
        byline = f"(记者 {reporter} 通讯员 {helper})" if len(people) > 1 else f"(记者 {reporter})"
        people = (reporter, helper) if len(people) > 1 else (reporter,)
        first = f"本报{place}{rng.randint(1, 12)}月{rng.randint(1, 28)}日电{byline}{paragraphs[0]}"
        text = "\n\n".join([f"### {kicker}", f"## {title}", *(_spaced(p, rng) for p in [first, *paragraphs[1:]])])
    elif layout == "plain":
        subtitle = f"{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(PHRASES)}{rng.choice(ENDINGS)}"
        spaced_names = " ".join(" ".join(n) if len(n) == 2 and rng.random() < 0.5 else n for n in people)
        text = "\n\n".join([title, subtitle, spaced_names, *paragraphs])
    elif layout == "columns":
        width = rng.randint(12, 17)
        subtitle = f"{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(PHRASES)}{rng.choice(ENDINGS)}"
        lines: list[str] = []
        for index, paragraph in enumerate(paragraphs):
            lines += _wrap(("本报讯 " if index == 0 else "") + paragraph, width)
            lines.append("")
        people = people[:2]
        byline = [f"■记 者 {people[0]}"] + ([f"通讯员 {' '.join(people[1:])}"] if len(people) > 1 else [])
        text = "\n".join(lines) + "\n" + f"{title}\n{subtitle}\n\n" + "\n".join(byline)
    else:  # closing
        text = "\n\n".join([f"## {title}", *paragraphs[:-1], paragraphs[-1] + f"（{' '.join(people)}）"])
    return text, SyntheticArticle(title, kicker, subtitle, people)


def build_page(rng: random.Random, layout: str, name: str) -> SyntheticPage:
    texts, articles = [], []
    for _ in range(rng.randint(3, 5)):
        text, article = build_article(rng, layout)
        texts.append(text)
        articles.append(article)
    separator = "\n\n\n" if layout != "columns" else "\n\n"
    page = "\n\n" + separator.join(texts) + "\n"
    roll = rng.random()
    if roll < 0.15:
        data = page.encode("gb18030")
    elif roll < 0.3:
        data = page.replace("\n", "\r\n").encode("utf-8")
    else:
        data = page.encode("utf-8")
    return SyntheticPage(name, data, layout, tuple(articles))


def synthetic_pages(count: int = DEFAULT_PAGES, seed: int = DEFAULT_SEED) -> list[SyntheticPage]:
    """`count` pages, layouts in turn; the same count and seed give the same bytes."""
    rng = random.Random(seed)
    return [build_page(rng, LAYOUTS[i % len(LAYOUTS)], f"{i:05d}_synthetic.txt") for i in range(count)]


def ingest(pages: list[SyntheticPage]) -> tuple[int, list[list[str]]]:
    """read + clean + segment every page; returns (articles, titles found per page)."""
    total = 0
    found: list[list[str]] = []
    for page in pages:
        text, encoding, _problems = decode_bytes(page.data, page.name)
        if text is None:
            found.append([])
            continue
        result = segment_page(RawPage(page.name, text, encoding or "", ""))
        total += len(result.articles)
        found.append([a.title for a in result.articles])
    return total, found


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "“")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="?", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median is reported (default 3)")
    parser.add_argument("--profile", action="store_true", help="print the 20 most expensive functions (one run)")
    args = parser.parse_args(argv)

    pages = synthetic_pages(args.pages, args.seed)
    size = sum(len(p.data) for p in pages)
    profiler = cProfile.Profile() if args.profile else None
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(1 if profiler else max(1, args.repeat)):
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        articles, found = ingest(pages)
        if profiler:
            profiler.disable()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    # The median run: one slow run (another process took the core) does not decide the figure.
    elapsed, cpu = statistics.median(walls), statistics.median(cpus)

    expected = sum(len(p.articles) for p in pages)
    by_layout: dict[str, list[int]] = {}
    for page, titles in zip(pages, found):
        want = [_squeeze(a.title) for a in page.articles]
        got = [_squeeze(t) for t in titles]
        hits = sum(1 for w in want if w in got)
        stats = by_layout.setdefault(page.layout, [0, 0, 0, 0])
        stats[0] += hits
        stats[1] += len(want)
        stats[2] += len(got) - hits  # spurious
        stats[3] += got == want
    pages_count = len(pages)
    print(f"{pages_count} pages, {size / 1e6:.2f} MB, {expected} articles generated, {articles} segmented")
    runs = f"median of {len(cpus)} runs" if len(cpus) > 1 else "one run"
    print(f"read+clean+segment: {elapsed:.2f} s wall, {cpu:.2f} s CPU (one process, {runs})")
    if len(cpus) > 1:
        print(f"  CPU s per run: {', '.join(f'{c:.2f}' for c in cpus)}; wall s per run: {', '.join(f'{w:.2f}' for w in walls)}")
    print(f"  per CPU second: {size / 1e6 / cpu:.2f} MB/s, {articles / cpu:,.0f} articles/s, {pages_count / cpu:,.0f} pages/s")
    print(f"  per wall second: {size / 1e6 / elapsed:.2f} MB/s, {articles / elapsed:,.0f} articles/s (other load on the machine counts here)")
    for layout in LAYOUTS:
        hits, want, spurious, exact = by_layout.get(layout, [0, 0, 0, 0])
        print(f"  {layout:9s} headlines found {hits}/{want}  spurious {spurious}  pages exactly right {exact}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
