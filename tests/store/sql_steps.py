"""Counting what a read costs SQLite, in steps of its virtual machine: the statements a
read ran (traced on both of the store's connections) are run again on a connection of
their own under a progress handler. A read bounded by its keys costs the same steps
however many rows other readers, passages or stories have in the server."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.store.sqlite.database import _loop_twins
from bot.store.sqlite.store import SqliteStore
from tests.store.feedback_helpers import GUILD

AT = "2026-11-21T10:00:00+00:00"


def add_rows(path: Path, story_id: int, passage_ids: list[int], users: range,
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
            "VALUES (?, ?, ?, ?, 4, ?)",
            [(GUILD, story_id, passage_ids[user % len(passage_ids)], user, AT)
             for user in users])
    conn.close()


async def statements(store: SqliteStore, read: Callable[[], Awaitable[object]],
                     marker: str) -> list[str]:
    """The statements holding `marker` that `read` ran, with their values, on either of
    the store's connections (the database thread's, or its twin on the loop's thread)."""
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
    return [sql for sql in seen if marker in sql]


def steps(path: Path, sqls: list[str]) -> int:
    """SQLite's steps for the statements, run again on a connection of their own."""
    count = 0

    def step() -> int:
        nonlocal count
        count += 1
        return 0

    conn = sqlite3.connect(path)
    conn.set_progress_handler(step, 1)
    for sql in sqls:
        conn.execute(sql).fetchall()
    conn.close()
    return count
