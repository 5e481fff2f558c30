"""The real bot on PostgreSQL, against the stand-in: the database restarts in the middle of
a daily post, after the message was sent and before it was recorded. The bot's writes
wait for the server and go through when it is back: the day has one message, recorded,
and the next tick does nothing. (The server is this module's own, so stopping it
disturbs no other test.)"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.library.clock import FakeClock
from bot.services.daily import DailyService
from sandbox.control import Sandbox
from sandbox.session import start_bot
from tests.conftest import DEMO_STORIES
from tests.e2e.conftest import demo_library_on_postgres
from tests.store.pg_faults import OwnServer

START = datetime(2026, 1, 15, 14, 0, tzinfo=UTC)  # 09:00 in New York
DOWN_FOR = 1.0  # seconds


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    server = OwnServer.start_new()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
async def settings(own_server: OwnServer,
                   demo_library_template: Path) -> AsyncIterator[Settings]:
    async for dsn in demo_library_on_postgres(own_server.dsn, demo_library_template):
        yield Settings(storybot_db=dsn, demo_stories_dir=DEMO_STORIES,
                       _env_file=None)  # type: ignore[call-arg]


async def test_a_restart_between_send_and_record_leaves_one_recorded_post(
        sandbox: Sandbox, settings: Settings, own_server: OwnServer) -> None:
    clock = FakeClock(START)
    running = await start_bot(sandbox, settings, clock=clock)
    restarted: list[threading.Timer] = []

    def restart_the_database(step: str) -> None:
        if step == "sent" and not restarted:
            own_server.stop()  # a fast shutdown: every connection of the bot is cut
            restarted.append(threading.Timer(DOWN_FOR, own_server.start))
            restarted[0].start()

    try:
        await sandbox.wait_for_commands("daily")
        reply = await sandbox.slash(sandbox.users.curator, "daily set",
                                    {"channel": "book-club", "time": "09:01",
                                     "timezone": "America/New_York"})
        assert "Daily post set" in reply.content, reply.content
        services = running.bot.services
        clock.set(START + timedelta(minutes=1, seconds=5))
        daily = DailyService(running.bot, services.store, services.excerpts, clock,
                             checkpoint=restart_the_database)
        outcomes = await daily.tick()
        assert restarted, "the database was restarted mid-post"
        assert [o.error for o in outcomes] == [None]
        assert await daily.tick() == []

        rows = await services.store.daily.posts(sandbox.guild_id)
        assert len(rows) == 1 and rows[0].message_id is not None and rows[0].error is None
        posted = [m for m in sandbox.messages("book-club")
                  if m.author.id == sandbox.users.bot.id and "Today's passage" in m.content]
        assert [m.id for m in posted] == [rows[0].message_id]
        assert await services.store.posts.get(rows[0].message_id) is not None
    finally:
        for timer in restarted:
            timer.join()
        own_server.start()
        await running.stop()
