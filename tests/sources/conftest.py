"""Fixtures for stories from links: a StorySources on a FakeClock whose waits move the
clock instead of sleeping, and the local story site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.library.clock import FakeClock
from tests.sources.local_site import LocalSite


class SleepRecorder:
    """The fetch threads' sleep: records each wait and moves the fake clock by it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def sleeper(clock: FakeClock) -> SleepRecorder:
    return SleepRecorder(clock)


@pytest.fixture
def local_site() -> Iterator[LocalSite]:
    with LocalSite().running() as site:
        yield site
