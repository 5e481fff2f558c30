"""Stories that came from a site: finding one by its link, following it for new chapters.

New chapters are appended: rows are only ever added (chapters after ours, passages after
our last seq), so the ids readers' reactions and feedback hang on never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.library.models import Chapter
from bot.library.records import PassageLike
from bot.library.shards import ShardPlan
from bot.library.source_records import SourceChannels
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.stories import StoryRepository
from bot.store.sqlite.story_sql import PASSAGE_INSERT
from bot.store.story_rows import passage_row


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass
class StorySourceRepository:
    conn: aiosqlite.Connection

    async def find_by_source(self, source: str, guild_id: int | None) -> int | None:
        """The story of this server (or the demo library) that came from `source`."""
        rows = await fetch_all(
            self.conn,
            """SELECT id FROM stories WHERE source = ?
                 AND IFNULL(guild_id, 0) IN (0, IFNULL(?, 0)) ORDER BY id LIMIT 1""",
            (source, guild_id),
        )
        return int(rows[0][0]) if rows else None

    async def to_check(self, limit: int, checked_before: datetime | None = None, *,
                       shards: ShardPlan | None = None) -> list[int]:
        """A server's stories followed for new chapters (the demo library is not), the
        longest unchecked first; with `checked_before`, only those not checked since;
        with `shards`, only the servers on those shards (Discord's rule: shards.py)."""
        count, ids = (shards.count, shards.ids) if shards else (1, (0,))
        rows = await fetch_all(
            self.conn,
            f"""SELECT id FROM stories
                WHERE guild_id IS NOT NULL AND source LIKE 'http%'
                  AND IFNULL(complete, 0) = 0 AND source_gone_at IS NULL
                  AND (? IS NULL OR source_checked_at IS NULL OR source_checked_at < ?)
                  AND ((guild_id >> 22) % ?) IN ({', '.join('?' * len(ids))})
                ORDER BY source_checked_at IS NOT NULL, source_checked_at, id LIMIT ?""",
            (_iso(checked_before), _iso(checked_before), count, *ids, limit),
        )
        return [int(row[0]) for row in rows]

    async def followed_count(self) -> int:
        rows = await fetch_all(
            self.conn,
            """SELECT count(*) FROM stories WHERE guild_id IS NOT NULL AND source LIKE 'http%'
                  AND IFNULL(complete, 0) = 0 AND source_gone_at IS NULL""",
        )
        return int(rows[0][0]) if rows else 0

    async def mark_checked(self, story_id: int, at: datetime, *, complete: bool | None = None,
                           updated: date | None = None, gone: bool = False) -> None:
        async with transaction(self.conn):
            await self._mark_checked(story_id, at, complete, updated, gone)

    async def _mark_checked(self, story_id: int, at: datetime, complete: bool | None,
                            updated: date | None, gone: bool) -> None:
        await self.conn.execute(
            """UPDATE stories SET source_checked_at = ?,
                      complete = CASE WHEN ? IS NULL THEN complete ELSE ? END,
                      updated = IFNULL(?, updated),
                      source_gone_at = CASE WHEN ? THEN IFNULL(source_gone_at, ?)
                                            ELSE source_gone_at END
                WHERE id = ?""",
            (at.isoformat(), complete, None if complete is None else int(complete),
             updated.isoformat() if updated else None, int(gone), at.isoformat(), story_id),
        )

    async def append_chapters(
        self, story_id: int, chapters: Sequence[Chapter], passages: Sequence[PassageLike],
    ) -> list[int]:
        """Add chapters after the story's last one and their passages after its last
        passage (passages' seq counted from 0 within `passages`); returns the new
        passage ids in reading order. All or nothing."""
        async with transaction(self.conn):
            rows = await fetch_all(
                self.conn,
                """SELECT (SELECT IFNULL(max(number), 0) FROM chapters WHERE story_id = ?),
                          (SELECT IFNULL(max(seq), -1) + 1 FROM passages WHERE story_id = ?)""",
                (story_id, story_id),
            )
            last_chapter, next_seq = int(rows[0][0]), int(rows[0][1])
            renumber = {c.number: last_chapter + i for i, c in enumerate(chapters, start=1)}
            await self.conn.executemany(
                "INSERT INTO chapters (story_id, number, title, text) VALUES (?, ?, ?, ?)",
                [(story_id, renumber[c.number], c.title, c.text) for c in chapters],
            )
            rows_to_add = []
            for passage in passages:
                row = list(passage_row(story_id, passage))
                row[1], row[2] = next_seq + passage.seq, renumber[passage.chapter]
                rows_to_add.append(row)
            await self.conn.executemany(PASSAGE_INSERT, rows_to_add)
            await self.conn.execute(
                """UPDATE stories SET
                      chapters = (SELECT count(*) FROM chapters WHERE story_id = ?1),
                      words = words + ?2
                    WHERE id = ?1""",
                (story_id, sum(p.words for p in passages)),
            )
            await StoryRepository(self.conn).reindex_for_search(story_id)
            ids = await fetch_all(
                self.conn, "SELECT id FROM passages WHERE story_id = ? AND seq >= ? ORDER BY seq",
                (story_id, next_seq))
        return [int(row[0]) for row in ids]

    async def channels(self, guild_id: int) -> SourceChannels:
        rows = await fetch_all(
            self.conn,
            """SELECT updates_channel_id, updates_role_id, review_channel_id
                 FROM source_channels WHERE guild_id = ?""", (guild_id,))
        if not rows:
            return SourceChannels(guild_id)
        return SourceChannels(guild_id, rows[0][0], rows[0][1], rows[0][2])

    async def save_channels(self, channels: SourceChannels) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                """INSERT INTO source_channels (guild_id, updates_channel_id, updates_role_id,
                                                review_channel_id) VALUES (?, ?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET
                       updates_channel_id = excluded.updates_channel_id,
                       updates_role_id = excluded.updates_role_id,
                       review_channel_id = excluded.review_channel_id""",
                (channels.guild_id, channels.updates_channel_id, channels.updates_role_id,
                 channels.review_channel_id))
