"""The messages the bot posted with a passage (message id -> story and passage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.library.records import PostRecord
from bot.store.sqlite.database import fetch_all, transaction, write_one

_COLUMNS = ("message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id, "
            "posted_by, posted_at")


def _record(row: aiosqlite.Row) -> PostRecord:
    (message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id, posted_by,
     posted_at) = tuple(row)
    return PostRecord(message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id,
                      posted_by, datetime.fromisoformat(posted_at))


@dataclass
class PostRepository:
    conn: aiosqlite.Connection

    async def record(self, post: PostRecord) -> None:
        # One statement, one hop: /excerpt records its card after answering, and the next
        # interaction waits behind whatever is still running on the loop.
        await write_one(
            self.conn,
            f"INSERT OR REPLACE INTO posts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (post.message_id, post.guild_id, post.channel_id, post.story_id, post.passage_id,
             post.kind, post.thread_id, post.posted_by, post.posted_at.isoformat()),
        )

    async def get(self, message_id: int) -> PostRecord | None:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM posts WHERE message_id = ?", (message_id,)
        )
        row = rows[0] if rows else None
        return None if row is None else _record(row)

    async def latest(self, guild_id: int, kind: str) -> PostRecord | None:
        """The server's newest post of this kind (e.g. its last daily post, /daily now too)."""
        rows = await fetch_all(
            self.conn,
            f"""SELECT {_COLUMNS} FROM posts WHERE guild_id = ? AND kind = ?
                ORDER BY posted_at DESC LIMIT 1""", (guild_id, kind)
        )
        return _record(rows[0]) if rows else None

    async def set_thread(self, message_id: int, thread_id: int) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                "UPDATE posts SET thread_id = ? WHERE message_id = ?", (thread_id, message_id)
            )
