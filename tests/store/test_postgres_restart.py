"""A PostgreSQL that restarts mid-run: writes made while it is away wait and are retried,
no reaction is lost, a daily claim is made exactly once, reads come back; a COMMIT whose
answer is lost is recognised (not run twice); past the retry budget the failure is one line.

The server is the module's own (stopped and started with pgserver's pg_ctl), so the rest of
the suite's server is never disturbed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.library.models import TagKind
from bot.library.records import ReactionChange
from bot.store.postgres.change_feed import PostgresChangeFeed
from bot.store.postgres.database import create_pool
from bot.store.postgres.feedback_writer import FeedbackWriter
from bot.store.postgres.retry import DatabaseUnavailable, RetryPolicy
from bot.store.postgres.store import PostgresStore
from tests.store.backends import fresh_schema, with_search_path
from tests.store.feedback_helpers import GUILD, story_with_posts
from tests.store.pg_faults import CommitCutter, OwnServer

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 12, 2)
AT = "2026-12-02T09:00:00"


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    server = OwnServer.start_new()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
async def dsn(own_server: OwnServer) -> AsyncIterator[str]:
    own_server.start()  # running, whatever an earlier test left
    async for target in fresh_schema(own_server.dsn):
        yield target


def hearts(message_id: int, users: range) -> list[ReactionChange]:
    return [ReactionChange(message_id, user, "❤️", True, AT) for user in users]


async def test_a_real_restart_loses_no_reaction_and_makes_one_daily_claim(
        own_server: OwnServer, dsn: str) -> None:
    store, other = await PostgresStore.open(dsn), await PostgresStore.open(dsn)
    try:
        story, _, messages = await story_with_posts(store)
        before = hearts(messages[0], range(0, 50))
        for change in before:
            await store.feedback_writes.reaction(change)
        await store.feedback_writes.flush()

        await asyncio.to_thread(own_server.stop)
        # While it is down: reactions queue up, a claim, a kudos and a read wait.
        during = hearts(messages[0], range(50, 250)) + hearts(messages[1], range(0, 100))
        for change in during:
            await store.feedback_writes.reaction(change)
        claim = asyncio.create_task(store.daily.claim(GUILD, DAY, NOW, "nonce-1"))
        kudos = asyncio.create_task(store.feedback_writes.toggle_kudos(
            story.id, 77, GUILD, AT))
        read = asyncio.create_task(store.daily.posts(GUILD))
        await asyncio.sleep(0.5)
        assert not (claim.done() or kudos.done() or read.done())  # waiting, not failed
        await asyncio.to_thread(own_server.start)

        assert await claim is True
        assert await kudos is True
        assert len(await read) <= 1  # before or after the claim: both are right
        await store.feedback_writes.flush()
        # The other process's claim for the same day loses: one post for the day.
        assert await other.daily.claim(GUILD, DAY, NOW, "nonce-1") is False
        assert [row.local_date for row in await store.daily.posts(GUILD)] == [DAY]
        expected = {(c.message_id, c.user_id, c.emoji) for c in before + during}
        assert set(await store.feedback.reactions()) == expected
        assert store.writer.busy_retries > 0
    finally:
        await other.close()
        await store.close()


async def test_every_backend_terminated_mid_run_is_ridden_out(
        own_server: OwnServer, dsn: str) -> None:
    """pg_terminate_backend on every connection (as a crash would leave them): the next
    reads, idempotent writes and claims run on fresh connections."""
    store = await PostgresStore.open(dsn, max_connections=4)
    admin = await asyncpg.connect(dsn)
    try:
        _, _, messages = await story_with_posts(store)
        expected: set[tuple[int, int, str]] = set()
        for round_number in range(4):
            users = range(round_number * 100, round_number * 100 + 100)
            for change in hearts(messages[0], users):
                await store.feedback_writes.reaction(change)
                expected.add((change.message_id, change.user_id, change.emoji))
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND backend_type = 'client backend'")
            day = date(2026, 12, 3 + round_number)
            assert await store.daily.claim(GUILD, day, NOW) is True
            assert await store.daily.last_claimed_date(GUILD) == day
        await store.feedback_writes.flush()
        assert set(await store.feedback.reactions()) == expected
        assert len(await store.daily.posts(GUILD)) == 4
    finally:
        await admin.close()
        await store.close()


async def test_a_lost_commit_answer_is_recognised_not_run_twice(
        own_server: OwnServer, dsn: str) -> None:
    """The claim's COMMIT reaches the server, its answer never comes back. Run again
    blindly, the claim would meet its own row and say False (no post that day); a kudos
    toggle would toggle back. Both ask the server whether the first COMMIT happened."""
    cutter = CommitCutter(own_server.socket_path)
    port = await cutter.start()
    schema = dsn.rsplit("search_path=", 1)[1]
    store = await PostgresStore.open(cutter.dsn(port, schema))
    try:
        story, _, _ = await story_with_posts(store)
        cutter.armed = True
        assert await store.daily.claim(GUILD, DAY, NOW, "nonce-2") is True
        assert cutter.cuts == 1
        assert len(await store.daily.posts(GUILD)) == 1

        cutter.armed = True
        assert await store.feedback_writes.toggle_kudos(story.id, 5, GUILD, AT) is True
        assert cutter.cuts == 2
        given = await store.pool.fetchval("SELECT count(*) FROM kudos WHERE user_id = 5")
        assert given == 1

        # A rename keeps the old name as a synonym: run twice, it would add it twice.
        tag = next(t for t in story.tags if t.kind is TagKind.FREEFORM)
        found = await store.tags.find(tag.kind, tag.name)
        assert found is not None
        cutter.armed = True
        assert await store.tags.rename(found, tag.name + " Renamed") == [story.id]
        assert cutter.cuts == 3
        spellings = await store.pool.fetchval(
            "SELECT count(*) FROM tags WHERE canonical_id = $1 AND name = $2",
            found.id, found.name)
        assert spellings == 1
    finally:
        await store.close()
        await cutter.close()


async def test_past_the_budget_a_down_server_is_one_line(
        own_server: OwnServer, dsn: str, caplog: pytest.LogCaptureFixture) -> None:
    pool = await create_pool(dsn, policy=RetryPolicy(first_delay=0.05, budget=0.5))
    changes = await PostgresChangeFeed.open(dsn, pool)
    writer = FeedbackWriter(pool)
    writer.start()
    store = PostgresStore(pool, writer, changes)
    closed = False
    try:
        with pytest.raises(asyncpg.PostgresSyntaxError):  # not transient: not retried
            await store.pool.fetch("SELEC 1")
        await asyncio.to_thread(own_server.stop)
        with pytest.raises(DatabaseUnavailable) as failed:
            await store.daily.get(GUILD)
        message = str(failed.value)
        assert "\n" not in message and own_server.socket_path.rsplit("/", 1)[0] in message
        assert "gave up" in message
        with pytest.raises(DatabaseUnavailable):  # a kudos waits no longer than that
            await store.feedback_writes.toggle_kudos(1, 5, GUILD, AT)
        # Shutting down while it is away ends (after the budget), saying what was not saved.
        await store.feedback_writes.reaction(hearts(9000, range(1))[0])
        await store.close()
        closed = True
        assert "1 queued feedback writes were not saved" in caplog.text
    finally:
        await asyncio.to_thread(own_server.start)
        if not closed:
            await store.close()


def test_the_cli_reports_a_down_server_in_one_line(own_server: OwnServer) -> None:
    own_server.start()
    target = with_search_path(own_server.dsn, "public")
    own_server.stop()
    try:
        checked = CliRunner().invoke(app, ["db", "check", target])
    finally:
        own_server.start()
    assert checked.exit_code == 1
    lines = checked.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach PostgreSQL at ")
