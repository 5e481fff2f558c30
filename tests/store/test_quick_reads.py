"""Reads by key on the event loop's own thread (`fetch_few`, SQLite only): they see what the
shared connection would see, a transaction's own writes included, and they do not wait
behind the database thread's queue, which is what they are for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from bot.store.sqlite.database import connect, fetch_all, fetch_few, transaction
from bot.store.sqlite.store import SqliteStore

READ = "SELECT value FROM bot_state WHERE key = ?"
# Seconds of work for the database thread: a recursive count SQLite walks row by row.
SLOW = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000) "
        "SELECT count(*) FROM n")


@pytest.fixture
def store(sqlite_store: SqliteStore) -> SqliteStore:
    return sqlite_store


def shared(store: SqliteStore) -> aiosqlite.Connection:
    return store.stories.conn


async def values(conn: aiosqlite.Connection, key: str) -> list[str]:
    return [str(row[0]) for row in await fetch_few(conn, READ, (key,))]


async def test_a_transaction_reads_its_own_writes(store: SqliteStore) -> None:
    conn = shared(store)
    async with transaction(conn):
        await conn.execute("INSERT INTO bot_state (key, value) VALUES ('probe', 'uncommitted')")
        assert await values(conn, "probe") == ["uncommitted"]
    assert await values(conn, "probe") == ["uncommitted"]


async def test_a_rolled_back_write_is_not_read(store: SqliteStore) -> None:
    conn = shared(store)
    with pytest.raises(RuntimeError):
        async with transaction(conn):
            await conn.execute("INSERT INTO bot_state (key, value) VALUES ('probe', 'undone')")
            raise RuntimeError("the transaction fails")
    assert await values(conn, "probe") == []


async def test_another_connections_commit_is_read_at_once(store: SqliteStore,
                                                          tmp_path: Path) -> None:
    conn = shared(store)
    assert await values(conn, "probe") == []
    other = await connect(tmp_path / "library.db")  # another process's, as far as SQLite knows
    try:
        await other.execute("INSERT INTO bot_state (key, value) VALUES ('probe', 'theirs')")
        assert await values(conn, "probe") == ["theirs"]
        await other.execute("UPDATE bot_state SET value = 'changed' WHERE key = 'probe'")
        assert await values(conn, "probe") == ["changed"]
    finally:
        await other.close()


async def test_a_read_by_key_does_not_queue_behind_the_database_thread(
        store: SqliteStore) -> None:
    conn = shared(store)
    slow = asyncio.create_task(fetch_all(conn, SLOW))
    await asyncio.sleep(0.05)  # the database thread is counting
    assert await values(conn, "probe") == []
    assert not slow.done(), "the read waited for the slow query"
    assert (await slow)[0][0] == 4_000_000


async def test_an_in_memory_library_reads_through_its_only_connection() -> None:
    store = await SqliteStore.open(":memory:")
    try:
        conn = shared(store)
        await conn.execute("INSERT INTO bot_state (key, value) VALUES ('probe', 'here')")
        assert await values(conn, "probe") == ["here"]
    finally:
        await store.close()
