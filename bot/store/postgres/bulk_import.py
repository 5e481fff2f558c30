"""Storing many stories at once: a whole batch in one transaction, rows sent with COPY.

The duplicate rules are StoryRepository.add's (same content fingerprint, or the same web
source, in this server or the demo library), decided in bot.store.bulk_rows inside the
transaction, which first takes a lock that keeps other writers of stories out until it
commits: two imports at once, in one process or two, store a story once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory
from bot.library.models import Story, StoryDraft, Tag
from bot.library.records import PassageLike
from bot.store.bulk_rows import BatchPlan, StoryFacts, StoryRow, TagKey, plan_batch
from bot.store.postgres.database import Executor, transaction
from bot.store.postgres.search_documents import write_search_documents
from bot.store.postgres.stories import PASSAGE_COPY_COLUMNS
from bot.store.postgres.tags import ensure_tag

STORY_COLUMNS = StoryRow._fields


@dataclass
class BulkStoryWriter:
    pool: asyncpg.Pool

    async def add_batch(
        self,
        batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
        *,
        guild_id: int | None,
        now: datetime | None = None,
    ) -> list[int]:
        """Store every story of the batch, or none of them (a duplicate, in the batch or in
        the library, raises DuplicateStory); returns the new ids in order."""
        if not batch:
            return []
        async with transaction(self.pool) as conn:
            plan = await _plan(conn, batch, guild_id)
            for outcome in plan.outcomes:
                if isinstance(outcome, DuplicateStory):
                    raise outcome
            await _write(conn, plan, batch, guild_id, None, now)
        return plan.new_ids

    async def compact_search(self, stored: int) -> bool:
        """Nothing to merge: each search index here is one GIN tree, and the inserts
        themselves merge its pending list once it outgrows 64 kB (migration 9)."""
        return False

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
        if not batch:
            return []
        async with transaction(self.pool) as conn:
            plan = await _plan(conn, batch, guild_id, facts)
            stored = iter(await _write(conn, plan, batch, guild_id, added_by, now))
        return [next(stored) if isinstance(outcome, int) else outcome
                for outcome in plan.outcomes]


async def _plan(conn: asyncpg.Connection,
                batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
                guild_id: int | None, facts: Sequence[StoryFacts] | None = None) -> BatchPlan:
    # Single adds and other bulk writers wait here until this batch commits, so the
    # duplicate checks below see every story stored before ours.
    await conn.execute("LOCK TABLE stories IN SHARE ROW EXCLUSIVE MODE")

    async def next_ids(count: int) -> list[int]:
        return [int(r[0]) for r in await conn.fetch(
            "SELECT nextval(pg_get_serial_sequence('stories', 'id')) "
            "FROM generate_series(1, $1)", count)]

    async def by_hash(hashes: list[str]) -> dict[str, tuple[int, str]]:
        return await _lookup(conn, "content_hash", hashes,
                             "(guild_id IS NULL OR guild_id IS NOT DISTINCT FROM $2)", guild_id)

    async def by_source(sources: list[str]) -> dict[str, tuple[int, str]]:
        return await _lookup(conn, "source", sources,
                             "COALESCE(guild_id, 0) IN (0, COALESCE($2::bigint, 0))", guild_id)

    return await plan_batch([draft for draft, _ in batch], next_ids=next_ids,
                            by_hash=by_hash, by_source=by_source, facts=facts)


async def _lookup(conn: Executor, column: str, values: list[str], scope: str,
                  guild_id: int | None) -> dict[str, tuple[int, str]]:
    """value -> (id, title) of the first stored story in scope with that value."""
    rows = await conn.fetch(
        f"""SELECT {column}, id, title FROM stories
             WHERE {column} = ANY($1::text[]) AND {scope} ORDER BY id""",
        values, guild_id,
    )
    found: dict[str, tuple[int, str]] = {}
    for row in rows:
        found.setdefault(str(row[0]), (int(row[1]), str(row[2])))
    return found


async def _write(conn: asyncpg.Connection, plan: BatchPlan,
                 batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]],
                 guild_id: int | None, added_by: int | None, now: datetime | None
                 ) -> list[Story]:
    """Write the plan's new stories; they are returned as a read would return them."""
    if not plan.new_ids:
        return []
    rows = plan.rows(batch, guild_id=guild_id, added_by=added_by,
                     added_at=(now or SystemClock().now()).isoformat())
    tag_ids, tag_names = await _tag_ids(conn, rows.tags)
    await conn.execute("INSERT INTO authors (name) SELECT unnest($1::text[]) "
                       "ON CONFLICT (name) DO NOTHING", rows.author_names)
    author_ids = {str(r[0]): int(r[1]) for r in await conn.fetch(
        "SELECT name, id FROM authors WHERE name = ANY($1::text[])", rows.author_names)}
    await conn.copy_records_to_table("stories", records=rows.stories, columns=STORY_COLUMNS)
    await conn.copy_records_to_table("story_authors", records=rows.story_authors(author_ids),
                                     columns=("story_id", "author_id", "position"))
    await conn.copy_records_to_table("chapters", records=rows.chapters,
                                     columns=("story_id", "number", "title", "text"))
    await conn.copy_records_to_table(
        "passages", columns=PASSAGE_COPY_COLUMNS,
        records=rows.passage_rows())
    await conn.copy_records_to_table("story_tags", records=rows.story_tags(tag_ids),
                                     columns=("story_id", "tag_id", "position"))
    await write_search_documents(conn, plan.new_ids[0], plan.new_ids[-1])
    return rows.stored_stories(tag_ids, tag_names)


async def _tag_ids(conn: asyncpg.Connection, tags: dict[TagKey, Tag]
                   ) -> tuple[dict[TagKey, int], dict[int, str]]:
    """Each tag's id (made as ensure_tag makes it when new) and each id's stored name:
    the batch's known tags in one query, not one per tag."""
    ids: dict[TagKey, int] = {}
    names: dict[int, str] = {}
    for kind, key, tag_id, name in await conn.fetch(
            """SELECT t.kind, t.key, t.id, t.name
                 FROM unnest($1::text[], $2::text[]) AS wanted (kind, key)
                 JOIN tags t ON t.kind = wanted.kind AND t.key = wanted.key""",
            [kind for kind, _ in tags], [key for _, key in tags]):
        ids[str(kind), str(key)] = int(tag_id)
        names[int(tag_id)] = str(name)
    missing = [key for key in tags if key not in ids]
    if missing:
        for key in missing:
            ids[key] = await ensure_tag(conn, tags[key])
        names.update((int(r[0]), str(r[1])) for r in await conn.fetch(
            "SELECT id, name FROM tags WHERE id = ANY($1::bigint[])",
            [ids[key] for key in missing]))
    return ids, names
