"""What the recommendation index is built from, streamed from the store.

Two reads: the tag vocabulary (every tag id -> the kind, key and display name of its
canonical tag, synonyms folded through `tags.canonical_id`), and one row per story with its
tag ids, authors, series, rating and guild. The story query's correlated sub-selects are
served by the story_tags and story_authors primary keys (covering, no join to `tags`), and
it is read row by row, so a 100k-story library is indexed without holding an intermediate
result set; each canonical tag is materialised once, however many stories carry it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import aiosqlite

from bot.library.models import TagKind
from bot.library.records import IndexRow, VocabularyEntry
from bot.store.sqlite.database import fetch_all

_KINDS = {kind.value: kind for kind in TagKind}
_BATCH = 2000

_INDEX_ROWS = """
SELECT s.id, s.guild_id, s.rating, s.series,
       (SELECT group_concat(st.tag_id) FROM story_tags st WHERE st.story_id = s.id),
       (SELECT json_group_array(a.name)
          FROM (SELECT au.name FROM story_authors sa JOIN authors au ON au.id = sa.author_id
                 WHERE sa.story_id = s.id ORDER BY sa.position) a)
  FROM stories s
"""


async def tag_vocabulary(
    conn: aiosqlite.Connection, ids: Sequence[int] | None = None
) -> dict[int, VocabularyEntry]:
    """Every tag by id (or only the given ones) -> the canonical tag it stands for."""
    sql = """SELECT t.id, c.kind, c.key, c.name
               FROM tags t JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)"""
    if ids is not None:
        sql += f" WHERE t.id IN ({', '.join('?' * len(ids))})"
    rows = await fetch_all(conn, sql, tuple(ids or ()))
    return {
        int(tag_id): VocabularyEntry(_KINDS[kind], str(key), str(name))
        for tag_id, kind, key, name in rows
    }


def _index_row(row: aiosqlite.Row) -> IndexRow:
    story_id, guild_id, rating, series, tag_ids, authors_json = tuple(row)
    return IndexRow(
        story_id=int(story_id),
        guild_id=None if guild_id is None else int(guild_id),
        rating=str(rating),
        series=None if series is None else str(series),
        tag_ids=tuple(map(int, tag_ids.split(","))) if tag_ids else (),
        authors=tuple(json.loads(authors_json or "[]")),
    )


async def index_rows(conn: aiosqlite.Connection) -> AsyncIterator[IndexRow]:
    """Every story of every guild, in id order, one row at a time."""
    async with conn.execute(_INDEX_ROWS + " ORDER BY s.id") as cursor:
        # Streamed in large batches: each fetch is a hop to the database thread and back.
        while rows := await cursor.fetchmany(_BATCH):
            for row in rows:
                yield _index_row(row)


async def index_row(conn: aiosqlite.Connection, story_id: int) -> IndexRow | None:
    """One story's row, or None when it no longer exists."""
    rows = await fetch_all(conn, _INDEX_ROWS + " WHERE s.id = ?", (story_id,))
    row = rows[0] if rows else None
    return None if row is None else _index_row(row)


@dataclass
class RecommendIndexRepository:
    """The recommendation index's reads, for the services (which see no connection)."""

    conn: aiosqlite.Connection

    async def vocabulary(self, ids: Sequence[int] | None = None) -> dict[int, VocabularyEntry]:
        return await tag_vocabulary(self.conn, ids)

    def rows(self) -> AsyncIterator[IndexRow]:
        return index_rows(self.conn)

    async def row(self, story_id: int) -> IndexRow | None:
        return await index_row(self.conn, story_id)
