"""Per-server settings and small remembered facts of the bot."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import aiosqlite

from bot.library.guild_settings import GuildSettings, RestrictedStories, WarningStyle
from bot.library.models import Rating
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.tags import TagRow, tag_row


@dataclass
class GuildSettingsRepository:
    """Settings are read by nearly every command and change rarely, so they are cached;
    this repository is the only writer of the table, so the cache stays true."""

    conn: aiosqlite.Connection
    _cache: dict[int, GuildSettings] = field(default_factory=dict)

    async def get(self, guild_id: int) -> GuildSettings:
        if guild_id not in self._cache:
            self._cache[guild_id] = await self._load(guild_id)
        return dataclasses.replace(self._cache[guild_id])

    async def _load(self, guild_id: int) -> GuildSettings:
        rows = await fetch_all(
            self.conn,
            """SELECT curator_role_id, warning_style, spoiler_fraction, age_restricted_ratings,
                      demo_library, restricted_stories
                 FROM guild_settings WHERE guild_id = ?""",
            (guild_id,),
        )
        row = rows[0] if rows else None
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(
            guild_id=guild_id,
            curator_role_id=row[0],
            warning_style=WarningStyle(row[1]),
            spoiler_fraction=float(row[2]),
            age_restricted_ratings=frozenset(Rating(r) for r in json.loads(row[3])),
            demo_library=bool(row[4]),
            restricted_stories=RestrictedStories(row[5]),
        )

    async def save(self, settings: GuildSettings) -> None:
        ratings = json.dumps(sorted(r.value for r in settings.age_restricted_ratings))
        async with transaction(self.conn):
            await self.conn.execute(
                """INSERT INTO guild_settings (guild_id, curator_role_id, warning_style,
                                               spoiler_fraction, age_restricted_ratings,
                                               demo_library, restricted_stories)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET
                       curator_role_id = excluded.curator_role_id,
                       warning_style = excluded.warning_style,
                       spoiler_fraction = excluded.spoiler_fraction,
                       age_restricted_ratings = excluded.age_restricted_ratings,
                       demo_library = excluded.demo_library,
                       restricted_stories = excluded.restricted_stories""",
                (settings.guild_id, settings.curator_role_id, settings.warning_style.value,
                 settings.spoiler_fraction, ratings, int(settings.demo_library),
                 settings.restricted_stories.value),
            )
        self._cache[settings.guild_id] = dataclasses.replace(settings)

    def forget(self, guild_id: int) -> None:
        """Drop the cached settings (after the server's data was purged)."""
        self._cache.pop(guild_id, None)

    def forget_all(self) -> None:
        """Drop every cached server's settings (changes by another process were missed)."""
        self._cache.clear()


@dataclass
class BotStateRepository:
    """Key/value facts that survive restarts (e.g. the hash of the last synced commands)."""

    conn: aiosqlite.Connection

    async def get(self, key: str) -> str | None:
        rows = await fetch_all(self.conn, "SELECT value FROM bot_state WHERE key = ?", (key,))
        row = rows[0] if rows else None
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                "INSERT INTO bot_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


@dataclass
class GuildBlockedTagsRepository:
    """Tags a server never wants shown; stored as canonical tag ids (synonyms follow)."""

    conn: aiosqlite.Connection

    async def list(self, guild_id: int) -> list[TagRow]:
        rows = await fetch_all(
            self.conn,
            """SELECT t.id, t.kind, t.name, t.key, t.canonical_id
                 FROM guild_blocked_tags b JOIN tags t ON t.id = b.tag_id
                WHERE b.guild_id = ? ORDER BY t.name COLLATE NOCASE""",
            (guild_id,),
        )
        return [tag_row(r) for r in rows]

    async def block(self, guild_id: int, canonical_tag_id: int) -> bool:
        """True when newly blocked."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                "INSERT OR IGNORE INTO guild_blocked_tags (guild_id, tag_id) VALUES (?, ?)",
                (guild_id, canonical_tag_id),
            )
        return cursor.rowcount == 1

    async def unblock(self, guild_id: int, canonical_tag_id: int) -> bool:
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                "DELETE FROM guild_blocked_tags WHERE guild_id = ? AND tag_id = ?",
                (guild_id, canonical_tag_id),
            )
        return cursor.rowcount == 1
