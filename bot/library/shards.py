"""Which servers a bot process serves when the bot's shards are split over processes.

Discord puts a server on shard `(guild_id >> 22) % shard_count`: the top bits of a
snowflake are its creation time, so servers spread evenly. A process runs some of the
shards (`--shards 0-3` of `--shard-count 8`) and owns exactly the servers on them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.library.errors import InvalidInput

# Far above any real bot (Discord asks for one shard per ~1,000 servers); a typo such as
# 1000000 would otherwise open that many connections.
MAX_SHARD_COUNT = 10_000


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends this server's events to."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardPlan:
    """The shards one process runs, out of the bot's `count`."""

    count: int
    ids: tuple[int, ...]

    def owns(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        return f"shards {compact_ids(self.ids)} of {self.count}"


def owned_guilds(guild_ids: Iterable[int], shard_count: int | None,
                 shard_ids: Collection[int] | None) -> frozenset[int]:
    """The servers among `guild_ids` that belong to this process. Without a shard count
    the process is the whole bot; without shard ids it runs every shard."""
    if not shard_count or shard_ids is None:
        return frozenset(guild_ids)
    wanted = frozenset(shard_ids)
    return frozenset(g for g in guild_ids if shard_of(g, shard_count) in wanted)


def parse_shard_count(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit():
        raise InvalidInput(f"shard count '{text}' is not a whole number")
    count = int(cleaned)
    if not 1 <= count <= MAX_SHARD_COUNT:
        raise InvalidInput(f"shard count {count} is out of range (1 to {MAX_SHARD_COUNT})")
    return count


def parse_shard_ids(text: str, count: int) -> tuple[int, ...]:
    """'0-3', '0,2,5' or a mix ('0-2,7') -> sorted shard ids, each below `count`."""
    ids: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            raise InvalidInput(f"shards '{text}' has an empty entry between commas")
        first, dash, last = part.strip().partition("-")
        if not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise InvalidInput(f"shards '{text}': '{part.strip()}' is not a shard id or "
                               "a range such as 0-3")
        low, high = int(first), int(last) if dash else int(first)
        if low > high:
            raise InvalidInput(f"shards '{text}': the range {low}-{high} runs backwards")
        if high >= count:
            raise InvalidInput(f"shards '{text}': shard {high} does not exist with a shard "
                               f"count of {count} (ids go from 0 to {count - 1})")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def shard_plan(count_text: str | None, ids_text: str | None) -> ShardPlan | None:
    """The plan the options or settings ask for; None means one unsharded connection."""
    if count_text is None or not count_text.strip():
        if ids_text is not None and ids_text.strip():
            raise InvalidInput("--shards needs --shard-count (STORYBOT_SHARD_COUNT) too")
        return None
    count = parse_shard_count(count_text)
    if ids_text is None or not ids_text.strip():
        return ShardPlan(count, tuple(range(count)))
    return ShardPlan(count, parse_shard_ids(ids_text, count))


def compact_ids(ids: Iterable[int]) -> str:
    """(0, 1, 2, 5) -> '0-2,5', for log lines."""
    runs: list[list[int]] = []
    for shard in sorted(ids):
        if runs and shard == runs[-1][1] + 1:
            runs[-1][1] = shard
        else:
            runs.append([shard, shard])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
