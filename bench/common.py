"""Measuring helpers for the benchmarks: subprocesses with wall time and peak memory, machine description.

CPU time (user + system, the process and every descendant it waited for, from wait4) is
reported beside wall time: on a shared machine it moves far less with the load.

Peak memory of a build is the peak of the *sum* of proportional set sizes (PSS) over the whole
process tree (the build and its worker processes), sampled from /proc: pages a forked worker still
shares with its parent count once. The peak RSS sum (shared pages counted in every process: an
upper bound) and the largest single process (ru_maxrss from wait4, exact) are reported beside it.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown", "Jinja2", "jieba", "PyYAML", "playwright")


# ---------------------------------------------------------------- process tree memory


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        kids[ppid].append(int(entry))
    return kids


def tree_pids(root: int) -> list[int]:
    kids, out, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, ()))
    return out


def tree_rss(pids: list[int]) -> int:
    """Resident bytes summed over processes: counts pages a forked worker shares with its parent twice."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except OSError:
            pass
    return total


def tree_pss(pids: list[int]) -> int:
    """Proportional set size summed over processes: shared pages split between their sharers,
    so the sum is the memory the tree really holds (slower to read than RSS: sampled less often)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


class TreeSampler(threading.Thread):
    """Peak RSS sum (every `interval`) and peak PSS sum (every `pss_every` samples) of a process tree."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_rss = self.peak_pss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self._halt.is_set():
            pids = tree_pids(self.pid)
            self.peak_rss = max(self.peak_rss, tree_rss(pids))
            if n % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, tree_pss(pids))
            n += 1
            self._halt.wait(self.interval)

    def stop(self) -> tuple[int, int]:
        self._halt.set()
        self.join()
        return self.peak_rss, self.peak_pss


@dataclass
class Run:
    cmd: list[str]
    returncode: int
    wall: float  # seconds
    stdout: str
    stderr: str
    peak_tree: int  # bytes: peak of the PSS sum over the process tree (sampled every 0.5 s)
    peak_rss_sum: int  # bytes: peak of the RSS sum (every 0.1 s), an upper bound: shared pages count per process
    max_single: int  # bytes, ru_maxrss of the largest process in the tree
    cpu: float  # seconds of CPU (user + system) over the whole tree: steadier than wall time under load

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failure(self) -> str:
        tail = (self.stderr or self.stdout)[-2500:]
        return f"`{' '.join(self.cmd[:4])} …` exited {self.returncode}:\n{tail}"


def run(cmd: list[str], *, cwd: Path = ROOT, env: dict | None = None, timeout: float = 3600) -> Run:
    """Run a command to completion, measuring wall time and memory (stdout/stderr captured)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_rss, peak_pss = sampler.stop()
        out.seek(0)
        err.seek(0)
        return Run(
            cmd=cmd,
            returncode=proc.returncode,
            wall=wall,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_tree=max(peak_pss, usage.ru_maxrss * 1024),  # sampling can miss a short peak
            peak_rss_sum=max(peak_rss, usage.ru_maxrss * 1024),
            max_single=usage.ru_maxrss * 1024,
            cpu=usage.ru_utime + usage.ru_stime,
        )


# ---------------------------------------------------------------- figures


@dataclass
class Figure:
    """One measured quantity: its samples and how to show them."""

    name: str
    samples: list[float] = field(default_factory=list)
    unit: str = "s"
    target: str = ""
    note: str = ""

    @property
    def value(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    def shown(self) -> str:
        v = self.value
        if v is None:
            return "—"
        return format_value(v, self.unit)

    def spread(self) -> str:
        if len(self.samples) < 2:
            return f"n={len(self.samples)}"
        return f"n={len(self.samples)}, {format_value(min(self.samples), self.unit)}–{format_value(max(self.samples), self.unit)}"


def format_value(v: float, unit: str) -> str:
    if unit == "s":
        return f"{v:.2f} s" if v < 100 else f"{v:.0f} s"
    if unit == "ms":
        return f"{v:.0f} ms" if v >= 10 else f"{v:.1f} ms"
    if unit == "bytes":
        return human_bytes(v)
    if unit == "x":
        return f"{v:.2f}×"
    if unit == "%":
        return f"{v:.1f} %"
    if unit == "/s":
        return f"{v:.0f}/s"
    return f"{v:g} {unit}".strip()


def human_bytes(n: float) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}" if n / size < 100 else f"{n / size:.0f} {unit}"
    return f"{n:.0f} B"


def tree_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of everything under path."""
    total = count = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
            count += 1
    return total, count


# ---------------------------------------------------------------- machine


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    try:
        mem = int(re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M).group(1)) * 1024
        ram = human_bytes(mem)
    except (OSError, AttributeError):
        ram = "unknown"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    chromium = "not found"
    for exe in (os.environ.get("CHROMIUM", "/usr/bin/chromium"),):
        try:
            chromium = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip() or chromium
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        commit = f"{commit}{' + uncommitted changes' if dirty else ''}"
    except OSError:
        commit = "unknown"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores ({usable} usable)",
        "RAM": ram,
        "Load average at start (1/5/15 min)": load,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "Packages": ", ".join(versions),
        "Chromium": chromium,
        "Commit": commit,
    }
