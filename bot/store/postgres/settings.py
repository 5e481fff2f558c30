"""Per-server settings, blocked tags and small remembered facts of the bot."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import asyncpg

from bot.library.guild_settings import GuildSettings, RestrictedStories, WarningStyle
from bot.library.models import Rating
from bot.library.records import TagRow
from bot.store.postgres.database import affected
from bot.store.postgres.tags import tag_row


@dataclass
class GuildSettingsRepository:
    """Settings are read by nearly every command and change rarely, so they are cached.
    Another bot process's change arrives through the store's change feed, which drops it."""

    pool: asyncpg.Pool
    _cache: dict[int, GuildSettings] = field(default_factory=dict)

    async def get(self, guild_id: int) -> GuildSettings:
        if guild_id not in self._cache:
            self._cache[guild_id] = await self._load(guild_id)
        return dataclasses.replace(self._cache[guild_id])

    async def _load(self, guild_id: int) -> GuildSettings:
        row = await self.pool.fetchrow(
            """SELECT curator_role_id, warning_style, spoiler_fraction, age_restricted_ratings,
                      demo_library, restricted_stories
                 FROM guild_settings WHERE guild_id = $1""",
            guild_id,
        )
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
        await self.pool.execute(
            """INSERT INTO guild_settings (guild_id, curator_role_id, warning_style,
                                           spoiler_fraction, age_restricted_ratings,
                                           demo_library, restricted_stories)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (guild_id) DO UPDATE SET
                   curator_role_id = excluded.curator_role_id,
                   warning_style = excluded.warning_style,
                   spoiler_fraction = excluded.spoiler_fraction,
                   age_restricted_ratings = excluded.age_restricted_ratings,
                   demo_library = excluded.demo_library,
                   restricted_stories = excluded.restricted_stories""",
            settings.guild_id, settings.curator_role_id, settings.warning_style.value,
            settings.spoiler_fraction, ratings, int(settings.demo_library),
            settings.restricted_stories.value,
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
    pool: asyncpg.Pool

    async def get(self, key: str) -> str | None:
        value = await self.pool.fetchval("SELECT value FROM bot_state WHERE key = $1", key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self.pool.execute(
            "INSERT INTO bot_state (key, value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key, value,
        )


@dataclass
class GuildBlockedTagsRepository:
    pool: asyncpg.Pool

    async def list(self, guild_id: int) -> list[TagRow]:
        rows = await self.pool.fetch(
            """SELECT t.id, t.kind, t.name, t.key, t.canonical_id
                 FROM guild_blocked_tags b JOIN tags t ON t.id = b.tag_id
                WHERE b.guild_id = $1 ORDER BY lower(t.name) COLLATE "C" """,
            guild_id,
        )
        return [tag_row(r) for r in rows]

    async def block(self, guild_id: int, canonical_tag_id: int) -> bool:
        status = await self.pool.execute(
            "INSERT INTO guild_blocked_tags (guild_id, tag_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            guild_id, canonical_tag_id,
        )
        return affected(status) == 1

    async def unblock(self, guild_id: int, canonical_tag_id: int) -> bool:
        status = await self.pool.execute(
            "DELETE FROM guild_blocked_tags WHERE guild_id = $1 AND tag_id = $2",
            guild_id, canonical_tag_id,
        )
        return affected(status) == 1


@dataclass
class ReaderBlocksRepository:
    """A reader's own blocked tags, read through each tag's current canonical tag."""

    pool: asyncpg.Pool

    async def list(self, user_id: int) -> list[TagRow]:
        rows = await self.pool.fetch(
            """SELECT DISTINCT c.id, c.kind, c.name, c.key, c.canonical_id,
                      lower(c.name) COLLATE "C"
                 FROM reader_blocks b
                 JOIN tags t ON t.id = b.tag_id
                 JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
                WHERE b.user_id = $1
                ORDER BY lower(c.name) COLLATE "C", c.kind""",
            user_id,
        )
        return [tag_row(tuple(r)[:5]) for r in rows]

    async def block(self, user_id: int, canonical_tag_id: int) -> bool:
        status = await self.pool.execute(
            "INSERT INTO reader_blocks (user_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            user_id, canonical_tag_id,
        )
        return affected(status) == 1

    async def unblock(self, user_id: int, canonical_tag_id: int) -> bool:
        status = await self.pool.execute(
            """DELETE FROM reader_blocks
                WHERE user_id = $1 AND tag_id IN (
                      SELECT id FROM tags WHERE id = $2 OR canonical_id = $2)""",
            user_id, canonical_tag_id,
        )
        return affected(status) >= 1

    async def forget(self, user_id: int) -> int:
        return affected(await self.pool.execute(
            "DELETE FROM reader_blocks WHERE user_id = $1", user_id))
