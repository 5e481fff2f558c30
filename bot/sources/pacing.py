"""The rules that keep storybot a polite client, as plain objects on an injectable clock.

Nothing here sleeps or touches the network: each rule answers "how long to wait?" or "may
this happen?", so tests drive them with a FakeClock instead of waiting.

- SitePacer: requests to one site at least `min_interval` apart, and none before a
  Retry-After the site asked for has passed. Fetch threads reserve slots, so it locks.
- retry_delay: how long to wait after a 429/503 (the site's Retry-After, else doubling).
- DailyCap: how many works one server may fetch per UTC day.
- TimedCache: a fetched work is reused for an hour instead of fetched again.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Generic, TypeVar

from bot.library.clock import Clock
from bot.sources.errors import DailyLimitReached

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SitePacer:
    """Per-site request slots, shared by every fetch thread."""

    def __init__(self, clock: Clock, min_interval: timedelta) -> None:
        self._clock = clock
        self.min_interval = min_interval
        self._next_free: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def reserve(self, site: str) -> timedelta:
        """Take the site's next request slot; the caller waits the returned time first."""
        with self._lock:
            now = self._clock.now()
            slot = max(now, self._next_free.get(site, now))
            self._next_free[site] = slot + self.min_interval
            return slot - now

    def hold_off(self, site: str, until: datetime) -> None:
        """The site asked us to wait (Retry-After): no request to it before `until`."""
        with self._lock:
            self._next_free[site] = max(self._next_free.get(site, until), until)

    def wait_for(self, site: str) -> timedelta:
        """How long until the site takes a request, without taking the slot."""
        with self._lock:
            now = self._clock.now()
            return max(timedelta(0), self._next_free.get(site, now) - now)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (delay in seconds, or an HTTP date) as a wait; None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(timedelta(0), moment - now)


def retry_delay(attempt: int, retry_after: timedelta | None, base: timedelta) -> timedelta:
    """The wait before retry number `attempt` (0-based): what the site asked for, else
    base, 2×base, 4×base ... so a struggling site gets ever more room."""
    if retry_after is not None:
        return retry_after
    return base * (2**attempt)


class DailyCap:
    """At most `per_day` fetched works per server per UTC day (cache hits are free).
    guild_id None is the operator (CLI, scheduled update checks): never capped."""

    def __init__(self, clock: Clock, per_day: int) -> None:
        self._clock = clock
        self.per_day = per_day
        self._day = clock.now().date()
        self._used: dict[int, int] = {}

    def _roll(self) -> None:
        today = self._clock.now().date()
        if today != self._day:
            self._day, self._used = today, {}

    def used(self, guild_id: int | None) -> int:
        self._roll()
        return 0 if guild_id is None else self._used.get(guild_id, 0)

    def take(self, guild_id: int | None, url: str) -> None:
        """Count one fetch for the server, or raise DailyLimitReached."""
        self._roll()
        if guild_id is None:
            return
        if self._used.get(guild_id, 0) >= self.per_day:
            now = self._clock.now()
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                                        tzinfo=UTC)
            raise DailyLimitReached(url, self.per_day, midnight - now)
        self._used[guild_id] = self._used.get(guild_id, 0) + 1

    def give_back(self, guild_id: int | None) -> None:
        """A fetch that never reached the site (it was answered from the cache or joined
        one already under way) does not count."""
        self._roll()
        if guild_id is not None and self._used.get(guild_id, 0) > 0:
            self._used[guild_id] -= 1


class TimedCache(Generic[K, V]):
    """Values kept for `ttl` after they were stored."""

    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        self._clock = clock
        self.ttl = ttl
        self._items: dict[K, tuple[datetime, V]] = {}

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        stored_at, value = item
        if self._clock.now() - stored_at >= self.ttl:
            del self._items[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        now = self._clock.now()
        self._items = {k: v for k, v in self._items.items() if now - v[0] < self.ttl}
        self._items[key] = (now, value)

    def forget(self, key: K) -> None:
        self._items.pop(key, None)
