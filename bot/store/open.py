"""Opening the store the settings name: a SQLite file path (or `sqlite:PATH`), or a
PostgreSQL DSN (`postgresql://…` or `postgres://…`)."""

from __future__ import annotations

from pathlib import Path

from bot.store.protocol import Store
from bot.store.sqlite.store import SqliteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: Path | str) -> bool:
    return str(target).startswith(POSTGRES_SCHEMES)


async def open_store(target: Path | str) -> Store:
    text = str(target)
    if is_postgres(text):
        # Imported here: a SQLite-only installation never loads the PostgreSQL driver.
        from bot.store.postgres.store import PostgresStore

        return await PostgresStore.open(text)
    if text.startswith("sqlite:"):
        text = text.removeprefix("sqlite:").removeprefix("//")
    return await SqliteStore.open(text)
