"""Fixtures of the store suite: every test that takes `store` runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.store.protocol import Store
from bot.store.sqlite.store import SqliteStore
from tests.conftest import DEMO_STORIES
from tests.store.backends import (
    BACKENDS,
    RawDatabase,
    library_target,
    open_library,
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def target(backend: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Where this test's library lives: a new SQLite file or a new PostgreSQL schema."""
    pg_dsn = request.getfixturevalue("pg_server") if backend == "postgres" else None
    async for found in library_target(backend, tmp_path, pg_dsn):
        yield found


@pytest.fixture
async def store(target: str) -> AsyncIterator[Store]:
    opened = await open_library(target)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A SQLite store on a new file, for what only that backend has."""
    opened = await SqliteStore.open(tmp_path / "library.db")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def raw(store: Store) -> RawDatabase:
    return RawDatabase(store)


@pytest.fixture
async def catalog(store: Store) -> Catalog:
    """The demo library in this test's store."""
    library = Catalog(store)
    report = await library.ensure_demo_library(DEMO_STORIES)
    assert report is not None and not report.rejected
    return library
