"""Work in forked processes that read the parent's memory.

The corpus-level steps (keywords against the corpus IDF, related articles) need every
article's term weights at once. Shipping those to a process pool costs more than the
work (pickling 10,000 term tables); a forked child sees the parent's memory as it was
at the fork, copy on write, so only its results travel back, pickled into an unnamed
temporary file. Three shapes: `forked_map` splits a loop, `side_by_side` runs two
independent stages at once (the search index and the pages), `Standby` prepares
(loads jieba) before it knows its work. Where fork is not available (Windows, or
macOS's default) the work runs here: the same results, on one core.
"""

from __future__ import annotations

import multiprocessing
import pickle
import tempfile
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
    # Results come back through an unnamed temporary file, not the pipe: the child can write
    # 100 MB of pages or index shards while this process is still busy, where a pipe would
    # hold it at 64 KB until this process reads.
    spill = tempfile.TemporaryFile()
    child = context.Process(target=_run_child, args=(work, sender, spill), daemon=daemon)
    child.start()
    sender.close()  # the child holds the only writing end: EOF if it dies
    return child, receiver, spill


def _result(started) -> R:
    child, receiver, spill = started
    _received(child, receiver)
    spill.seek(0)
    return pickle.load(spill)


def _received(child, receiver) -> object:
    """What the child sent, or the error it reported, or the way it died, raised here."""
    try:
        ok, value = receiver.recv()
    except EOFError:
        child.join(timeout=5)  # reaped, so its exit code is known
        ok, value = False, f"the worker process exited with code {child.exitcode} before sending its results"
    if not ok:
        raise RuntimeError(f"a forked worker failed:\n{value}")
    return value


def _reap(started) -> None:
    child, receiver, spill = started
    receiver.close()
    spill.close()
    child.join(timeout=5)
    if child.is_alive():
        child.kill()


def _run_child(work: Callable[[], object], sender, spill) -> None:
    try:
        pickle.dump(work(), spill, protocol=pickle.HIGHEST_PROTOCOL)
        spill.flush()
        result = (True, None)
    except BaseException:
        result = (False, traceback.format_exc())
    sender.send(result)
    sender.close()


class Standby:
    """A forked child that gets ready now (prepare()) and handles one payload later.

    A rebuild learns which articles changed only after reading every page, yet analysing
    them needs a tokenizer that takes a second to load: a standby child loads it meanwhile,
    on the other core. `handle` is inherited at the fork, so only the payload and the
    result travel (pickled, through pipes). Without fork, everything runs here on demand.
    """

    def __init__(self, prepare: Callable[[], object], handle: Callable[[object], R]) -> None:
        self._prepare, self._handle = prepare, handle
        self._child = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._requests, child_end = context.Pipe()
            self._child = context.Process(target=self._serve, args=(child_end,), daemon=False)
            self._child.start()
            child_end.close()

    def _serve(self, pipe) -> None:
        try:
            self._prepare()
            failure = None
        except BaseException:
            failure = traceback.format_exc()  # told to whoever asks
        try:
            payload = pipe.recv()
        except (EOFError, OSError):
            return  # closed unused: nothing to do
        if failure is not None:
            result = (False, failure)
        else:
            try:
                result = (True, self._handle(payload))
            except BaseException:
                result = (False, traceback.format_exc())
        pipe.send(result)
        pipe.close()

    def beside(self, payload: object, here: Callable[[], B]) -> tuple[R, B]:
        """(handle(payload) in the child, here() in this process); once per standby.

        Without fork both run here, the handler first (as side_by_side does).
        """
        if self._child is None:
            self._prepare()
            return self._handle(payload), here()
        try:
            self._requests.send(payload)
        except OSError:  # the child died before asking: its exit code says why
            pass
        second = here()
        return _received(self._child, self._requests), second

    def close(self) -> None:
        """Ends the child, whether or not it was used (an unused one is stopped, not waited for)."""
        if self._child is None:
            return
        self._requests.close()
        self._child.join(timeout=0.05)
        if self._child.is_alive():
            self._child.kill()
            self._child.join(timeout=5)
        self._child = None

    def __enter__(self) -> "Standby":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
