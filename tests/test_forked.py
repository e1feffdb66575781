"""forked.forked_map and side_by_side: work in forked processes gives the serial result, and failures surface."""

from __future__ import annotations

import os
import random

import pytest

from generator.enrich import related
from concurrent.futures import ProcessPoolExecutor

from generator.forked import Standby, forked_map, side_by_side

BIG = list(range(5000))


def squares(part: range) -> list[tuple[int, int]]:
    # Reads module data the child inherited at the fork; returns who computed each item.
    return [(BIG[i] * BIG[i], os.getpid()) for i in part]


def test_results_come_back_in_order_from_two_processes():
    out = forked_map(squares, len(BIG), jobs=2, min_count=10)
    assert [value for value, _pid in out] == [i * i for i in BIG]
    assert len({pid for _value, pid in out}) == 2  # really split: half came from a child
    assert out[0][1] == os.getpid()


def test_small_inputs_and_one_job_stay_in_this_process():
    for jobs, count in ((1, 5000), (2, 5)):
        out = forked_map(squares, count, jobs=jobs, min_count=10)
        assert {pid for _value, pid in out} == {os.getpid()}


def fails_in_the_child(part: range) -> list[int]:
    if part.start > 0:
        raise ValueError("bad item in the second half")
    return list(part)


def test_an_error_in_a_child_is_raised_here_with_its_traceback():
    with pytest.raises(RuntimeError, match="bad item in the second half"):
        forked_map(fails_in_the_child, 100, jobs=2, min_count=10)


def dies_in_the_child(part: range) -> list[int]:
    if part.start > 0:
        os._exit(3)
    return list(part)


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="exited with code 3"):
        forked_map(dies_in_the_child, 100, jobs=2, min_count=10)


def test_related_articles_are_the_same_split_or_not():
    rng = random.Random(7)
    vocabulary = [f"词{i}" for i in range(400)]
    vectors = []
    for _ in range(related.PARALLEL_THRESHOLD + 500):
        weights = {t: rng.random() for t in rng.sample(vocabulary, 40)}
        vectors.append(related.sparse_vector(weights))
    ids = [f"a{i:05d}" for i in range(len(vectors))]
    serial = related.find_related(ids, vectors, jobs=1)
    assert related.find_related(ids, vectors, jobs=2) == serial
    assert sum(bool(r) for r in serial) > len(vectors) * 0.9


def test_side_by_side_runs_the_first_in_a_child_and_the_second_here():
    there, here = side_by_side(lambda: (sum(BIG), os.getpid()), lambda: (len(BIG), os.getpid()))
    assert there[0] == sum(BIG) and here[0] == len(BIG)
    assert here[1] == os.getpid() != there[1]
    serial = side_by_side(lambda: os.getpid(), lambda: os.getpid(), parallel=False)
    assert serial == (os.getpid(), os.getpid())


def test_side_by_side_surfaces_a_failure_or_a_death_of_the_child():
    def fails() -> int:
        raise ValueError("the index could not be built")

    with pytest.raises(RuntimeError, match="the index could not be built"):
        side_by_side(fails, lambda: 1)
    with pytest.raises(RuntimeError, match="exited with code 4"):
        side_by_side(lambda: os._exit(4), lambda: 1)


def test_the_child_of_side_by_side_may_start_a_process_pool():
    # The search index uses a pool for big corpora; a daemon child could not start one.
    def pooled() -> list[int]:
        with ProcessPoolExecutor(max_workers=2) as pool:
            return list(pool.map(abs, [-1, -2, -3]))

    assert side_by_side(pooled, lambda: "here") == ([1, 2, 3], "here")


def test_a_standby_child_prepares_first_then_handles_the_payload(tmp_path):
    marker = tmp_path / "prepared"

    def prepare() -> None:
        marker.write_text(str(os.getpid()))

    with Standby(prepare, lambda payload: (sum(payload), os.getpid(), marker.read_text())) as standby:
        (total, pid, prepared_by), here = standby.beside([1, 2, 3], lambda: os.getpid())
    assert total == 6 and here == os.getpid() != pid
    assert prepared_by == str(pid)  # the same child prepared and handled


def test_an_unused_standby_is_stopped_without_waiting_for_it():
    import time

    started = time.perf_counter()
    with Standby(lambda: time.sleep(30), lambda payload: payload):
        pass
    assert time.perf_counter() - started < 5


def test_a_standby_that_failed_to_prepare_or_died_is_an_error_here():
    def broken() -> None:
        raise ValueError("no dictionary")

    with Standby(broken, lambda payload: payload) as standby, pytest.raises(RuntimeError, match="no dictionary"):
        standby.beside(1, lambda: None)
    with Standby(lambda: None, lambda payload: os._exit(5)) as standby, pytest.raises(RuntimeError, match="exited with code 5"):
        standby.beside(1, lambda: None)
