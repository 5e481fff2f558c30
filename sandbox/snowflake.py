"""Discord-style snowflake ids: milliseconds since the Discord epoch, worker, process, increment."""

from __future__ import annotations

import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Makes unique, time-ordered ids the way Discord does (64-bit, timestamp in the top 42 bits).

    Ids made in the same millisecond differ by the 12-bit increment; the timestamp is forced
    forward when the increment would wrap, so ids are strictly increasing.
    """

    def __init__(self, worker: int = 1, process: int = 0, *,
                 fixed_time_ms: int | None = None) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._counter = itertools.count()
        self._last = 0
        # Every id as if made at this Unix time: the same ids in the same order, each run.
        self._fixed_time_ms = fixed_time_ms

    def next(self) -> int:
        now_ms = self._fixed_time_ms if self._fixed_time_ms is not None else time.time() * 1000
        millis = int(now_ms) - DISCORD_EPOCH_MS
        increment = next(self._counter) & 0xFFF
        snowflake = (millis << 22) | (self._worker << 17) | (self._process << 12) | increment
        if snowflake <= self._last:
            snowflake = self._last + 1
        self._last = snowflake
        return snowflake


def snowflake_time_ms(snowflake: int) -> int:
    """Unix time in milliseconds encoded in a snowflake."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS
