"""The PostgreSQL store's own concerns: migrations, a newer schema, a DSN that goes nowhere,
and claims made by two stores (two bot processes) at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.store.errors import SchemaTooNew
from bot.store.postgres.database import DatabaseUnavailable, load_migrations, schema_version
from bot.store.postgres.store import PostgresStore
from tests.store.backends import fresh_schema


@pytest.fixture
async def dsn(pg_server: str):  # type: ignore[no-untyped-def]
    async for target in fresh_schema(pg_server):
        yield target


async def test_migrates_an_empty_schema_once(dsn: str) -> None:
    first = await PostgresStore.open(dsn)
    try:
        assert await schema_version(first.pool) == len(load_migrations())
        tables = {r[0] for r in await first.pool.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}
        assert {"stories", "chapters", "passages", "tags", "story_tags", "authors",
                "story_search", "daily_posts", "reactions"} <= tables
    finally:
        await first.close()
    second = await PostgresStore.open(dsn)
    try:
        applied = await second.pool.fetchval("SELECT count(*) FROM storybot_schema")
        assert applied == len(load_migrations())  # nothing applied twice
    finally:
        await second.close()


async def test_a_schema_from_a_newer_storybot_is_refused_with_both_versions(dsn: str) -> None:
    store = await PostgresStore.open(dsn)
    newest = len(load_migrations())
    await store.pool.execute("INSERT INTO storybot_schema (version) VALUES ($1)", newest + 3)
    await store.close()
    with pytest.raises(SchemaTooNew) as refused:
        await PostgresStore.open(dsn)
    assert f"schema version {newest + 3}" in str(refused.value)
    assert f"up to {newest}" in str(refused.value)


async def test_an_unreachable_server_is_one_line_naming_the_host() -> None:
    with pytest.raises(DatabaseUnavailable) as failed:
        await PostgresStore.open("postgresql://nobody@127.0.0.1:1/library")
    message = str(failed.value)
    assert "\n" not in message and "127.0.0.1:1" in message


async def test_a_wrong_database_name_is_one_line(pg_server: str) -> None:
    parts = urlsplit(pg_server)
    wrong = urlunsplit(parts._replace(path="/no_such_library"))
    with pytest.raises(DatabaseUnavailable) as failed:
        await PostgresStore.open(wrong)
    assert "no_such_library" in str(failed.value) and "\n" not in str(failed.value)


async def test_two_processes_claiming_the_same_day_get_one_claim(dsn: str) -> None:
    one, two = await PostgresStore.open(dsn), await PostgresStore.open(dsn)
    try:
        now = datetime(2026, 5, 5, 12, tzinfo=UTC)
        days = [date(2026, 5, d) for d in range(1, 21)]
        results = await asyncio.gather(*(store.daily.claim(7, day, now)
                                         for day in days for store in (one, two)))
        assert sum(results) == len(days)  # each day claimed exactly once
        assert len(await one.daily.posts(7)) == len(days)
    finally:
        await one.close()
        await two.close()


async def test_a_story_added_through_one_store_is_seen_by_another(dsn: str) -> None:
    from bot.library.models import Chapter, Rating, StoryDraft

    one, two = await PostgresStore.open(dsn), await PostgresStore.open(dsn)
    try:
        draft = StoryDraft(title="Shared", authors=["A"], chapters=[Chapter(1, "", "Tide.")],
                           rating=Rating.GENERAL)
        story = await one.stories.add(draft, [], guild_id=3)
        assert [s.id for s in await two.stories.search(3, "tide")] == [story.id]
        with pytest.raises(asyncpg.UniqueViolationError):  # the schema refuses a twin
            await two.pool.execute(
                "INSERT INTO stories (guild_id, title, rating, words, chapters, content_hash,"
                " added_at) SELECT guild_id, title, rating, words, chapters, content_hash, "
                "added_at FROM stories WHERE id = $1", story.id)
    finally:
        await one.close()
        await two.close()


async def test_queued_reactions_survive_the_server_dropping_every_connection(dsn: str) -> None:
    """As after a PostgreSQL restart: each connection of the pool is cut mid-burst; the
    writer retries its batch on a new connection and nothing queued is lost."""
    from bot.library.records import ReactionChange
    from tests.store.feedback_helpers import story_with_posts

    store = await PostgresStore.open(dsn)
    admin = await asyncpg.connect(dsn)
    try:
        _, _, messages = await story_with_posts(store)
        expected = set()
        for round_number in range(5):
            for user in range(round_number * 200, round_number * 200 + 200):
                await store.feedback_writes.reaction(
                    ReactionChange(messages[0], user, "❤️", True, "2026-11-21T10:00:00"))
                expected.add((messages[0], user, "❤️"))
            await asyncio.sleep(0.03)  # the round's batch is being written now
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND backend_type = 'client backend'")
        await store.feedback_writes.flush()
        # (Whether a cut hits a batch in flight, which the writer then retries, or an idle
        # connection, which the pool replaces, depends on timing; neither may lose a row.)
        assert set(await store.feedback.reactions()) == expected
    finally:
        await admin.close()
        await store.close()


async def test_the_search_indexes_keep_small_pending_lists(dsn: str) -> None:
    """Migration 9: a GIN index's pending list is read whole by every search and priced
    by the planner, which walked every story for a rare word rather than read it; kept at
    64 kB, the list never grows past a few stories. A search's words are written into its
    statement (search.tsquery_sql), so each is planned for its words: a rare word, words
    with quotes and backslashes around them, and a word found nowhere all answer rightly."""
    from bot.library.models import Chapter, Rating, StoryDraft
    from bot.library.visibility import ALL_GUILDS

    store = await PostgresStore.open(dsn)
    try:
        for index in ("story_search_document", "story_search_title"):
            options = await store.pool.fetchval(
                "SELECT reloptions FROM pg_class WHERE relname = $1", index)
            assert "gin_pending_list_limit=64" in options
        drafts = [(StoryDraft(title=f"Harbour {n}", authors=["Wren"], rating=Rating.TEEN,
                              chapters=[Chapter(1, "", f"The sea, day {n}.")]), [])
                  for n in range(300)]
        drafts.append((StoryDraft(title="O'Keeper", authors=["Wren"], rating=Rating.TEEN,
                                  chapters=[Chapter(1, "", "A lighthouse.")]), []))
        ids = await store.bulk.add_batch(drafts, guild_id=None)
        assert list(await store.stories.search_ids(ALL_GUILDS, "lighthouse")) == [ids[-1]]
        assert list(await store.stories.search_ids(
            ALL_GUILDS, "it's 'light\\house' o'keeper")) == []
        assert list(await store.stories.search_ids(ALL_GUILDS, "'o'keep\\")) == [ids[-1]]
        assert list(await store.stories.search_ids(ALL_GUILDS, "zzqxj")) == []
    finally:
        await store.close()
