"""A server's overlay on the shared tag vocabulary: its renames and merges (migration 0003).

Rows name shared tags by id and are read through the tags' *current* canonical tag, so an
operator's later merge of the shared vocabulary carries every server's overlay along (as
on SQLite, bot/store/sqlite/overlay.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from bot.library.overlay import TagOverlay
from bot.library.tags import tag_key
from bot.store.postgres.database import run_transaction
from bot.store.postgres.tags import tag_row

_CANONICAL = "c.id, c.kind, c.name, c.key, c.canonical_id"


@dataclass
class TagOverlayRepository:
    pool: asyncpg.Pool

    async def load(self, guild_id: int) -> TagOverlay:
        names = await self.pool.fetch(
            f"""SELECT {_CANONICAL}, n.name FROM guild_tag_names n
                  JOIN tags t ON t.id = n.tag_id
                  JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
                 WHERE n.guild_id = $1""",
            guild_id,
        )
        merges = await self.pool.fetch(
            f"""SELECT {_CANONICAL}, d.id, d.kind, d.name, d.key, d.canonical_id
                  FROM guild_tag_merges m
                  JOIN tags t ON t.id = m.tag_id
                  JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
                  JOIN tags u ON u.id = m.into_id
                  JOIN tags d ON d.id = COALESCE(u.canonical_id, u.id)
                 WHERE m.guild_id = $1""",
            guild_id,
        )
        rows = [tag_row(tuple(r)[:5]) for r in names]
        rows += [tag_row(tuple(r)[:5]) for r in merges]
        rows += [tag_row(tuple(r)[5:10]) for r in merges]
        return TagOverlay(
            guild_id,
            renamed={int(r[0]): str(r[5]) for r in names},
            merged_into={int(r[0]): int(r[5]) for r in merges},
            rows=rows,
        )

    async def rename(self, guild_id: int, tag_id: int, name: str | None) -> None:
        """Set (or, with None, drop) the server's display name of a shared canonical tag."""
        if name is None:
            await self.pool.execute(
                "DELETE FROM guild_tag_names WHERE guild_id = $1 AND tag_id = $2",
                guild_id, tag_id)
            return
        await self.pool.execute(
            """INSERT INTO guild_tag_names (guild_id, tag_id, name, key) VALUES ($1, $2, $3, $4)
               ON CONFLICT (guild_id, tag_id) DO UPDATE SET name = excluded.name,
                                                            key = excluded.key""",
            guild_id, tag_id, name, tag_key(name),
        )

    async def merge(self, guild_id: int, tag_ids: Sequence[int], into_id: int) -> None:
        """Make every tag of `tag_ids` count as `into_id` in this server (kept flat).
        (Upserts and a DELETE: re-run whole after a lost connection, to the same rows.)"""
        async def work(conn: asyncpg.Connection) -> None:
            await conn.executemany(
                """INSERT INTO guild_tag_merges (guild_id, tag_id, into_id) VALUES ($1, $2, $3)
                   ON CONFLICT (guild_id, tag_id) DO UPDATE SET into_id = excluded.into_id""",
                [(guild_id, tag_id, into_id) for tag_id in tag_ids],
            )
            await conn.execute(
                "DELETE FROM guild_tag_merges WHERE guild_id = $1 AND tag_id = into_id",
                guild_id)

        await run_transaction(self.pool, work, what="merging tags in a server")
