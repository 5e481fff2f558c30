"""The politeness rules on a fake clock: nothing here waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.library.clock import FakeClock
from bot.sources import DailyLimitReached
from bot.sources.pacing import DailyCap, SitePacer, TimedCache, parse_retry_after, retry_delay

TWO_S = timedelta(seconds=2)


def test_requests_to_one_site_get_slots_at_least_the_interval_apart(clock: FakeClock) -> None:
    pacer = SitePacer(clock, TWO_S)
    assert pacer.reserve("ao3") == timedelta(0)
    assert pacer.reserve("ao3") == TWO_S
    assert pacer.reserve("ao3") == 2 * TWO_S
    assert pacer.reserve("ffn") == timedelta(0)  # another site is not held up
    clock.advance(timedelta(seconds=10))
    assert pacer.reserve("ao3") == timedelta(0)


def test_a_retry_after_holds_every_request_to_that_site(clock: FakeClock) -> None:
    pacer = SitePacer(clock, TWO_S)
    pacer.reserve("ao3")
    pacer.hold_off("ao3", clock.now() + timedelta(seconds=30))
    assert pacer.wait_for("ao3") == timedelta(seconds=30)
    assert pacer.reserve("ao3") == timedelta(seconds=30)
    assert pacer.reserve("ao3") == timedelta(seconds=32)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == timedelta(seconds=120)
    assert parse_retry_after("Sun, 01 Mar 2026 12:05:00 GMT", now) == timedelta(minutes=5)
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == timedelta(0)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_without_retry_after_the_wait_doubles() -> None:
    base = timedelta(seconds=5)
    assert [retry_delay(n, None, base).total_seconds() for n in range(3)] == [5, 10, 20]
    assert retry_delay(2, timedelta(seconds=7), base) == timedelta(seconds=7)


def test_each_server_has_its_own_daily_cap_until_utc_midnight(clock: FakeClock) -> None:
    cap = DailyCap(clock, per_day=2)
    cap.take(1, "u")
    cap.take(1, "u")
    cap.take(2, "u")
    with pytest.raises(DailyLimitReached) as caught:
        cap.take(1, "u")
    assert "fetched its 2 stories for today" in str(caught.value)
    assert caught.value.resets_in == timedelta(hours=12)
    for _ in range(5):
        cap.take(None, "u")  # the operator is never capped
    cap.give_back(1)
    cap.take(1, "u")
    clock.advance(timedelta(hours=12))
    assert cap.used(1) == 0
    cap.take(1, "u")


def test_the_cache_forgets_after_its_time(clock: FakeClock) -> None:
    cache: TimedCache[str, int] = TimedCache(clock, timedelta(hours=1))
    cache.put("a", 1)
    clock.advance(timedelta(minutes=59))
    assert cache.get("a") == 1
    clock.advance(timedelta(minutes=1))
    assert cache.get("a") is None
