"""A write of one statement (`write_one`, SQLite only) is its own transaction in one hop: it
lands whole, stays out of another coroutine's open transaction, and waits for another
process's write lock past busy_timeout instead of failing the write it carries."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.store.sqlite.database import fetch_all, transaction, write_one
from bot.store.sqlite.store import SqliteStore

INSERT = "INSERT INTO bot_state (key, value) VALUES (?, ?)"
READ = "SELECT value FROM bot_state WHERE key = ?"


def shared(store: SqliteStore) -> aiosqlite.Connection:
    return store.posts.conn


async def values(conn: aiosqlite.Connection, key: str) -> list[str]:
    return [str(row[0]) for row in await fetch_all(conn, READ, (key,))]


async def test_the_write_is_committed_at_once(sqlite_store: SqliteStore,
                                              tmp_path: Path) -> None:
    await write_one(shared(sqlite_store), INSERT, ("probe", "written"))
    assert not shared(sqlite_store).in_transaction
    # Another connection (another process, as far as SQLite knows) reads it.
    other = sqlite3.connect(tmp_path / "library.db")
    try:
        assert other.execute(READ, ("probe",)).fetchall() == [("written",)]
    finally:
        other.close()


async def test_it_waits_for_a_transaction_open_on_the_same_connection(
        sqlite_store: SqliteStore) -> None:
    conn = shared(sqlite_store)
    opened, undo = asyncio.Event(), asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with transaction(conn):
                await conn.execute(INSERT, ("theirs", "undone"))
                opened.set()
                await undo.wait()
                raise RuntimeError("the other transaction fails")

    other = asyncio.create_task(failing_transaction())
    await opened.wait()
    mine = asyncio.create_task(write_one(conn, INSERT, ("mine", "kept")))
    await asyncio.sleep(0.05)
    assert not mine.done()  # it waits for the lock, not joining the open transaction
    undo.set()
    await asyncio.gather(other, mine)
    # Joined to the other transaction, the rollback would have taken this write with it.
    assert await values(conn, "mine") == ["kept"]
    assert await values(conn, "theirs") == []


async def test_it_outwaits_another_process_holding_the_write_lock(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    conn = shared(sqlite_store)
    await conn.execute("PRAGMA busy_timeout = 50")  # so the test need not wait 5 s
    holder = sqlite3.connect(tmp_path / "library.db", isolation_level=None,
                             check_same_thread=False)
    try:
        holder.execute("BEGIN IMMEDIATE")

        async def release_later() -> None:
            await asyncio.sleep(0.4)  # well past busy_timeout
            holder.execute("COMMIT")

        release = asyncio.create_task(release_later())
        await write_one(conn, INSERT, ("probe", "after the wait"))
        await release
    finally:
        holder.close()
    assert await values(conn, "probe") == ["after the wait"]
    assert not conn.in_transaction
