"""A throwaway PostgreSQL for the test suite and the benchmarks: the server an operator
names, else one started with `pgserver` (a dev dependency whose wheel ships the server
binaries), and one empty schema per library on it.

Shared here so the tests and `benchmarks/` start and address their servers the same way.
"""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

import asyncpg


class NoThrowawayServer(RuntimeError):
    """Neither a server was named nor `pgserver` is installed."""


def throwaway_server(given_dsn: str | None) -> tuple[str, Any]:
    """(DSN, server handle or None): `given_dsn` when set, else a pgserver in a temporary
    folder, deleted with its data when the handle's `cleanup()` runs (as root, pgserver
    runs PostgreSQL as its own unprivileged user)."""
    if given_dsn:
        return given_dsn, None
    try:
        import pgserver
    except ImportError as error:
        raise NoThrowawayServer(
            "a throwaway PostgreSQL needs `pgserver` (the dev extras) or a server's DSN"
        ) from error
    folder = tempfile.mkdtemp(prefix="storybot-pg-")
    server = pgserver.get_server(folder, cleanup_mode="delete")
    return server.get_uri(), server


def with_search_path(dsn: str, schema: str) -> str:
    """The DSN with every connection's search_path set to `schema` (asyncpg passes unknown
    query parameters on as server settings)."""
    return f"{dsn}{'&' if '?' in dsn else '?'}search_path={schema}"


async def create_schema(dsn: str, prefix: str = "test") -> str:
    """A new, empty schema on the server; returns its name."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return schema


async def drop_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
