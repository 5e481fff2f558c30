"""Writes on the event loop's own thread (`write_on_loop`, SQLite file libraries): a write
of one statement or one script lands at once, without waiting behind the database thread's
queue; it waits its turn behind a transaction or a write of the shared connection, and
behind another connection holding the file's write lock; a failed script leaves nothing
behind; and the loop's writes are checkpointed on the database thread, not on the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.store.sqlite import database
from bot.store.sqlite.database import (
    LOOP_WRITES_PER_CHECKPOINT,
    fetch_all,
    fetch_few,
    transaction,
    write_on_loop,
    write_one,
)
from bot.store.sqlite.store import SqliteStore

SLOW = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000) "
        "SELECT count(*) FROM n")  # seconds of work for the database thread


def insert(key: str, value: str = "written") -> str:
    return f"INSERT INTO bot_state (key, value) VALUES ('{key}', '{value}')"


@pytest.fixture
def conn(sqlite_store: SqliteStore) -> aiosqlite.Connection:
    return sqlite_store.stories.conn


async def stored(conn: aiosqlite.Connection, key: str) -> list[str]:
    rows = await fetch_few(conn, "SELECT value FROM bot_state WHERE key = ?", (key,))
    return [str(row[0]) for row in rows]


def in_the_file_alone(path: Path) -> int:
    """Rows of bot_state in the database file itself, without what waits in its WAL."""
    with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as reader:
        return int(reader.execute("SELECT count(*) FROM bot_state").fetchone()[0])


async def test_a_write_does_not_queue_behind_the_database_thread(
        conn: aiosqlite.Connection) -> None:
    slow = asyncio.create_task(fetch_all(conn, SLOW))
    await asyncio.sleep(0.05)  # the database thread is counting
    await write_one(conn, insert("probe"))
    assert not slow.done(), "the write waited for the slow query"
    assert await stored(conn, "probe") == ["written"]  # and every read sees it at once
    await slow


async def test_a_write_waits_for_an_open_transaction(conn: aiosqlite.Connection) -> None:
    committed = asyncio.Event()
    release = asyncio.Event()

    async def holding() -> None:
        async with transaction(conn):
            await conn.execute(insert("first"))
            await release.wait()
        committed.set()

    holder = asyncio.create_task(holding())
    await asyncio.sleep(0.05)  # the transaction is open
    assert not write_on_loop(conn, insert("second"), ())
    write = asyncio.create_task(write_one(conn, insert("second")))
    await asyncio.sleep(0.05)
    assert not write.done(), "the write went ahead of the open transaction"
    release.set()
    await write
    assert committed.is_set()
    await holder
    assert await stored(conn, "first") == ["written"]
    assert await stored(conn, "second") == ["written"]


async def test_a_write_waits_for_another_connections_lock(conn: aiosqlite.Connection,
                                                          tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "library.db", isolation_level=None,
                            check_same_thread=False)  # another process's, as SQLite knows
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(insert("theirs"))
        assert not write_on_loop(conn, insert("ours"), ())  # busy: nothing written
        write = asyncio.create_task(write_one(conn, insert("ours")))
        await asyncio.sleep(0.2)
        assert not write.done(), "the write did not wait for the file's lock"
        other.execute("COMMIT")
        await write
    finally:
        other.close()
    assert await stored(conn, "theirs") == ["written"]
    assert await stored(conn, "ours") == ["written"]


async def test_a_failed_script_leaves_nothing_and_no_transaction_open(
        conn: aiosqlite.Connection) -> None:
    await write_one(conn, insert("taken", "before"))
    script = f"BEGIN IMMEDIATE; {insert('half')}; {insert('taken')}; COMMIT;"
    with pytest.raises(sqlite3.IntegrityError):
        write_on_loop(conn, script, None)
    assert await stored(conn, "half") == []
    assert await stored(conn, "taken") == ["before"]
    await write_one(conn, insert("after"))  # the writer is not stuck in the failed one
    assert await stored(conn, "after") == ["written"]


async def test_the_loops_writes_are_checkpointed_on_the_database_thread(
        conn: aiosqlite.Connection, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    await fetch_all(conn, "PRAGMA wal_checkpoint(TRUNCATE)")  # the file holds everything
    before = in_the_file_alone(path)
    for number in range(LOOP_WRITES_PER_CHECKPOINT - 1):
        assert write_on_loop(conn, insert(f"key {number}"), ())
    assert in_the_file_alone(path) == before  # still in the WAL: no checkpoint on the loop
    assert write_on_loop(conn, insert("the last"), ())
    await asyncio.gather(*database._checkpoints)  # the one it started, off the loop
    assert in_the_file_alone(path) == before + LOOP_WRITES_PER_CHECKPOINT


async def test_an_in_memory_library_writes_through_its_only_connection() -> None:
    store = await SqliteStore.open(":memory:")
    try:
        conn = store.stories.conn
        assert not write_on_loop(conn, insert("probe"), ())
        await write_one(conn, insert("probe"))
        assert await stored(conn, "probe") == ["written"]
    finally:
        await store.close()
