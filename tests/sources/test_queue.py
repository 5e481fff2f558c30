"""The per-site queue: order, positions and waits a requester sees, and timeouts."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from bot.library.clock import FakeClock
from bot.sources import FetchTimedOut, Queued, Started
from bot.sources.queue import FetchProgress, FetchQueue, SiteLane

TYPICAL = timedelta(seconds=30)


def test_a_lane_runs_one_work_and_tells_the_others_where_they_stand(clock: FakeClock) -> None:
    lane = SiteLane(clock, TYPICAL)
    for name in ("a", "b", "c"):
        lane.join(name)
    assert lane.next_to_start() == "a"
    assert lane.next_to_start() is None  # one at a time
    assert [lane.position(n) for n in ("b", "c")] == [1, 2]
    assert lane.estimated_wait(1) == TYPICAL
    assert lane.estimated_wait(2) == 2 * TYPICAL
    clock.advance(timedelta(seconds=10))
    assert lane.estimated_wait(1) == timedelta(seconds=20)
    lane.finish()  # took 10 s: the estimate moves towards it
    assert lane.typical_work == timedelta(seconds=25)
    assert lane.next_to_start() == "b"
    assert lane.position("c") == 1


def _blocking_job(gate: threading.Event, ran: list[str], name: str):  # type: ignore[no-untyped-def]
    def job(abort: threading.Event) -> str:
        ran.append(f"start {name}")
        gate.wait(10)
        ran.append(f"end {name}")
        return name

    return job


async def test_works_for_one_site_run_in_order_and_see_their_position(clock: FakeClock) -> None:
    queue: FetchQueue[str] = FetchQueue(clock, TYPICAL)
    gate = threading.Event()
    ran: list[str] = []
    seen: dict[str, list[FetchProgress]] = {"a": [], "b": [], "c": []}
    tasks = [
        asyncio.create_task(queue.run("site", _blocking_job(gate, ran, name),
                                      timeout=timedelta(seconds=20),
                                      on_timeout=lambda: RuntimeError("late"),
                                      listener=seen[name].append, url=name))
        for name in ("a", "b", "c")
    ]
    while not ran:
        await asyncio.sleep(0.01)
    assert queue.waiting("site") == 3
    gate.set()
    assert await asyncio.gather(*tasks) == ["a", "b", "c"]
    assert ran == ["start a", "end a", "start b", "end b", "start c", "end c"]
    assert seen["a"] == [Started("a")]
    assert seen["b"] == [Queued(1, TYPICAL), Started("b")]
    assert seen["c"][0] == Queued(2, 2 * TYPICAL)
    assert seen["c"][1].position == 1  # type: ignore[union-attr]
    assert seen["c"][-1] == Started("c")


async def test_different_sites_do_not_wait_for_each_other(clock: FakeClock) -> None:
    queue: FetchQueue[str] = FetchQueue(clock, TYPICAL)
    gate = threading.Event()
    ran: list[str] = []
    slow = asyncio.create_task(queue.run("one", _blocking_job(gate, ran, "slow"),
                                         timeout=timedelta(seconds=20),
                                         on_timeout=lambda: RuntimeError("late")))
    quick = await queue.run("two", lambda abort: "quick", timeout=timedelta(seconds=20),
                            on_timeout=lambda: RuntimeError("late"))
    assert quick == "quick" and not slow.done()
    gate.set()
    assert await slow == "slow"


async def test_a_timed_out_work_is_answered_at_once_but_holds_its_site_until_it_stops(
    clock: FakeClock,
) -> None:
    queue: FetchQueue[str] = FetchQueue(clock, TYPICAL)
    stopped = threading.Event()

    def stubborn(abort: threading.Event) -> str:
        abort.wait(10)  # a fetch thread stops at its next request once aborted
        stopped.set()
        return "too late"

    with pytest.raises(FetchTimedOut):
        await queue.run("site", stubborn, timeout=timedelta(seconds=0.05),
                        on_timeout=lambda: FetchTimedOut("u", timedelta(seconds=0.05)))
    seen: list[FetchProgress] = []
    after = asyncio.create_task(queue.run("site", lambda abort: "next",
                                          timeout=timedelta(seconds=20),
                                          on_timeout=lambda: RuntimeError("late"),
                                          listener=seen.append, url="next"))
    assert await after == "next"
    assert stopped.is_set()  # the next work started only after the first really stopped
    assert seen[0] == Queued(1, TYPICAL)
