"""Publish a generated tree so that readers never see half of it.

The output folder is a symlink to a versioned sibling folder (`.docs-<hash>`).
A new version is written completely into its own folder and the symlink is
replaced with os.replace, which is atomic on POSIX: a run killed at any
moment leaves either the old tree or the new one, never a mixture.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path, PurePosixPath


def tree_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(files[path]).digest())
    return digest.hexdigest()[:16]


def safe_relative_path(path: str) -> PurePosixPath:
    """Refuse paths that could land outside the output folder."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return rel


def _unchanged(old: Path, data: bytes) -> bool:
    """The previous version holds a regular file with exactly these bytes."""
    try:
        info = old.lstat()
        return stat.S_ISREG(info.st_mode) and info.st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def _write_tree(files: dict[str, bytes], root: Path, previous: Path | None = None) -> None:
    """Write the new version; files whose bytes the previous version already holds are hard-linked.

    A link costs a fraction of a write (a rebuild after a small change rewrites few of the
    ~20,000 files). Versions are never modified once published, so sharing inodes is safe;
    the bytes are compared, not assumed, and any failure to link falls back to writing.
    """
    root.mkdir(parents=True)
    made: set[Path] = {root}
    for path in sorted(files):
        parts = safe_relative_path(path).parts
        target = root.joinpath(*parts)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        data = files[path]
        if previous is not None:
            old = previous.joinpath(*parts)
            if _unchanged(old, data):
                try:
                    os.link(old, target, follow_symlinks=False)
                    continue
                except OSError:
                    pass  # another file system, no link support: write it
        target.write_bytes(data)


def _current_version(out_dir: Path) -> Path | None:
    """The version folder out_dir points to now, if it is one of ours."""
    if not out_dir.is_symlink():
        return None
    target = out_dir.parent / os.readlink(out_dir)
    if target.parent != out_dir.parent or not target.name.startswith(f".{out_dir.name}-") or not target.is_dir():
        return None
    return target


def publish_tree(files: dict[str, bytes], out_dir: Path) -> bool:
    """Make `out_dir` hold exactly `files`. Returns False when it already did."""
    out_dir = Path(out_dir)
    for path in files:
        safe_relative_path(path)  # validate everything before touching the disk
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    version = parent / f".{out_dir.name}-{tree_hash(files)}"

    if out_dir.is_symlink() and Path(os.readlink(out_dir)).name == version.name and version.is_dir():
        # Nothing to publish, but a run killed after its swap left its staging or old version behind.
        _remove_stale_versions(out_dir, keep=version.name)
        return False

    if not version.is_dir():
        staging = parent / f".{out_dir.name}-staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        _write_tree(files, staging, _current_version(out_dir))
        os.replace(staging, version)

    link = parent / f".{out_dir.name}-link-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(version.name, link)
    if out_dir.exists() and not out_dir.is_symlink():
        # A plain folder from an older layout: move it aside before the swap.
        shutil.rmtree(out_dir)
    os.replace(link, out_dir)
    _remove_stale_versions(out_dir, keep=version.name)
    return True


def _remove_stale_versions(out_dir: Path, keep: str) -> None:
    """Old versions go, and staging folders and links of runs that died; a live run's stay."""
    prefix = f".{out_dir.name}-"
    staging, link = f"{prefix}staging-", f"{prefix}link-"
    for sibling in out_dir.parent.iterdir():
        if sibling.name.startswith(prefix) and sibling.name != keep:
            if sibling.is_symlink():
                # A run's new link before its swap: left alone while that run lives (the swap
                # moves it), removed when a run killed in between left it behind.
                if sibling.name.startswith(link) and not _running(sibling.name[len(link) :]):
                    sibling.unlink(missing_ok=True)
                continue
            if sibling.name.startswith(staging) and _running(sibling.name[len(staging) :]):
                continue  # another run (mkdocs serve beside make site) still writing it
            shutil.rmtree(sibling, ignore_errors=True)


def _running(pid_text: str) -> bool:
    """Is there a process with this id (on this machine)? Our own is not "another run"."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, another user's
    except OverflowError:
        return False
    try:  # a killed process its parent has not reaped yet is a zombie: it writes nothing any more
        return Path(f"/proc/{pid_text}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): it exists, so count it as running
