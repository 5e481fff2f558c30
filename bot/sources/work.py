"""The state one work's fetch carries into FanFicFare's worker thread.

FanFicFare calls our fetcher from inside its own loops, some of which catch broad
exceptions; the first failure we raise is also recorded here, so the job reports that one
and not whatever FanFicFare turned it into.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from bot.library.clock import Clock
from bot.sources.errors import FetchTimedOut, SourceError
from bot.sources.pacing import SitePacer

# Blocks the worker thread for a number of seconds. The default is the abort event's
# wait, so an abandoned work stops sleeping at once; tests pass one that moves a FakeClock.
Sleeper = Callable[[float], None]


@dataclass
class PoliteRules:
    """How the fetch threads treat a site. Defaults are the production values."""

    min_interval: timedelta = timedelta(seconds=2)
    work_timeout: timedelta = timedelta(minutes=5)
    # First wait after a 429/503 without Retry-After; doubled per retry.
    retry_base: timedelta = timedelta(seconds=5)
    # Attempts per request (the first try included) before giving up on a busy site.
    max_attempts: int = 3
    # A site asking for a longer wait than this is reported, not waited for.
    longest_wait: timedelta = timedelta(minutes=2)
    # Per page: the same cap as an uploaded file.
    max_page_bytes: int = 20 * 1024 * 1024
    # Seconds to wait for a site to connect and answer (capped by what the work has left).
    request_timeout: float = 60.0


@dataclass
class WorkContext:
    url: str
    clock: Clock
    pacer: SitePacer
    rules: PoliteRules
    deadline: datetime
    abort: threading.Event = field(default_factory=threading.Event)
    sleep: Sleeper | None = None
    on_backoff: Callable[[timedelta], None] | None = None
    failure: SourceError | None = None
    requests_made: int = 0

    def remaining(self) -> timedelta:
        return self.deadline - self.clock.now()

    def fail(self, error: SourceError) -> NoReturn:
        if self.failure is None:
            self.failure = error
        raise error

    def check(self) -> None:
        """Stop here if the work ran out of time or its requester gave up."""
        if self.abort.is_set() or self.remaining() <= timedelta(0):
            self.fail(FetchTimedOut(self.url, self.rules.work_timeout))

    def pause(self, wait: timedelta) -> None:
        if wait <= timedelta(0):
            return
        if wait >= self.remaining():
            self.fail(FetchTimedOut(self.url, self.rules.work_timeout))
        seconds = wait.total_seconds()
        if self.sleep is not None:
            self.sleep(seconds)
        else:
            self.abort.wait(seconds)
        self.check()
