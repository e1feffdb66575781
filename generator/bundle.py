"""Offline zip bundles: the built site, zipped so it opens from file:// with no network.

A bundle is a normal MkDocs build of mkdocs.yml (``use_directory_urls: false``
already makes every link a relative ``.html`` path, and the digest's search
index loads with ``<script>`` tags, which Chromium allows from file://, unlike
fetch or workers). What differs from the site:

* the ``digest`` plugin is told ``only_theme`` (a theme bundle holds only that
  theme's articles and the index pages that lead to them) and writes its
  generated docs under a temporary folder, so ``build/docs`` and ``site/`` of
  a concurrent ``make site`` / ``mkdocs serve`` are never touched;
* the zip is deterministic: sorted entries, one top folder, fixed timestamps
  (the build date), fixed permissions; same site + same date, same bytes;
* files only crawlers use (sitemap) are left out, and a 使用说明.txt is added.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .model import InputError, Theme

log = logging.getLogger("generator")

PLUGIN_NAME = "digest"
README_NAME = "使用说明.txt"
# Files of a MkDocs build that serve crawlers or a web server, not readers of an unzipped
# copy (404.html links by absolute path from site_url: it would only ever dangle).
SKIP_FILES = frozenset({"sitemap.xml", "sitemap.xml.gz", "404.html"})
# Theme files no bundle page uses: Material's own search (lunr and its worker; the search
# plugin is off, the digest has its own index under search/) and source maps for devtools.
# Together about 2.2 MB of the 2.8 MB of a small unzipped bundle.
SKIP_PREFIXES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
SKIP_SUFFIXES = (".map",)
ALL = "all"


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    theme: str | None  # None = the whole digest
    articles: int
    files: int
    size: int  # bytes of the zip


def bundle_name(theme: str | None, date: str) -> str:
    """ASCII only, so every unzip tool on every OS shows the same name."""
    return f"digest-{theme or ALL}-{date}"


def default_date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def _parse_date(date: str) -> tuple[int, int, int]:
    try:
        day = _dt.date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"bundle date must be YYYY-MM-DD, got {date!r}") from None
    # ZIP timestamps cannot go before 1980.
    return max(day.year, 1980), day.month, day.day


def _load_config(config_file: Path, site_dir: Path):
    from mkdocs.config import load_config

    if not config_file.is_file():
        raise InputError(str(config_file), "MkDocs configuration not found")
    # strict, like `make site`: a broken link in a bundle fails the build instead of shipping.
    config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
    if PLUGIN_NAME not in config.plugins:
        raise InputError(str(config_file), f"the {PLUGIN_NAME!r} plugin is not enabled under plugins:")
    return config


def _content_dir(config, config_file: Path) -> Path:
    plugin = config.plugins[PLUGIN_NAME]
    content = Path(getattr(plugin.config, "content_dir", None) or "content")
    return content if content.is_absolute() else (config_file.parent / content)


def load_themes_for(config_file: Path) -> tuple[tuple[Theme, ...], Path]:
    """The themes of the content folder the config's digest plugin reads, and that file's path."""
    from .yamlio import load_themes

    with tempfile.TemporaryDirectory(prefix="digest-bundle-") as tmp:
        config = _load_config(config_file, Path(tmp) / "site")
        themes_file = _content_dir(config, config_file) / "themes.yml"
    return load_themes(themes_file), themes_file


def check_theme(theme: str | None, themes: tuple[Theme, ...], themes_file: Path) -> None:
    if theme is None:
        return
    known = [t.id for t in themes]
    if theme not in known:
        raise InputError(str(themes_file), f"unknown theme id {theme!r}; known: {', '.join(known)}")


def readme_text(*, title: str, top: str, date: str, articles: int, site_url: str | None) -> str:
    lines = [
        f"{title}",
        "",
        f"生成日期：{date}",
        f"文章数量：{articles} 篇",
        "",
        "打开方法（无需联网）：",
        "1. 先把整个压缩包解压（Windows：右键 → 全部解压缩；macOS：双击压缩包）。",
        "   不要在压缩包预览窗口里直接打开网页，那样链接和搜索都无法使用。",
        f"2. 打开解压出的文件夹“{top}”，双击其中的 index.html，",
        "   用浏览器（Chrome、Edge、360 浏览器、Firefox 等）打开。",
        "   360 等双核浏览器请使用“极速模式”（地址栏右侧的闪电图标），兼容模式下页面无法正常显示。",
        "3. 之后即可像浏览网站一样阅读：点击主题、地区、归档浏览文章，",
        "   页面顶部的搜索框可以搜索全文，离线也能用。",
        "4. 打印或另存为 PDF：在文章页面按 Ctrl+P（macOS：⌘+P），",
        "   打印稿只保留正文，并附出处、日期和文章的网上地址。",
        "",
        "整个文件夹可以复制到 U 盘或共享文件夹中使用，请保持文件夹内的结构不变。",
    ]
    if site_url:
        lines += ["", f"在线版本：{site_url}"]
    # CRLF and a BOM: Notepad on older Windows otherwise guesses the encoding and shows mojibake.
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def skipped(rel: str) -> bool:
    return rel in SKIP_FILES or rel.startswith(SKIP_PREFIXES) or rel.endswith(SKIP_SUFFIXES)


def write_zip(site_dir: Path, zip_path: Path, top: str, extra: dict[str, bytes], date: str) -> int:
    """Zip site_dir under one top folder, deterministically; returns the number of files."""
    stamp = (*_parse_date(date), 0, 0, 0)
    entries: dict[str, bytes | Path] = {}
    for path in site_dir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(site_dir).as_posix()
            if not skipped(rel):
                entries[rel] = path
    entries.update(extra)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(f".{zip_path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            dirs = sorted({f"{top}/"} | {f"{top}/{d}/" for rel in entries for d in _parents(rel)})
            for name in dirs:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.create_system = 3  # Unix, so external_attr below means what it says
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            for rel in sorted(entries):
                source = entries[rel]
                data = source.read_bytes() if isinstance(source, Path) else source
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=9)
        os.replace(tmp, zip_path)  # never leave a half-written zip under the final name
    finally:
        tmp.unlink(missing_ok=True)
    return len(entries)


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def count_articles(site_dir: Path) -> int:
    folder = site_dir / "articles"
    return sum(1 for p in folder.glob("*.html")) if folder.is_dir() else 0


def build_site(config_file: Path, theme: str | None, work: Path) -> tuple[Path, str | None]:
    """A full MkDocs build of the digest (or one theme) under work/; returns (site dir, site_url)."""
    from mkdocs.commands.build import build

    site_dir = work / "site"
    config = _load_config(config_file, site_dir)
    plugin = config.plugins[PLUGIN_NAME]
    missing = [name for name in ("only_theme", "out_dir") if name not in plugin.config]
    if missing:  # the plugin and this module disagree: say so rather than build the wrong thing
        raise RuntimeError(f"the {PLUGIN_NAME!r} plugin has no option {', '.join(missing)}")
    plugin.config.only_theme = theme
    # Generated docs go to a private folder: a bundle build must not swap build/docs under a
    # running `mkdocs serve` or race a `make site`.
    plugin.config.out_dir = str(work / "docs")
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return site_dir, config.site_url


def build_bundle(config_file: Path, theme: str | None, out_dir: Path, date: str) -> BundleInfo:
    """Build one bundle: dist/digest-<theme|all>-<date>.zip. Raises InputError for bad input."""
    config_file = Path(config_file).resolve()
    _parse_date(date)
    themes, themes_file = load_themes_for(config_file)
    check_theme(theme, themes, themes_file)
    name = bundle_name(theme, date)
    with tempfile.TemporaryDirectory(prefix="digest-bundle-") as tmp:
        site_dir, site_url = build_site(config_file, theme, Path(tmp))
        articles = count_articles(site_dir)
        if theme is None:
            title = "政策举措文摘（全部文章）离线版"
        else:
            theme_name = next(t.name for t in themes if t.id == theme)
            title = f"政策举措文摘 · {theme_name}主题 离线版"
        readme = readme_text(title=title, top=name, date=date, articles=articles, site_url=site_url)
        zip_path = Path(out_dir) / f"{name}.zip"
        files = write_zip(site_dir, zip_path, name, {README_NAME: readme.encode("utf-8")}, date)
    return BundleInfo(path=zip_path, theme=theme, articles=articles, files=files, size=zip_path.stat().st_size)


def _human(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def cli_bundle(args: argparse.Namespace) -> int:
    """python -m generator bundle [--theme ID | --all] [--out DIR] [--config mkdocs.yml]"""
    from mkdocs.exceptions import Abort, MkDocsException

    config_file = Path(getattr(args, "config", None) or "mkdocs.yml")
    out_dir = Path(getattr(args, "out", None) or "dist")
    theme = getattr(args, "theme", None)
    if getattr(args, "all", False) and theme:
        print("error: --all and --theme cannot be used together", file=sys.stderr)
        return 2
    date = getattr(args, "date", None) or default_date()
    try:
        _parse_date(date)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        themes, themes_file = load_themes_for(config_file.resolve())
        check_theme(theme, themes, themes_file)
        wanted: list[str | None] = [None, *(t.id for t in themes)] if args.all else [theme]
        built: list[BundleInfo] = []
        for item in wanted:
            info = build_bundle(config_file, item, out_dir, date)
            if info.articles == 0 and args.all and item is not None:
                # A theme with no article yet: a bundle of empty indexes helps no trainer.
                info.path.unlink()
                print(f"{bundle_name(item, date)}.zip: skipped, theme has no articles")
                continue
            built.append(info)
            print(f"{info.path}  {_human(info.size)}  {info.articles} 篇文章  {info.files} 个文件")
    except (Abort, MkDocsException) as exc:
        print(f"error: site build failed: {exc}", file=sys.stderr)
        return 1
    if len(built) > 1:
        total = sum(b.size for b in built)
        print(f"{len(built)} bundles, {_human(total)} in total, in {out_dir}")
    return 0
