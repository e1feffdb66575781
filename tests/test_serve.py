"""`mkdocs serve` runs the generator and regenerates when a file in the content folder changes.

A real `mkdocs serve` in a subprocess on a temporary copy of content/: a new page file
dropped into content/pages must show up on the served home page without a restart.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_reliability import ROOT, copy_content, environment, write_config

MKDOCS = Path(sys.executable).parent / "mkdocs"
NEW_PAGE = """# 余姚推出“人才码”一码通办人才服务

本报讯（记者 王晓明）近日，余姚市正式推出“人才码”，高层次人才凭码即可一站式办理落户、住房、子女入学等二十余项人才服务事项。

据介绍，“人才码”上线以来已累计服务人才三千余人次，平均办理时间缩短一半以上。
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.slow
def test_serve_regenerates_when_a_page_file_is_added(tmp_path):
    if not (ROOT / "mkdocs.yml").exists():
        pytest.skip("mkdocs.yml not written yet")
    content = copy_content(tmp_path / "content")
    config = write_config(tmp_path / "mkdocs.yml", content, tmp_path / "docs")
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    url = f"http://127.0.0.1:{port}/index.html"
    api = f"http://127.0.0.1:{port}/api/articles.json"  # every article, whatever its date
    server = subprocess.Popen(
        [str(MKDOCS), "serve", "--config-file", str(config), "--dev-addr", f"127.0.0.1:{port}"],
        # serve mounts the site at site_url's path; serve it at the root for this test
        cwd=tmp_path, env=environment(SITE_URL=f"http://127.0.0.1:{port}/"), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: fetch(url) is not None, 120), (tmp_path / "serve.log").read_text()[-3000:]
        assert "余姚推出" not in (fetch(api) or "")
        (content / "pages" / "zz_new_page.txt").write_text(NEW_PAGE, encoding="utf-8")
        assert wait_for(lambda: "余姚推出“人才码”" in (fetch(api) or ""), 120), (
            "the new page never showed up\n" + (tmp_path / "serve.log").read_text()[-3000:]
        )
        # The article's own page is served too, and the talent theme page links it.
        entry = next(a for a in json.loads(fetch(api) or "{}")["articles"] if a["title"].startswith("余姚推出"))
        article = fetch(f"http://127.0.0.1:{port}/articles/{entry['id']}.html") or ""
        assert "一码通办" in article and "王晓明" in article
        assert f"{entry['id']}.html" in (fetch(f"http://127.0.0.1:{port}/themes/talent.html") or "")
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
