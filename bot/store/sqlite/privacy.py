"""Delete-my-data: everything the database holds about one Discord user.

Convention (enforced by tests/store/test_privacy.py): a personal row keeps the user in a
column named `user_id` and is deleted; a column ending in `_by` (stories.added_by,
posts.posted_by) only says who did something and is set to NULL. The tables are read from
the schema each time, so a table added by a later migration is covered without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.store.sqlite.database import fetch_all

PERSONAL_COLUMN = "user_id"
ATTRIBUTION_SUFFIX = "_by"


@dataclass(frozen=True)
class UserColumns:
    personal: list[str]  # tables with a user_id column
    attribution: list[tuple[str, str]]  # (table, column) pairs ending in _by


async def user_columns(conn: aiosqlite.Connection) -> UserColumns:
    """Tables and columns that can hold a user id, from sqlite_master and table_info."""
    rows = await fetch_all(
        conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    )
    tables = [str(row[0]) for row in rows]
    personal: list[str] = []
    attribution: list[tuple[str, str]] = []
    for table in tables:
        found = await fetch_all(conn, f'PRAGMA table_info("{table}")')
        columns = [str(row[1]) for row in found]
        if PERSONAL_COLUMN in columns:
            personal.append(table)
        attribution += [(table, c) for c in columns if c.endswith(ATTRIBUTION_SUFFIX)]
    return UserColumns(personal, attribution)


async def forget_user(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    """Delete the user's rows and clear their attributions; returns rows touched per table.
    Must run inside one transaction (the feedback writer's), so it is all or nothing."""
    found = await user_columns(conn)
    touched: dict[str, int] = {}
    for table in found.personal:
        cursor = await conn.execute(f'DELETE FROM "{table}" WHERE user_id = ?', (user_id,))
        if cursor.rowcount:
            touched[table] = cursor.rowcount
    for table, column in found.attribution:
        cursor = await conn.execute(
            f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = ?', (user_id,))
        if cursor.rowcount:
            touched[f"{table}.{column}"] = cursor.rowcount
    return touched
