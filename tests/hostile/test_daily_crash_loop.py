"""The daily post is made exactly once a day even when the process dies in the middle of
it: after the claim, after the passage was chosen, after the message was sent but before it
was marked. A restart retries the interrupted post with the same nonce and passage, and
Discord (here the stand-in, holding to enforce_nonce) returns the message already made."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.library.clock import FakeClock
from bot.services.daily import DailyService
from sandbox.control import Sandbox
from sandbox.session import start_bot

START = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 in New York
CRASH_POINTS = ("claimed", "chosen", "sent", None)


class Killed(BaseException):
    """A kill at this step: nothing after it runs (not an Exception, so nothing catches it)."""


def crash_at(step: str | None) -> object:
    def checkpoint(reached: str) -> None:
        if reached == step:
            raise Killed(step)
    return checkpoint


async def test_one_post_a_day_over_30_days_of_crashes(sandbox: Sandbox,
                                                     settings: Settings) -> None:
    clock = FakeClock(START)
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        reply = await sandbox.slash(sandbox.users.curator, "daily set",
                                    {"channel": "book-club", "time": "09:01",
                                     "timezone": "America/New_York"})
        assert "Daily post set" in reply.content, reply.content
        services = running.bot.services
        crashes = 0
        for day in range(30):
            clock.set(START + timedelta(days=day, minutes=1, seconds=5))
            dying = DailyService(running.bot, services.store, services.excerpts, clock,
                                 checkpoint=crash_at(CRASH_POINTS[day % len(CRASH_POINTS)]))
            try:
                await dying.tick()
            except Killed:
                crashes += 1
            # The restarted process, a minute later, and a second tick that must do nothing.
            clock.advance(timedelta(minutes=1))
            restarted = DailyService(running.bot, services.store, services.excerpts, clock)
            await restarted.tick()
            assert await restarted.tick() == []
        assert crashes == sum(1 for d in range(30) if CRASH_POINTS[d % 4] is not None)
        rows = await services.store.daily.posts(sandbox.guild_id)
        assert len(rows) == 30 and all(r.error is None for r in rows), [r.error for r in rows]
        posted = [m for m in sandbox.messages("book-club")
                  if m.author.id == sandbox.users.bot.id and "Today's passage" in m.content]
        assert len(posted) == 30  # one message a day, none doubled
        assert sorted(m.id for m in posted) == sorted(r.message_id for r in rows)
    finally:
        await running.stop()


async def test_a_day_missed_while_the_bot_was_down_is_reported(sandbox: Sandbox,
                                                              settings: Settings) -> None:
    clock = FakeClock(START)
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily")
        await sandbox.slash(sandbox.users.curator, "daily set",
                            {"channel": "book-club", "time": "09:01",
                             "timezone": "America/New_York"})
        daily = running.bot.services.daily
        assert daily is not None
        clock.advance(timedelta(minutes=2))
        await daily.tick()
        # Down for two days: the next tick posts today's and records the two it missed.
        clock.advance(timedelta(days=3))
        with contextlib.suppress(Exception):
            await daily.tick()
        rows = await running.bot.services.store.daily.posts(sandbox.guild_id)
        missed = [r for r in rows if r.message_id is None]
        assert len(missed) == 2 and all("not running" in (r.error or "") for r in missed)
        status = await sandbox.slash(sandbox.users.reader, "daily status")
        assert "Missed" in status.content and "not running" in status.content
        now = await sandbox.slash(sandbox.users.curator, "daily now")
        await now.wait_until_done()
        status = await sandbox.slash(sandbox.users.reader, "daily status")
        assert "none yet" not in status.content
    finally:
        await running.stop()
