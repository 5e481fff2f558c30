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

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh id whose guild would land on `shard_id` of `shard_count` by Discord's
        sharding formula, `(id >> 22) % shard_count`: the next id, its timestamp moved
        forward a few milliseconds when needed (later ids stay larger)."""
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not one of 0..{shard_count - 1}")
        snowflake = self.next()
        millis = snowflake >> 22
        ahead = (shard_id - millis) % shard_count
        if ahead:
            snowflake = ((millis + ahead) << 22) | (snowflake & ((1 << 22) - 1))
            self._last = snowflake
        return snowflake


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events (Discord's sharding formula)."""
    return (guild_id >> 22) % shard_count


def snowflake_time_ms(snowflake: int) -> int:
    """Unix time in milliseconds encoded in a snowflake."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS
