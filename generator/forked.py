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

R = TypeVar("R")


def forked_map(work: Callable[[range], list[R]], count: int, jobs: int, min_count: int) -> list[R]:
    """work(part) over consecutive parts of range(count), concatenated in order.

    The first part runs in this process while `jobs - 1` forked children run the others;
    below `min_count` items (a fork and a pipe cost ~0.1 s) or with one job, it all runs here.
    """
    if jobs <= 1 or count < min_count or "fork" not in multiprocessing.get_all_start_methods():
        return work(range(count))
    context = multiprocessing.get_context("fork")
    bounds = [count * k // jobs for k in range(jobs + 1)]
    children = []
    for k in range(1, jobs):
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_run_child, args=(work, range(bounds[k], bounds[k + 1]), sender), daemon=True)
        child.start()
        sender.close()  # the child holds the only writing end: EOF if it dies
        children.append((child, receiver))
    try:
        out = work(range(bounds[0], bounds[1]))
        for child, receiver in children:
            try:
                ok, value = receiver.recv()
            except EOFError:
                child.join(timeout=5)  # reaped, so its exit code is known
                ok, value = False, f"the worker process exited with code {child.exitcode} before sending its results"
            if not ok:
                raise RuntimeError(f"a forked worker failed:\n{value}")
            out.extend(value)
        return out
    finally:
        for child, receiver in children:
            receiver.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()


def _run_child(work: Callable[[range], list], part: range, sender) -> None:
    try:
        result = (True, work(part))
    except BaseException:
        result = (False, traceback.format_exc())
    sender.send(result)
    sender.close()
