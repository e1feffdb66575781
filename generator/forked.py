"""Work over the whole corpus, split across forked processes that read the parent's memory.

The corpus-level steps (keywords against the corpus IDF, related articles) need every
article's term weights at once. Shipping those to a process pool costs more than the
work (pickling 10,000 term tables); a forked child sees the parent's memory as it was
at the fork, copy on write, so only its results travel back, pickled through a pipe.
Where fork is not available (Windows, or macOS's default) the work runs here: the
same results, on one core.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Callable, TypeVar

A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_map(work: Callable[[range], list[R]], count: int, jobs: int, min_count: int) -> list[R]:
    """work(part) over consecutive parts of range(count), concatenated in order.

    The first part runs in this process while `jobs - 1` forked children run the others;
    below `min_count` items (a fork and a pipe cost ~0.1 s) or with one job, it all runs here.
    """
    if jobs <= 1 or count < min_count or not can_fork():
        return work(range(count))
    bounds = [count * k // jobs for k in range(jobs + 1)]
    children = [_start(lambda part=range(bounds[k], bounds[k + 1]): work(part)) for k in range(1, jobs)]
    try:
        out = work(range(bounds[0], bounds[1]))
        for child in children:
            out.extend(_result(child))
        return out
    finally:
        for child in children:
            _reap(child)


def side_by_side(there: Callable[[], A], here: Callable[[], B], parallel: bool = True) -> tuple[A, B]:
    """(there(), here()), with `there` in a forked child while `here` runs in this process.

    For two independent stages of about the same cost (the search index and the rendered
    pages): on two cores the run takes the longer of the two rather than their sum.
    `there` may start processes of its own (its child is not a daemon, which could not).
    """
    if not parallel or not can_fork():
        return there(), here()
    child = _start(there, daemon=False)
    try:
        second = here()
        return _result(child), second
    finally:
        _reap(child)


def _start(work: Callable[[], R], daemon: bool = True):
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_child, args=(work, sender), daemon=daemon)
    child.start()
    sender.close()  # the child holds the only writing end: EOF if it dies
    return child, receiver


def _result(started) -> R:
    child, receiver = started
    try:
        ok, value = receiver.recv()
    except EOFError:
        child.join(timeout=5)  # reaped, so its exit code is known
        ok, value = False, f"the worker process exited with code {child.exitcode} before sending its results"
    if not ok:
        raise RuntimeError(f"a forked worker failed:\n{value}")
    return value


def _reap(started) -> None:
    child, receiver = started
    receiver.close()
    child.join(timeout=5)
    if child.is_alive():
        child.kill()


def _run_child(work: Callable[[], object], sender) -> None:
    try:
        result = (True, work())
    except BaseException:
        result = (False, traceback.format_exc())
    sender.send(result)
    sender.close()
