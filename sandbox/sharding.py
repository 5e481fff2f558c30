"""Discord's gateway sharding rules as the stand-in applies them: the `shard` field of
IDENTIFY (`[shard_id, shard_count]`, close 4010 when invalid), which guild an event belongs
to, and the shard count GET /gateway/bot recommends.

A sharded session gets only the guilds with `(guild_id >> 22) % shard_count == shard_id`
(in READY, as GUILD_CREATE and in every later event of that guild); events of no guild
(DMs) go to shard 0 only. A session that would hold more than 2,500 guilds is closed with
4011 "Sharding required"."""

from __future__ import annotations

import math

from .entities import JsonDict

INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011
GUILDS_PER_RECOMMENDED_SHARD = 1000  # Discord's recommendation: about one shard per 1000
# Events whose payload is the guild itself (its id is `id`, not `guild_id`).
GUILD_OBJECT_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


class InvalidShard(ValueError):
    """IDENTIFY carried a `shard` Discord would refuse."""


def parse_shard(value: object) -> tuple[int, int] | None:
    """The (shard_id, shard_count) of an IDENTIFY `shard` field; None when it is absent.
    Discord wants two integers with 0 <= shard_id < shard_count."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InvalidShard(f"shard must be [shard_id, shard_count], not {value!r}")
    shard_id, shard_count = value
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (shard_id, shard_count)):
        raise InvalidShard(f"shard values must be integers, not {value!r}")
    if shard_count < 1 or not 0 <= shard_id < shard_count:
        raise InvalidShard(f"shard {shard_id} of {shard_count} does not exist")
    return shard_id, shard_count


def event_guild_id(event: str, data: JsonDict) -> int | None:
    """The guild a gateway event belongs to (None: not a guild event)."""
    raw = data.get("id") if event in GUILD_OBJECT_EVENTS else data.get("guild_id")
    return int(raw) if raw is not None else None


def recommended_shards(guild_count: int, override: int | None = None) -> int:
    """What GET /gateway/bot answers as `shards`: the override, else one per 1000 guilds
    (at least one)."""
    if override is not None:
        return max(1, override)
    return max(1, math.ceil(guild_count / GUILDS_PER_RECOMMENDED_SHARD))
