"""The benchmarks' PostgreSQL: a throwaway server (or the one in STORYBOT_BENCH_PG, else
STORYBOT_TEST_PG), and a synthetic library moved onto it in bulk.

A big library is built once on SQLite by the bulk writer (library_builder.py), then copied
into a fresh schema with `storybot db copy`'s own code: far faster than storing 10k stories
one by one, and it exercises the same path an operator takes to move a library.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.store.postgres.testing import (
    NoThrowawayServer,
    create_schema,
    drop_schema,
    throwaway_server,
    with_search_path,
)
from bot.store.postgres.transfer import copy_library, open_library

SERVER_ENVS = ("STORYBOT_BENCH_PG", "STORYBOT_TEST_PG")


def named_server() -> str | None:
    return next((os.environ[name] for name in SERVER_ENVS if os.environ.get(name)), None)


def postgres_available() -> bool:
    """A server was named, or pgserver can start one."""
    if named_server():
        return True
    try:
        import pgserver  # noqa: F401
    except ImportError:
        return False
    return True


def start_server() -> tuple[str, Any]:
    """(DSN, handle to `cleanup()` or None); raises NoThrowawayServer when there is none."""
    return throwaway_server(named_server())


@dataclass(frozen=True)
class PostgresLibrary:
    """A library in its own schema: `dsn` reaches it; `drop()` removes it."""

    server_dsn: str
    schema: str
    copy_seconds: float

    @property
    def dsn(self) -> str:
        return with_search_path(self.server_dsn, self.schema)

    async def drop(self) -> None:
        await drop_schema(self.server_dsn, self.schema)


async def copy_to_postgres(sqlite_file: Path, server_dsn: str) -> PostgresLibrary:
    """The SQLite library copied, every table, into a new schema on the server."""
    started = time.perf_counter()
    schema = await create_schema(server_dsn, prefix="bench")
    library = PostgresLibrary(server_dsn, schema, 0.0)
    source = await open_library(str(sqlite_file), must_exist=True)
    target = await open_library(library.dsn, must_exist=False)
    try:
        await copy_library(source, target, force=True)
    finally:
        await source.close()
        await target.close()
    return PostgresLibrary(server_dsn, schema, time.perf_counter() - started)


__all__ = ["NoThrowawayServer", "PostgresLibrary", "copy_to_postgres", "postgres_available",
           "start_server"]
