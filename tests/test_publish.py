"""Atomic publishing of the generated tree (generator/atomic.py)."""

from __future__ import annotations

import os

import pytest

from generator.atomic import publish_tree, safe_relative_path


def read_tree(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_publish_writes_exactly_the_mapping(tmp_path):
    out = tmp_path / "docs"
    files = {"index.md": b"# a\n", "articles/x.md": "文摘".encode()}
    assert publish_tree(files, out) is True
    assert read_tree(out) == files
    assert out.is_symlink()


def test_second_publish_of_same_tree_is_a_no_op(tmp_path):
    out = tmp_path / "docs"
    files = {"index.md": b"x"}
    publish_tree(files, out)
    target = os.readlink(out)
    assert publish_tree(files, out) is False
    assert os.readlink(out) == target


def test_new_version_replaces_old_and_old_folder_is_removed(tmp_path):
    out = tmp_path / "docs"
    publish_tree({"a.md": b"1", "gone.md": b"2"}, out)
    publish_tree({"a.md": b"3"}, out)
    assert read_tree(out) == {"a.md": b"3"}
    versions = [p for p in tmp_path.iterdir() if p.name.startswith(".docs-") and p.is_dir()]
    assert len(versions) == 1
    # Beside it only its manifest: the old version's went with it.
    (version,) = versions
    siblings = {p.name for p in tmp_path.iterdir() if p.name.startswith(".docs-")}
    assert siblings == {version.name, version.name + ".sha256"}


def test_unchanged_files_are_linked_by_the_manifest_or_by_comparing(tmp_path):
    out = tmp_path / "docs"
    publish_tree({"same.md": b"unchanged", "edit.md": b"old"}, out)
    first = out.resolve()
    assert "same.md" in first.with_name(first.name + ".sha256").read_text()
    inode = (first / "same.md").stat().st_ino
    publish_tree({"same.md": b"unchanged", "edit.md": b"new"}, out)
    second = out.resolve()
    assert read_tree(out) == {"same.md": b"unchanged", "edit.md": b"new"}
    assert (second / "same.md").stat().st_ino == inode  # linked, by the manifest
    # Without a manifest (an older layout) the bytes are compared: linked all the same.
    second.with_name(second.name + ".sha256").unlink()
    publish_tree({"same.md": b"unchanged", "edit.md": b"newer"}, out)
    assert read_tree(out) == {"same.md": b"unchanged", "edit.md": b"newer"}
    assert (out.resolve() / "same.md").stat().st_ino == inode


def test_a_manifest_that_lies_about_a_resized_file_is_not_trusted(tmp_path):
    out = tmp_path / "docs"
    publish_tree({"page.md": b"short"}, out)
    version = out.resolve()
    (version / "page.md").unlink()
    (version / "page.md").write_bytes(b"much longer text")  # changed behind our back
    publish_tree({"page.md": b"short", "other.md": b"x"}, out)
    assert read_tree(out) == {"page.md": b"short", "other.md": b"x"}


def test_plain_folder_from_older_layout_is_replaced(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "stale.md").write_text("old")
    publish_tree({"new.md": b"n"}, out)
    assert read_tree(out) == {"new.md": b"n"}


@pytest.mark.parametrize("bad", ["../escape.md", "/etc/passwd", "a/../../b.md", ""])
def test_paths_outside_the_output_are_refused_before_anything_is_written(tmp_path, bad):
    out = tmp_path / "docs"
    publish_tree({"keep.md": b"k"}, out)
    with pytest.raises(ValueError):
        publish_tree({"ok.md": b"o", bad: b"x"}, out)
    assert read_tree(out) == {"keep.md": b"k"}
    assert not (tmp_path / "escape.md").exists()


def test_safe_relative_path_accepts_nested_paths():
    assert str(safe_relative_path("themes/water.md")) == "themes/water.md"


def test_a_concurrent_runs_staging_folder_survives_and_a_dead_ones_goes(tmp_path):
    """Two runs publishing into one folder (mkdocs serve and `make site`): neither deletes the
    other's half-written staging folder; one left by a killed run is cleaned up."""
    import subprocess
    import sys

    out = tmp_path / "docs"
    publish_tree({"a.md": b"1"}, out)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".docs-staging-{running.pid}"
        live.mkdir()
        (live / "half.md").write_bytes(b"x")
        dead = tmp_path / f".docs-staging-{int(finished.stdout)}"
        dead.mkdir()
        assert publish_tree({"a.md": b"2"}, out) is True
        assert (live / "half.md").read_bytes() == b"x"
        assert not dead.exists()
        assert read_tree(out) == {"a.md": b"2"}
    finally:
        running.kill()
        running.wait()


def test_a_killed_run_not_yet_reaped_counts_as_dead(tmp_path):
    """SIGKILL leaves a zombie until its parent waits for it: its staging folder is stale all the same."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "docs"
    publish_tree({"a.md": b"1"}, out)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        os.kill(killed.pid, signal.SIGKILL)
        time.sleep(0.3)  # dead, not reaped: /proc/<pid> still exists
        stale = tmp_path / f".docs-staging-{killed.pid}"
        stale.mkdir()
        link = tmp_path / f".docs-link-{killed.pid}"  # killed between making its link and the swap
        os.symlink(os.readlink(out), link)
        publish_tree({"a.md": b"2"}, out)
        assert not stale.exists() and not link.is_symlink()
    finally:
        killed.wait()


def test_an_old_version_is_moved_to_trash_before_it_is_deleted(tmp_path):
    """A run killed while deleting an old version must not leave a half-emptied folder under
    that version's name: publishing the same tree again would take it as complete."""
    import subprocess
    import sys

    out = tmp_path / "docs"
    publish_tree({"a.md": b"1", "b.md": b"2"}, out)
    old = out.resolve()
    # What a run killed mid-delete leaves: a trash folder named after its (dead) pid.
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_trash = tmp_path / f".docs-trash-{int(finished.stdout)}-docs-0000"
    (dead_trash / "sub").mkdir(parents=True)
    publish_tree({"a.md": b"3"}, out)
    assert not old.exists() and not dead_trash.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".docs-")) == [
        out.resolve().name,
        out.resolve().name + ".sha256",
    ]
    publish_tree({"a.md": b"1", "b.md": b"2"}, out)  # the first tree again: written whole
    assert read_tree(out) == {"a.md": b"1", "b.md": b"2"}
