"""The store suite runs on both backends: a fresh SQLite file, or a fresh schema on a
throwaway PostgreSQL (started once per session with `pgserver`, or the server named by
STORYBOT_TEST_PG). Tests that look at rows directly use `RawDatabase`, which speaks to
either backend with `?` placeholders."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.store.open import open_store
from bot.store.postgres.testing import (
    NoThrowawayServer,
    create_schema,
    drop_schema,
    throwaway_server,
    with_search_path,
)
from bot.store.protocol import Store

BACKENDS = ["sqlite", "postgres"]
TEST_PG_ENV = "STORYBOT_TEST_PG"


def start_test_server() -> tuple[str, Any]:
    """A DSN for the session: STORYBOT_TEST_PG, else a pgserver in a temporary folder."""
    try:
        return throwaway_server(os.environ.get(TEST_PG_ENV))
    except NoThrowawayServer as error:
        pytest.skip(f"PostgreSQL tests need `pgserver` (the dev extras) or {TEST_PG_ENV}"
                    f" ({error})")


async def fresh_schema(dsn: str) -> AsyncIterator[str]:
    """A new, empty schema for one test; dropped with everything in it afterwards."""
    schema = await create_schema(dsn)
    try:
        yield with_search_path(dsn, schema)
    finally:
        await drop_schema(dsn, schema)


async def library_target(backend: str, tmp_path: Path,
                         pg_dsn: str | None) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "library.db")
        return
    assert pg_dsn is not None
    async for target in fresh_schema(pg_dsn):
        yield target


@dataclass
class RawDatabase:
    """Direct SQL on a store's own database, for tests only: `?` placeholders on both.
    (Or on a bare SQLite connection, for tests that open the bot's file themselves.)"""

    store: Store | None = None
    sqlite_conn: aiosqlite.Connection | None = None

    @property
    def backend(self) -> str:
        return "postgres" if hasattr(self.store, "pool") else "sqlite"

    @property
    def _conn(self) -> aiosqlite.Connection:
        if self.sqlite_conn is not None:
            return self.sqlite_conn
        return self.store._conn  # type: ignore[union-attr]

    @property
    def integrity_error(self) -> type[Exception]:
        if self.backend == "sqlite":
            return aiosqlite.IntegrityError
        import asyncpg

        return asyncpg.IntegrityConstraintViolationError  # type: ignore[no-any-return]

    @staticmethod
    def _numbered(sql: str) -> str:
        counter = iter(range(1, 1000))
        return re.sub(r"\?", lambda _: f"${next(counter)}", sql)

    async def fetch(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            return [tuple(r) for r in await self._conn.execute_fetchall(sql, params)]
        rows = await self.store.pool.fetch(  # type: ignore[attr-defined]
            self._numbered(sql), *params)
        return [tuple(r) for r in rows]

    async def value(self, sql: str, *params: object) -> Any:
        rows = await self.fetch(sql, *params)
        return rows[0][0] if rows else None

    async def execute(self, sql: str, *params: object) -> None:
        if self.backend == "sqlite":
            await self._conn.execute(sql, params)
        else:
            await self.store.pool.execute(  # type: ignore[attr-defined]
                self._numbered(sql), *params)

    async def user_columns(self) -> Any:
        """The backend's own reading of which columns hold a user (privacy.py)."""
        if self.backend == "sqlite":
            from bot.store.sqlite.privacy import user_columns

            return await user_columns(self.store._conn)  # type: ignore[attr-defined]
        from bot.store.postgres.privacy import user_columns as pg_user_columns

        return await pg_user_columns(self.store.pool)  # type: ignore[attr-defined]

    def new_writer(self, **options: Any) -> Any:
        """A second feedback writer on the store's database (not started)."""
        if self.backend == "sqlite":
            from bot.store.sqlite.feedback_writer import FeedbackWriter

            return FeedbackWriter(self.store._conn, **options)  # type: ignore[attr-defined]
        from bot.store.postgres.feedback_writer import FeedbackWriter as PgFeedbackWriter

        return PgFeedbackWriter(self.store.pool, **options)  # type: ignore[attr-defined]

    async def count(self, table: str) -> int:
        return int(await self.value(f"SELECT count(*) FROM {table}"))

    async def columns(self) -> list[tuple[str, str]]:
        """(table, column) of every ordinary table of the library."""
        if self.backend == "sqlite":
            tables = [r[0] for r in await self.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'")]
            found: list[tuple[str, str]] = []
            for table in tables:
                found += [(table, r[1]) for r in await self.fetch(f'PRAGMA table_info("{table}")')]
            return found
        return [(str(t), str(c)) for t, c in await self.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")]


async def open_library(target: str) -> Store:
    return await open_store(target)
