"""Connecting to PostgreSQL: a connection pool, numbered migrations, transactions.

Every process of the bot opens its own pool on the same database; migrations take an
advisory lock, so two processes starting together migrate once. A server that restarts
mid-run is ridden out: the pool retries its statements and run_transaction re-runs whole
transactions (the policy, and why each retry is safe: retry.py).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from bot.store.errors import schema_too_new
from bot.store.migrations import Migration, bundled_migrations

# DatabaseUnavailable and is_transient live in retry.py; imported here, they keep being
# importable from this module too.
from bot.store.postgres.retry import (
    DEFAULT_POLICY,
    DatabaseUnavailable,
    RetryingPool,
    RetryLater,
    RetryPolicy,
    first_line,
    is_transient,
    pool_policy,
    pool_target,
    retrying,
)

T = TypeVar("T")

# Any number: it only has to be the same in every storybot process.
_MIGRATION_LOCK = 0x5708B07
POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT = 10.0

# A pool or one of its connections (inside a transaction): both run queries.
Executor = Any


def load_migrations() -> list[Migration]:
    return bundled_migrations("bot.store.postgres")


def describe_target(dsn: str) -> str:
    """Where a DSN points, without its password: for error lines."""
    parts = urlsplit(dsn)
    host = parts.hostname or ""
    if not host:  # a Unix socket given as ?host=/path
        match = re.search(r"[?&]host=([^&]+)", dsn)
        host = match.group(1) if match else "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path or ''}"


async def schema_version(conn: Executor) -> int:
    exists = await conn.fetchval("SELECT to_regclass('storybot_schema') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM storybot_schema"))


async def migrate(conn: asyncpg.Connection) -> int:
    """Apply the migrations the database has not seen, all in one transaction."""
    migrations = load_migrations()
    newest = migrations[-1].version if migrations else 0
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS storybot_schema (version INTEGER PRIMARY KEY, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        current = await schema_version(conn)
        if current > newest:
            raise schema_too_new(current, newest)
        for migration in migrations:
            if migration.version > current:
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO storybot_schema (version) VALUES ($1)", migration.version
                )
                current = migration.version
    return current


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection returned to the pool needs: nothing. asyncpg's default reset
    (unlock advisory locks, close cursors, UNLISTEN, RESET ALL) is one more round trip
    per pooled statement, half the cost of a primary-key read; no pooled connection keeps
    session state here (locks are per transaction, LISTEN has its own connection, the
    search path comes with the connection's start-up settings)."""


async def create_pool(dsn: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX,
                      migrate_schema: bool = True,
                      policy: RetryPolicy = DEFAULT_POLICY) -> asyncpg.Pool:
    """A pool of connections to `dsn`, the schema migrated. Failures become one line.

    Opening is tried once: a DSN that goes nowhere is reported at once (`storybot run`
    retries its start with its own backoff). Once open, a server that goes away for a
    while is ridden out by the pool's retries (bot/store/postgres/retry.py)."""
    try:
        pool = await RetryingPool(
            dsn, target=describe_target(dsn), policy=policy, min_size=min_size,
            max_size=max_size, timeout=CONNECT_TIMEOUT, command_timeout=60,
            reset=_keep_session,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError,
            asyncpg.InterfaceError, ValueError) as problem:
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {describe_target(dsn)}: {first_line(problem)}"
        ) from None
    if migrate_schema:
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
        except BaseException:
            await pool.close()
            raise
    return pool


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """One connection from the pool and a transaction on it: committed when the block
    ends, rolled back if it raises.

    Getting the connection and BEGIN are retried while the server is away (nothing has
    run yet). A context manager cannot run its block twice, so a connection lost inside
    the block surfaces as DatabaseUnavailable; work to be re-run goes to run_transaction."""
    target = pool_target(pool)

    async def begin() -> tuple[asyncpg.Connection, Any]:
        conn = await pool.acquire()
        try:
            started = conn.transaction()
            await started.start()
        except BaseException:
            await pool.release(conn)
            raise
        return conn, started

    conn, started = await retrying(begin, what="starting a transaction", target=target,
                                   policy=pool_policy(pool))
    try:
        try:
            yield conn
        except BaseException as error:
            await _roll_back(conn, started, error)
            if is_transient(error):
                raise DatabaseUnavailable(
                    f"PostgreSQL at {target} broke off a change ({first_line(error)}); "
                    "nothing of it was saved, try again") from None
            raise
        try:
            await started.commit()
        except Exception as error:
            if is_transient(error):
                _discard(conn)
                raise DatabaseUnavailable(
                    f"lost PostgreSQL at {target} while saving a change "
                    f"({first_line(error)}); it may not have been saved") from None
            raise
    finally:
        await pool.release(conn)
    note_write(pool)


async def _roll_back(conn: asyncpg.Connection, started: Any, error: BaseException) -> None:
    """Undo a transaction whose block raised. After a lost connection there is nothing to
    undo (the server rolled it back) and the connection is dropped, not pooled again: its
    protocol may be out of step."""
    if is_transient(error):
        _discard(conn)
        return
    with contextlib.suppress(Exception):
        await started.rollback()


def _discard(conn: asyncpg.Connection) -> None:
    """Close a connection that may be out of step, so the pool opens a fresh one. (A
    connection the server closed was already handed back: nothing to do.)"""
    with contextlib.suppress(asyncpg.InterfaceError):
        conn.terminate()


class _CommitUnanswered(RetryLater):
    """COMMIT was sent but its answer was lost: the transaction's id, to ask about it."""

    def __init__(self, xid: int, result: Any) -> None:
        super().__init__(f"the answer to COMMIT of transaction {xid} was lost")
        self.xid = xid
        self.result = result


async def run_transaction(pool: asyncpg.Pool,
                          work: Callable[[asyncpg.Connection], Awaitable[T]], *,
                          what: str, idempotent: bool = True,
                          policy: RetryPolicy | None = None,
                          on_failure: Callable[[], None] | None = None,
                          counts_as_write: bool = True) -> T:
    """`work(conn)` in one transaction, committed. After a lost connection it runs again
    from the start on a fresh connection (the failed attempt was rolled back, so this is
    safe), within the pool's retry budget.

    The one case where a rollback is not certain: the connection is lost after COMMIT was
    sent. An `idempotent` unit simply runs again. Any other unit notes its transaction id
    before COMMIT and, after such a loss, asks the server (txid_status) whether that
    transaction committed: if it did, its result stands and nothing runs twice.
    `policy` overrides the pool's; `on_failure` is called after each transient failure;
    `counts_as_write=False` keeps it out of write_count (the feedback writer's batches)."""
    unanswered: _CommitUnanswered | None = None

    async def attempt() -> T:
        nonlocal unanswered
        if unanswered is not None:
            async with pool.acquire() as conn:
                status = await conn.fetchval("SELECT txid_status($1)", unanswered.xid)
            if status == "committed":
                return unanswered.result  # type: ignore[no-any-return]
            if status == "in progress":  # the server has not yet seen the connection go
                raise unanswered
            unanswered = None  # rolled back: run it again
        async with pool.acquire() as conn:
            xid: int | None = None
            started = conn.transaction()
            await started.start()
            try:
                result = await work(conn)
                if not idempotent:
                    xid = int(await conn.fetchval("SELECT txid_current()"))
            except BaseException as error:
                await _roll_back(conn, started, error)
                raise
            try:
                await started.commit()
            except Exception as error:
                if is_transient(error):
                    _discard(conn)
                if xid is not None and is_transient(error):
                    unanswered = _CommitUnanswered(xid, result)
                    raise unanswered from error
                raise
        return result

    result = await retrying(attempt, what=what, target=pool_target(pool),
                            policy=policy or pool_policy(pool), on_failure=on_failure)
    if counts_as_write:
        note_write(pool)
    return result


# Committed writes per pool (by id: asyncpg pools take no weak references), for
# Store.write_count. Counted: every transaction() and run_transaction() and the
# single-statement library writes that call note_write; the feedback writer's batches
# (reactions) are not. Writes by another process are not seen, so a cache keyed on it is
# per process.
_writes: dict[int, int] = {}


def note_write(pool: asyncpg.Pool) -> None:
    _writes[id(pool)] = _writes.get(id(pool), 0) + 1


def write_count(pool: asyncpg.Pool) -> int:
    return _writes.get(id(pool), 0)


def forget_writes(pool: asyncpg.Pool) -> None:
    _writes.pop(id(pool), None)


def affected(status: str) -> int:
    """Rows touched, from a command status such as 'DELETE 3' or 'INSERT 0 1'."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
