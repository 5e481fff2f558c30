"""Storing many stories at once: a folder import, a benchmark's synthetic library.

`StoryRepository.add` makes a few round trips per tag to be exact about one story; here a
whole batch goes in with one statement per table, in one transaction. The duplicate rules
are add's (same content fingerprint, or the same web source, in this server or the demo
library), checked inside the write transaction, and also between stories of the batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory
from bot.library.models import Story, StoryDraft, Tag
from bot.library.records import PassageLike
from bot.library.visibility import ALL_GUILDS
from bot.store.bulk_rows import BatchPlan, StoryFacts, TagKey, plan_batch
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.stories import StoryRepository
from bot.store.sqlite.story_search import compact_search_index, search_index_pieces
from bot.store.sqlite.story_sql import PASSAGE_INSERT

# The WAL pages after which an import's commit copies the log into the database. SQLite's
# default, 1,000 pages (4 MB), is reached every 150 small stories, and each such checkpoint
# waits for the disk (fsync): that was half of a batch's writing time. Once per 64 MB the
# wait is shared by ~2,500 stories. Durability is unchanged: a commit is in the log, which
# a restart replays, whether or not it was copied yet.
_IMPORT_CHECKPOINT_PAGES = 16_000
_DEFAULT_CHECKPOINT_PAGES = 1_000  # SQLite's, which the connection otherwise keeps


# An insert of many rows in a transaction keeps a statement journal (the pages it changed,
# to undo just that statement if it fails). SQLite keeps one in memory up to a size and
# then writes it to a temporary file, a 4-byte and a page-sized write per page: 24 of a
# small story's 45 writes in a folder import, each a system call, costly on a virtual
# machine. With temp_store = MEMORY it stays in memory. And a batch of 100 small stories
# changes more pages than SQLite's default page cache (2 MB) holds: it wrote some of them
# to the log before the commit (and again when changed again) and read others back; with
# a cache of 64 MB, 4 writes and 5 reads a story fewer. Both only while a batch is
# written: the bot's own queries keep their temporary files and its memory.
_IMPORT_CACHE_KB = 64 * 1024
_DEFAULT_CACHE_SIZE = -2000  # SQLite's (2 MB), which the connection otherwise keeps


@contextlib.asynccontextmanager
async def _import_settings(conn: aiosqlite.Connection) -> AsyncIterator[None]:
    """A batch's settings: its commits check the log against the larger threshold, and its
    statement journals and pages stay in memory. The connection's own are back as soon as
    the batch is written."""
    await conn.execute(f"PRAGMA wal_autocheckpoint = {_IMPORT_CHECKPOINT_PAGES}")
    await conn.execute("PRAGMA temp_store = MEMORY")
    await conn.execute(f"PRAGMA cache_size = -{_IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        await conn.execute(f"PRAGMA wal_autocheckpoint = {_DEFAULT_CHECKPOINT_PAGES}")
        await conn.execute("PRAGMA temp_store = DEFAULT")
        await conn.execute(f"PRAGMA cache_size = {_DEFAULT_CACHE_SIZE}")


# An import merges the search index into one piece when its stories are at least this
# share of a library of at least this many, and the index is in more than this many
# pieces. The merge costs a pass over the whole index (170 ms for 1,000 stories of 7.6 KB,
# 0.24 s at 10k, 2.7 s at 100k); each piece costs a search a few µs, more the longer its
# postings (FTS5 merges them when a sixteenth is added, so an index is in 1 to 15; the
# benchmarks' 100k library, imported in batches of 100, was in 13).
COMPACT_SHARE = 0.25
COMPACT_FROM_STORIES = 10_000
COMPACT_FROM_PIECES = 8

# SQLite's default bound on "?" parameters in one statement is 32,766; lookups stay far below.
_LOOKUP_CHUNK = 500


@dataclass
class BulkStoryWriter:
    conn: aiosqlite.Connection
    compact_from_stories: int = COMPACT_FROM_STORIES

    async def add_batch(
        self,
        batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
        *,
        guild_id: int | None,
        now: datetime | None = None,
    ) -> list[int]:
        """Store every story of the batch, or none of them (a duplicate, in the batch or in
        the library, raises DuplicateStory); returns the new ids in order."""
        async with transaction(self.conn):
            plan = await self._plan(batch, guild_id)
            for outcome in plan.outcomes:
                if isinstance(outcome, DuplicateStory):
                    raise outcome
            await self._write(plan, batch, guild_id, None, now)
        return plan.new_ids

    async def import_batch(
        self,
        batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
        *,
        guild_id: int | None,
        added_by: int | None = None,
        now: datetime | None = None,
        facts: Sequence[StoryFacts] | None = None,
    ) -> list[Story | DuplicateStory]:
        """Store the stories of the batch that are new, in one transaction; per story, in
        order, the stored Story or the DuplicateStory that says which story it repeats.
        `facts` (bot.store.bulk_rows.story_facts of each draft) spare working them out."""
        async with _import_settings(self.conn), transaction(self.conn):
            plan = await self._plan(batch, guild_id, facts)
            stored = iter(await self._write(plan, batch, guild_id, added_by, now))
        return [next(stored) if isinstance(outcome, int) else outcome
                for outcome in plan.outcomes]

    async def compact_search(self, stored: int) -> bool:
        """After an import that stored `stored` stories: merge the search index into one
        piece (story_search.compact_search_index) when they are at least COMPACT_SHARE of
        a library of at least `compact_from_stories` and the index is in more than
        COMPACT_FROM_PIECES; say whether it did."""
        if stored <= 0:
            return False
        library = await StoryRepository(self.conn).count(ALL_GUILDS)
        if library < self.compact_from_stories or stored < COMPACT_SHARE * library:
            return False
        if await search_index_pieces(self.conn) <= COMPACT_FROM_PIECES:
            return False
        async with transaction(self.conn):
            await compact_search_index(self.conn)
        return True

    async def _plan(self, batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
                    guild_id: int | None, facts: Sequence[StoryFacts] | None = None
                    ) -> BatchPlan:
        return await plan_batch(
            [draft for draft, _ in batch], facts=facts,
            next_ids=self._next_ids,
            by_hash=lambda hashes: self._lookup(
                "content_hash", hashes, "(guild_id IS NULL OR guild_id IS ?)", guild_id),
            by_source=lambda sources: self._lookup(
                "source", sources, "IFNULL(guild_id, 0) IN (0, IFNULL(?, 0))", guild_id),
        )

    async def _next_ids(self, count: int) -> list[int]:
        # AUTOINCREMENT ids are never reused: start past both the largest id and the
        # largest ever handed out (a removed story's), as SQLite itself would.
        rows = await fetch_all(
            self.conn,
            """SELECT max(IFNULL((SELECT max(id) FROM stories), 0),
                          IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'stories'), 0))""",
        )
        first = int(rows[0][0]) + 1
        return list(range(first, first + count))

    async def _lookup(self, column: str, values: list[str], scope: str,
                      guild_id: int | None) -> dict[str, tuple[int, str]]:
        """value -> (id, title) of the first stored story in scope with that value."""
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(values), _LOOKUP_CHUNK):
            chunk = values[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = await fetch_all(
                self.conn,
                f"""SELECT {column}, id, title FROM stories
                     WHERE {column} IN ({marks}) AND {scope} ORDER BY id""",
                (*chunk, guild_id),
            )
            for value, story_id, title in rows:
                found.setdefault(str(value), (int(story_id), str(title)))
        return found

    async def _write(self, plan: BatchPlan,
                     batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
                     guild_id: int | None, added_by: int | None, now: datetime | None
                     ) -> list[Story]:
        """Write the plan's new stories; they are returned as a read would return them."""
        if not plan.new_ids:
            return []
        rows = plan.rows(batch, guild_id=guild_id, added_by=added_by,
                         added_at=(now or SystemClock().now()).isoformat())
        tag_ids, tag_names = await self._tag_ids(rows.tags)
        author_ids = await self._author_ids(rows.author_names)
        await self.conn.executemany(
            """INSERT INTO stories (id, guild_id, title, summary, notes, end_notes, rating,
                   language, words, chapters, complete, series, source, format,
                   content_hash, added_by, added_at, published, updated, series_part)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows.stories,
        )
        await self.conn.executemany(
            "INSERT INTO story_authors (story_id, author_id, position) VALUES (?, ?, ?)",
            rows.story_authors(author_ids),
        )
        await self.conn.executemany(
            "INSERT INTO chapters (story_id, number, title, text) VALUES (?, ?, ?, ?)",
            rows.chapters,
        )
        await self.conn.executemany(PASSAGE_INSERT, rows.passage_rows())
        await self.conn.executemany(
            "INSERT INTO story_tags (story_id, tag_id, position) VALUES (?, ?, ?)",
            rows.story_tags(tag_ids),
        )
        await StoryRepository(self.conn).index_for_search(plan.new_ids[0], plan.new_ids[-1],
                                                          plan.search_words())
        return rows.stored_stories(tag_ids, tag_names)

    async def _tag_ids(self, tags: dict[TagKey, Tag]) -> tuple[dict[TagKey, int], dict[int, str]]:
        """Each tag's id (made as TagRepository.ensure makes it when new) and each id's
        stored name: the batch's known tags in one query, not one per tag."""
        keys = list(tags)
        ids: dict[TagKey, int] = {}
        names: dict[int, str] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start:start + _LOOKUP_CHUNK]
            rows = await fetch_all(
                self.conn,
                f"""SELECT t.kind, t.key, t.id, t.name
                      FROM (VALUES {",".join(["(?, ?)"] * len(chunk))}) AS wanted
                      JOIN tags t ON t.kind = wanted.column1 AND t.key = wanted.column2""",
                tuple(part for key in chunk for part in key),
            )
            for kind, key, tag_id, name in rows:
                ids[str(kind), str(key)] = int(tag_id)
                names[int(tag_id)] = str(name)
        missing = [key for key in keys if key not in ids]
        if missing:
            repository = StoryRepository(self.conn).tags
            for key in missing:
                ids[key] = await repository.ensure(tags[key])
            made = [ids[key] for key in missing]
            for start in range(0, len(made), _LOOKUP_CHUNK):
                made_chunk = made[start:start + _LOOKUP_CHUNK]
                rows = await fetch_all(
                    self.conn,
                    f"SELECT id, name FROM tags WHERE id IN ({','.join('?' * len(made_chunk))})",
                    tuple(made_chunk))
                names.update((int(tag_id), str(name)) for tag_id, name in rows)
        return ids, names

    async def _author_ids(self, names: list[str]) -> dict[str, int]:
        await self.conn.executemany("INSERT OR IGNORE INTO authors (name) VALUES (?)",
                                    [(name,) for name in names])
        found: dict[str, int] = {}
        for start in range(0, len(names), _LOOKUP_CHUNK):
            chunk = names[start:start + _LOOKUP_CHUNK]
            rows = await fetch_all(
                self.conn,
                f"SELECT name, id FROM authors WHERE name IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found.update((str(name), int(author_id)) for name, author_id in rows)
        return found
