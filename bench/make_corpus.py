"""A synthetic corpus of newspaper pages for the benchmarks, made from the seed pages.

    .venv/bin/python bench/make_corpus.py [PAGES] [--seed S] [--out DIR]

Writes DIR/content/ the way an editor's content folder looks:
  pages/NNNNN_<hash>.txt   PAGES page files (default 2,500 ≈ 10,000 articles: 3–5 a page, 4 on average)
  sources.yml              a date (and often a publication and page label) for every page
  themes.yml               copied from content/themes.yml

Pages come in the layouts of the seeds, in turn:
  markdown  `# 标题`, a line of author names, paragraphs, sometimes `## 小标题` (like 000 and 004);
  kicker    `### 引题` + `## 标题`, dateline 本报X月X日电(记者 …), ASCII commas, stray spaces (like 002);
  plain     unmarked kicker / headline / names lines, long unwrapped paragraphs (like 003);
  columns   headline + subtitle lines, ■记者 byline, 本报讯, paragraphs hard-wrapped at 12–17 characters (like 001).
Article bodies are seed paragraphs recombined (~1,500 characters), opened by a lead sentence that names a
Zhejiang place (generator/data/zhejiang_divisions.yml) and terms of one theme (content/themes.yml); titles
recombine seed headline phrases with places and theme terms; page dates span 2019–2025.

The same PAGES and --seed give the same bytes. Seed paragraphs are found with simple rules of our own
(blank-line blocks, joined lines), independent of generator/segment.py, so the benchmark does not
depend on what it measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_CONTENT = ROOT / "content"
DIVISIONS = ROOT / "generator" / "data" / "zhejiang_divisions.yml"
DEFAULT_PAGES = 2_500
DEFAULT_SEED = 20241106
# Articles per page cycle through these: 4 on average, so PAGES pages ≈ 4 × PAGES articles.
ARTICLES_PER_PAGE = (3, 5, 4, 4)
ARTICLE_CHARS = 1_500
LAYOUTS = ("markdown", "kicker", "plain", "columns")
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
# Part of the cache key of a generated corpus: bump when the output of this script changes.
CORPUS_VERSION = "1"

PUBLICATIONS = ("浙江日报", "杭州日报", "宁波日报", "嘉兴日报", "平湖日报", "湖州日报", "绍兴日报", "丽水日报", None, None)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟"
GIVEN = "佳琪妍璐婷雨欣晓涵子轩浩宇俊杰思远嘉怡一鸣志强建华丽娟海燕伟明文静欣然晨阳梦瑶天佑泽宇若曦铭轩雅琴春晖秀英国庆立新振华"
LEADS = (
    "近日，{place}围绕{t1}推出一批新举措，{t2}和{t3}工作取得新进展。",
    "{year}年以来，{place}聚焦{t1}，持续推进{t2}，着力破解{t3}中的难点堵点。",
    "记者从{place}获悉，当地把{t1}作为重点工作，以{t2}带动{t3}，群众获得感不断增强。",
    "在{place}，一场以{t1}为主题的活动日前举行，{t2}、{t3}等内容受到广泛关注。",
    "{place}近期出台{t1}相关政策，进一步完善{t2}机制，推动{t3}落地见效。",
)
TITLE_FORMS = (
    "{place}{phrase}",
    "{place}：{phrase}",
    "{phrase} {phrase2}",
    "{place}以{term}推动{phrase}",
    "{term}助力{place}{phrase}",
    "{place}探索{term}新路径",
)
KICKER_FORMS = ("{place}{phrase}", "聚焦{term}", "{phrase}", "本报记者蹲点{place}")
SENTENCE_END = "。！？”…）)\"'"
_BYLINE = re.compile(r"^[■\s]*(?:本报)?(?:记\s*者|通\s*讯\s*员|制\s*图|摄\s*影)")
_NAMES_LINE = re.compile(r"^[\u4e00-\u9fff]{1,3}(?:\s+[\u4e00-\u9fff]{1,3})*$")
_LEADING_DATELINE = re.compile(r"^(?:本报讯\s*|本报[\u4e00-\u9fff]{0,6}\d{1,2}月\d{1,2}日电\s*)(?:[（(][^）)]{0,40}[）)])?\s*")
_LEADING_LABEL = re.compile(r"^【[^】]{1,8}】")
_FURNITURE = re.compile(r"[（(](?:下转|上接)[^）)]{0,8}[）)]")
_PHRASE_SPLIT = re.compile(r"[\s:：·•—\-]+")
# Single lines that are not headlines: column fragments (sentence punctuation), furniture, photo credits.
_NOT_HEADLINE = re.compile(r"[，,。；;、■]|上接|下转|供图|提供|逝世|\d+月\d+日")
_QUOTES = "“”\"'《》()（）「」‘’"


@dataclass(frozen=True)
class Place:
    city: str  # 杭州市
    name: str  # the form used in text: 西湖区, 桐庐, 平湖市 …
    short: str  # for datelines: 桐庐


@dataclass(frozen=True)
class SeedText:
    paragraphs: tuple[str, ...]
    phrases: tuple[str, ...]  # headline fragments, 4–14 characters


# ---------------------------------------------------------------- seed material


def _blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) or (bool(_NAMES_LINE.match(line)) and len(line) <= 16)


def _body_paragraph(lines: list[str]) -> str | None:
    text = "".join(lines) if all(len(x) <= 24 for x in lines[:-1]) else "".join(lines)
    text = _FURNITURE.sub("", text).replace("\ufffd", "").strip()
    text = _LEADING_LABEL.sub("", _LEADING_DATELINE.sub("", text)).strip()
    if len(text) < 60 or text.startswith("#") or text[0] in "（(":
        return None
    return text


def _phrases(line: str) -> list[str]:
    line = line.lstrip("#").strip()
    if _NOT_HEADLINE.search(line):
        return []
    pieces = ("".join(ch for ch in p if ch not in _QUOTES) for p in _PHRASE_SPLIT.split(line))
    return [p for p in pieces if 4 <= len(p) <= 14]


@lru_cache(maxsize=1)
def seed_text() -> SeedText:
    paragraphs: list[str] = []
    phrases: list[str] = []
    for path in sorted((SEED_CONTENT / "pages").glob("*.txt")):
        for block in _blocks(path.read_text(encoding="utf-8")):
            first = block[0]
            if first.startswith("#"):
                phrases.extend(_phrases(first))
                continue
            if len(block) == 1 and len(first) <= 30 and first[-1] not in SENTENCE_END:
                if not _is_byline(first) and not _NOT_HEADLINE.search(first):
                    phrases.extend(_phrases(first))
                continue
            lines = [x for x in block if not _is_byline(x)]
            if lines:
                para = _body_paragraph(lines)
                if para:
                    paragraphs.append(para)
    # Phrases that are mostly a place name (绍兴市上虞区) would make titles like 温岭市绍兴市上虞区.
    cities = yaml.safe_load(DIVISIONS.read_text(encoding="utf-8"))["cities"]
    names = {p.name for p in places()} | {p.city for p in places()} | {s for c in cities for s in c["short"]}
    names = sorted(names, key=len, reverse=True)
    phrases = [p for p in phrases if len(_without(p, names)) >= 4]
    return SeedText(paragraphs=tuple(dict.fromkeys(paragraphs)), phrases=tuple(sorted(set(phrases))))


def _without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    data = yaml.safe_load(DIVISIONS.read_text(encoding="utf-8"))
    out = []
    for city in data["cities"]:
        out.append(Place(city=city["name"], name=city["name"], short=city["short"][0]))
        for county in city["counties"]:
            shorts = county.get("short") or []
            out.append(Place(city=city["name"], name=county["name"], short=shorts[0] if shorts else county["name"]))
            for short in shorts:
                out.append(Place(city=city["name"], name=short, short=short))
    return tuple(out)


@lru_cache(maxsize=1)
def theme_terms() -> tuple[tuple[str, ...], ...]:
    """Per theme, its lexicon terms of two characters or more (the ones prose can carry)."""
    data = yaml.safe_load((SEED_CONTENT / "themes.yml").read_text(encoding="utf-8"))
    return tuple(tuple(t for t in theme["lexicon"] if len(t) >= 2) for theme in data["themes"])


# ---------------------------------------------------------------- one article


@dataclass(frozen=True)
class Story:
    title: str
    kicker: str
    subtitle: str
    authors: tuple[str, ...]
    place: Place
    paragraphs: tuple[str, ...]
    subheads: tuple[tuple[int, str], ...]  # (before paragraph index, text)


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _fill(form: str, rng: random.Random, place: Place, terms: tuple[str, ...]) -> str:
    phrases = seed_text().phrases
    return form.format(place=place.name, phrase=rng.choice(phrases), phrase2=rng.choice(phrases), term=rng.choice(terms))


def make_story(rng: random.Random, year: int) -> Story:
    seed = seed_text()
    place = rng.choice(places())
    terms = rng.choice(theme_terms())
    t1, t2, t3 = rng.sample(terms, 3)
    lead = rng.choice(LEADS).format(place=place.name, year=year, t1=t1, t2=t2, t3=t3)
    size = int(ARTICLE_CHARS * rng.uniform(0.7, 1.3))
    paras, total = [], 0
    while total < size:
        para = rng.choice(seed.paragraphs)
        paras.append(para)
        total += len(para)
    paras[0] = lead + paras[0]
    subheads = ()
    if len(paras) >= 4 and rng.random() < 0.25:
        subheads = ((len(paras) // 2, _fill("{phrase}", rng, place, terms)),)
    return Story(
        title=_fill(rng.choice(TITLE_FORMS), rng, place, terms),
        kicker=_fill(rng.choice(KICKER_FORMS), rng, place, terms),
        subtitle=_fill("{place}{phrase}", rng, place, terms),
        authors=tuple(_name(rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))),
        place=place,
        paragraphs=tuple(paras),
        subheads=subheads,
    )


# ---------------------------------------------------------------- layouts


def _spaced(name: str) -> str:
    return " ".join(name) if len(name) == 2 else name  # 陈 璐: how two-character names are set in print


def _stray_spaces(text: str, rng: random.Random) -> str:
    """ASCII commas and the odd space from a narrow column, as in seed 002."""
    text = text.replace("，", ",").replace("：", ":")
    if " " in text:  # seed 002's own paragraphs have their spaces already
        return text
    out, i = [], 0
    while i < len(text):
        step = rng.randint(14, 22)
        out.append(text[i : i + step])
        i += step
    return " ".join(out)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def _body(story: Story, fmt_subhead) -> list[str]:
    out = []
    heads = dict(story.subheads)
    for i, para in enumerate(story.paragraphs):
        if i in heads:
            out.append(fmt_subhead(heads[i]))
        out.append(para)
    return out


def layout_markdown(story: Story, rng: random.Random, day: dt.date) -> str:
    parts = [f"# {story.title}", " ".join(story.authors)]
    parts += _body(story, lambda h: f"## {h}")
    if rng.random() < 0.2:
        parts.append("（" + " ".join(_name(rng) for _ in range(2)) + "）")
    return "\n\n".join(parts)


def layout_kicker(story: Story, rng: random.Random, day: dt.date) -> str:
    when = day - dt.timedelta(days=rng.randint(0, min(3, day.day - 1)))
    reporters = " ".join(f"记者 {a}" if i == 0 else a for i, a in enumerate(story.authors))
    dateline = f"本报{story.place.short}{when.month}月{when.day}日电({reporters})"
    paras = [_stray_spaces(p, rng) for p in story.paragraphs]
    paras[0] = dateline + paras[0]
    parts = [f"### {story.kicker}", f"## {story.title}", *paras]
    return "\n\n".join(parts)


def layout_plain(story: Story, rng: random.Random, day: dt.date) -> str:
    names = " ".join(_spaced(a) for a in story.authors)
    parts = [story.kicker, story.title, names] if rng.random() < 0.5 else [story.title, names]
    parts += _body(story, lambda h: h)
    return "\n\n".join(parts)


def layout_columns(story: Story, rng: random.Random, day: dt.date) -> str:
    width = rng.randint(12, 17)
    byline = "■记者 " + " ".join(_spaced(a) for a in story.authors[:1])
    if len(story.authors) > 1:
        byline += "\n通讯员 " + " ".join(_spaced(a) for a in story.authors[1:])
    paras = ["\n".join(_wrap(("本报讯 " if i == 0 else "") + p, width)) for i, p in enumerate(story.paragraphs)]
    return "\n\n".join([f"{story.title}\n{story.subtitle}", byline, *paras])


LAYOUT_WRITERS = {"markdown": layout_markdown, "kicker": layout_kicker, "plain": layout_plain, "columns": layout_columns}


# ---------------------------------------------------------------- pages and corpus


def page_date(rng: random.Random) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))


def make_page(index: int, rng: random.Random) -> tuple[str, dict]:
    """(page text, its sources.yml entry)."""
    layout = LAYOUTS[index % len(LAYOUTS)]
    day = page_date(rng)
    count = ARTICLES_PER_PAGE[index % len(ARTICLES_PER_PAGE)]
    writer = LAYOUT_WRITERS[layout]
    articles = [writer(make_story(rng, day.year), rng, day) for _ in range(count)]
    gap = "\n\n\n" if layout in ("markdown", "plain") else "\n\n"
    text = "\n" + gap.join(articles) + "\n"
    precise = rng.random()
    entry = {
        "publication": rng.choice(PUBLICATIONS),
        "date": day.isoformat() if precise < 0.7 else day.strftime("%Y-%m"),
        "page": f"第{rng.randint(1, 8)}版" if rng.random() < 0.5 else None,
    }
    return text, entry


def _yaml_scalar(value: str | None) -> str:
    return "null" if value is None else '"' + value + '"'  # our values never hold quotes or backslashes


def sources_yaml(sources: dict[str, dict], pages: int, seed: int) -> str:
    """content/sources.yml in the hand-written style of the seeds (every value quoted: "2024-05" stays text)."""
    lines = [f"# Synthetic benchmark corpus: {pages} pages, seed {seed} (bench/make_corpus.py)."]
    for name in sorted(sources):
        lines.append(f"{name}:")
        lines.extend(f"  {key}: {_yaml_scalar(sources[name][key])}" for key in ("publication", "date", "page"))
    return "\n".join(lines) + "\n"


def write_corpus(dest: Path, pages: int = DEFAULT_PAGES, seed: int = DEFAULT_SEED) -> Path:
    """Write dest/content/ (replacing any previous one); returns the content folder."""
    content = dest / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "pages").mkdir(parents=True)
    rng = random.Random(seed)
    sources: dict[str, dict] = {}
    for index in range(pages):
        text, entry = make_page(index, rng)
        data = text.encode("utf-8")
        name = f"{index:05d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
        (content / "pages" / name).write_bytes(data)
        sources[name] = entry
    (content / "sources.yml").write_text(sources_yaml(sources, pages, seed), encoding="utf-8")
    shutil.copy(SEED_CONTENT / "themes.yml", content / "themes.yml")
    return content


def corpus_key(pages: int, seed: int) -> str:
    """Changes with the parameters, this script and the seed material, so a cached corpus is never stale."""
    digest = hashlib.sha256(f"{CORPUS_VERSION}:{pages}:{seed}".encode())
    digest.update(Path(__file__).read_bytes())
    for path in sorted((SEED_CONTENT / "pages").glob("*.txt")) + [SEED_CONTENT / "themes.yml", DIVISIONS]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_corpus(base: Path, pages: int, seed: int = DEFAULT_SEED) -> Path:
    """The content folder of a corpus under base/, generated only when missing or stale."""
    dest = base / f"corpus-{pages}p-s{seed}"
    stamp = dest / "corpus.key"
    key = corpus_key(pages, seed)
    content = dest / "content"
    if stamp.exists() and stamp.read_text().strip() == key and (content / "pages").is_dir():
        return content
    dest.mkdir(parents=True, exist_ok=True)
    write_corpus(dest, pages, seed)
    stamp.write_text(key + "\n")
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=int, nargs="?", default=DEFAULT_PAGES, help="page files (≈4 articles each)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="folder to write content/ into (default build/bench/corpus-…)")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("PAGES must be at least 1")
    if args.out is None:
        content = ensure_corpus(ROOT / "build" / "bench", args.pages, args.seed)
    else:
        content = write_corpus(args.out, args.pages, args.seed)
    files = sorted((content / "pages").iterdir())
    size = sum(p.stat().st_size for p in files)
    print(f"{content}: {len(files)} pages, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
