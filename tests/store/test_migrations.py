"""Migrations from an empty file, and the connection's settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.store.errors import SchemaTooNew
from bot.store.sqlite.database import connect, load_migrations, schema_version


async def test_migrates_an_empty_file_to_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    conn = await connect(path)
    try:
        assert await schema_version(conn) == len(load_migrations())
        async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = {row[0] async for row in cur}
        assert {"stories", "chapters", "passages", "tags", "story_tags", "authors"} <= tables
        async with conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
    finally:
        await conn.close()


async def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    first = await connect(path)
    await first.execute("INSERT INTO bot_state (key, value) VALUES ('k', 'v')")
    await first.close()
    second = await connect(path)
    try:
        async with second.execute("SELECT value FROM bot_state WHERE key = 'k'") as cur:
            assert (await cur.fetchone())[0] == "v"
    finally:
        await second.close()


async def test_migration_numbers_run_without_gaps() -> None:
    versions = [m.version for m in load_migrations()]
    assert versions == list(range(1, len(versions) + 1))


async def test_database_passes_integrity_check(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA integrity_check") as cur:
        assert (await cur.fetchone())[0] == "ok"


async def test_a_library_migrated_by_a_newer_storybot_is_refused(tmp_path: Path) -> None:
    """Opening it would run old code on a schema it does not know: one line naming both
    versions instead, and the file is left as it was."""
    path = tmp_path / "newer.db"
    newest = load_migrations()[-1].version
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {newest + 5}")
    with pytest.raises(SchemaTooNew) as refused:
        await connect(path)
    assert f"schema version {newest + 5}" in str(refused.value)
    assert f"versions up to {newest}" in str(refused.value)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == newest + 5
