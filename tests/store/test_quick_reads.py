"""Reads by key on the event loop's own thread (`fetch_few`, SQLite only): they see what the
shared connection would see, a transaction's own writes included, and they do not wait
behind the database thread's queue, which is what they are for. A bounded read
(`fetch_bounded`) runs there too, within an allowance of SQLite steps, and past it on the
database thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.store.sqlite.database import (
    BOUNDED_READ_STEPS,
    connect,
    fetch_all,
    fetch_bounded,
    fetch_few,
    transaction,
)
from bot.store.sqlite.store import SqliteStore

READ = "SELECT value FROM bot_state WHERE key = ?"


def count_to(last: int) -> str:
    """A read whose steps grow with `last`: SQLite counts row by row."""
    return (f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) "
            "SELECT count(*) FROM n")


SLOW = count_to(4_000_000)  # seconds of work for the database thread


async def in_order(read: Coroutine[Any, Any, list[Any]]) -> tuple[list[str], int]:
    """What ran first, the read or a task scheduled before it, and what the read counted. A
    read on the loop's thread never yields, so the task runs after it; a read that takes the
    hop to the database thread yields, so the task runs first."""
    events: list[str] = []

    async def other() -> None:
        events.append("other")

    task = asyncio.create_task(other())
    rows = await read
    events.append("read")
    await task
    return events, int(rows[0][0])


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


async def test_a_bounded_read_within_its_allowance_stays_on_the_loops_thread(
        store: SqliteStore) -> None:
    conn = shared(store)
    assert await in_order(fetch_bounded(conn, count_to(100))) == (["read", "other"], 100)


async def test_a_bounded_read_over_its_allowance_is_read_on_the_database_thread(
        store: SqliteStore) -> None:
    conn = shared(store)
    # Far more steps than the allowance: interrupted on the loop, then read whole.
    last = 10 * BOUNDED_READ_STEPS
    assert await in_order(fetch_bounded(conn, count_to(last))) == (["other", "read"], last)
    # A smaller allowance sends a smaller read there too.
    assert await in_order(fetch_bounded(conn, count_to(2_000), steps=1_000)) == (
        ["other", "read"], 2_000)


async def test_an_allowance_ends_with_its_read(store: SqliteStore) -> None:
    conn = shared(store)
    last = 10 * BOUNDED_READ_STEPS
    await fetch_bounded(conn, count_to(last))
    # A read by key after it is not held to that allowance: it stays on the loop's thread.
    assert await in_order(fetch_few(conn, count_to(last))) == (["read", "other"], last)


def steps_of(sql: str) -> int:
    """The instructions SQLite runs for `sql`, counted by a handler called at each one."""
    counter = sqlite3.connect(":memory:")
    calls = 0

    def count() -> bool:
        nonlocal calls
        calls += 1
        return False

    counter.set_progress_handler(count, 1)
    try:
        counter.execute(sql).fetchall()
    finally:
        counter.close()
    return calls


async def test_a_repeated_read_gets_its_whole_allowance_every_time(store: SqliteStore) -> None:
    conn = shared(store)
    read = count_to(500)
    allowance = steps_of(read) * 8 // 5  # the read takes 62% of it
    # SQLite carries a cached statement's count of instructions from run to run: a handler
    # that stopped at its first call left the second run 38% and sent it to the database
    # thread.
    for _ in range(4):
        assert await in_order(fetch_bounded(conn, read, steps=allowance)) == (
            ["read", "other"], 500)
