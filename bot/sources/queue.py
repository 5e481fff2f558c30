"""One work at a time per site, first come first served, with a position and an estimated
wait that every requester can watch.

`SiteLane` is the bookkeeping (who runs, who waits, how long that may take) on an
injectable clock; `FetchQueue` drives it: it hands each work to a worker thread when its
turn comes and reports progress events to the requester's listener.

A work that runs past its timeout is answered with FetchTimedOut at once, but its site
stays busy until the worker thread has really stopped (it stops at its next request), so
a slow site never gets two of our requests at a time.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.library.clock import Clock
from bot.sources.fetched import FetchedWork

T = TypeVar("T")


@dataclass(frozen=True)
class Queued:
    """Waiting: `position` 1 is next to start; `estimated_wait` until it starts."""

    position: int
    estimated_wait: timedelta


@dataclass(frozen=True)
class Started:
    url: str


@dataclass(frozen=True)
class BackingOff:
    """The site asked us to slow down (429/503); the fetch goes on after `wait`."""

    wait: timedelta


@dataclass(frozen=True)
class Finished:
    work: FetchedWork


FetchProgress = Queued | Started | BackingOff | Finished
ProgressListener = Callable[[FetchProgress], None]


class _Ticket:
    def __init__(self, listener: ProgressListener | None) -> None:
        self.listener = listener
        self.turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.last_told: Queued | None = None


class SiteLane:
    """The works for one site: the one running and those waiting, in arrival order."""

    def __init__(self, clock: Clock, typical_work: timedelta) -> None:
        self._clock = clock
        self.typical_work = typical_work
        self.waiting: deque[object] = deque()
        self.running: object | None = None
        self.started_at: datetime | None = None

    def join(self, ticket: object) -> None:
        self.waiting.append(ticket)

    def leave(self, ticket: object) -> None:
        if ticket in self.waiting:
            self.waiting.remove(ticket)

    def next_to_start(self) -> object | None:
        """Start the first waiting work if the lane is free; returns it."""
        if self.running is not None or not self.waiting:
            return None
        self.running = self.waiting.popleft()
        self.started_at = self._clock.now()
        return self.running

    def finish(self) -> None:
        """The running work is over; its duration refines the estimate for the rest."""
        if self.started_at is not None:
            took = self._clock.now() - self.started_at
            # A moving average: recent works of this site say most about the next ones.
            self.typical_work = (self.typical_work * 3 + took) / 4
        self.running, self.started_at = None, None

    def position(self, ticket: object) -> int:
        return list(self.waiting).index(ticket) + 1

    def estimated_wait(self, position: int) -> timedelta:
        """The running work's expected remainder plus a typical work per work ahead."""
        remainder = timedelta(0)
        if self.started_at is not None:
            remainder = max(timedelta(0),
                            self.typical_work - (self._clock.now() - self.started_at))
        return remainder + self.typical_work * (position - 1)


class FetchQueue(Generic[T]):
    def __init__(self, clock: Clock, typical_work: timedelta = timedelta(seconds=30)) -> None:
        self._clock = clock
        self._typical_work = typical_work
        self._lanes: dict[str, SiteLane] = {}

    def lane(self, site: str) -> SiteLane:
        if site not in self._lanes:
            self._lanes[site] = SiteLane(self._clock, self._typical_work)
        return self._lanes[site]

    def waiting(self, site: str) -> int:
        """Works queued for a site, the running one included."""
        lane = self._lanes.get(site)
        if lane is None:
            return 0
        return len(lane.waiting) + (lane.running is not None)

    async def run(
        self,
        site: str,
        job: Callable[[threading.Event], T],
        *,
        timeout: timedelta,
        on_timeout: Callable[[], Exception],
        listener: ProgressListener | None = None,
        url: str = "",
    ) -> T:
        """Run `job(abort)` in a worker thread when the site's turn comes. `abort` is set
        when the requester stops waiting (timeout or cancellation)."""
        lane = self.lane(site)
        ticket = _Ticket(listener)
        lane.join(ticket)
        self._advance(site)
        try:
            await ticket.turn
        except BaseException:
            lane.leave(ticket)
            if lane.running is ticket:
                self._release(site)
            raise
        if listener is not None:
            listener(Started(url))
        abort = threading.Event()
        worker = asyncio.ensure_future(asyncio.to_thread(job, abort))
        try:
            return await asyncio.wait_for(asyncio.shield(worker), timeout.total_seconds())
        except TimeoutError:
            abort.set()
            raise on_timeout() from None
        except BaseException:
            abort.set()
            raise
        finally:
            if worker.done():
                self._release(site)
            else:
                worker.add_done_callback(lambda _done: self._release(site))

    def _release(self, site: str) -> None:
        lane = self._lanes[site]
        lane.finish()
        self._advance(site)

    def _advance(self, site: str) -> None:
        """Start the next work if the site is free, and tell every waiting requester
        where it now stands (only when that changed)."""
        lane = self._lanes[site]
        started = lane.next_to_start()
        if isinstance(started, _Ticket) and not started.turn.done():
            started.turn.set_result(None)
        for ticket in list(lane.waiting):
            assert isinstance(ticket, _Ticket)
            position = lane.position(ticket)
            news = Queued(position, lane.estimated_wait(position))
            if ticket.listener is not None and (
                ticket.last_told is None or ticket.last_told.position != position
            ):
                ticket.last_told = news
                ticket.listener(news)
