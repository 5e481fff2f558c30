"""Stories, their authors, chapters, passages and tags: the library's repository."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bot.library.clock import SystemClock
from bot.library.errors import DuplicateStory, StoryNotFound
from bot.library.models import (
    RATING_OF,
    TAG_KIND_OF,
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
from bot.store.postgres import search
from bot.store.postgres.database import Executor, note_write, run_transaction
from bot.store.postgres.search_documents import write_search_documents
from bot.store.postgres.story_pages import listed_line, page_ids, page_lines
from bot.store.postgres.story_sql import (  # Params, visibility_clause: for passages.py too
    LINE_COLUMNS,
    ORDER_BY,
    WHOLE_STORY_COLUMNS,
    Params,
    filter_clauses,
    visibility_clause,
)
from bot.store.postgres.tags import ensure_tag
from bot.store.story_rows import (
    day_of,
    fingerprint_and_words,
    is_web_link,
    iso_day,
    moment_of,
    passage_row,
    searched_stories,
    visible_in_order,
)

PASSAGE_COPY_COLUMNS = ("story_id", "seq", "chapter", "text", "words", "cut_before",
                        "cut_after")

def story_from_row(r: Any) -> Story:
    return Story(
        id=int(r[0]), guild_id=r[1], title=r[2], authors=list(r[16]), rating=RATING_OF[r[3]],
        tags=[Tag(TAG_KIND_OF[kind], name) for kind, name in zip(r[17], r[18], strict=True)],
        language=r[4], summary=r[5],
        notes=r[6], end_notes=r[7], words=int(r[8]), chapter_count=int(r[9]),
        complete=None if r[10] is None else bool(r[10]), series=r[11], source=r[12],
        format=r[13], added_by=r[14], added_at=datetime.fromisoformat(r[15]),
        published=day_of(r[19]), updated=day_of(r[20]), series_part=r[21],
        source_checked_at=moment_of(r[22]), source_gone_at=moment_of(r[23]),
    )


async def find_by_source(conn: Executor, source: str,
                         guild_id: int | None) -> tuple[int, str] | None:
    """(id, title) of the story of this server (or the demo library) from `source`."""
    row = await conn.fetchrow(
        """SELECT id, title FROM stories
           WHERE COALESCE(guild_id, 0) IN (0, COALESCE($1::bigint, 0)) AND source = $2
           ORDER BY id LIMIT 1""",
        guild_id, source,
    )
    return (int(row[0]), str(row[1])) if row else None


@dataclass
class StoryRepository:
    pool: asyncpg.Pool

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
        fingerprint, words = await asyncio.to_thread(fingerprint_and_words, draft)
        existing = await self._find_by_hash(self.pool, fingerprint, guild_id)
        if existing is not None:
            raise DuplicateStory(*existing)
        added_at = (now or SystemClock().now()).isoformat()
        rating = draft.rating or Rating.NOT_RATED
        try:
            async def insert(conn: asyncpg.Connection) -> int:
                if draft.source and is_web_link(draft.source):
                    # The same work from its site (or another format of it) is one story:
                    # checked under a lock on (server, source), so two imports at once, in
                    # one process or two, store it once.
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                        f"{guild_id or 0}:{draft.source}")
                    by_source = await find_by_source(conn, draft.source, guild_id)
                    if by_source is not None:
                        raise DuplicateStory(*by_source)
                story_id = await conn.fetchval(
                    """INSERT INTO stories (guild_id, title, summary, notes, end_notes, rating,
                           language, words, chapters, complete, series, source, format,
                           content_hash, added_by, added_at, published, updated, series_part)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                               $15, $16, $17, $18, $19) RETURNING id""",
                    guild_id, draft.title, draft.summary, draft.notes, draft.end_notes,
                    rating.value, language_code(draft.language), words,
                    len(draft.chapters),
                    None if draft.complete is None else int(draft.complete), draft.series,
                    draft.source, draft.format, fingerprint, added_by, added_at,
                    iso_day(draft.published), iso_day(draft.updated), draft.series_part,
                )
                await self._insert_authors(conn, story_id, draft.authors)
                await conn.executemany(
                    "INSERT INTO chapters (story_id, number, title, text) "
                    "VALUES ($1, $2, $3, $4)",
                    [(story_id, c.number, c.title, c.text) for c in draft.chapters],
                )
                await conn.copy_records_to_table(
                    "passages", records=[passage_row(story_id, p) for p in passages],
                    columns=PASSAGE_COPY_COLUMNS,
                )
                tags = [Tag(TagKind.RATING, rating.value),
                        *(t for t in draft.tags() if t.kind is not TagKind.RATING)]
                await self._insert_story_tags(conn, story_id, tags)
                await write_search_documents(conn, story_id, story_id)
                return int(story_id)

            # Not idempotent (a blind re-run would store it twice): see run_transaction.
            story_id = await run_transaction(self.pool, insert, what="adding a story",
                                             idempotent=False)
        except asyncpg.UniqueViolationError:
            # Another process stored the same story between our check and our insert.
            existing = await self._find_by_hash(self.pool, fingerprint, guild_id)
            if existing is None:
                raise
            raise DuplicateStory(*existing) from None
        return await self.get(story_id, ALL_GUILDS)

    @staticmethod
    async def _find_by_hash(conn: Executor, fingerprint: str,
                            guild_id: int | None) -> tuple[int, str] | None:
        row = await conn.fetchrow(
            """SELECT id, title FROM stories
               WHERE content_hash = $1 AND (guild_id IS NULL OR guild_id IS NOT DISTINCT FROM $2)
               ORDER BY id LIMIT 1""",
            fingerprint, guild_id,
        )
        return (int(row[0]), str(row[1])) if row else None

    @staticmethod
    async def _insert_authors(conn: Executor, story_id: int, names: Iterable[str]) -> None:
        seen: set[int] = set()
        for position, name in enumerate(names):
            await conn.execute(
                "INSERT INTO authors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", name)
            author_id = int(await conn.fetchval("SELECT id FROM authors WHERE name = $1", name))
            if author_id not in seen:
                seen.add(author_id)
                await conn.execute(
                    "INSERT INTO story_authors (story_id, author_id, position) "
                    "VALUES ($1, $2, $3)",
                    story_id, author_id, position,
                )

    @staticmethod
    async def _insert_story_tags(conn: Executor, story_id: int, tags: Sequence[Tag]) -> None:
        seen: set[int] = set()
        for position, tag in enumerate(tags):
            tag_id = await ensure_tag(conn, tag)
            if tag_id not in seen:
                seen.add(tag_id)
                await conn.execute(
                    "INSERT INTO story_tags (story_id, tag_id, position) VALUES ($1, $2, $3)",
                    story_id, tag_id, position,
                )

    async def reindex_for_search(self, story_id: int) -> None:
        await self.index_for_search(story_id, story_id)

    async def index_for_search(self, first_id: int, last_id: int) -> None:
        await run_transaction(  # rewrites the documents: the same on a second run
            self.pool, lambda conn: write_search_documents(conn, first_id, last_id),
            what="indexing stories for search")

    async def get_many(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[Story]:
        """The visible ones of these stories, in the order asked, in one query."""
        return visible_in_order(await self._select_ids(story_ids), story_ids, visibility)

    async def lines_of(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[ListedStory]:
        """`get_many` as list lines: a page of recommendations shows no more."""
        rows = await self.pool.fetch(f"SELECT {LINE_COLUMNS} FROM stories s "
                                     "WHERE s.id = ANY($1::bigint[])", list(story_ids))
        return visible_in_order(map(listed_line, rows), story_ids, visibility)

    async def get(
        self, story_id: int, visibility: Visibility, *, with_chapters: bool = False
    ) -> Story:
        params = Params(story_id)
        where = visibility_clause(visibility, params)
        stories = await self._select(f"s.id = $1 AND {where}", params)
        if not stories:
            raise StoryNotFound(story_id)
        story = stories[0]
        if with_chapters:
            story.chapters = await self.chapters(story_id)
        return story

    async def chapters(self, story_id: int) -> list[Chapter]:
        rows = await self.pool.fetch(
            "SELECT number, title, text FROM chapters WHERE story_id = $1 ORDER BY number",
            story_id,
        )
        return [Chapter(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def passages(self, story_id: int) -> list[Passage]:
        rows = await self.pool.fetch(
            """SELECT id, story_id, seq, chapter, text, words FROM passages
               WHERE story_id = $1 ORDER BY seq""",
            story_id,
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
        params = Params()
        clauses = [visibility_clause(visibility, params), *filter_clauses(shown, params)]
        for key in tag_keys:
            clauses.append(
                f"""s.id IN (SELECT st.story_id FROM story_tags st JOIN tags t ON t.id = st.tag_id
                            WHERE COALESCE(t.canonical_id, t.id) IN (
                                SELECT COALESCE(canonical_id, id) FROM tags
                                 WHERE key = {params.add(key)}))"""
            )
        return await self._select(" AND ".join(clauses), params, order=ORDER_BY[sort],
                                  limit=limit, offset=offset)

    async def list_lines(
        self, visibility: Visibility, *, sort: SortOrder = "title", limit: int = 100,
        offset: int = 0, shown: StoryFilter | None = None,
    ) -> builtins.list[ListedStory]:
        """A list page: what one line shows of each story in view, in one query."""
        return await page_lines(self.pool, visibility, sort=sort, limit=limit, offset=offset,
                                shown=shown)

    async def list_ids(
        self, visibility: Visibility, *, sort: SortOrder = "title", limit: int = 100,
        offset: int = 0, shown: StoryFilter | None = None,
    ) -> builtins.list[int]:
        """The ids of `list_lines`' page, in its order."""
        return await page_ids(self.pool, visibility, sort=sort, limit=limit, offset=offset,
                              shown=shown)

    async def count(self, visibility: Visibility) -> int:
        params = Params()
        where = visibility_clause(visibility, params)
        return int(await self.pool.fetchval(
            f"SELECT count(*) FROM stories s WHERE {where}", *params.values))

    async def search(
        self, visibility: Visibility, query: str, *, limit: int = 25,
        shown: StoryFilter | None = None,
    ) -> SearchHits[Story]:
        return await searched_stories(self, visibility, query, limit=limit, shown=shown)

    async def search_ids(
        self, visibility: Visibility, query: str, *, limit: int = 25,
        shown: StoryFilter | None = None,
    ) -> SearchHits[int]:
        """The best matches' ids, best first (bot/store/postgres/search.py)."""
        return await search.search_ids(self.pool, visibility, query, limit=limit, shown=shown)

    async def remove(self, story_id: int, visibility: Visibility) -> Story:
        story = await self.get(story_id, visibility)
        # The search document, chapters, passages, posts... go with it (ON DELETE CASCADE).
        await self.pool.execute("DELETE FROM stories WHERE id = $1", story_id)
        note_write(self.pool)
        return story

    async def titles(self) -> builtins.list[TitleRow]:
        """Id, server, title and rating of every story: autocomplete's title index."""
        rows = await self.pool.fetch("SELECT id, guild_id, title, rating FROM stories")
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
        """Change a story's metadata in one transaction and refresh its search document."""
        async def change(conn: asyncpg.Connection) -> None:
            to_add = list(add_tags)
            for column, value in (("title", title), ("summary", summary),
                                  ("rating", rating and rating.value)):
                if value is not None:
                    await conn.execute(
                        f"UPDATE stories SET {column} = $1 WHERE id = $2", value, story_id)
            if rating is not None:
                await conn.execute(
                    """DELETE FROM story_tags WHERE story_id = $1 AND tag_id IN
                       (SELECT id FROM tags WHERE kind = 'rating')""",
                    story_id,
                )
                to_add = [Tag(TagKind.RATING, rating.value), *to_add]
            for kind, key in remove_tag_keys:
                await conn.execute(
                    """DELETE FROM story_tags WHERE story_id = $1 AND tag_id IN
                       (SELECT id FROM tags WHERE kind = $2 AND key = $3)""",
                    story_id, kind.value, key,
                )
            position = int(await conn.fetchval(
                "SELECT COALESCE(max(position), -1) + 1 FROM story_tags WHERE story_id = $1",
                story_id,
            ))
            for tag in to_add:
                tag_id = await ensure_tag(conn, tag)
                await conn.execute(
                    "INSERT INTO story_tags (story_id, tag_id, position) VALUES ($1, $2, $3) "
                    "ON CONFLICT DO NOTHING",
                    story_id, tag_id, position,
                )
                position += 1
            await write_search_documents(conn, story_id, story_id)

        await run_transaction(self.pool, change, what="changing a story")  # same if re-run

    async def _select_ids(self, ids: Sequence[int]) -> builtins.list[Story]:
        if not ids:
            return []
        params = Params(list(ids))
        return await self._select("s.id = ANY($1::bigint[])", params, limit=len(ids))

    async def _select(
        self,
        where: str,
        params: Params,
        *,
        order: str = "s.id",
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Story]:
        rows = await self.pool.fetch(
            # The page is chosen first, so authors and tags are read for its rows only
            # (not for every row an OFFSET skips).
            f"""SELECT {WHOLE_STORY_COLUMNS} FROM (
                    SELECT s.* FROM stories s WHERE {where} ORDER BY {order}
                     LIMIT {params.add(limit)} OFFSET {params.add(offset)}) s
                ORDER BY {order}""",
            *params.values,
        )
        return [story_from_row(r) for r in rows]
