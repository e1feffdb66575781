"""`make bench`: how the digest scales, measured on this machine; figures go to bench/results.md.

    .venv/bin/python bench/run.py [--articles N] [--quick] [--skip-browser] [--repeat R] [--build-repeat R]

On a synthetic corpus of N articles (bench/make_corpus.py, N/4 page files, kept in build/bench/):
- generator: ingest + enrich + Markdown written, cold content-hash cache (a fresh process: what
  `python -m generator build` costs), with a per-stage breakdown;
- rebuild after one page file changes: the generator again with the cache warm;
- full `mkdocs build` with the digest plugin, and the SAME generated Markdown built by stock
  MkDocs + Material (no digest plugin, articles not in the nav), alternated in one run → ratio;
- per-article build cost at N/4 and N articles → ratio;
- peak memory (sum over the process tree) and output size;
- search: index bytes, bytes a query fetches (computed and recorded in Chromium), time from page
  load to first results in headless Chromium over http and file://.
Every figure is the median of the repeated runs (the count is printed beside it). Stages whose code
has not been written yet are reported as "not available yet" instead of failing the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import statistics
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
from common import Figure, human_bytes  # noqa: E402
from make_corpus import ARTICLES_PER_PAGE, DEFAULT_SEED, ensure_corpus  # noqa: E402

WORK = ROOT / "build" / "bench"
RESULTS = BENCH / "results.md"
PYTHON = sys.executable
MKDOCS = str(Path(sys.executable).parent / "mkdocs")
GIB = 1 << 30
QUERIES = ("乡村振兴", "共富工坊", "毛家坪水厂", "人才", "发展", "西湖区 外卖骑手", "高质量发展", "鄉村振興")
NOT_YET = "not available yet"
WARM_UP_QUERY = "浙江"


# ---------------------------------------------------------------- the generator, in a child process


def child_generate(content: str, out: str, cache: str) -> None:
    """Run pipeline.run once and print timings as JSON (stages timed by wrapping the stage functions)."""
    start = time.perf_counter()
    import generator.atomic as atomic
    import generator.enrich as enrich
    import generator.pipeline as pipeline
    import generator.search_index as search_index

    stages: dict[str, float] = {}

    def timed(module, name: str, label: str) -> None:
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - t0

        setattr(module, name, wrapper)

    timed(pipeline, "ingest_all", "ingest (read, clean, segment)")
    timed(enrich, "enrich_corpus", "enrich")
    timed(search_index, "build_search_index", "search index")
    timed(atomic, "publish_tree", "write files")
    has_render = (ROOT / "generator" / "render.py").exists()
    if has_render:
        import generator.render as render

        timed(render, "render_site", "render Markdown")
    imported = time.perf_counter()
    if has_render:
        digest = pipeline.run(Path(content), Path(out), cache_dir=Path(cache))
    else:  # everything but the Markdown: the render stage is not written yet
        digest, _sources = pipeline.build_digest(Path(content), cache_dir=Path(cache))
        files = search_index.build_search_index(digest, pipeline.article_url)
        atomic.publish_tree(files, Path(out))
    done = time.perf_counter()
    stages = {"imports": imported - start, **stages}
    print(json.dumps({
        "total": done - start,
        "in_run": done - imported,
        "stages": stages,
        "articles": len(digest.articles),
        "problems": len(digest.problems),
        "rendered": has_render,
    }))


def generator_missing() -> str | None:
    for module in ("read", "segment"):
        if not (ROOT / "generator" / f"{module}.py").exists():
            return f"generator/{module}.py {NOT_YET}"
    return None


def site_missing() -> str | None:
    if not (ROOT / "generator" / "render.py").exists():
        return f"generator/render.py {NOT_YET}"
    if not (ROOT / "generator" / "mkdocs_plugin.py").exists():
        return f"generator/mkdocs_plugin.py {NOT_YET}"
    if not (ROOT / "mkdocs.yml").exists():
        return f"mkdocs.yml {NOT_YET}"
    return None


# ---------------------------------------------------------------- report


@dataclass
class Report:
    articles: int
    quick: bool
    repeat: int
    build_repeat: int
    slow_limit: float = 240.0
    machine: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[str, Figure]] = field(default_factory=list)  # (section, figure)
    notes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    targets: list[tuple[str, str, str, bool | None]] = field(default_factory=list)  # (target, limit, measured, met)

    def add(self, section: str, figure: Figure) -> Figure:
        self.rows.append((section, figure))
        print(f"  {figure.name}: {figure.shown()} ({figure.spread()}){' — ' + figure.note if figure.note else ''}", flush=True)
        return figure

    def missing(self, section: str, name: str, why: str) -> None:
        self.rows.append((section, Figure(name, note=why)))
        print(f"  {name}: {why}", flush=True)

    def target(self, what: str, limit: str, measured: str, met: bool | None) -> None:
        self.targets.append((what, limit, measured, met))

    def markdown(self, started: dt.datetime, elapsed: float) -> str:
        out = [
            "# Benchmark results",
            "",
            f"Written by `bench/run.py` ({'`--quick`, ' if self.quick else ''}{self.articles:,} articles) on "
            f"{started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} min. Each figure is the median of the runs shown "
            f"(`n=`); cheap steps are repeated {self.repeat}×, full builds {self.build_repeat}×. Absolute times are "
            "noisy on a shared machine; ratios compare runs taken alternately in this same run.",
            "",
            "## Machine",
            "",
            *[f"- {k}: {v}" for k, v in self.machine.items()],
            "",
            "## Targets",
            "",
            "| Target | Limit | Measured | Met |",
            "|---|---|---|---|",
            *[f"| {w} | {lim} | {m} | {'yes' if ok else 'NO' if ok is False else '—'} |" for w, lim, m, ok in self.targets],
            "",
            "## Figures",
            "",
        ]
        section = None
        for sec, fig in self.rows:
            if sec != section:
                out += ["", f"### {sec}", "", "| Figure | Median | Runs | Note |", "|---|---|---|---|"]
                section = sec
            spread = fig.spread() if fig.samples else ""
            out.append(f"| {fig.name} | {fig.shown()} | {spread} | {fig.note} |")
        if self.details:
            out += ["", "## Details", "", *self.details]
        if self.notes:
            out += ["", "## Notes", "", *[f"- {n}" for n in self.notes]]
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------- stages


def pages_for(articles: int) -> int:
    per_page = sum(ARTICLES_PER_PAGE) / len(ARTICLES_PER_PAGE)
    return max(1, math.ceil(articles / per_page))


def generate(content: Path, out: Path, cache: Path) -> tuple[common.Run, dict | None]:
    result = common.run([PYTHON, str(BENCH / "run.py"), "--child-generate", str(content), str(out), str(cache)])
    if not result.ok:
        return result, None
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def bench_generator(report: Report, content: Path, label: str, repeat: int) -> tuple[Path | None, dict | None]:
    """Cold-cache generator runs; returns the generated docs folder and the last run's details."""
    section = f"Generator ({label})"
    why = generator_missing()
    if why:
        report.missing(section, "generator time (cold cache)", why)
        return None, None
    home = WORK / f"gen-{slug(label)}"
    out = home / "docs"  # a symlink to a versioned sibling folder (generator/atomic.py)
    wall, in_run, rss, per_s = Figure("generator time, cold cache (fresh process)"), Figure("of which pipeline.run (after imports)"), Figure("peak memory (process tree, PSS)", unit="bytes"), Figure("articles per second", unit="/s")
    rss_sum = Figure("peak RSS summed over processes (upper bound)", unit="bytes")
    cpu = Figure("CPU time, all processes (user + system)")
    stages: dict[str, list[float]] = {}
    info = None
    for i in range(repeat):
        shutil.rmtree(home, ignore_errors=True)
        cache = home / "cache"
        run, info = generate(content, out, cache)
        if info is None:
            report.missing(section, "generator time (cold cache)", "FAILED: " + run.failure())
            return None, None
        wall.samples.append(run.wall)
        cpu.samples.append(run.cpu)
        in_run.samples.append(info["in_run"])
        rss.samples.append(run.peak_tree)
        rss_sum.samples.append(run.peak_rss_sum)
        per_s.samples.append(info["articles"] / run.wall)
        for name, seconds in info["stages"].items():
            stages.setdefault(name, []).append(seconds)
        if too_slow(run.wall, i, repeat, report, section):
            break
    report.add(section, Figure("articles", [info["articles"]], unit="", note=f"{info['problems']} input problems reported"))
    report.add(section, wall)
    report.add(section, cpu)
    report.add(section, in_run)
    for name, values in stages.items():
        report.add(section, Figure(f"· {name}", values))
    report.add(section, per_s)
    report.add(section, rss)
    report.add(section, rss_sum)
    if not info["rendered"]:
        report.notes.append(f"Generator ({label}): generator/render.py {NOT_YET}; times exclude writing Markdown.")
    size, files = common.tree_size(out)
    report.add(section, Figure("generated docs folder", [size], unit="bytes", note=f"{files:,} files"))
    return out, {**info, "wall": wall.value, "cpu": cpu.value, "peak": rss.value, "cache": home / "cache"}


def touch_one_page(content: Path, round_: int) -> Path:
    """Change one page's bytes (a sentence appended to its last paragraph), as an editor's fix would."""
    pages = sorted((content / "pages").iterdir())
    page = pages[len(pages) // 2]
    text = page.read_text(encoding="utf-8").rstrip("\n")
    page.write_text(text + f"编辑补充说明第{round_ + 1}次。\n", encoding="utf-8")
    return page


def bench_rebuild(report: Report, content: Path, label: str, repeat: int, warm_cache: Path | None) -> Figure | None:
    """The generator after one page file changed, content-hash cache warm (copied from the cold runs)."""
    section = f"Rebuild after one page changes ({label})"
    why = generator_missing()
    if why:
        report.missing(section, "generator time, warm cache", why)
        return None
    work = WORK / f"rebuild-{slug(label)}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(content, work / "content")  # the cached corpus itself is never modified
    cache, out = work / "cache", work / "docs"
    if warm_cache is not None and warm_cache.is_dir():
        shutil.copytree(warm_cache, cache)  # keys are page bytes + name: a copy of the corpus hits them
    unchanged = Figure("nothing changed (warm cache)")
    changed = Figure("one page file changed (warm cache)", target="≤ 5 s")
    changed_in_run = Figure("of which pipeline.run (after imports)")
    changed_cpu = Figure("CPU time, one page file changed (all processes)")
    stages: dict[str, list[float]] = {}
    run, info = generate(work / "content", out, cache)
    if info is None:
        report.missing(section, "generator time, warm cache", "FAILED: " + run.failure())
        return None
    unchanged.samples.append(run.wall)
    for i in range(repeat):
        touch_one_page(work / "content", i)
        run, info = generate(work / "content", out, cache)
        if info is None:
            report.missing(section, "one page file changed", "FAILED: " + run.failure())
            return None
        changed.samples.append(run.wall)
        changed_cpu.samples.append(run.cpu)
        changed_in_run.samples.append(info["in_run"])
        for name, seconds in info["stages"].items():
            stages.setdefault(name, []).append(seconds)
        if too_slow(run.wall, i, repeat, report, section):
            break
    report.add(section, unchanged)
    report.add(section, changed)
    report.add(section, changed_cpu)
    report.add(section, changed_in_run)
    for name, values in stages.items():
        report.add(section, Figure(f"· {name}", values))
    return changed


def too_slow(seconds: float, done: int, repeat: int, report: Report, section: str) -> bool:
    """Stop repeating a step whose single run exceeds --slow-limit (said so in the report)."""
    if done + 1 < repeat and seconds > report.slow_limit:
        report.notes.append(f"{section}: run once only (one run took {seconds:.0f} s > --slow-limit {report.slow_limit:.0f} s).")
        return True
    return False


# ---------------------------------------------------------------- mkdocs builds


def _yaml_load(path: Path):
    """The project's mkdocs.yml as data; MkDocs' own tags (!ENV, !relative, !!python/name) kept as text."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def keep(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return _Tagged(node.tag, loader.construct_scalar(node))
        if isinstance(node, yaml.SequenceNode):
            return _Tagged(node.tag, loader.construct_sequence(node))
        return _Tagged(node.tag, loader.construct_mapping(node))

    Loader.add_multi_constructor("!", keep)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", keep)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


class _Tagged:
    def __init__(self, tag: str, value) -> None:
        self.tag, self.value = tag, value


def _yaml_dump(data) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def tagged(dumper, obj):
        if isinstance(obj.value, list):
            return dumper.represent_sequence(obj.tag, obj.value)
        if isinstance(obj.value, dict):
            return dumper.represent_mapping(obj.tag, obj.value)
        return dumper.represent_scalar(obj.tag, obj.value)

    Dumper.add_representer(_Tagged, tagged)
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False)


def _absolute(value: str) -> str:
    return str((ROOT / value).resolve()) if value and not os.path.isabs(value) else value


def slug(label: str) -> str:
    return "".join(ch for ch in label.split()[0] if ch.isalnum())


def digest_config(content: Path, site_dir: Path, out_dir: Path) -> Path:
    """The project's mkdocs.yml with the digest plugin pointed at a benchmark corpus
    (docs_dir is the content folder, as in the project; the plugin writes into out_dir)."""
    config = _yaml_load(ROOT / "mkdocs.yml")
    config["site_dir"] = str(site_dir)
    config["docs_dir"] = str(content)
    theme = config.get("theme") or {}
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme["custom_dir"] = _absolute(theme["custom_dir"])
    plugins = config.get("plugins") or []
    found = False
    for i, plugin in enumerate(plugins):
        if isinstance(plugin, dict) and "digest" in plugin:
            options = dict(plugin["digest"] or {})
            options["content_dir"] = str(content)
            options["out_dir"] = str(out_dir)
            plugins[i] = {"digest": options}
            found = True
        elif plugin == "digest":
            plugins[i] = {"digest": {"content_dir": str(content), "out_dir": str(out_dir)}}
            found = True
    if not found:
        raise RuntimeError("mkdocs.yml has no `digest` plugin entry")
    path = site_dir.parent / f"{site_dir.name}.mkdocs.yml"
    path.write_text(_yaml_dump(config), encoding="utf-8")
    return path


def stock_config(docs: Path, site_dir: Path) -> Path:
    """Stock MkDocs + Material over the generated Markdown: same theme and Markdown extensions,
    no plugins at all (so no digest layer and no Material search), articles not in the nav."""
    project = _yaml_load(ROOT / "mkdocs.yml")
    theme = dict(project.get("theme") or {"name": "material"})
    if theme.get("custom_dir"):
        theme["custom_dir"] = _absolute(theme["custom_dir"])
    config = {
        "site_name": project.get("site_name", "digest"),
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "use_directory_urls": project.get("use_directory_urls", False),
        "theme": theme,
        "plugins": [],
        "not_in_nav": "/articles/\n",
    }
    for key in ("markdown_extensions", "extra", "extra_css", "extra_javascript", "nav", "exclude_docs", "validation"):
        if key in project:
            config[key] = project[key]
    path = site_dir.parent / f"{site_dir.name}.mkdocs.yml"
    path.write_text(_yaml_dump(config), encoding="utf-8")
    return path


def mkdocs_build(config: Path, env: dict | None = None) -> common.Run:
    return common.run([MKDOCS, "build", "--quiet", "--config-file", str(config)], env=env)


def bench_builds(report: Report, content: Path, docs: Path | None, label: str, articles: int, repeat: int) -> dict | None:
    """Digest build (cold generator cache) and stock build of the same Markdown, alternated."""
    section = f"Full build ({label})"
    why = site_missing() or generator_missing()
    if why:
        report.missing(section, "mkdocs build with the digest plugin", why)
        return None
    if docs is None:
        report.missing(section, "mkdocs build with the digest plugin", "the generator step failed")
        return None
    site, stock_site = WORK / f"site-{slug(label)}", WORK / f"site-stock-{slug(label)}"
    plugin_home = WORK / f"plugin-{slug(label)}"
    plugin_docs = plugin_home / "docs"
    config = digest_config(content, site, plugin_docs)
    stock = stock_config(docs, stock_site)
    full, stock_time, ratio = Figure("mkdocs build with the digest plugin (cold cache)"), Figure("stock mkdocs + Material, same Markdown"), Figure("ratio digest / stock", unit="x", target="≤ 2×")
    full_rss, stock_rss = Figure("peak memory, digest build (process tree, PSS)", unit="bytes"), Figure("peak memory, stock build (process tree, PSS)", unit="bytes")
    full_rss_sum = Figure("peak RSS summed over processes, digest build (upper bound)", unit="bytes")
    single = Figure("largest single process, digest build", unit="bytes")
    full_cpu, stock_cpu = Figure("CPU time, digest build (all processes)"), Figure("CPU time, stock build")
    cpu_ratio = Figure("CPU ratio digest / stock", unit="x")
    for i in range(repeat):
        for cache in (content.parent / ".cache", plugin_home):
            shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        a = mkdocs_build(config)
        if not a.ok:
            report.missing(section, "mkdocs build with the digest plugin", "FAILED: " + a.failure())
            return None
        shutil.rmtree(stock_site, ignore_errors=True)
        b = mkdocs_build(stock)
        if not b.ok:
            report.missing(section, "stock mkdocs build", "FAILED: " + b.failure())
            return None
        full.samples.append(a.wall)
        stock_time.samples.append(b.wall)
        ratio.samples.append(a.wall / b.wall)
        full_rss.samples.append(a.peak_tree)
        full_rss_sum.samples.append(a.peak_rss_sum)
        stock_rss.samples.append(b.peak_tree)
        single.samples.append(a.max_single)
        full_cpu.samples.append(a.cpu)
        stock_cpu.samples.append(b.cpu)
        cpu_ratio.samples.append(a.cpu / b.cpu)
        if too_slow(a.wall + b.wall, i, repeat, report, section):
            break
    per_article = Figure("per-article cost, digest build", [x / articles * 1000 for x in full.samples], unit="ms")
    stock_per_article = Figure("per-article cost, stock build", [x / articles * 1000 for x in stock_time.samples], unit="ms")
    for fig in (full, stock_time, ratio, full_cpu, stock_cpu, cpu_ratio, per_article, stock_per_article, full_rss, full_rss_sum, single, stock_rss):
        report.add(section, fig)
    size, files = common.tree_size(site)
    stock_size, stock_files = common.tree_size(stock_site)
    report.add(section, Figure("output size, digest site", [size], unit="bytes", note=f"{files:,} files"))
    report.add(section, Figure("output size, stock site", [stock_size], unit="bytes", note=f"{stock_files:,} files"))
    warm = mkdocs_build(config)
    if warm.ok:
        report.add(section, Figure("mkdocs build with the digest plugin, warm cache, nothing changed", [warm.wall], note="one run"))
    per_article_cpu = Figure("per-article CPU, digest build", [x / articles * 1000 for x in full_cpu.samples], unit="ms")
    report.add(section, per_article_cpu)
    return {"full": full.value, "ratio": ratio.value, "cpu_ratio": cpu_ratio.value, "per_article": per_article.value,
            "per_article_cpu": per_article_cpu.value, "peak": full_rss.value, "site": site}


# ---------------------------------------------------------------- search


def search_files(docs: Path) -> dict[str, bytes]:
    root = docs / "search"
    return {f"search/{p.relative_to(root).as_posix()}": p.read_bytes() for p in root.rglob("*") if p.is_file()}


def bench_search_offline(report: Report, docs: Path | None, label: str) -> dict | None:
    section = f"Search index ({label})"
    if docs is None or not (docs / "search" / "meta.js").exists():
        report.missing(section, "search index", "no generated index (generator not available)")
        return None
    from generator.search_index import IndexReader, index_stats

    files = search_files(docs)
    stats = index_stats(files)
    reader = IndexReader(files)
    report.add(section, Figure("index total", [stats["total"]], unit="bytes",
                               note=f"{stats['files']:,} files: postings {human_bytes(stats['shards'])} in {reader.meta['shards']} shards, "
                                    f"documents {human_bytes(stats['docs'])}, other {human_bytes(stats['other'])}"))
    per_query = []
    lines = ["| Query | Matches | Bytes fetched (first 20 results) | Share of index |", "|---|---|---|---|"]
    for q in QUERIES:
        b = reader.bytes_for_query(q)
        per_query.append(b)
        lines.append(f"| {q} | {len(reader.match(q)):,} | {human_bytes(b)} | {100 * b / stats['total']:.2f} % |")
    report.details += [f"### Bytes per query, computed from the index ({label})", "", *lines, ""]
    worst = max(per_query)
    report.add(section, Figure("bytes for one query (computed; median of queries)", [statistics.median(per_query)], unit="bytes", note=f"max {human_bytes(worst)}"))
    report.add(section, Figure("worst query as share of index", [100 * worst / stats["total"]], unit="%", target="≤ 10 %"))
    return {"total": stats["total"], "worst": worst}


def bench_browser(report: Report, docs: Path | None, site: Path | None, label: str, repeat: int) -> dict | None:
    section = f"Search in headless Chromium ({label})"
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from browser import CHROMIUM, CHROMIUM_ARGS, SiteServer, browser_missing, record_requests
    except ImportError as exc:
        report.missing(section, "search latency", f"tests/browser.py cannot be imported: {exc}")
        return None
    why = browser_missing()
    if why:
        report.missing(section, "search latency", why)
        return None
    if site is not None and (site / "index.html").exists():
        root, start_page, what = site, "index.html", "the built digest site"
    elif docs is not None and (docs / "search" / "meta.js").exists():
        root, start_page, what = harness_site(docs), "sub/page.html", "a harness page (real search partial + search.js) over the generated index; the site build is not available yet"
    else:
        report.missing(section, "search latency", "no index to search (generator not available)")
        return None
    report.notes.append(f"Search in Chromium ({label}) measured on {what}.")
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {}
    bytes_seen: dict[str, list[int]] = {}
    per_query: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    with SiteServer(root) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for scheme, address in (("http", server.url(start_page)), ("file", (root / start_page).as_uri())):
                stats = results.setdefault(scheme, {"load": [], "cold": [], "warm": [], "wall": []})
                for _ in range(repeat):
                    for q in QUERIES:
                        cold, warm, wall, fetched = one_query(browser, record_requests, address, q, root)
                        per_query.setdefault((scheme, q), []).append((cold, warm, wall, fetched))
                        stats["cold"].append(cold)
                        stats["warm"].append(warm)
                        stats["wall"].append(wall)
                        bytes_seen.setdefault(scheme, []).append(fetched)
        finally:
            browser.close()
    lines = ["| Scheme | Query | Load → results | Query → results (cold) | Query → results (index loaded) | Bytes fetched |", "|---|---|---|---|---|---|"]
    for (scheme, q), runs in per_query.items():
        cold, warm, wall, fetched = (statistics.median(x) for x in zip(*runs))
        lines.append(f"| {scheme} | {q} | {wall:.0f} ms | {cold:.0f} ms | {warm:.0f} ms | {human_bytes(fetched)} |")
    report.details += [f"### Search in Chromium, per query ({label})", "", *lines, ""]
    out = {}
    for scheme, stats in results.items():
        report.add(section, Figure(f"{scheme}: page load → first results (query typed at load)", stats["wall"], unit="ms",
                                   note=f"wall clock from navigation start, includes the {DEBOUNCE_MS} ms typing debounce"))
        report.add(section, Figure(f"{scheme}: query → results, index not yet loaded", stats["cold"], unit="ms", note=f"keystroke to results shown, less the {DEBOUNCE_MS} ms debounce"))
        report.add(section, Figure(f"{scheme}: query → results, index loaded", stats["warm"], unit="ms", target="≤ 500 ms"))
        report.add(section, Figure(f"{scheme}: bytes fetched for one query (recorded)", bytes_seen[scheme], unit="bytes",
                                   note=f"max {human_bytes(max(bytes_seen[scheme]))}"))
        out[scheme] = {"warm": statistics.median(stats["warm"]), "warm_max": max(stats["warm"]), "wall": statistics.median(stats["wall"]), "bytes_max": max(bytes_seen[scheme])}
    return out


def one_query(browser, record_requests, address: str, query: str, root: Path) -> tuple[float, float, float, int]:
    """(cold ms, warm ms, load→results wall ms, bytes of search files fetched for the cold query).

    cold: a fresh page, the query typed as soon as search is mounted (meta.js not loaded yet);
    warm: a fresh page where another query (浙江) ran first, so meta.js is loaded but this
    query's shards and documents are not: "first results after the index is loaded".
    """
    page = browser.new_page()
    log = record_requests(page)
    try:
        t0 = time.perf_counter()
        page.goto(address)
        page.wait_for_selector("[data-digest-search-mounted]", state="attached")
        cold = _search(page, query)
        wall = (time.perf_counter() - t0) * 1000
        fetched = _search_bytes(log.urls, root)
    finally:
        page.close()
    page = browser.new_page()
    record_requests(page)
    try:
        page.goto(address)
        page.wait_for_selector("[data-digest-search-mounted]", state="attached")
        _search(page, WARM_UP_QUERY)
        warm = _search(page, query)
    finally:
        page.close()
    return cold, warm, wall, fetched


DEBOUNCE_MS = 80  # search.js waits this long after the last keystroke before it searches
_ARM = """(q) => {
  const root = document.querySelector('[data-md-component=digest-search]');
  const input = root.querySelector('[data-digest-search-input]');
  window.__bench = {input: 0, done: 0};
  input.addEventListener('input', () => { window.__bench.input = performance.now(); }, {once: true});
  const seen = new MutationObserver(() => {
    if (root.getAttribute('data-digest-search-query') === q && root.getAttribute('data-digest-search-state') === 'done') {
      window.__bench.done = performance.now();
      seen.disconnect();
    }
  });
  seen.observe(root, {attributes: true});
}"""


def _search(page, query: str) -> float:
    """Type a query; ms from the keystroke to results on screen, less the typing debounce."""
    page.evaluate(_ARM, query)
    page.fill("[data-digest-search-input]", query)
    page.wait_for_function("() => window.__bench.done > 0", timeout=30000)
    timing = page.evaluate("() => window.__bench")
    return max(0.0, timing["done"] - timing["input"] - DEBOUNCE_MS)


def _search_bytes(urls: list[str], root: Path) -> int:
    from urllib.parse import unquote, urlsplit

    total, seen = 0, set()
    for url in urls:
        path = unquote(urlsplit(url).path)
        if "/search/" not in path or path in seen:
            continue
        seen.add(path)
        rel = path.split("/search/", 1)[1]
        file = root / "search" / rel
        if file.exists():
            total += file.stat().st_size
    return total


def harness_site(docs: Path) -> Path:
    """The search partial + search.js + the generated index, for when the site cannot be built yet."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_search_browser import HARNESS, render_partial

    dest = WORK / "harness"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(docs / "search", dest / "search")
    for asset in ("assets/javascripts/search.js", "assets/stylesheets/search.css"):
        (dest / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "overrides" / asset, dest / asset)
    (dest / "sub").mkdir()
    (dest / "sub" / "page.html").write_text(HARNESS.format(partial=render_partial("..")), encoding="utf-8")
    return dest


# ---------------------------------------------------------------- main


def judge(report: Report, figures: dict) -> None:
    gen, rebuild, builds, small, offline, browser = (figures.get(k) for k in ("gen", "rebuild", "builds", "small", "offline", "browser"))
    n = report.articles
    if gen:
        report.target(f"Generator, {n:,} articles (ingest + enrich + Markdown)", "≤ 60 s", f"{gen['wall']:.1f} s wall, {gen['cpu']:.0f} s CPU", gen["wall"] <= 60 if n >= 10_000 else None)
    else:
        report.target("Generator", "≤ 60 s", NOT_YET, None)
    if builds:
        report.target("Full build vs stock mkdocs + Material, same Markdown", "≤ 2×", f"{builds['ratio']:.2f}× wall ({builds['cpu_ratio']:.2f}× CPU)", builds["ratio"] <= 2)
    else:
        report.target("Full build vs stock mkdocs + Material", "≤ 2×", NOT_YET, None)
    if builds and small:
        growth = builds["per_article"] / small["per_article"] - 1
        cpu_growth = builds["per_article_cpu"] / small["per_article_cpu"] - 1
        report.target(f"Per-article build cost, {report.articles // 4:,} → {n:,} articles", "within 20 %",
                      f"{small['per_article']:.1f} → {builds['per_article']:.1f} ms wall ({growth:+.0%}); "
                      f"{small['per_article_cpu']:.1f} → {builds['per_article_cpu']:.1f} ms CPU ({cpu_growth:+.0%}; judged on CPU, "
                      "which the machine's load moves far less)", abs(cpu_growth) <= 0.2)
    else:
        report.target("Per-article build cost, N/4 → N articles", "within 20 %", NOT_YET, None)
    if rebuild:
        report.target("Rebuild after one page file changes (generator step)", "≤ 5 s", rebuild.shown(), rebuild.value <= 5)
    else:
        report.target("Rebuild after one page file changes", "≤ 5 s", NOT_YET, None)
    if offline:
        share = 100 * offline["worst"] / offline["total"]
        report.target("Bytes fetched for one query / index total (worst query)", "≤ 10 %", f"{human_bytes(offline['worst'])} of {human_bytes(offline['total'])} ({share:.2f} %)", share <= 10)
    else:
        report.target("Bytes fetched for one query / index total", "≤ 10 %", NOT_YET, None)
    if browser:
        for scheme, b in browser.items():
            report.target(f"First results after the index is loaded ({scheme})", "≤ 500 ms", f"median {b['warm']:.0f} ms, max {b['warm_max']:.0f} ms", b["warm_max"] <= 500)
    else:
        report.target("First results after the index is loaded", "≤ 500 ms", "skipped" if figures.get("browser_skipped") else NOT_YET, None)
    peaks = [x["peak"] for x in (gen, builds) if x]
    if peaks:
        report.target("Peak memory (PSS summed over the process tree, generator and full build)", "≤ 2 GiB", human_bytes(max(peaks)), max(peaks) <= 2 * GIB)
    else:
        report.target("Peak memory", "≤ 2 GiB", NOT_YET, None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-generate"]:
        child_generate(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(description="Scale benchmark of the digest; writes bench/results.md.")
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the big corpus (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 articles, one run of everything: for trying it out")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium measurements")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each cheap step (default 3; 1 with --quick)")
    parser.add_argument("--build-repeat", type=int, default=None, help="runs of each full build (default 3; 1 with --quick)")
    parser.add_argument("--slow-limit", type=float, default=240.0,
                        help="a step whose single run takes longer than this (s) is not repeated (default 240)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    articles = 1_000 if args.quick and args.articles == 10_000 else args.articles
    repeat = args.repeat or (1 if args.quick else 3)
    build_repeat = args.build_repeat or (1 if args.quick else 3)
    started, t0 = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    report = Report(articles=articles, quick=args.quick, repeat=repeat, build_repeat=build_repeat, slow_limit=args.slow_limit)
    report.machine = common.machine()
    print(f"bench: {articles:,} articles; machine: {report.machine['CPU']}, {report.machine['RAM']}", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)

    small_articles = max(1, articles // 4)
    big = ensure_corpus(WORK, pages_for(articles), args.seed)
    small = ensure_corpus(WORK, pages_for(small_articles), args.seed)
    label, small_label = f"{articles:,} articles", f"{small_articles:,} articles"
    figures: dict = {}

    print("generator …", flush=True)
    docs, figures["gen"] = bench_generator(report, big, label, repeat)
    print("rebuild after one page changes …", flush=True)
    figures["rebuild"] = bench_rebuild(report, big, label, repeat, figures["gen"]["cache"] if figures["gen"] else None)
    print("search index …", flush=True)
    figures["offline"] = bench_search_offline(report, docs, label)
    print("full builds …", flush=True)
    figures["builds"] = bench_builds(report, big, docs, label, articles, build_repeat)
    small_docs, _ = bench_generator(report, small, small_label, 1) if figures["builds"] else (None, None)
    figures["small"] = bench_builds(report, small, small_docs, small_label, small_articles, build_repeat) if small_docs else None
    if args.skip_browser:
        report.notes.append("Chromium measurements skipped (--skip-browser).")
        figures["browser_skipped"] = True
    else:
        print("search in Chromium …", flush=True)
        site = figures["builds"]["site"] if figures["builds"] else None
        figures["browser"] = bench_browser(report, docs, site, label, 1)
    if build_repeat == 1 and not args.quick:
        report.notes.append("Full builds were run once each (--build-repeat 1): their figures are single runs, not medians.")
    report.machine["Load average at end (1/5/15 min)"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    judge(report, figures)
    text = report.markdown(started, time.perf_counter() - t0)
    args.results.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
