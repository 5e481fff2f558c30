"""What the recommendation index is built from, streamed from the store (see the SQLite
store's module of the same name for the two reads)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import numpy as np

from bot.library.index_columns import IndexColumns, StoredSnapshot
from bot.library.models import TagKind
from bot.library.records import IndexRow, VocabularyEntry

_KINDS = {kind.value: kind for kind in TagKind}
_BATCH = 2000

_INDEX_ROWS = """
SELECT s.id, s.guild_id, s.rating, s.series,
       ARRAY(SELECT st.tag_id FROM story_tags st WHERE st.story_id = s.id
              ORDER BY st.position),
       ARRAY(SELECT au.name FROM story_authors sa JOIN authors au ON au.id = sa.author_id
              WHERE sa.story_id = s.id ORDER BY sa.position)
  FROM stories s
"""


def _index_row(row: Any) -> IndexRow:
    story_id, guild_id, rating, series, tag_ids, authors = tuple(row)
    return IndexRow(
        story_id=int(story_id),
        guild_id=None if guild_id is None else int(guild_id),
        rating=str(rating),
        series=None if series is None else str(series),
        tag_ids=tuple(int(t) for t in tag_ids),
        authors=tuple(authors),
    )


@dataclass
class RecommendIndexRepository:
    pool: asyncpg.Pool

    async def vocabulary(self, ids: Sequence[int] | None = None) -> dict[int, VocabularyEntry]:
        """Every tag by id (or only the given ones) -> the canonical tag it stands for."""
        sql = """SELECT t.id, c.kind, c.key, c.name
                   FROM tags t JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)"""
        params: tuple[object, ...] = ()
        if ids is not None:
            sql += " WHERE t.id = ANY($1::bigint[])"
            params = (list(ids),)
        rows = await self.pool.fetch(sql, *params)
        return {int(tag_id): VocabularyEntry(_KINDS[kind], str(key), str(name))
                for tag_id, kind, key, name in rows}

    async def rows(self) -> AsyncIterator[IndexRow]:
        """Every story of every guild, in id order, read through a cursor in batches."""
        async with self.pool.acquire() as conn, conn.transaction():
            cursor = await conn.cursor(_INDEX_ROWS + " ORDER BY s.id")
            while rows := await cursor.fetch(_BATCH):
                for row in rows:
                    yield _index_row(row)

    async def columns(self) -> IndexColumns:
        """Every story and its links in columns: each link table comes back as a few
        arrays (one row), which asyncpg decodes without a Record per link."""
        async with self.pool.acquire() as conn:
            stories = await conn.fetch(
                "SELECT id, guild_id, rating, series FROM stories ORDER BY id")
            tags = await conn.fetchrow(
                "SELECT array_agg(story_id), array_agg(tag_id) FROM story_tags")
            authors = await conn.fetchrow(
                """SELECT array_agg(story_id), array_agg(author_id), array_agg(position)
                     FROM story_authors""")
            names = await conn.fetch("SELECT id, name FROM authors")
        assert tags is not None and authors is not None  # an aggregate always has a row
        return IndexColumns(
            story_ids=np.array([row[0] for row in stories], dtype=np.int64),
            guild_ids=[None if row[1] is None else int(row[1]) for row in stories],
            ratings=[str(row[2]) for row in stories],
            series=[None if row[3] is None else str(row[3]) for row in stories],
            tag_story=_ids(tags[0]), tag_ids=_ids(tags[1]),
            author_story=_ids(authors[0]), author_ids=_ids(authors[1]),
            author_position=_ids(authors[2]),
            author_names={int(author_id): str(name) for author_id, name in names},
        )

    async def row(self, story_id: int) -> IndexRow | None:
        found = await self.pool.fetchrow(_INDEX_ROWS + " WHERE s.id = $1", story_id)
        return None if found is None else _index_row(found)

    async def change_counter(self) -> int:
        return int(await self.pool.fetchval("SELECT counter FROM library_changes") or 0)

    async def snapshot(self, format_version: int) -> StoredSnapshot | None:
        """The saved index, its bytes read only when still usable (one statement: the
        counter it is compared with is the one of the same moment, committed changes only)."""
        row = await self.pool.fetchrow(_SNAPSHOT, format_version)
        if row is None:
            return None
        return StoredSnapshot(int(row[0]), int(row[1]), int(row[2]),
                              None if row[3] is None else bytes(row[3]))

    async def save_snapshot(self, format_version: int, counter: int, arrays: bytes) -> None:
        """Several processes may save: the snapshot of the newest counter stays."""
        await self.pool.execute(_SAVE_SNAPSHOT, format_version, counter, arrays)


_SNAPSHOT = """
SELECT s.format_version, s.counter, c.counter,
       CASE WHEN s.counter = c.counter AND s.format_version = $1 THEN s.arrays END
  FROM index_snapshot s, library_changes c
"""
_SAVE_SNAPSHOT = """
INSERT INTO index_snapshot (id, format_version, counter, arrays) VALUES (1, $1, $2, $3)
ON CONFLICT (id) DO UPDATE SET format_version = excluded.format_version,
                               counter = excluded.counter, arrays = excluded.arrays
 WHERE index_snapshot.counter <= excluded.counter
"""


def _ids(values: list[int] | None) -> np.ndarray:
    return np.array(values or (), dtype=np.int64)
