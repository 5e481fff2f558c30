"""Stories that came from a site, on PostgreSQL: finding one by its link, following it for
new chapters (the same rules as bot/store/sqlite/story_sources.py).

New chapters are appended: rows are only ever added, so the ids readers' reactions and
feedback hang on never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from bot.library.models import Chapter
from bot.library.records import PassageLike
from bot.library.shards import ShardPlan
from bot.library.source_records import SourceChannels
from bot.store.postgres.database import note_write, run_transaction
from bot.store.postgres.stories import (
    PASSAGE_COPY_COLUMNS,
    find_by_source,
    write_search_documents,
)
from bot.store.story_rows import passage_row

# Followed for new chapters: a server's story (not the demo library's) from a web page,
# not known to be complete, still on its site.
_FOLLOWED = """guild_id IS NOT NULL AND source LIKE 'http%'
               AND COALESCE(complete, 0) = 0 AND source_gone_at IS NULL"""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass
class StorySourceRepository:
    pool: asyncpg.Pool

    async def find_by_source(self, source: str, guild_id: int | None) -> int | None:
        """The story of this server (or the demo library) that came from `source`."""
        found = await find_by_source(self.pool, source, guild_id)
        return found[0] if found else None

    async def to_check(self, limit: int, checked_before: datetime | None = None, *,
                       shards: ShardPlan | None = None) -> list[int]:
        """Followed stories, the longest unchecked first; with `checked_before`, only those
        not checked since; with `shards`, only the servers on those shards."""
        count, ids = (shards.count, shards.ids) if shards else (1, (0,))
        rows = await self.pool.fetch(
            f"""SELECT id FROM stories
                 WHERE {_FOLLOWED}
                   AND ($1::text IS NULL OR source_checked_at IS NULL
                        OR source_checked_at COLLATE "C" < $1::text)
                   AND (guild_id >> 22) % $3 = ANY($4::bigint[])
                 ORDER BY source_checked_at IS NOT NULL, source_checked_at COLLATE "C", id
                 LIMIT $2""",
            _iso(checked_before), limit, count, list(ids),
        )
        return [int(row[0]) for row in rows]

    async def followed_count(self) -> int:
        return int(await self.pool.fetchval(f"SELECT count(*) FROM stories WHERE {_FOLLOWED}"))

    async def mark_checked(self, story_id: int, at: datetime, *, complete: bool | None = None,
                           updated: date | None = None, gone: bool = False) -> None:
        # One UPDATE to given values (COALESCE keeps the first gone date): the same row
        # however often it runs, so the pool may retry it.
        await self.pool.execute(
            """UPDATE stories SET source_checked_at = $1,
                      complete = COALESCE($2::integer, complete),
                      updated = COALESCE($3::text, updated),
                      source_gone_at = CASE WHEN $4 THEN COALESCE(source_gone_at, $1)
                                            ELSE source_gone_at END
                WHERE id = $5""",
            at.isoformat(), None if complete is None else int(complete),
            updated.isoformat() if updated else None, gone, story_id,
        )
        note_write(self.pool)

    async def append_chapters(
        self, story_id: int, chapters: Sequence[Chapter], passages: Sequence[PassageLike],
    ) -> list[int]:
        """Add chapters after the story's last one and their passages after its last
        passage (passages' seq counted from 0 within `passages`); returns the new
        passage ids in reading order. All or nothing; re-run whole after a lost
        connection, and a lost COMMIT answer is asked about (a blind re-run appends twice)."""
        async def append(conn: asyncpg.Connection) -> list[Any]:
            # The story's row lock: two appends to one story take turns.
            await conn.execute("SELECT 1 FROM stories WHERE id = $1 FOR UPDATE", story_id)
            row = await conn.fetchrow(
                """SELECT (SELECT COALESCE(max(number), 0) FROM chapters WHERE story_id = $1),
                          (SELECT COALESCE(max(seq), -1) + 1 FROM passages
                            WHERE story_id = $1)""",
                story_id,
            )
            last_chapter, next_seq = int(row[0]), int(row[1])
            renumber = {c.number: last_chapter + i for i, c in enumerate(chapters, start=1)}
            await conn.executemany(
                "INSERT INTO chapters (story_id, number, title, text) VALUES ($1, $2, $3, $4)",
                [(story_id, renumber[c.number], c.title, c.text) for c in chapters],
            )
            rows_to_add = []
            for passage in passages:
                values = list(passage_row(story_id, passage))
                values[1], values[2] = next_seq + passage.seq, renumber[passage.chapter]
                rows_to_add.append(tuple(values))
            await conn.copy_records_to_table(
                "passages", records=rows_to_add, columns=PASSAGE_COPY_COLUMNS)
            await conn.execute(
                """UPDATE stories SET
                      chapters = (SELECT count(*) FROM chapters WHERE story_id = $1),
                      words = words + $2
                    WHERE id = $1""",
                story_id, sum(p.words for p in passages),
            )
            await write_search_documents(conn, story_id, story_id)
            return list(await conn.fetch(
                "SELECT id FROM passages WHERE story_id = $1 AND seq >= $2 ORDER BY seq",
                story_id, next_seq))

        ids = await run_transaction(self.pool, append, what="appending chapters",
                                    idempotent=False)
        return [int(r[0]) for r in ids]

    async def channels(self, guild_id: int) -> SourceChannels:
        row = await self.pool.fetchrow(
            """SELECT updates_channel_id, updates_role_id, review_channel_id
                 FROM source_channels WHERE guild_id = $1""", guild_id)
        if row is None:
            return SourceChannels(guild_id)
        return SourceChannels(guild_id, row[0], row[1], row[2])

    async def save_channels(self, channels: SourceChannels) -> None:
        # An upsert of given values: the pool may retry it.
        await self.pool.execute(
            """INSERT INTO source_channels (guild_id, updates_channel_id, updates_role_id,
                                            review_channel_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (guild_id) DO UPDATE SET
                   updates_channel_id = excluded.updates_channel_id,
                   updates_role_id = excluded.updates_role_id,
                   review_channel_id = excluded.review_channel_id""",
            channels.guild_id, channels.updates_channel_id, channels.updates_role_id,
            channels.review_channel_id)
        note_write(self.pool)
