"""Storing many stories at once: a whole batch in one transaction, rows sent with COPY."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory
from bot.library.models import Rating, StoryDraft, Tag, TagKind
from bot.library.records import PassageLike
from bot.library.vocabulary import language_code
from bot.store.postgres.database import Executor, transaction
from bot.store.postgres.stories import PASSAGE_COPY_COLUMNS, write_search_documents
from bot.store.postgres.tags import ensure_tag
from bot.store.story_rows import content_hash, passage_row

STORY_COLUMNS = ("id", "guild_id", "title", "summary", "notes", "end_notes", "rating",
                 "language", "words", "chapters", "complete", "series", "source", "format",
                 "content_hash", "added_by", "added_at")


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
        """Store every story of the batch, or none of them; returns the new ids in order."""
        hashes = [content_hash(draft.chapters) for draft, _ in batch]
        if len(set(hashes)) != len(hashes):
            raise DuplicateStory(0, "a story appears twice in this batch")
        if not batch:
            return []
        added_at = (now or SystemClock().now()).isoformat()
        async with transaction(self.pool) as conn:
            # Ids come from the identity sequence in one call, so other writers never clash.
            ids = [int(r[0]) for r in await conn.fetch(
                "SELECT nextval(pg_get_serial_sequence('stories', 'id')) "
                "FROM generate_series(1, $1)", len(batch))]
            tag_ids: dict[tuple[str, str], int] = {}
            author_ids: dict[str, int] = {}
            story_rows, author_rows, chapter_rows, passage_rows, tag_rows = [], [], [], [], []
            for story_id, fingerprint, (draft, passages) in zip(ids, hashes, batch, strict=True):
                rating = draft.rating or Rating.NOT_RATED
                story_rows.append((
                    story_id, guild_id, draft.title, draft.summary, draft.notes, draft.end_notes,
                    rating.value, language_code(draft.language), draft.words, len(draft.chapters),
                    None if draft.complete is None else int(draft.complete), draft.series,
                    draft.source, draft.format, fingerprint, None, added_at,
                ))
                for position, name in enumerate(dict.fromkeys(draft.authors)):
                    author_rows.append((story_id, await _author_id(conn, author_ids, name),
                                        position))
                chapter_rows += [(story_id, c.number, c.title, c.text) for c in draft.chapters]
                passage_rows += [passage_row(story_id, p) for p in passages]
                tags = [Tag(TagKind.RATING, rating.value),
                        *(t for t in draft.tags() if t.kind is not TagKind.RATING)]
                seen: set[int] = set()
                for position, tag in enumerate(tags):
                    key = (tag.kind.value, tag.name)
                    if key not in tag_ids:
                        tag_ids[key] = await ensure_tag(conn, tag)
                    if tag_ids[key] not in seen:
                        seen.add(tag_ids[key])
                        tag_rows.append((story_id, tag_ids[key], position))
            await conn.copy_records_to_table("stories", records=story_rows,
                                             columns=STORY_COLUMNS)
            await conn.copy_records_to_table("story_authors", records=author_rows,
                                             columns=("story_id", "author_id", "position"))
            await conn.copy_records_to_table("chapters", records=chapter_rows,
                                             columns=("story_id", "number", "title", "text"))
            await conn.copy_records_to_table("passages", records=passage_rows,
                                             columns=PASSAGE_COPY_COLUMNS)
            await conn.copy_records_to_table("story_tags", records=tag_rows,
                                             columns=("story_id", "tag_id", "position"))
            await write_search_documents(conn, ids[0], ids[-1])
        return ids


async def _author_id(conn: Executor, cache: dict[str, int], name: str) -> int:
    if name not in cache:
        await conn.execute(
            "INSERT INTO authors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", name)
        cache[name] = int(await conn.fetchval("SELECT id FROM authors WHERE name = $1", name))
    return cache[name]
