"""Two bot processes, shards 0 and 1 of 2, on one PostgreSQL, against one stand-in with four
guilds (two on each shard), as an operator past one process runs them:

- each guild is served by exactly one process: the stand-in hands its events to the one
  connection whose shard owns it, and that process answers;
- a story the operator adds for every server (from a third process, the way `storybot import`
  does) is recommended through both processes within a second: each hears of it through
  PostgreSQL's LISTEN/NOTIFY and updates its recommendation index and titles;
- a daily post configured for every guild is posted exactly once each, though both processes
  tick at once and both read every server's schedule.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bootstrap import open_services
from bot.config import Settings
from bot.library.schedule import DailySchedule
from bot.library.shards import shard_of
from bot.store.open import open_store
from sandbox.control import Sandbox
from tests.e2e.test_on_postgres import settings  # noqa: F401 (the fixture: the bot on PostgreSQL)
from tests.e2e.test_run_command import read_lines_until, storybot_run
from tests.sandbox.conftest import assert_spec_clean

SHARDS = 2
# Unique to the story added while both processes run, so its results name only it.
NEW_TAG = "Lighthouse Keepers"
NEW_TITLE = "The Keeper of Gull Point"
NEW_STORY = (
    "The lamp at Gull Point had been lit every night for ninety years. Mara climbed the stair "
    "at dusk, counted the steps as her grandmother had, and wound the clockwork by hand.\n\n"
    "When the fog came in she rang the bell until her arms ached, and far out on the water a "
    "horn answered her, twice, the way the ferry always did when it had seen the light.\n"
)


@pytest.fixture
async def four_guilds() -> AsyncIterator[Sandbox]:
    async with Sandbox.start(validate_spec=True, guilds=4, shard_count=SHARDS) as sb:
        yield sb
        assert_spec_clean(sb)


async def schedule_every_guild(sandbox: Sandbox, db: str) -> None:
    """A daily post for every guild, due now: its time passed two minutes ago (UTC) and it
    was set yesterday, so today's post is owed and its window is open."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=2)).time().replace(second=0, microsecond=0)
    store = await open_store(db)
    try:
        for guild_id in sandbox.guild_ids:
            schedule = DailySchedule(sandbox.channel("book-club", guild_id).id, due, "UTC")
            await store.daily.save(guild_id, schedule, now - timedelta(days=1))
    finally:
        await store.close()


def daily_posts(sandbox: Sandbox, guild_id: int) -> list[str]:
    return [m.content for m in sandbox.messages("book-club", guild=guild_id)
            if m.author.id == sandbox.users.bot.id and "Today's passage" in m.content]


async def recommended_titles(sandbox: Sandbox, guild_id: int) -> str:
    result = await sandbox.slash(sandbox.users.reader, "recommend", {"tags": NEW_TAG},
                                 channel="stories", guild=guild_id, timeout=30)
    return " ".join(str(embed.get("description", "")) + str(embed.get("fields", ""))
                    for embed in result.embeds) + result.content


async def test_two_shard_processes_share_one_postgres(
    four_guilds: Sandbox, settings: Settings, tmp_path: Path  # noqa: F811
) -> None:
    sandbox, db = four_guilds, str(settings.storybot_db)
    guilds = sandbox.guild_ids
    assert sorted(shard_of(g, SHARDS) for g in guilds) == [0, 0, 1, 1]
    await schedule_every_guild(sandbox, db)

    async with AsyncExitStack() as running:
        processes = [
            await running.enter_async_context(storybot_run(
                sandbox, tmp_path, db, "--shard-count", str(SHARDS), "--shards", str(shard)))
            for shard in range(SHARDS)]
        await sandbox.wait_until_bot_ready(timeout=90, shards=SHARDS)
        for shard, process in enumerate(processes):
            await read_lines_until(process, 1, f"shard {shard} of {SHARDS} ready", timeout=90)
        await sandbox.wait_for_commands("recommend", "story", timeout=60)

        # Each guild is served by exactly one process: the one running its shard.
        for guild_id in guilds:
            serving = sandbox.server.hub.sessions_serving(guild_id)
            assert [s.shard for s in serving] == [(shard_of(guild_id, SHARDS), SHARDS)]
            listed = await sandbox.slash(sandbox.users.reader, "story list", channel="stories",
                                         guild=guild_id, timeout=30)
            assert listed.embeds, f"guild {guild_id} was not answered"

        # A story for every server, added from a third process: both bot processes hear of
        # it and recommend it. Not there before (so the index really changed).
        for guild_id in guilds:
            assert NEW_TITLE not in await recommended_titles(sandbox, guild_id)
        async with open_services(db) as operator:
            await operator.catalog.import_bytes(
                NEW_STORY.encode(), "keeper.txt", guild_id=None,
                metadata={"title": NEW_TITLE, "authors": ["Wren"], "tags": [NEW_TAG],
                          "rating": "General Audiences"})
            added = time.monotonic()
        seen_after: dict[int, float] = {}
        while len(seen_after) < len(guilds) and time.monotonic() - added < 10:
            # Every guild asked at once each round, so one slow answer delays no other ask.
            asking = [g for g in guilds if g not in seen_after]
            sent = time.monotonic() - added
            answers = await asyncio.gather(*(recommended_titles(sandbox, g) for g in asking))
            seen_after.update({g: sent for g, text in zip(asking, answers, strict=True)
                               if NEW_TITLE in text})
            await asyncio.sleep(0.05)
        assert set(seen_after) == set(guilds), seen_after
        # The asking request left within a second of the commit, and it found the story:
        # each process had it in its index by then.
        assert max(seen_after.values()) <= 1.0, seen_after

        # Daily posts: both processes tick at start; each server gets exactly one post.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
                daily_posts(sandbox, g) for g in guilds):
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # time for a second post, were one to come
        assert {g: len(daily_posts(sandbox, g)) for g in guilds} == {g: 1 for g in guilds}
        store = await open_store(db)
        try:
            for guild_id in guilds:
                assert await store.daily.last_claimed_date(guild_id) is not None
        finally:
            await store.close()
    assert all(process.returncode == 0 for process in processes)
