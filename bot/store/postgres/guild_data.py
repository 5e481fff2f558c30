"""Everything the database keeps for one server, and deleting it when the bot was removed.

As on SQLite (bot/store/sqlite/guild_data.py): a table belongs to a server when it has a
`guild_id` column (read from the schema each time, so a table added by a later migration
is covered). Stories the server added go with their chapters, passages, tags, feedback and
search rows (ON DELETE CASCADE); the bundled demo library (guild_id NULL) is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from bot.store.postgres.database import Executor, affected, run_transaction

GUILD_COLUMN = "guild_id"
# Deleted last: stories cascade to what hangs off them; removals is the schedule itself.
_LAST = ("stories", "guild_removals")


async def guild_tables(conn: Executor) -> list[str]:
    rows = await conn.fetch(
        """SELECT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND c.column_name = $1
              AND t.table_type = 'BASE TABLE'""",
        GUILD_COLUMN,
    )
    tables = sorted(str(r[0]) for r in rows)
    return sorted(tables, key=lambda table: (table in _LAST, _LAST.index(table)
                                             if table in _LAST else 0, table))


@dataclass
class GuildDataRepository:
    pool: asyncpg.Pool

    async def schedule_removal(self, guild_id: int, removed_at: datetime,
                               purge_after: datetime) -> None:
        await self.pool.execute(
            """INSERT INTO guild_removals (guild_id, removed_at, purge_after)
               VALUES ($1, $2, $3) ON CONFLICT (guild_id) DO NOTHING""",
            guild_id, removed_at.isoformat(), purge_after.isoformat())

    async def cancel_removal(self, guild_id: int) -> bool:
        status = await self.pool.execute(
            "DELETE FROM guild_removals WHERE guild_id = $1", guild_id)
        return affected(status) == 1

    async def removal_due(self, now: datetime) -> list[int]:
        rows = await self.pool.fetch(
            # ISO 8601 text compares in time order byte by byte (not by the locale's rules).
            """SELECT guild_id FROM guild_removals WHERE purge_after COLLATE "C" <= $1
                ORDER BY purge_after COLLATE "C" """,
            now.isoformat())
        return [int(r[0]) for r in rows]

    async def scheduled_removal(self, guild_id: int) -> datetime | None:
        value = await self.pool.fetchval(
            "SELECT purge_after FROM guild_removals WHERE guild_id = $1", guild_id)
        return None if value is None else datetime.fromisoformat(value)

    async def purge(self, guild_id: int) -> dict[str, int]:
        """Delete the server's rows from every table that has them, in one transaction;
        returns the rows deleted per table. Re-run whole after a lost connection; the
        counts would read 0 on a blind second run, so a lost COMMIT answer is asked about."""
        async def delete(conn: asyncpg.Connection) -> dict[str, int]:
            deleted: dict[str, int] = {}
            for table in await guild_tables(conn):
                count = affected(await conn.execute(
                    f'DELETE FROM "{table}" WHERE guild_id = $1', guild_id))
                if count:
                    deleted[table] = count
            return deleted

        return await run_transaction(self.pool, delete, what="deleting a server's data",
                                     idempotent=False)
