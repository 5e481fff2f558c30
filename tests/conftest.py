"""Shared test fixtures: where the real story files are, and a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures"
DEMO_STORIES = PROJECT_ROOT / "data" / "stories"


@pytest.fixture
def fixtures_dir() -> Path:
    assert FIXTURES.is_dir(), f"the shared fixtures are missing at {FIXTURES}"
    return FIXTURES


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    from bot.store.sqlite.database import connect

    connection = await connect(tmp_path / "library.db")
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One PostgreSQL for the whole run (a throwaway `pgserver`, or STORYBOT_TEST_PG),
    stopped and deleted at the end; each test takes its own schema of it."""
    from tests.store.backends import start_test_server

    dsn, server = start_test_server()
    try:
        yield dsn
    finally:
        if server is not None:
            server.cleanup()
