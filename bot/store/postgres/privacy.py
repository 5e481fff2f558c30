"""Delete-my-data on PostgreSQL, driven by the schema as the SQLite store's is.

A personal row keeps the user in a column named `user_id` and is deleted; a column ending in
`_by` only says who did something and is set to NULL. Tables are read from the catalog of the
current schema each time, so a table added by a later migration is covered without a change.
"""

from __future__ import annotations

from bot.store.postgres.database import Executor, affected
from bot.store.sqlite.privacy import ATTRIBUTION_SUFFIX, PERSONAL_COLUMN, UserColumns


async def user_columns(conn: Executor) -> UserColumns:
    rows = await conn.fetch(
        """SELECT c.table_name, c.column_name
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position""")
    personal: list[str] = []
    attribution: list[tuple[str, str]] = []
    for table, column in rows:
        if column == PERSONAL_COLUMN:
            personal.append(table)
        elif column.endswith(ATTRIBUTION_SUFFIX):
            attribution.append((table, column))
    return UserColumns(personal, attribution)


async def forget_user(conn: Executor, user_id: int) -> dict[str, int]:
    """Delete the user's rows and clear their attributions; returns rows touched per table.
    Runs inside one transaction (the feedback writer's), so it is all or nothing."""
    found = await user_columns(conn)
    touched: dict[str, int] = {}
    for table in found.personal:
        count = affected(await conn.execute(
            f'DELETE FROM "{table}" WHERE user_id = $1', user_id))
        if count:
            touched[table] = count
    for table, column in found.attribution:
        count = affected(await conn.execute(
            f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = $1', user_id))
        if count:
            touched[f"{table}.{column}"] = count
    return touched
