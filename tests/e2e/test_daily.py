"""/daily through the sandbox with a FakeClock: one post a day, with its thread, across
restarts; bad input and broken channels answered in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.library.clock import FakeClock
from bot.services.daily import PostOutcome
from sandbox.control import Sandbox
from sandbox.messages import MessageRecord
from sandbox.session import RunningBot, start_bot
from tests.conftest import PROJECT_ROOT

# 14:00 UTC is 09:00 in New York in January.
START = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)


async def tick(running: RunningBot) -> list[PostOutcome]:
    daily = running.bot.services.daily
    assert daily is not None
    return await daily.tick()


def daily_posts(sandbox: Sandbox, channel: str) -> list[MessageRecord]:
    return [m for m in sandbox.messages(channel)
            if m.author.id == sandbox.users.bot.id and "Today's passage" in m.content]


async def set_daily(sandbox: Sandbox, **options: object) -> str:
    values = {"channel": "book-club", "time": "09:01", "timezone": "America/New_York",
              **options}
    result = await sandbox.slash(sandbox.users.curator, "daily set", values)
    assert result.ephemeral
    return result.content


async def test_a_daily_post_is_made_once_with_its_thread_even_across_a_restart(
    sandbox: Sandbox, settings: Settings
) -> None:
    clock = FakeClock(START)
    first = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        reply = await set_daily(sandbox, role=sandbox.roles.readers.id)
        assert "Daily post set" in reply, reply
        assert await tick(first) == []  # 09:00 in New York: one minute early
        clock.advance(timedelta(minutes=1, seconds=5))
        (outcome,) = await tick(first)
        assert outcome.error is None and outcome.message_id is not None
        assert await tick(first) == []
    finally:
        await first.stop()
    second = await start_bot(sandbox, settings, clock=clock)
    try:
        clock.advance(timedelta(minutes=2))
        assert await tick(second) == []
        (post,) = daily_posts(sandbox, "book-club")
        assert post.id == outcome.message_id and post.embeds and post.components
        # Only the chosen role is pinged, and only by this message.
        assert post.pings.roles == (sandbox.roles.readers.id,)
        assert not post.pings.users and not post.pings.everyone
        assert post.thread_id is not None
        (opening,) = sandbox.messages(post.thread_id)
        assert "up to passage" in opening.content and "||spoiler||" in opening.content
        assert not opening.pings.anyone
        status = await sandbox.slash(sandbox.users.reader, "daily status")
        assert status.ephemeral and str(post.id) in status.content
        assert "Last error" not in status.content
        # The next day brings the next post.
        clock.advance(timedelta(days=1))
        (tomorrow,) = await tick(second)
        assert tomorrow.message_id is not None and tomorrow.message_id != post.id
    finally:
        await second.stop()


async def test_bad_input_gets_one_clear_line(sandbox: Sandbox, storybot: RunningBot) -> None:
    await sandbox.wait_for_commands("daily")
    assert "unknown time zone" in await set_daily(sandbox, timezone="Mars/Olympus_Mons")
    assert "hours go from 00 to 23" in await set_daily(sandbox, time="25:00")
    assert "is not a time" in await set_daily(sandbox, time="soon")
    assert "can't post in" in await set_daily(sandbox, channel="announcements")
    zones = await sandbox.autocomplete(sandbox.users.curator, "daily set",
                                       {"timezone": "new yo"}, focused="timezone")
    assert zones[0]["value"] == "America/New_York"
    reader = await sandbox.slash(sandbox.users.reader, "daily set",
                                 {"channel": "book-club", "time": "09:00", "timezone": "UTC"})
    assert "Only curators" in reader.content
    status = await sandbox.slash(sandbox.users.reader, "daily status")
    assert "no daily post here" in status.content


async def test_a_deleted_channel_is_reported_and_the_bot_goes_on(
    sandbox: Sandbox, settings: Settings
) -> None:
    clock = FakeClock(START)
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        await set_daily(sandbox, channel="general")
        await sandbox.delete_channel("general")
        clock.advance(timedelta(minutes=2))
        (outcome,) = await tick(running)
        assert outcome.error and "no longer exists" in outcome.error
        status = await sandbox.slash(sandbox.users.curator, "daily status", channel="stories")
        assert "Last error" in status.content and "no longer exists" in status.content
        still = await sandbox.slash(sandbox.users.reader, "excerpt", channel="stories")
        assert still.embeds
        assert await tick(running) == []  # that day is not retried
    finally:
        await running.stop()


async def test_serial_mode_reads_one_story_in_order_and_now_posts_at_once(
    sandbox: Sandbox, settings: Settings
) -> None:
    clock = FakeClock(START)
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        await set_daily(sandbox, mode="serial")
        footers = []
        clock.advance(timedelta(minutes=2))
        for day in range(3):
            clock.advance(timedelta(days=1 if day else 0))
            (outcome,) = await tick(running)
            assert outcome.message_id is not None, outcome.error
            footers.append(sandbox.message(outcome.message_id).embeds[0])
        titles = {embed["title"] for embed in footers}
        numbers = [int(embed["footer"]["text"].split()[1]) for embed in footers]
        assert len(titles) == 1 and numbers == [1, 2, 3], footers
        now = await sandbox.slash(sandbox.users.curator, "daily now")
        (done,) = await now.wait_for_followups(1)
        assert "Posted" in done.content
        assert len(daily_posts(sandbox, "book-club")) == 4
        off = await sandbox.slash(sandbox.users.curator, "daily off")
        assert "off" in off.content
        clock.advance(timedelta(days=1))
        assert await tick(running) == []
    finally:
        await running.stop()


def test_the_console_shows_the_daily_post_when_the_clock_moves_a_day(tmp_path: Path) -> None:
    # An hour ago today: nothing is owed for today, so the first post comes tomorrow.
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    lines = [f"/daily set channel:book-club time:{an_hour_ago:%H:%M} timezone:UTC",
             "clock +1d"]
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "STORYBOT_DB")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "library.db"), "start"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=tmp_path,
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)}, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    before, _, after = result.stdout.partition("> clock +1d")
    assert "Daily post set" in before and "Today's passage" not in before
    assert "Today's passage" in after, result.stdout[-3000:]
    assert "up to passage" in after  # the discussion thread's opening line
