"""Per-server settings and small remembered facts of the bot."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiosqlite

from bot.library.guild_settings import GuildSettings, WarningStyle
from bot.library.models import Rating
from bot.store.database import transaction


@dataclass
class SettingsRepository:
    conn: aiosqlite.Connection

    async def get(self, guild_id: int) -> GuildSettings:
        async with self.conn.execute(
            """SELECT curator_role_id, warning_style, spoiler_fraction, age_restricted_ratings
                 FROM guild_settings WHERE guild_id = ?""",
            (guild_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(
            guild_id=guild_id,
            curator_role_id=row[0],
            warning_style=WarningStyle(row[1]),
            spoiler_fraction=float(row[2]),
            age_restricted_ratings=frozenset(Rating(r) for r in json.loads(row[3])),
        )

    async def save(self, settings: GuildSettings) -> None:
        ratings = json.dumps(sorted(r.value for r in settings.age_restricted_ratings))
        async with transaction(self.conn):
            await self.conn.execute(
                """INSERT INTO guild_settings (guild_id, curator_role_id, warning_style,
                                               spoiler_fraction, age_restricted_ratings)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET
                       curator_role_id = excluded.curator_role_id,
                       warning_style = excluded.warning_style,
                       spoiler_fraction = excluded.spoiler_fraction,
                       age_restricted_ratings = excluded.age_restricted_ratings""",
                (settings.guild_id, settings.curator_role_id, settings.warning_style.value,
                 settings.spoiler_fraction, ratings),
            )


@dataclass
class BotStateRepository:
    """Key/value facts that survive restarts (e.g. the hash of the last synced commands)."""

    conn: aiosqlite.Connection

    async def get(self, key: str) -> str | None:
        async with self.conn.execute("SELECT value FROM bot_state WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
