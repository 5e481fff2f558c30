"""Migrations from an empty file and of a library with stories, and the connection's
settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.catalog import Catalog
from bot.library.visibility import ALL_GUILDS
from bot.store.errors import SchemaTooNew
from bot.store.sqlite.database import connect, load_migrations, schema_version
from bot.store.sqlite.store import SqliteStore
from tests.conftest import DEMO_STORIES


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


async def test_the_search_index_moves_to_its_prefix_postings_whole(tmp_path: Path) -> None:
    """Migration 14 rebuilds the search index with postings for prefixes and adds the
    title index: a library searched before it finds the same stories after."""
    path = tmp_path / "before.db"
    words = ("the", "light", "sea", "keep", "a")
    store = await SqliteStore.open(path)
    try:
        assert (await Catalog(store).import_paths([DEMO_STORIES], guild_id=None)).imported
        before = {word: [s.id for s in await store.stories.search(ALL_GUILDS, word,
                                                                   limit=100)]
                  for word in words}
        assert all(before.values())
    finally:
        await store.close()
    # The file as version 13 left it: the index without prefix postings, no title index.
    with sqlite3.connect(path) as raw:
        raw.executescript(f"""
            {_BEFORE_LINE_TAGS}
            DROP TABLE story_title_search;
            CREATE VIRTUAL TABLE old_search USING fts5 (
                title, summary, tags, body, tokenize = 'unicode61 remove_diacritics 2');
            INSERT INTO old_search (rowid, title, summary, tags, body)
                SELECT rowid, title, summary, tags, body FROM story_search;
            DROP TABLE story_search;
            ALTER TABLE old_search RENAME TO story_search;
            PRAGMA user_version = 13;""")
    store = await SqliteStore.open(path)
    try:
        after = {word: [s.id for s in await store.stories.search(ALL_GUILDS, word,
                                                                  limit=100)]
                 for word in words}
        assert after == before
    finally:
        await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM story_title_search").fetchone() \
            == raw.execute("SELECT count(*) FROM stories").fetchone()
        assert "prefix = '3 4 5 6'" in raw.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'story_search'").fetchone()[0]
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# The file as version 14 left it: no story_line_tags, no triggers keeping it.
_BEFORE_LINE_TAGS = """
    DROP TRIGGER story_line_tags_added;
    DROP TRIGGER story_line_tags_removed;
    DROP TRIGGER story_line_tags_changed;
    DROP TABLE story_line_tags;"""


async def test_list_lines_read_the_same_fandoms_and_warnings_after_migration_15(
        tmp_path: Path) -> None:
    """Migration 15 fills story_line_tags from the links already there: every list line of
    a library from before it shows the same fandoms and warnings, in the same order."""
    path = tmp_path / "before.db"
    store = await SqliteStore.open(path)
    try:
        assert (await Catalog(store).import_paths([DEMO_STORIES], guild_id=None)).imported
        before = await store.stories.list_lines(ALL_GUILDS, limit=1000)
        assert any(line.fandoms for line in before) and any(line.warnings for line in before)
    finally:
        await store.close()
    with sqlite3.connect(path) as raw:
        raw.executescript(f"{_BEFORE_LINE_TAGS}\nPRAGMA user_version = 14;")
    store = await SqliteStore.open(path)
    try:
        assert await store.stories.list_lines(ALL_GUILDS, limit=1000) == before
    finally:
        await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(load_migrations())
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
