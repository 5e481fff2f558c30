"""The sharded bot (AutoShardedBot running chosen shards) against the stand-in, and daily
posts that stay exactly-once when two processes both think a server is theirs: on SQLite
and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.app import ShardedStoryBot
from bot.bootstrap import build_services
from bot.config import Settings
from bot.library.clock import FakeClock
from bot.library.schedule import DailySchedule
from bot.library.shards import ShardPlan, shard_of
from bot.services.daily import DailyService, PostOutcome
from sandbox.control import Sandbox
from sandbox.session import start_bot
from tests.e2e.conftest import demo_library_on_postgres
from tests.e2e.test_daily import daily_posts, set_daily
from tests.e2e.test_gate_surfaces import TREK, text_of

START = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 in New York


@pytest.fixture(params=["sqlite", "postgres"])
async def library(request: pytest.FixtureRequest, settings: Settings,
                  demo_library_template: Path) -> AsyncIterator[Settings]:
    """The suite's settings on SQLite, or the same demo library copied into a fresh
    PostgreSQL schema."""
    if request.param == "sqlite":
        yield settings
        return
    async for dsn in demo_library_on_postgres(request.getfixturevalue("pg_server"),
                                              demo_library_template):
        yield settings.model_copy(update={"storybot_db": dsn})


async def test_the_sharded_bot_serves_its_shard_and_answers_a_slash_command(
    sandbox: Sandbox, settings: Settings
) -> None:
    running = await start_bot(sandbox, settings, shards=ShardPlan(1, (0,)))
    try:
        bot = running.bot
        assert isinstance(bot, ShardedStoryBot)
        assert bot.shard_count == 1 and set(bot.shards) == {0}
        (guild,) = bot.guilds
        assert guild.id == sandbox.guild_id and guild.shard_id == 0
        await sandbox.wait_for_commands("excerpt", "story", "daily")
        card = await sandbox.slash(sandbox.users.reader, "excerpt", channel="stories")
        assert card.embeds and card.embeds[0]["title"]
        listed = text_of(await sandbox.slash(sandbox.users.reader, "story list",
                                             channel="stories"))
        assert all(title in listed for title in TREK)
    finally:
        await running.stop()


async def test_a_process_posts_daily_only_for_servers_on_its_own_shards(
    sandbox: Sandbox, settings: Settings
) -> None:
    clock = FakeClock(START)
    ours = shard_of(sandbox.guild_id, 2)
    schedule = DailySchedule(sandbox.channel("book-club").id, time(9, 1), "America/New_York")
    # The other shard's process: due or not, this server is not its to post for (whether
    # or not the gateway sent it the server: the shard rule alone keeps it out).
    other = await start_bot(sandbox, settings, clock=clock, shards=ShardPlan(2, (1 - ours,)))
    try:
        daily = other.bot.services.daily
        assert daily is not None
        await other.bot.services.store.daily.save(sandbox.guild_id, schedule, clock.now())
        clock.advance(timedelta(minutes=2))
        assert daily.owned_guilds() == frozenset()
        assert await daily.tick() == []
        # Library-wide chores belong to shard 0's process alone.
        servers_cog = other.bot.get_cog("ServersCog")
        assert servers_cog is not None
        assert servers_cog.purge_due.is_running() == (ours == 1)  # type: ignore[attr-defined]
    finally:
        await other.stop()
    assert daily_posts(sandbox, "book-club") == []
    owner = await start_bot(sandbox, settings, clock=clock, shards=ShardPlan(2, (ours,)))
    try:
        daily = owner.bot.services.daily
        assert daily is not None and daily.owned_guilds() == {sandbox.guild_id}
        servers_cog = owner.bot.get_cog("ServersCog")
        assert servers_cog is not None
        assert servers_cog.purge_due.is_running() == (ours == 0)  # type: ignore[attr-defined]
        await daily.tick()  # the cog's own loop may have been first: either posts
        (row,) = await owner.bot.services.store.daily.posts(sandbox.guild_id)
    finally:
        await owner.stop()
    (post,) = daily_posts(sandbox, "book-club")
    assert post.id == row.message_id


async def test_two_processes_ticking_one_due_post_together_post_it_once(
    sandbox: Sandbox, library: Settings
) -> None:
    """Two daily services, each with its own connection to the one library (as two
    processes have), both count the server as theirs. Day after day they tick at the same
    moment, in either order, or the second starts while the first is in the middle of its
    post (claimed, passage chosen, sent, marked): one claim and one message a day."""
    clock = FakeClock(START)
    running = await start_bot(sandbox, library, clock=clock)
    second = await build_services(library.storybot_db, clock=clock, client=running.bot)
    late: list[asyncio.Task[list[PostOutcome]]] = []
    cut_in_at: list[str] = []

    def start_second_at(step: str) -> None:
        if cut_in_at and step == cut_in_at[0]:
            late.append(asyncio.get_running_loop().create_task(second_daily.tick()))

    try:
        await sandbox.wait_for_commands("daily")
        assert "Daily post set" in await set_daily(sandbox)
        services = running.bot.services
        first_daily = DailyService(running.bot, services.store, services.excerpts, clock,
                                   checkpoint=start_second_at)
        second_daily = DailyService(running.bot, second.store, second.excerpts, clock)
        assert first_daily.owned_guilds() == second_daily.owned_guilds() == {sandbox.guild_id}
        made: list[PostOutcome] = []
        moments = [None, None, "claimed", "chosen", "sent", "marked"]
        for day, moment in enumerate(moments):
            clock.set(START + timedelta(days=day, minutes=1, seconds=5))
            cut_in_at[:] = [moment] if moment else []
            if moment is None:  # together, in either order
                pair = (first_daily.tick(), second_daily.tick())
                ticks = await asyncio.gather(*(pair if day % 2 else pair[::-1]))
            else:
                ticks = [await first_daily.tick(), *await asyncio.gather(*late)]
                assert len(late) == 1, f"the first did not reach {moment!r} on day {day}"
                late.clear()
            today = [outcome for outcomes in ticks for outcome in outcomes]
            # At most one of them posted (the bot's own loop, ticking now and then, may
            # have been first); never both.
            assert len(today) <= 1 and all(o.error is None for o in today), (moment, today)
            made += today
            # A second round, as the next tick of each loop: nothing left to do.
            clock.advance(timedelta(minutes=1))
            assert await asyncio.gather(first_daily.tick(), second_daily.tick()) == [[], []]
        rows = await second.store.daily.posts(sandbox.guild_id)
        assert len(rows) == len(moments)
        assert all(r.message_id and not r.error for r in rows), rows
        posted = daily_posts(sandbox, "book-club")
        assert sorted(m.id for m in posted) == sorted(r.message_id for r in rows)
        assert {o.message_id for o in made} <= {m.id for m in posted}
    finally:
        await second.close()
        await running.stop()


async def test_a_fresh_claim_of_another_process_is_not_taken_for_a_crash(
    sandbox: Sandbox, library: Settings
) -> None:
    """A post claimed a moment ago and not yet marked is on its way in the process that
    claimed it; another process leaves it alone until it is old enough to be a crash's."""
    clock = FakeClock(START)
    running = await start_bot(sandbox, library, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        assert "Daily post set" in await set_daily(sandbox)
        clock.advance(timedelta(minutes=1, seconds=5))
        store = running.bot.services.store.daily
        today = START.date()
        assert await store.claim(sandbox.guild_id, today, clock.now(), "in-flight")
        daily = running.bot.services.daily
        assert daily is not None
        clock.advance(timedelta(seconds=10))
        assert await daily.tick() == []  # still on its way elsewhere
        assert daily_posts(sandbox, "book-club") == []
        clock.advance(timedelta(minutes=1))
        (retried,) = await daily.tick()  # now it is a crash's leftover: finished here
        assert retried.local_date == today and retried.message_id is not None
        (post,) = daily_posts(sandbox, "book-club")
        assert post.id == retried.message_id
    finally:
        await running.stop()
