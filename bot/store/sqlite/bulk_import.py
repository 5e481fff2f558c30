"""Storing many stories at once (a large library, a benchmark's synthetic one).

`StoryRepository.add` makes a few round trips per tag to be exact about one story; here a
whole batch goes in with one statement per table, in one transaction, with a tag-id cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory
from bot.library.models import Rating, StoryDraft, Tag, TagKind
from bot.library.records import PassageLike
from bot.library.tags import clean_tag_name, shipped_synonyms, tag_key
from bot.library.vocabulary import language_code
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.stories import StoryRepository
from bot.store.sqlite.story_sql import PASSAGE_INSERT
from bot.store.story_rows import content_hash, passage_row


@dataclass
class BulkStoryWriter:
    conn: aiosqlite.Connection
    _tag_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    _author_ids: dict[str, int] = field(default_factory=dict)

    async def _load_caches(self) -> None:
        if not self._tag_ids:
            rows = await fetch_all(self.conn, "SELECT id, kind, key FROM tags")
            self._tag_ids = {(kind, key): int(tid) for tid, kind, key in rows}
        if not self._author_ids:
            rows = await fetch_all(self.conn, "SELECT id, name FROM authors")
            self._author_ids = {str(name): int(aid) for aid, name in rows}

    async def _next_id(self, table: str) -> int:
        rows = await fetch_all(self.conn, f"SELECT IFNULL(max(id), 0) + 1 FROM {table}")
        row = rows[0] if rows else None
        return int(row[0]) if row else 1

    async def _tag_id(self, tag: Tag) -> int:
        cache_key = (tag.kind.value, tag_key(tag.name))
        if cache_key in self._tag_ids:
            return self._tag_ids[cache_key]
        canonical_name = shipped_synonyms().canonical_for(tag.kind, tag.name)
        canonical_id = (await self._tag_id(Tag(tag.kind, canonical_name))
                        if canonical_name else None)
        name = clean_tag_name(tag.name)
        cursor = await self.conn.execute(
            "INSERT INTO tags (kind, name, key, canonical_id) VALUES (?, ?, ?, ?)",
            (tag.kind.value, name, cache_key[1], canonical_id),
        )
        assert cursor.lastrowid is not None
        self._tag_ids[cache_key] = cursor.lastrowid
        return cursor.lastrowid

    async def _author_id(self, name: str) -> int:
        if name not in self._author_ids:
            cursor = await self.conn.execute("INSERT INTO authors (name) VALUES (?)", (name,))
            assert cursor.lastrowid is not None
            self._author_ids[name] = cursor.lastrowid
        return self._author_ids[name]

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
        added_at = (now or SystemClock().now()).isoformat()
        async with transaction(self.conn):
            await self._load_caches()
            first_id = await self._next_id("stories")
            ids = list(range(first_id, first_id + len(batch)))
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
                    author_rows.append((story_id, await self._author_id(name), position))
                chapter_rows += [(story_id, c.number, c.title, c.text) for c in draft.chapters]
                passage_rows += [passage_row(story_id, p) for p in passages]
                tags = [Tag(TagKind.RATING, rating.value),
                        *(t for t in draft.tags() if t.kind is not TagKind.RATING)]
                seen: set[int] = set()
                for position, tag in enumerate(tags):
                    tag_id = await self._tag_id(tag)
                    if tag_id not in seen:
                        seen.add(tag_id)
                        tag_rows.append((story_id, tag_id, position))
            await self.conn.executemany(
                """INSERT INTO stories (id, guild_id, title, summary, notes, end_notes, rating,
                       language, words, chapters, complete, series, source, format,
                       content_hash, added_by, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                story_rows,
            )
            await self.conn.executemany(
                "INSERT INTO story_authors (story_id, author_id, position) VALUES (?, ?, ?)",
                author_rows,
            )
            await self.conn.executemany(
                "INSERT INTO chapters (story_id, number, title, text) VALUES (?, ?, ?, ?)",
                chapter_rows,
            )
            await self.conn.executemany(PASSAGE_INSERT, passage_rows)
            await self.conn.executemany(
                "INSERT INTO story_tags (story_id, tag_id, position) VALUES (?, ?, ?)", tag_rows
            )
            await StoryRepository(self.conn).index_for_search(ids[0], ids[-1])
        return ids
