"""Moving a whole library between the SQLite and PostgreSQL stores, either way, and checking a
library's integrity (`storybot db copy` / `storybot db check`).

Rows are copied table by table in an order that satisfies every foreign key, column for
column and value for value (both schemas keep the same shapes); the search index is derived
data, so it is rebuilt on the target rather than copied. Id counters are carried over, so a
story id the source never reused is not reused by the target either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import asyncpg

from bot.library.errors import StoryBotError
from bot.store.open import is_postgres
from bot.store.postgres.database import create_pool
from bot.store.postgres.search_documents import write_search_documents
from bot.store.sqlite.database import connect as sqlite_connect
from bot.store.sqlite.database import fetch_all
from bot.store.sqlite.database import transaction as sqlite_transaction
from bot.store.sqlite.stories import StoryRepository as SqliteStoryRepository
from bot.store.sqlite.story_search import SEARCH_TABLES, forget_search_rows

# Every table of the library, parents before children; the ORDER BY puts a canonical tag
# before its synonyms (tags.canonical_id points one hop at a canonical tag).
TABLES: tuple[tuple[str, str], ...] = (
    ("authors", "id"),
    ("tags", "canonical_id IS NOT NULL, id"),
    ("stories", "id"),
    ("story_authors", "story_id, author_id"),
    ("chapters", "story_id, number"),
    ("passages", "id"),
    ("story_tags", "story_id, tag_id"),
    ("bot_state", "key"),
    ("guild_settings", "guild_id"),
    ("guild_blocked_tags", "guild_id, tag_id"),
    ("guild_tag_names", "guild_id, tag_id"),
    ("guild_tag_merges", "guild_id, tag_id"),
    ("guild_removals", "guild_id"),
    ("posts", "message_id"),
    ("reader_blocks", "user_id, tag_id"),
    ("excerpt_shown", "guild_id, passage_id"),
    ("excerpt_featured", "guild_id, story_id"),
    ("daily_schedules", "guild_id"),
    ("daily_posts", "guild_id, local_date"),
    ("story_prompts", "guild_id, story_id"),
    ("reactions", "message_id, user_id, emoji"),
    ("kudos", "story_id, user_id"),
    ("bookmarks", "user_id, passage_id"),
    ("feedback", "id"),
    ("suggestions", "id"),
    ("suggestion_cards", "id"),
    ("source_channels", "guild_id"),
)
# Tables whose ids come from a counter that must never go back.
COUNTED = ("stories", "passages", "authors", "tags", "feedback", "suggestions",
           "suggestion_cards")
BATCH = 2000

Progress = Callable[[str, int], None]  # (table, rows just copied)


class CopyRefused(StoryBotError):
    """The copy would lose data or cannot start (one line for the operator)."""


class Library(Protocol):
    """One end of a copy: a library's tables, read or written in batches."""

    name: str

    async def columns(self, table: str) -> list[str]: ...
    async def count(self, table: str) -> int: ...
    def rows(self, table: str, columns: Sequence[str],
             order: str) -> AsyncIterator[list[tuple[Any, ...]]]: ...
    async def insert(self, table: str, columns: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None: ...
    async def counters(self) -> dict[str, int]: ...
    async def finish(self, counters: dict[str, int]) -> None: ...
    async def empty(self) -> None: ...
    async def check(self) -> list[str]: ...
    async def close(self) -> None: ...


@dataclass
class SqliteLibrary:
    conn: aiosqlite.Connection
    name: str

    @classmethod
    async def open(cls, path: str, *, must_exist: bool) -> SqliteLibrary:
        if must_exist and not Path(path).is_file():
            raise CopyRefused(f"there is no library at {path}")
        return cls(await sqlite_connect(path), path)

    async def columns(self, table: str) -> list[str]:
        return [str(r[1]) for r in await fetch_all(self.conn, f'PRAGMA table_info("{table}")')]

    async def count(self, table: str) -> int:
        return int((await fetch_all(self.conn, f'SELECT count(*) FROM "{table}"'))[0][0])

    async def rows(self, table: str, columns: Sequence[str],
                   order: str) -> AsyncIterator[list[tuple[Any, ...]]]:
        names = ", ".join(f'"{c}"' for c in columns)
        async with self.conn.execute(f'SELECT {names} FROM "{table}" ORDER BY {order}') as cur:
            while batch := await cur.fetchmany(BATCH):
                yield [tuple(row) for row in batch]

    async def insert(self, table: str, columns: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        async with sqlite_transaction(self.conn):
            await self.conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    async def counters(self) -> dict[str, int]:
        found = {t: int((await fetch_all(self.conn, f'SELECT IFNULL(max(id), 0) FROM "{t}"')
                         )[0][0]) for t in COUNTED}
        for name, seq in await fetch_all(self.conn, "SELECT name, seq FROM sqlite_sequence"):
            if name in found:
                found[name] = max(found[name], int(seq))
        return found

    async def finish(self, counters: dict[str, int]) -> None:
        async with sqlite_transaction(self.conn):
            for table, value in counters.items():
                await self.conn.execute(
                    "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                    (value, table))
            await forget_search_rows(self.conn)
            last = counters.get("stories", 0)
            if last:
                await SqliteStoryRepository(self.conn).index_for_search(1, last)

    async def empty(self) -> None:
        async with sqlite_transaction(self.conn):
            for table, _ in reversed(TABLES):
                await self.conn.execute(f'DELETE FROM "{table}"')
            await forget_search_rows(self.conn)

    async def check(self) -> list[str]:
        problems = [str(r[0]) for r in await fetch_all(self.conn, "PRAGMA integrity_check")
                    if r[0] != "ok"]
        problems += [f"{r[0]} row {r[1]} points at a missing {r[2]} row"
                     for r in await fetch_all(self.conn, "PRAGMA foreign_key_check")]
        for index, what in zip(SEARCH_TABLES, ("search index", "title search index"),
                               strict=True):
            try:
                await self.conn.execute(
                    f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
            except aiosqlite.DatabaseError as problem:
                problems.append(f"the {what} is damaged ({problem})")
            problems += await missing_search_rows(
                self, f"SELECT count(*) FROM stories WHERE id NOT IN (SELECT rowid FROM {index})",
                what)
        return problems

    async def value(self, sql: str) -> Any:
        return (await fetch_all(self.conn, sql))[0][0]

    async def close(self) -> None:
        await self.conn.close()


@dataclass
class PostgresLibrary:
    pool: asyncpg.Pool
    name: str

    @classmethod
    async def open(cls, dsn: str) -> PostgresLibrary:
        from bot.store.postgres.database import describe_target

        return cls(await create_pool(dsn, max_size=2), describe_target(dsn))

    async def columns(self, table: str) -> list[str]:
        rows = await self.pool.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
        return [str(r[0]) for r in rows]

    async def count(self, table: str) -> int:
        return int(await self.pool.fetchval(f'SELECT count(*) FROM "{table}"'))

    async def rows(self, table: str, columns: Sequence[str],
                   order: str) -> AsyncIterator[list[tuple[Any, ...]]]:
        names = ", ".join(f'"{c}"' for c in columns)
        async with self.pool.acquire() as conn, conn.transaction():
            cursor = await conn.cursor(f'SELECT {names} FROM "{table}" ORDER BY {order}')
            while batch := await cursor.fetch(BATCH):
                yield [tuple(row) for row in batch]

    async def insert(self, table: str, columns: Sequence[str],
                     rows: list[tuple[Any, ...]]) -> None:
        await self.pool.copy_records_to_table(table, records=rows, columns=list(columns))

    async def counters(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for table in COUNTED:
            found[table] = int(await self.pool.fetchval(
                f"SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM \"{table}\"), "
                f"(SELECT COALESCE(last_value, 0) FROM pg_sequences WHERE schemaname = "
                f"current_schema() AND sequencename = "
                f"split_part(pg_get_serial_sequence('{table}', 'id'), '.', 2)))"))
        return found

    async def finish(self, counters: dict[str, int]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for table, value in counters.items():
                if value:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1)", value)
            last = counters.get("stories", 0)
            if last:
                await write_search_documents(conn, 1, last)
        # Fresh statistics, or the planner takes a just-filled table for an empty one.
        names = ", ".join(f'"{table}"' for table, _ in TABLES)
        await self.pool.execute(f"ANALYZE {names}, story_search")

    async def empty(self) -> None:
        names = ", ".join(f'"{table}"' for table, _ in TABLES)
        await self.pool.execute(f"TRUNCATE {names}, story_search RESTART IDENTITY CASCADE")

    async def check(self) -> list[str]:
        problems = [f"index {r[0]} is not valid (rebuild it with REINDEX)"
                    for r in await self.pool.fetch(
                        "SELECT i.indexrelid::regclass::text FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                        "AND NOT (i.indisvalid AND i.indisready)")]
        problems += await missing_search_rows(self, "SELECT count(*) FROM stories WHERE id "
                                                    "NOT IN (SELECT story_id FROM story_search)")
        for table, _ in TABLES:  # every table readable end to end
            await self.pool.fetchval(f'SELECT count(*) FROM "{table}"')
        return problems

    async def value(self, sql: str) -> Any:
        return await self.pool.fetchval(sql)

    async def close(self) -> None:
        await self.pool.close()


async def missing_search_rows(library: SqliteLibrary | PostgresLibrary, sql: str,
                              index: str = "search index") -> list[str]:
    missing = int(await library.value(sql))
    return [f"{missing} stories have no entry in the {index}"] if missing else []


async def open_library(target: str, *, must_exist: bool) -> SqliteLibrary | PostgresLibrary:
    """Either end of a copy (migrated to the current schema; a newer one is refused)."""
    if is_postgres(target):
        return await PostgresLibrary.open(target)
    path = target.removeprefix("sqlite:").removeprefix("//")
    return await SqliteLibrary.open(path, must_exist=must_exist)


async def table_counts(library: Library) -> dict[str, int]:
    return {table: await library.count(table) for table, _ in TABLES}


async def copy_library(source: Library, target: Library, *, force: bool = False,
                       progress: Progress | None = None) -> dict[str, int]:
    """Copy every table of `source` into `target`; returns the rows copied per table.

    A target holding anything is refused unless `force` (then it is emptied first)."""
    held = {t: n for t, n in (await table_counts(target)).items() if n}
    if held and not force:
        tables = ", ".join(f"{table} ({count})" for table, count in held.items())
        raise CopyRefused(f"{target.name} is not empty ({tables}); add --force to replace it")
    for table, _ in TABLES:
        if set(await source.columns(table)) != set(await target.columns(table)):
            raise CopyRefused(f"the table {table} differs between {source.name} and "
                              f"{target.name}: are both from the same storybot version?")
    if held:
        await target.empty()
    copied: dict[str, int] = {}
    for table, order in TABLES:
        columns = await source.columns(table)
        copied[table] = 0
        async for batch in source.rows(table, columns, order):
            await target.insert(table, columns, batch)
            copied[table] += len(batch)
            if progress is not None:
                progress(table, len(batch))
    await target.finish(await source.counters())
    return copied
