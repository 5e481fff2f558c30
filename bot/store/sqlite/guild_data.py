"""Everything the database keeps for one server, and deleting it when the bot was removed.

A table belongs to a server when it has a `guild_id` column (read from the schema each
time, like the privacy rules, so a table added by a later migration is covered). Stories
the server added go with their chapters, passages, tags, feedback and search rows; the
bundled demo library (guild_id NULL) is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.story_search import forget_search_rows

GUILD_COLUMN = "guild_id"
# Deleted last: stories cascade to what hangs off them; removals is the schedule itself.
_LAST = ("stories", "guild_removals")


async def guild_tables(conn: aiosqlite.Connection) -> list[str]:
    rows = await fetch_all(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
    tables: list[str] = []
    for (name,) in rows:
        columns = [str(r[1]) for r in await fetch_all(conn, f'PRAGMA table_info("{name}")')]
        if GUILD_COLUMN in columns:
            tables.append(str(name))
    return sorted(tables, key=lambda table: (table in _LAST, _LAST.index(table)
                                             if table in _LAST else 0, table))


@dataclass
class GuildDataRepository:
    conn: aiosqlite.Connection

    async def schedule_removal(self, guild_id: int, removed_at: datetime,
                               purge_after: datetime) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                """INSERT INTO guild_removals (guild_id, removed_at, purge_after) VALUES (?, ?, ?)
                   ON CONFLICT (guild_id) DO NOTHING""",
                (guild_id, removed_at.isoformat(), purge_after.isoformat()))

    async def cancel_removal(self, guild_id: int) -> bool:
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                "DELETE FROM guild_removals WHERE guild_id = ?", (guild_id,))
        return cursor.rowcount == 1

    async def removal_due(self, now: datetime) -> list[int]:
        rows = await fetch_all(
            self.conn, "SELECT guild_id FROM guild_removals WHERE purge_after <= ? "
                       "ORDER BY purge_after", (now.isoformat(),))
        return [int(r[0]) for r in rows]

    async def scheduled_removal(self, guild_id: int) -> datetime | None:
        rows = await fetch_all(
            self.conn, "SELECT purge_after FROM guild_removals WHERE guild_id = ?", (guild_id,))
        return datetime.fromisoformat(rows[0][0]) if rows else None

    async def purge(self, guild_id: int) -> dict[str, int]:
        """Delete the server's rows from every table that has them, in one transaction;
        returns the rows deleted per table."""
        tables = await guild_tables(self.conn)
        deleted: dict[str, int] = {}
        async with transaction(self.conn):
            await forget_search_rows(
                self.conn, "rowid IN (SELECT id FROM stories WHERE guild_id = ?)", (guild_id,))
            for table in tables:
                cursor = await self.conn.execute(
                    f'DELETE FROM "{table}" WHERE guild_id = ?', (guild_id,))
                if cursor.rowcount:
                    deleted[table] = cursor.rowcount
        return deleted
