"""Publish a generated tree so that readers never see half of it.

The output folder is a symlink to a versioned sibling folder (`.docs-<hash>`).
A new version is written completely into its own folder and the symlink is
replaced with os.replace, which is atomic on POSIX: a run killed at any
moment leaves either the old tree or the new one, never a mixture.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import stat
from pathlib import Path, PurePosixPath


# Beside each version folder, the SHA-256 of every file in it, in sha256sum's format: the
# next run links what is unchanged without reading the old bytes back.
MANIFEST_SUFFIX = ".sha256"


def tree_hash(files: dict[str, bytes], digests: dict[str, str] | None = None) -> str:
    digests = digests if digests is not None else file_digests(files)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0")
        digest.update(bytes.fromhex(digests[path]))
    return digest.hexdigest()[:16]


def file_digests(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def _read_manifest(version: Path) -> dict[str, str]:
    """path → hex digest of the files of a version, as its manifest lists them; {} if unreadable."""
    try:
        text = version.with_name(version.name + MANIFEST_SUFFIX).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for line in text.splitlines():
        digest, sep, path = line.partition("  ")
        if sep and len(digest) == 64:
            out[path] = digest
    return out


def _write_manifest(version: Path, digests: dict[str, str]) -> None:
    lines = "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))
    write_file(version.with_name(version.name + MANIFEST_SUFFIX), lines.encode("utf-8"))


def write_file(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a concurrent or killed run never leaves half a file
    (written beside it under a name of this process, then renamed over it)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def safe_relative_path(path: str) -> PurePosixPath:
    """Refuse paths that could land outside the output folder."""
    rel = PurePosixPath(path)
    if rel.is_absolute() or not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
        raise ValueError(f"refusing to write outside the output folder: {path!r}")
    return rel


def _same_size(old: str, data: bytes) -> bool:
    try:
        info = os.lstat(old)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == len(data)


def _unchanged(old: str, data: bytes) -> bool:
    """The previous version holds a regular file with exactly these bytes."""
    try:
        if not _same_size(old, data):
            return False
        with open(old, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _write_tree(
    files: dict[str, bytes], root: Path, previous: Path | None = None, digests: dict[str, str] | None = None
) -> None:
    """Write the new version; files whose bytes the previous version already holds are hard-linked.

    A link costs a fraction of a write (a rebuild after a small change rewrites few of the
    ~20,000 files). Versions are never modified once published, so sharing inodes is safe.
    A file is the same when the previous version's manifest gives it the same digest and its
    size still matches, or, without a manifest, when its bytes compare equal; any failure
    to link falls back to writing. Paths are joined as strings (pathlib costs more than the
    link): every one passed safe_relative_path in publish_tree first.
    """
    root.mkdir(parents=True)
    for folder in sorted({posixpath.dirname(path) for path in files} - {""}):
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    known = _read_manifest(previous) if previous is not None and digests is not None else {}

    for path in sorted(files):
        target = os.path.join(root, path)
        data = files[path]
        if previous is not None:
            old = os.path.join(previous, path)
            if (_same_size(old, data) and known[path] == digests[path]) if path in known else _unchanged(old, data):
                try:
                    os.link(old, target, follow_symlinks=False)
                    continue
                except OSError:
                    pass  # another file system, no link support: write it
        with open(target, "wb") as out:
            out.write(data)


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
    digests = file_digests(files)
    version = parent / f".{out_dir.name}-{tree_hash(files, digests)}"

    if out_dir.is_symlink() and Path(os.readlink(out_dir)).name == version.name and version.is_dir():
        # Nothing to publish, but a run killed after its swap left its staging or old version behind.
        _remove_stale_versions(out_dir, keep=version.name)
        return False

    if not version.is_dir():
        staging = parent / f".{out_dir.name}-staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        _write_tree(files, staging, _current_version(out_dir), digests)
        _write_manifest(version, digests)
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
    staging, link, trash = f"{prefix}staging-", f"{prefix}link-", f"{prefix}trash-"
    for sibling in out_dir.parent.iterdir():
        if sibling.name.startswith(prefix) and sibling.name not in (keep, keep + MANIFEST_SUFFIX):
            if sibling.is_symlink():
                # A run's new link before its swap: left alone while that run lives (the swap
                # moves it), removed when a run killed in between left it behind.
                if sibling.name.startswith(link) and not _running(sibling.name[len(link) :]):
                    sibling.unlink(missing_ok=True)
                continue
            if sibling.name.startswith(staging) and _running(sibling.name[len(staging) :]):
                continue  # another run (mkdocs serve beside make site) still writing it
            if sibling.name.startswith(trash) and _running(sibling.name[len(trash) :].partition("-")[0]):
                continue  # another run removing it
            if sibling.is_dir():
                _remove_folder(sibling, parent=out_dir.parent, trash=trash)
            elif not _running_tmp(sibling.name):
                sibling.unlink(missing_ok=True)  # an old version's manifest


def _remove_folder(folder: Path, parent: Path, trash: str) -> None:
    """Renamed out of the way first, then deleted: a run killed while deleting leaves a
    trash folder (removed by the next run), never a half-emptied folder under a version's
    name, which a later run publishing that same tree would take as complete."""
    if not folder.name.startswith(trash):
        moved = parent / f"{trash}{os.getpid()}-{folder.name.removeprefix('.')}"
        try:
            os.rename(folder, moved)
        except OSError:
            return  # gone already, or another run moved it first
        folder = moved
    shutil.rmtree(folder, ignore_errors=True)


def _running_tmp(name: str) -> bool:
    """A manifest another live run is still writing (<version>.sha256.<pid>.tmp)."""
    stem, _, pid = name.removesuffix(".tmp").rpartition(".")
    return name.endswith(".tmp") and stem.endswith(MANIFEST_SUFFIX) and _running(pid)


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
