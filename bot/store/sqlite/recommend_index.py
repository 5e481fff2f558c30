"""What the recommendation index is built from, read from the store.

At start the whole library is read in columns (`index_columns`): story rows, then the
(story, tag) and (story, author) links as comma-joined id lists that numpy parses in C, a
range of story ids at a time; no Python object per link. After start, one story at a time
(`index_row`).

The reads: the tag vocabulary (every tag id -> the kind, key and display name of its
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
import numpy as np

from bot.library.index_columns import IndexColumns, StoredSnapshot, parse_ids
from bot.library.models import TagKind
from bot.library.records import IndexRow, VocabularyEntry
from bot.store.sqlite.database import begin_immediate, fetch_all, transaction

_KINDS = {kind.value: kind for kind in TagKind}
_BATCH = 2000
# Story ids per read of the tag links: ~16 links each, so each read hands over a few
# hundred kilobytes of text and the event loop parses it in a few milliseconds.
_LINK_CHUNK = 20_000

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


# One row holding every story, column by column: text fields joined with the unit separator
# (no story text contains it), a missing guild or series as an empty item.
_STORY_COLUMNS = """
SELECT group_concat(id), group_concat(IFNULL(guild_id, ''), ','),
       group_concat(rating, char(31)), group_concat(IFNULL(series, ''), char(31)),
       group_concat(series IS NULL)
  FROM stories
"""


async def index_columns(conn: aiosqlite.Connection) -> IndexColumns:
    """Every story of every guild and its links, in columns (see the module doc)."""
    ((ids, guilds, ratings, series, no_series),) = await fetch_all(conn, _STORY_COLUMNS)
    story_ids = parse_ids(ids)
    order = np.argsort(story_ids, kind="stable")  # already ascending in practice
    story_ids = story_ids[order]
    missing = parse_ids(no_series)[order].tolist()
    guild_list = (guilds or "").split(",")
    rating_list = (ratings or "").split("\x1f")
    series_list = (series or "").split("\x1f")
    positions = order.tolist()
    if len(series_list) == len(story_ids):
        series_list = [series_list[at] for at in positions]
    else:  # a series name held the separator: read them one row at a time
        rows = await fetch_all(conn, "SELECT IFNULL(series, '') FROM stories ORDER BY id")
        series_list = [str(name) for (name,) in rows]
    tag_story: list[np.ndarray] = []
    tag_ids: list[np.ndarray] = []
    first = int(story_ids[0]) if len(story_ids) else 0
    last = int(story_ids[-1]) if len(story_ids) else -1
    for low in range(first, last + 1, _LINK_CHUNK):
        (joined,) = await fetch_all(
            conn, """SELECT group_concat(story_id), group_concat(tag_id) FROM story_tags
                      WHERE story_id >= ? AND story_id < ?""", (low, low + _LINK_CHUNK))
        tag_story.append(parse_ids(joined[0]))
        tag_ids.append(parse_ids(joined[1]))
    (authors,) = await fetch_all(
        conn, """SELECT group_concat(story_id), group_concat(author_id), group_concat(position)
                   FROM story_authors""")
    names = await fetch_all(conn, "SELECT id, name FROM authors")
    return IndexColumns(
        story_ids=story_ids,
        guild_ids=[int(guild_list[at]) if guild_list[at] else None for at in positions],
        ratings=[rating_list[at] for at in positions],
        series=[None if gone else name
                for name, gone in zip(series_list, missing, strict=True)],
        tag_story=np.concatenate(tag_story) if tag_story else parse_ids(None),
        tag_ids=np.concatenate(tag_ids) if tag_ids else parse_ids(None),
        author_story=parse_ids(authors[0]),
        author_ids=parse_ids(authors[1]),
        author_position=parse_ids(authors[2]),
        author_names={int(author_id): str(name) for author_id, name in names},
    )


@dataclass
class RecommendIndexRepository:
    """The recommendation index's reads, for the services (which see no connection)."""

    conn: aiosqlite.Connection

    async def vocabulary(self, ids: Sequence[int] | None = None) -> dict[int, VocabularyEntry]:
        return await tag_vocabulary(self.conn, ids)

    def rows(self) -> AsyncIterator[IndexRow]:
        return index_rows(self.conn)

    async def columns(self) -> IndexColumns:
        return await index_columns(self.conn)

    async def row(self, story_id: int) -> IndexRow | None:
        return await index_row(self.conn, story_id)

    async def change_counter(self) -> int:
        rows = await fetch_all(self.conn, "SELECT counter FROM library_changes")
        return int(rows[0][0]) if rows else 0

    async def snapshot(self, format_version: int) -> StoredSnapshot | None:
        """The saved index, its bytes read only when still usable (one statement, so the
        counter it is compared with is the one of the same moment)."""
        rows = await fetch_all(self.conn, _SNAPSHOT, (format_version,))
        if not rows:
            return None
        version, built_at, now, arrays = tuple(rows[0])
        return StoredSnapshot(int(version), int(built_at), int(now),
                              None if arrays is None else bytes(arrays))

    async def save_snapshot(self, format_version: int, counter: int, arrays: bytes) -> None:
        """Written through a connection of its own: tens of megabytes at 100k stories take
        a second or more to write, and the bot's connection keeps answering meanwhile (its
        writes wait for this one, as for any other process's)."""
        rows = await fetch_all(self.conn, "PRAGMA database_list")
        path = next((str(row[2]) for row in rows if row[1] == "main"), "")
        if not path:  # an in-memory database: only this connection sees it
            async with transaction(self.conn):
                await self.conn.execute(_SAVE_SNAPSHOT, (format_version, counter, arrays))
            return
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute("PRAGMA busy_timeout = 5000")
            await begin_immediate(conn)
            try:
                await conn.execute(_SAVE_SNAPSHOT, (format_version, counter, arrays))
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        finally:
            await conn.close()


_SNAPSHOT = """
SELECT s.format_version, s.counter, c.counter,
       CASE WHEN s.counter = c.counter AND s.format_version = ? THEN s.arrays END
  FROM index_snapshot s, library_changes c
"""
_SAVE_SNAPSHOT = """
INSERT INTO index_snapshot (id, format_version, counter, arrays) VALUES (1, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET format_version = excluded.format_version,
                               counter = excluded.counter, arrays = excluded.arrays
 WHERE index_snapshot.counter <= excluded.counter
"""
