"""Connecting to PostgreSQL: a connection pool, numbered migrations, transactions.

Every process of the bot opens its own pool on the same database; migrations take an
advisory lock, so two processes starting together migrate once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.library.errors import StoryBotError
from bot.store.errors import schema_too_new

_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")
# Any number: it only has to be the same in every storybot process.
_MIGRATION_LOCK = 0x5708B07
POOL_MIN = 1
POOL_MAX = 10
CONNECT_TIMEOUT = 10.0

# A pool or one of its connections (inside a transaction): both run queries.
Executor = Any


class DatabaseUnavailable(StoryBotError):
    """The database named by the DSN could not be reached or refused us (one line)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """Every bundled migration, in order. Numbers must run 1, 2, 3... with no gaps."""
    found: list[Migration] = []
    for entry in resources.files("bot.store.postgres").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(
                f"migration {migration.name} is out of sequence (expected {expected})"
            )
    return found


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


async def create_pool(dsn: str, *, min_size: int = POOL_MIN, max_size: int = POOL_MAX,
                      migrate_schema: bool = True) -> asyncpg.Pool:
    """A pool of connections to `dsn`, the schema migrated. Failures become one line."""
    try:
        pool = await asyncpg.create_pool(
            dsn, min_size=min_size, max_size=max_size, timeout=CONNECT_TIMEOUT,
            command_timeout=60,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError,
            asyncpg.InterfaceError, ValueError) as problem:
        reason = str(problem).strip().splitlines()[0] if str(problem).strip() else (
            type(problem).__name__)
        raise DatabaseUnavailable(
            f"cannot reach PostgreSQL at {describe_target(dsn)}: {reason}"
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
    ends, rolled back if it raises."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn
    note_write(pool)


# Committed writes per pool (by id: asyncpg pools take no weak references), for
# Store.write_count. Counted: every transaction() and the few single-statement library
# writes that call note_write; the feedback writer's batches (reactions) are not. Writes
# by another process are not seen, so a cache keyed on it is per process.
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


def is_transient(error: BaseException) -> bool:
    """A failure worth retrying: the server went away or two transactions collided."""
    return isinstance(error, (
        OSError, TimeoutError, asyncpg.PostgresConnectionError,
        asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError,
        asyncpg.SerializationError, asyncpg.DeadlockDetectedError,
        asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError,
    ))
