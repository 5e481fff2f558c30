"""Shared test fixtures: where the real story files are, and a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
