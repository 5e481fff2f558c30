"""The messages the bot posted with a passage (message id -> story and passage).

Both writes run on the pool, which retries them after a lost connection (retry.py): safe,
since an upsert keyed on the message id and an UPDATE to a given thread end in the same row
when applied twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bot.library.records import PostRecord

_COLUMNS = ("message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id, "
            "posted_by, posted_at")


def _record(row: Any) -> PostRecord:
    (message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id, posted_by,
     posted_at) = tuple(row)
    return PostRecord(message_id, guild_id, channel_id, story_id, passage_id, kind, thread_id,
                      posted_by, datetime.fromisoformat(posted_at))


@dataclass
class PostRepository:
    pool: asyncpg.Pool

    async def record(self, post: PostRecord) -> None:
        await self.pool.execute(
            f"""INSERT INTO posts ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (message_id) DO UPDATE SET guild_id = excluded.guild_id,
                    channel_id = excluded.channel_id, story_id = excluded.story_id,
                    passage_id = excluded.passage_id, kind = excluded.kind,
                    thread_id = excluded.thread_id, posted_by = excluded.posted_by,
                    posted_at = excluded.posted_at""",
            post.message_id, post.guild_id, post.channel_id, post.story_id, post.passage_id,
            post.kind, post.thread_id, post.posted_by, post.posted_at.isoformat(),
        )

    async def get(self, message_id: int) -> PostRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {_COLUMNS} FROM posts WHERE message_id = $1", message_id)
        return None if row is None else _record(row)

    async def latest(self, guild_id: int, kind: str) -> PostRecord | None:
        """The server's newest post of this kind (e.g. its last daily post)."""
        row = await self.pool.fetchrow(
            f"""SELECT {_COLUMNS} FROM posts WHERE guild_id = $1 AND kind = $2
                ORDER BY posted_at DESC LIMIT 1""", guild_id, kind)
        return None if row is None else _record(row)

    async def set_thread(self, message_id: int, thread_id: int) -> None:
        await self.pool.execute(
            "UPDATE posts SET thread_id = $1 WHERE message_id = $2", thread_id, message_id)
