"""Which shard owns a server, and the shard options read as a plan (or refused in one line)."""

from __future__ import annotations

import pytest

from bot.library.errors import InvalidInput
from bot.library.shards import (
    ShardPlan,
    compact_ids,
    owned_guilds,
    shard_of,
    shard_plan,
)

# Real-shaped snowflakes: the timestamp sits above bit 22, so these land on shards 0..3 of 4.
GUILDS = {(shard + 4 * n) << 22 | 12345: shard for shard in range(4) for n in (1_000, 77_777)}


def test_a_server_is_on_the_shard_discord_computes() -> None:
    # The top bits (creation time) decide: 197038439483310086 // 2**22 = 46977624770.
    assert shard_of(197038439483310086, 1) == 0
    assert shard_of(197038439483310086, 4) == 2
    assert shard_of(197038439483310086, 7) == 46977624770 % 7
    for guild_id, shard in GUILDS.items():
        assert shard_of(guild_id, 4) == shard


@pytest.mark.parametrize(("count", "ids", "expected"), [
    ("4", "0-3", (0, 1, 2, 3)),
    ("8", "0,2,5", (0, 2, 5)),
    ("8", " 5 , 0-2 ", (0, 1, 2, 5)),
    ("8", "3,3,2-3", (2, 3)),
    ("6", None, tuple(range(6))),  # every shard of the count
    (" 2 ", "", (0, 1)),
])
def test_the_options_become_a_plan(count: str, ids: str | None,
                                   expected: tuple[int, ...]) -> None:
    plan = shard_plan(count, ids)
    assert plan is not None and plan.ids == expected
    assert plan.count == int(count)


def test_without_a_count_the_bot_is_unsharded() -> None:
    assert shard_plan(None, None) is None
    assert shard_plan("", None) is None


@pytest.mark.parametrize(("count", "ids", "said"), [
    ("4", "4", "shard 4 does not exist with a shard count of 4 (ids go from 0 to 3)"),
    ("4", "2-9", "shard 9 does not exist"),
    ("4", "3-1", "the range 3-1 runs backwards"),
    ("4", "x", "'x' is not a shard id or a range such as 0-3"),
    ("4", "0-", "'0-' is not a shard id"),
    ("4", "-1", "'-1' is not a shard id"),
    ("4", "1,,2", "an empty entry between commas"),
    ("x", "0", "shard count 'x' is not a whole number"),
    ("-2", None, "shard count '-2' is not a whole number"),
    ("0", None, "shard count 0 is out of range"),
    ("100000000", None, "out of range"),
    (None, "0-3", "--shards needs --shard-count"),
])
def test_bad_options_are_refused_in_one_line(count: str | None, ids: str | None,
                                             said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        shard_plan(count, ids)
    assert said in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_process_owns_the_servers_on_its_shards_that_its_client_has() -> None:
    plan = ShardPlan(4, (1, 3))
    mine = {g for g, shard in GUILDS.items() if shard in (1, 3)}
    assert {g for g in GUILDS if plan.owns(g)} == mine
    assert owned_guilds(GUILDS, 4, (1, 3)) == mine
    # A server on the process's shard that its client does not have is not posted for.
    some = sorted(mine)[:1]
    assert owned_guilds(some, 4, [1, 3]) == frozenset(some)
    # Unsharded, or every shard of the count: every server the client has.
    assert owned_guilds(GUILDS, None, None) == frozenset(GUILDS)
    assert owned_guilds(GUILDS, 4, None) == frozenset(GUILDS)
    assert owned_guilds([], 4, (0,)) == frozenset()


def test_a_plan_describes_itself_compactly() -> None:
    assert ShardPlan(8, (0, 1, 2, 3)).describe() == "shards 0-3 of 8"
    assert compact_ids([7, 0, 2, 1, 5]) == "0-2,5,7"
    assert compact_ids([]) == ""
