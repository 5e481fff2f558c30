"""Stories, their authors, chapters, passages and tags: the library's repository."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory, StoryNotFound
from bot.library.models import (
    RATING_OF,
    Chapter,
    ListedStory,
    Passage,
    Rating,
    Story,
    StoryDraft,
    Tag,
    TagKind,
)
from bot.library.records import (
    PassageLike,
    SearchHits,
    SortOrder,
    StoryFilter,
    TitleRow,
)
from bot.library.visibility import ALL_GUILDS, Visibility
from bot.library.vocabulary import language_code
from bot.store.bulk_rows import story_facts
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.story_reads import (
    ids_page,
    lines_by_id,
    lines_page,
    page_filters,
    stories_page,
)
from bot.store.sqlite.story_search import forget_search_rows, index_for_search, search_ids
from bot.store.sqlite.story_sql import (
    ORDER_BY,
    PASSAGE_INSERT,
    visibility_clause,
)
from bot.store.sqlite.tags import TagRepository
from bot.store.story_rows import (
    is_web_link,
    iso_day,
    passage_row,
    searched_stories,
    visible_in_order,
)


@dataclass
class StoryRepository:
    conn: aiosqlite.Connection

    @property
    def tags(self) -> TagRepository:
        return TagRepository(self.conn)

    async def add(
        self,
        draft: StoryDraft,
        passages: Sequence[PassageLike],
        *,
        guild_id: int | None,
        added_by: int | None = None,
        now: datetime | None = None,
    ) -> Story:
        """Store a whole story in one transaction: it is there completely or not at all."""
        # The fingerprint, word count and search words read every word: in a thread.
        facts = await asyncio.to_thread(story_facts, draft)
        fingerprint, words = facts.fingerprint, facts.words
        added_at = (now or SystemClock().now()).isoformat()
        rating = draft.rating or Rating.NOT_RATED
        async with transaction(self.conn):
            # Checked inside the write transaction (which holds SQLite's write lock), so two
            # imports of one story at once, in one process or two, store it once.
            existing = await self._find_by_hash(fingerprint, guild_id)
            if existing is None and draft.source and is_web_link(draft.source):
                # The same work from its site (or another format of it) is one story.
                existing = await self._find_by_source(draft.source, guild_id)
            if existing is not None:
                raise DuplicateStory(existing[0], existing[1])
            cursor = await self.conn.execute(
                """INSERT INTO stories (guild_id, title, summary, notes, end_notes, rating,
                       language, words, chapters, complete, series, source, format,
                       content_hash, added_by, added_at, published, updated, series_part)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    guild_id, draft.title, draft.summary, draft.notes, draft.end_notes,
                    rating.value, language_code(draft.language), words, len(draft.chapters),
                    None if draft.complete is None else int(draft.complete), draft.series,
                    draft.source, draft.format, fingerprint, added_by, added_at,
                    iso_day(draft.published), iso_day(draft.updated), draft.series_part,
                ),
            )
            story_id = cursor.lastrowid
            assert story_id is not None
            await self._insert_authors(story_id, draft.authors)
            await self.conn.executemany(
                "INSERT INTO chapters (story_id, number, title, text) VALUES (?, ?, ?, ?)",
                [(story_id, c.number, c.title, c.text) for c in draft.chapters],
            )
            # Cuts (migration 0005) let "…" be shown where a passage breaks a sentence;
            # passages without them count as cut between paragraphs.
            await self.conn.executemany(
                PASSAGE_INSERT, [passage_row(story_id, p) for p in passages]
            )
            tags = [Tag(TagKind.RATING, rating.value), *(t for t in draft.tags()
                                                        if t.kind is not TagKind.RATING)]
            await self._insert_story_tags(story_id, tags)
            await self.index_for_search(story_id, story_id, {story_id: facts.search_words})
        return await self.get(story_id, ALL_GUILDS)

    async def _find_by_hash(self, fingerprint: str, guild_id: int | None) -> tuple[int, str] | None:
        rows = await fetch_all(
            self.conn,
            """SELECT id, title FROM stories
               WHERE content_hash = ? AND (guild_id IS NULL OR guild_id IS ?)""",
            (fingerprint, guild_id),
        )
        row = rows[0] if rows else None
        return (int(row[0]), str(row[1])) if row else None

    async def _find_by_source(self, source: str, guild_id: int | None
                              ) -> tuple[int, str] | None:
        rows = await fetch_all(
            self.conn,
            """SELECT id, title FROM stories
               WHERE IFNULL(guild_id, 0) IN (0, IFNULL(?, 0)) AND source = ?
               ORDER BY id LIMIT 1""",
            (guild_id, source),
        )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    async def _insert_authors(self, story_id: int, names: Iterable[str]) -> None:
        seen: set[int] = set()
        for position, name in enumerate(names):
            await self.conn.execute("INSERT OR IGNORE INTO authors (name) VALUES (?)", (name,))
            rows = await fetch_all(self.conn, "SELECT id FROM authors WHERE name = ?", (name,))
            row = rows[0] if rows else None
            assert row is not None
            author_id = int(row[0])
            if author_id not in seen:
                seen.add(author_id)
                await self.conn.execute(
                    "INSERT INTO story_authors (story_id, author_id, position) VALUES (?, ?, ?)",
                    (story_id, author_id, position),
                )

    async def _insert_story_tags(self, story_id: int, tags: Sequence[Tag]) -> None:
        seen: set[int] = set()
        for position, tag in enumerate(tags):
            tag_id = await self.tags.ensure(tag)
            if tag_id not in seen:
                seen.add(tag_id)
                await self.conn.execute(
                    "INSERT INTO story_tags (story_id, tag_id, position) VALUES (?, ?, ?)",
                    (story_id, tag_id, position),
                )

    async def reindex_for_search(self, story_id: int) -> None:
        await self.index_for_search(story_id, story_id)

    async def index_for_search(self, first_id: int, last_id: int,
                               words: Mapping[int, str] | None = None) -> None:
        """(Re)write the full-text rows of stories first_id..last_id from what is stored
        (story_search.index_for_search)."""
        await index_for_search(self.conn, first_id, last_id, words)

    async def get_many(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[Story]:
        """The visible ones of these stories, in the order asked, in one query."""
        return visible_in_order(await self._select_ids(story_ids), story_ids, visibility)

    async def lines_of(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[ListedStory]:
        """`get_many` as list lines: a page of recommendations shows no more."""
        return visible_in_order(await lines_by_id(self.conn, story_ids), story_ids,
                                visibility)

    async def get(
        self, story_id: int, visibility: Visibility, *, with_chapters: bool = False
    ) -> Story:
        where, params = visibility_clause(visibility)
        stories = await self._select(f"s.id = ? AND {where}", (story_id, *params), by_key=True)
        if not stories:
            raise StoryNotFound(story_id)
        story = stories[0]
        if with_chapters:
            story.chapters = await self.chapters(story_id)
        return story

    async def chapters(self, story_id: int) -> list[Chapter]:
        rows = await fetch_all(
            self.conn,
            "SELECT number, title, text FROM chapters WHERE story_id = ? ORDER BY number",
            (story_id,),
        )
        return [Chapter(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def passages(self, story_id: int) -> list[Passage]:
        rows = await fetch_all(
            self.conn,
            """SELECT id, story_id, seq, chapter, text, words FROM passages
               WHERE story_id = ? ORDER BY seq""",
            (story_id,),
        )
        return [Passage(*row) for row in rows]

    async def list(
        self,
        visibility: Visibility,
        *,
        tag_keys: Sequence[str] = (),
        sort: SortOrder = "title",
        limit: int = 100,
        offset: int = 0,
        shown: StoryFilter | None = None,
    ) -> builtins.list[Story]:
        """Stories in view, optionally only those carrying every tag (or a synonym of it)."""
        where, params = visibility_clause(visibility, in_order=True)
        extra, extra_args, _ = await page_filters(self.conn, shown, limit + offset)
        clauses, args = [where, *extra], [*params, *extra_args]
        for key in tag_keys:
            clauses.append(
                """s.id IN (SELECT st.story_id FROM story_tags st JOIN tags t ON t.id = st.tag_id
                            WHERE IFNULL(t.canonical_id, t.id) IN (
                                SELECT IFNULL(canonical_id, id) FROM tags WHERE key = ?))"""
            )
            args.append(key)
        order = ORDER_BY[sort]
        return await self._select(
            " AND ".join(clauses), tuple(args), order=order, limit=limit, offset=offset
        )

    async def list_lines(
        self, visibility: Visibility, *, sort: SortOrder = "title", limit: int = 100,
        offset: int = 0, shown: StoryFilter | None = None,
    ) -> builtins.list[ListedStory]:
        """A list page: what one line shows of each story in view, in one query."""
        where, params, gathered = await self._page_where(visibility, shown, limit + offset)
        return await lines_page(self.conn, where, params, order=ORDER_BY[sort], limit=limit,
                                offset=offset, gathered=gathered)

    async def list_ids(
        self, visibility: Visibility, *, sort: SortOrder = "title", limit: int = 100,
        offset: int = 0, shown: StoryFilter | None = None,
    ) -> builtins.list[int]:
        """The ids of `list_lines`' page, in its order."""
        where, params, gathered = await self._page_where(visibility, shown, limit + offset)
        return await ids_page(self.conn, where, params, order=ORDER_BY[sort], limit=limit,
                              offset=offset, gathered=gathered)

    async def _page_where(self, visibility: Visibility, shown: StoryFilter | None, rows: int
                          ) -> tuple[str, builtins.list[object], int]:
        """A list page's WHERE (the view, walking an order's index, and the channel's
        filters), its parameters, and how many stories it gathers (`page_filters`)."""
        where, params = visibility_clause(visibility, in_order=True)
        extra, extra_args, gathered = await page_filters(self.conn, shown, rows)
        return " AND ".join([where, *extra]), [*params, *extra_args], gathered

    async def count(self, visibility: Visibility) -> int:
        where, params = visibility_clause(visibility)
        rows = await fetch_all(self.conn, f"SELECT count(*) FROM stories s WHERE {where}", params)
        row = rows[0] if rows else None
        return int(row[0]) if row else 0

    async def search(
        self, visibility: Visibility, query: str, *, limit: int = 25,
        shown: StoryFilter | None = None,
    ) -> SearchHits[Story]:
        return await searched_stories(self, visibility, query, limit=limit, shown=shown)

    async def search_ids(
        self, visibility: Visibility, query: str, *, limit: int = 25,
        shown: StoryFilter | None = None,
    ) -> SearchHits[int]:
        """The best matches' ids, best first (bot/store/sqlite/story_search.py)."""
        return await search_ids(self.conn, visibility, query, limit=limit, shown=shown)

    async def remove(self, story_id: int, visibility: Visibility) -> Story:
        story = await self.get(story_id, visibility)
        async with transaction(self.conn):
            await forget_search_rows(self.conn, "rowid = ?", (story_id,))
            await self.conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
        return story

    async def titles(self) -> builtins.list[TitleRow]:
        """Id, server, title and rating of every story: autocomplete's title index."""
        rows = await fetch_all(self.conn, "SELECT id, guild_id, title, rating FROM stories")
        # 100k rows at start-up: made into records off the event loop
        return await asyncio.to_thread(lambda: [
            TitleRow(int(r[0]), r[1], str(r[2]), RATING_OF[r[3]]) for r in rows])

    async def update(
        self,
        story_id: int,
        *,
        title: str | None = None,
        summary: str | None = None,
        rating: Rating | None = None,
        add_tags: Sequence[Tag] = (),
        remove_tag_keys: Sequence[tuple[TagKind, str]] = (),
    ) -> None:
        """Change a story's metadata in one transaction and refresh its search row."""
        async with transaction(self.conn):
            for column, value in (("title", title), ("summary", summary),
                                  ("rating", rating and rating.value)):
                if value is not None:
                    await self.conn.execute(
                        f"UPDATE stories SET {column} = ? WHERE id = ?", (value, story_id)
                    )
            if rating is not None:
                await self.conn.execute(
                    """DELETE FROM story_tags WHERE story_id = ? AND tag_id IN
                       (SELECT id FROM tags WHERE kind = 'rating')""",
                    (story_id,),
                )
                add_tags = [Tag(TagKind.RATING, rating.value), *add_tags]
            for kind, key in remove_tag_keys:
                await self.conn.execute(
                    """DELETE FROM story_tags WHERE story_id = ? AND tag_id IN
                       (SELECT id FROM tags WHERE kind = ? AND key = ?)""",
                    (story_id, kind.value, key),
                )
            rows = await fetch_all(
                self.conn,
                "SELECT IFNULL(max(position), -1) + 1 FROM story_tags WHERE story_id = ?",
                (story_id,),
            )
            row = rows[0] if rows else None
            position = int(row[0]) if row else 0
            for tag in add_tags:
                tag_id = await self.tags.ensure(tag)
                await self.conn.execute(
                    "INSERT OR IGNORE INTO story_tags (story_id, tag_id, position) "
                    "VALUES (?, ?, ?)",
                    (story_id, tag_id, position),
                )
                position += 1
            await self.reindex_for_search(story_id)

    async def _select_ids(self, ids: Sequence[int]) -> builtins.list[Story]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return await self._select(f"s.id IN ({marks})", tuple(ids), limit=len(ids), by_key=True)

    async def _select(
        self,
        where: str,
        params: tuple[object, ...],
        *,
        order: str = "s.id",
        limit: int = 100,
        offset: int = 0,
        by_key: bool = False,
    ) -> builtins.list[Story]:
        return await stories_page(self.conn, where, params, order=order, limit=limit,
                                  offset=offset, by_key=by_key)

