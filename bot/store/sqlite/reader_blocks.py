"""A reader's own blocked tags (table `reader_blocks`, migration 0004)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.tags import TagRow, tag_row


@dataclass
class ReaderBlocksRepository:
    """Blocks are per person, across servers. Each blocked tag is read through its current
    canonical tag, so a block survives `/tags merge` of the tag into another."""

    conn: aiosqlite.Connection

    async def list(self, user_id: int) -> list[TagRow]:
        """The canonical tags this reader blocked, A-Z (duplicates after merges folded)."""
        rows = await fetch_all(
            self.conn,
            """SELECT DISTINCT c.id, c.kind, c.name, c.key, c.canonical_id
                 FROM reader_blocks b
                 JOIN tags t ON t.id = b.tag_id
                 JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                WHERE b.user_id = ?
                ORDER BY c.name COLLATE NOCASE, c.kind""",
            (user_id,),
        )
        return [tag_row(r) for r in rows]

    async def block(self, user_id: int, canonical_tag_id: int) -> bool:
        """True when newly blocked."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                "INSERT OR IGNORE INTO reader_blocks (user_id, tag_id) VALUES (?, ?)",
                (user_id, canonical_tag_id),
            )
        return cursor.rowcount == 1

    async def unblock(self, user_id: int, canonical_tag_id: int) -> bool:
        """True when a block was removed: the tag itself or any tag since merged into it."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                """DELETE FROM reader_blocks
                    WHERE user_id = ? AND tag_id IN (
                          SELECT id FROM tags WHERE id = ? OR canonical_id = ?)""",
                (user_id, canonical_tag_id, canonical_tag_id),
            )
        return cursor.rowcount >= 1

    async def forget(self, user_id: int) -> int:
        """Delete every block of this reader; how many rows went."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                "DELETE FROM reader_blocks WHERE user_id = ?", (user_id,)
            )
        return cursor.rowcount
