"""The `digest` MkDocs plugin: the thin layer between MkDocs and the generator.

* on_config: run the pipeline (content folder → generated docs folder, published
  atomically); bad input becomes a one-line PluginError naming file and line.
* on_files: the site is the generated folder, not the content folder MkDocs
  calls docs_dir (page dumps and YAML are input, not pages): every file of
  docs_dir is dropped and every generated file added.
* on_serve: `mkdocs serve` rebuilds when the content folder changes.
* on_post_page / on_post_template: a Content-Security-Policy meta tag per page (csp.py).

The generator's own log (logger "generator") is relayed to MkDocs' log at INFO
while it runs, each line naming file and line and saying "warning" or "error":
per-page problems (an odd layout; an unreadable file, left out) do not stop the
other pages from building (README, "What happens with bad input"), and a strict
build counts only MkDocs' own warnings (broken links, missing pages). An editor
sees them all with `python -m generator review`. Input that must stop the run
(broken themes.yml, curation.yml, sources.yml) raises InputError → PluginError.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel

from . import csp, pipeline
from .model import InputError

log = logging.getLogger("mkdocs.plugins.digest")


class DigestConfig(Config):
    content_dir = c.Type(str, default="content")  # relative to mkdocs.yml
    out_dir = c.Type(str, default="build/docs")  # relative to mkdocs.yml
    only_theme = c.Optional(c.Type(str))  # a theme id: build that theme's articles only
    jobs = c.Type(int, default=0)  # worker processes for big corpora; 0 = one per core (up to 8)


class _Relay(logging.Handler):
    """Re-logs the generator's records through MkDocs' logger (see module docstring)."""

    def emit(self, record: logging.LogRecord) -> None:
        log.info("%s", record.getMessage())


def _nav_paths(nav) -> set[str]:
    """Every docs path named in mkdocs.yml's nav."""
    found: set[str] = set()
    if isinstance(nav, str):
        found.add(nav)
    elif isinstance(nav, dict):
        for value in nav.values():
            found |= _nav_paths(value)
    elif isinstance(nav, list):
        for value in nav:
            found |= _nav_paths(value)
    return found


class DigestPlugin(BasePlugin[DigestConfig]):
    def __init__(self) -> None:
        super().__init__()
        self.content_dir: Path | None = None
        self.out_dir: Path | None = None

    def _resolve(self, config: MkDocsConfig, value: str) -> Path:
        path = Path(value)
        if path.is_absolute():
            return path
        return Path(config.config_file_path or ".").resolve().parent / path

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.content_dir = self._resolve(config, self.config.content_dir)
        self.out_dir = self._resolve(config, self.config.out_dir)
        relay = _Relay()
        generator_log = logging.getLogger("generator")
        generator_log.addHandler(relay)
        propagate, generator_log.propagate = generator_log.propagate, False
        try:
            digest = pipeline.run(
                self.content_dir,
                self.out_dir,
                only_theme=self.config.only_theme,
                site_url=config.site_url,
                jobs=self.config.jobs or None,
            )
        except InputError as exc:
            raise PluginError(str(exc)) from None
        finally:
            generator_log.removeHandler(relay)
            generator_log.propagate = propagate
        theme = f" (theme {self.config.only_theme})" if self.config.only_theme else ""
        log.info(f"digest: {len(digest.articles)} articles{theme} from {self.content_dir}")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.out_dir is not None
        # docs_dir is the content folder: its page dumps and YAML are input, not site files.
        for file in list(files):
            if not file.generated_by and file.abs_src_path and _inside(file.abs_src_path, config.docs_dir):
                files.remove(file)
        in_nav = _nav_paths(config.nav)
        root = self.out_dir.resolve()  # the published version folder (out_dir is a symlink)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            src_uri = path.relative_to(root).as_posix()
            inclusion = InclusionLevel.UNDEFINED if src_uri in in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, src_uri, abs_src_path=str(path), inclusion=inclusion))
        return files

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        if self.content_dir is not None:
            server.watch(str(self.content_dir))
        return server

    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:
        return csp.add_csp(output)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return csp.add_csp(output_content) if template_name.endswith(".html") else output_content


def _inside(path: str, folder: str) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True
