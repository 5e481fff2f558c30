"""Reads bounded by what they ask for: however many rows the rest of the server (or the
bot's history) has, they cost the same (SQLite, counted in steps of its virtual machine,
tests/store/sql_steps.py). A reader's own reads are in test_reader_reads.py.

- /excerpt weighs a batch of drawn passages by their reactions, bookmarks and stars in
  the server, on the event loop's thread: only those passages' rows;
- the daily loop looks for unfinished posts every 30 s: only the unfinished ones, not a
  row per server per day;
- a member's own suggestions: theirs, not their server's."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.store.protocol import Store
from bot.store.sqlite.store import SqliteStore
from tests.store.backends import RawDatabase
from tests.store.feedback_helpers import GUILD, story_with_posts
from tests.store.sql_steps import add_rows, statements, steps

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


async def test_a_batch_of_drawn_passages_reads_only_their_rows(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    drawn_story, drawn, _ = await story_with_posts(sqlite_store)
    other_story, others, _ = await story_with_posts(sqlite_store, "dead-reckoning.md",
                                                    first_message=9100)
    batch = [passage.id for passage in drawn[:3]]
    add_rows(path, drawn_story.id, batch, range(500, 504), 50_000)
    feedback = sqlite_store.feedback

    async def signals() -> object:
        return await feedback.passage_signals(GUILD, batch)

    quiet = steps(path, await statements(sqlite_store, signals, "UNION ALL SELECT 1,"))
    assert quiet > 0
    found = await feedback.passage_signals(GUILD, batch)
    # Four readers: each reacted to the first passage, bookmarked and starred one of three.
    assert found[batch[0]].reactions == 4
    assert sum(s.bookmarks for s in found.values()) == 4
    assert sum(s.stars_count for s in found.values()) == 4
    # The same figures the whole server's read gives for these passages.
    everything = await feedback.passage_signals(GUILD)
    assert found == {pid: everything[pid] for pid in batch if pid in everything}

    # Three thousand readers with a row in every table, on another story's passages.
    add_rows(path, other_story.id, [passage.id for passage in others], range(1_000, 4_000),
             100_000)
    busy = steps(path, await statements(sqlite_store, signals, "UNION ALL SELECT 1,"))
    assert await feedback.passage_signals(GUILD, batch) == found
    # No step for another passage's row (walking the server's was tens of thousands).
    assert busy <= quiet + 50


async def test_the_daily_loop_reads_only_unfinished_posts(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    daily = sqlite_store.daily
    assert await daily.claim(GUILD, date(2026, 11, 21), NOW)  # claimed, never marked

    quiet = steps(path, await statements(sqlite_store, daily.unfinished, "daily_posts"))
    assert quiet > 0
    found = await daily.unfinished()
    assert [(row.guild_id, row.local_date) for row in found] == [(GUILD, date(2026, 11, 21))]

    # Two years of posts made in 20 servers, each sent or failed.
    first = date(2024, 11, 21)
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO daily_posts (guild_id, local_date, claimed_at, message_id, error) "
            "VALUES (?, ?, ?, ?, ?)",
            [(guild, (first + timedelta(days=day)).isoformat(), NOW.isoformat(),
              None if day % 50 == 0 else 10_000 + day, "missed" if day % 50 == 0 else None)
             for guild in range(1, 21) for day in range(730)])
    conn.close()
    busy = steps(path, await statements(sqlite_store, daily.unfinished, "daily_posts"))
    assert await daily.unfinished() == found
    assert busy <= quiet + 20


async def test_a_members_suggestions_are_read_by_the_member(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    suggestions = sqlite_store.suggestions
    member = 777
    for work in ("https://archiveofourown.org/works/1", "https://archiveofourown.org/works/2"):
        await suggestions.suggest(GUILD, work, member, "", NOW)

    async def theirs() -> object:
        return await suggestions.of_user(GUILD, member)

    quiet = steps(path, await statements(sqlite_store, theirs, str(member)))
    found = await suggestions.of_user(GUILD, member)
    assert [record.work_key[-1] for record in found] == ["2", "1"]

    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO suggestions (guild_id, work_key, user_id, suggested_at) "
            "VALUES (?, ?, ?, ?)",
            [(GUILD, f"https://archiveofourown.org/works/{user}", user, NOW.isoformat())
             for user in range(1_000, 4_000)])
    conn.close()
    busy = steps(path, await statements(sqlite_store, theirs, str(member)))
    assert await suggestions.of_user(GUILD, member) == found
    assert quiet > 0 and busy <= quiet + 20


@pytest.mark.parametrize("backend", ["postgres"])
async def test_postgres_weighs_drawn_passages_through_their_indexes(
        store: Store, raw: RawDatabase) -> None:
    """PostgreSQL plans by its statistics: with them in (autovacuum analyzes a growing
    table), a batch of named passages is read through each table's passage index, not by
    reading every reaction, bookmark and star of the table (10,000 of each here)."""
    drawn_story, drawn, _ = await story_with_posts(store)
    other_story, others, _ = await story_with_posts(store, "dead-reckoning.md",
                                                    first_message=9100)
    batch = [passage.id for passage in drawn[:3]]
    pool = store.pool  # type: ignore[attr-defined]
    await pool.executemany(
        "INSERT INTO bookmarks (user_id, passage_id, story_id, guild_id, at) "
        "VALUES ($1, $2, $3, $4, $5)",
        [(user, others[user % len(others)].id, other_story.id, GUILD, NOW.isoformat()) for user in
         range(1_000, 11_000)])
    await pool.executemany(
        "INSERT INTO feedback (guild_id, story_id, passage_id, user_id, stars, at) "
        "VALUES ($1, $2, $3, $4, 4, $5)",
        [(GUILD, drawn_story.id if user < 1_002 else other_story.id,
          (drawn if user < 1_002 else others)[user % 3].id, user, NOW.isoformat())
         for user in range(1_000, 11_000)])
    await pool.executemany(
        "INSERT INTO reactions (message_id, user_id, emoji, passage_id, story_id, guild_id, "
        "at) VALUES ($1, $2, '❤️', $3, $4, $5, $6)",
        [(100_000 + user, user, others[user % len(others)].id, other_story.id, GUILD,
          NOW.isoformat()) for user in range(1_000, 11_000)])
    await pool.execute("ANALYZE")
    for table in ("reactions", "bookmarks", "feedback"):
        plan = await raw.value(
            f"EXPLAIN (FORMAT JSON) SELECT passage_id, COUNT(*) FROM {table} "
            "WHERE guild_id = ? AND passage_id IS NOT NULL AND passage_id = ANY(?::bigint[]) "
            "GROUP BY passage_id", GUILD, batch)
        assert '"Seq Scan"' not in plan, (table, plan)
    signals = await store.feedback.passage_signals(GUILD, batch)
    assert sum(s.stars_count for s in signals.values()) == 2
    assert sum(s.bookmarks for s in signals.values()) == 0
