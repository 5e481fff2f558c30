"""Opening the store the settings name: a SQLite file path (or `sqlite:PATH`)."""

from __future__ import annotations

from pathlib import Path

from bot.store.protocol import Store
from bot.store.sqlite.store import SqliteStore


async def open_store(target: Path | str) -> Store:
    text = str(target)
    if text.startswith("sqlite:"):
        text = text.removeprefix("sqlite:").removeprefix("//")
    return await SqliteStore.open(text)
