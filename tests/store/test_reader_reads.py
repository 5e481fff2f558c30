"""A reader's own reads, their signals for "for me" and their bookmarks, walk their own rows
and not their server's: however many reactions, kudos, bookmarks and stars other readers
left, the reads cost the same (SQLite, counted in steps of its virtual machine)."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.store.sqlite.database import _loop_twins
from bot.store.sqlite.store import SqliteStore
from tests.store.feedback_helpers import GUILD, story_with_posts

READER = 777
AT = "2026-11-21T10:00:00+00:00"


def _add_rows(path: Path, story_id: int, passage_ids: list[int], users: range,
              message_base: int) -> None:
    """Each user's kudos, bookmark, reaction and stars on the story, in this server."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO kudos (story_id, user_id, guild_id, at) VALUES (?, ?, ?, ?)",
            [(story_id, user, GUILD, AT) for user in users])
        conn.executemany(
            "INSERT INTO bookmarks (user_id, passage_id, story_id, guild_id, at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(user, passage_ids[user % len(passage_ids)], story_id, GUILD, AT) for user in users])
        conn.executemany(
            "INSERT INTO reactions (message_id, user_id, emoji, passage_id, story_id, guild_id, "
            "at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(message_base + user, user, "❤️", passage_ids[0], story_id, GUILD, AT)
             for user in users])
        conn.executemany(
            "INSERT INTO feedback (guild_id, story_id, passage_id, user_id, stars, at) "
            "VALUES (?, ?, NULL, ?, 4, ?)", [(GUILD, story_id, user, AT) for user in users])
    conn.close()


async def _statements(store: SqliteStore, read: Callable[[], Awaitable[object]]) -> list[str]:
    """The statements `read` ran about the reader, with their values, on either of the
    store's connections (the database thread's, or its twin on the loop's thread)."""
    seen: list[str] = []
    conn = store._conn
    twin = _loop_twins[conn]
    await conn.set_trace_callback(seen.append)
    twin.set_trace_callback(seen.append)
    try:
        await read()
    finally:
        await conn.set_trace_callback(None)
        twin.set_trace_callback(None)
    return [sql for sql in seen if str(READER) in sql]


def _steps(path: Path, statements: list[str]) -> int:
    """SQLite's steps for the statements, run again on a connection of their own."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn = sqlite3.connect(path)
    conn.set_progress_handler(count, 1)
    for sql in statements:
        conn.execute(sql).fetchall()
    conn.close()
    return steps


async def test_a_readers_reads_cost_the_same_in_a_busy_server(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    story, passages, _ = await story_with_posts(sqlite_store)
    passage_ids = [passage.id for passage in passages]
    _add_rows(path, story.id, passage_ids, range(READER, READER + 1), 50_000)
    feedback = sqlite_store.feedback

    async def signals() -> object:
        return await feedback.reader_signals(GUILD, READER, 30)

    async def bookmarks() -> object:
        return await feedback.bookmarks(READER, GUILD, 0, 10)

    quiet = {name: _steps(path, await _statements(sqlite_store, read))
             for name, read in (("signals", signals), ("bookmarks", bookmarks))}
    assert quiet["signals"] > 0 and quiet["bookmarks"] > 0
    found = await feedback.reader_signals(GUILD, READER, 30)
    assert found.kudos == {story.id} and found.recent[story.id].stars_count == 1
    page = await feedback.bookmarks(READER, GUILD, 0, 10)
    assert page[1] == 1 and page[0][0].story_id == story.id

    # Three thousand other readers, each with a row in every table of the server.
    _add_rows(path, story.id, passage_ids, range(1_000, 4_000), 100_000)
    busy = {name: _steps(path, await _statements(sqlite_store, read))
            for name, read in (("signals", signals), ("bookmarks", bookmarks))}
    # The same answers, and no step for another reader's row (walking them was 3,000
    # rows a table: tens of thousands of steps).
    assert await feedback.reader_signals(GUILD, READER, 30) == found
    assert await feedback.bookmarks(READER, GUILD, 0, 10) == page
    assert busy["signals"] <= quiet["signals"] + 50
    assert busy["bookmarks"] <= quiet["bookmarks"] + 50
