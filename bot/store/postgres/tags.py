"""Tags and their synonyms (AO3's model: a tag row points at its canonical tag, if any)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from bot.library.errors import InvalidInput
from bot.library.models import Tag, TagKind
from bot.library.records import TagCount, TagRow
from bot.library.tags import MAX_TAG_LENGTH, clean_tag_name, shipped_synonyms, tag_key
from bot.store.postgres.database import Executor, run_transaction

# Rewrites one story's search document on the given connection (the story repository's,
# passed in by the store: that module imports this one).
SearchReindexer = Callable[[Executor, int], Awaitable[None]]

TAG_COLUMNS = "id, kind, name, key, canonical_id"


def tag_row(row: Any) -> TagRow:
    tag_id, kind, name, key, canonical_id = tuple(row)
    return TagRow(int(tag_id), TagKind(kind), str(name), str(key),
                  None if canonical_id is None else int(canonical_id))


async def find_tag(conn: Executor, kind: TagKind, name: str) -> TagRow | None:
    row = await conn.fetchrow(
        f"SELECT {TAG_COLUMNS} FROM tags WHERE kind = $1 AND key = $2", kind.value, tag_key(name)
    )
    return tag_row(row) if row else None


async def canonical_of(conn: Executor, tag_id: int) -> TagRow:
    row = await conn.fetchrow(
        """SELECT c.id, c.kind, c.name, c.key, c.canonical_id
             FROM tags t JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
            WHERE t.id = $1""",
        tag_id,
    )
    if row is None:
        raise InvalidInput(f"no tag with id {tag_id}")
    return tag_row(row)


async def ensure_tag(conn: Executor, tag: Tag) -> int:
    """The id of `tag`, creating it (and its shipped canonical tag) when new. Another
    process creating the same tag at the same moment is fine: the unique key decides."""
    existing = await find_tag(conn, tag.kind, tag.name)
    if existing is not None:
        return existing.id
    canonical_id: int | None = None
    canonical_name = shipped_synonyms().canonical_for(tag.kind, tag.name)
    if canonical_name is not None:
        shipped_id = await ensure_tag(conn, Tag(tag.kind, canonical_name))
        canonical_id = (await canonical_of(conn, shipped_id)).id
    name = clean_tag_name(tag.name)
    new_id = await conn.fetchval(
        """INSERT INTO tags (kind, name, key, canonical_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (kind, key) DO NOTHING RETURNING id""",
        tag.kind.value, name, tag_key(name), canonical_id,
    )
    if new_id is None:  # created meanwhile by another process
        found = await find_tag(conn, tag.kind, name)
        assert found is not None
        return found.id
    return int(new_id)


@dataclass
class TagRepository:
    pool: asyncpg.Pool
    reindex: SearchReindexer | None = None

    async def find(self, kind: TagKind, name: str) -> TagRow | None:
        return await find_tag(self.pool, kind, name)

    async def ensure(self, tag: Tag) -> int:
        # finds the tag or adds it: the same tag however often it runs
        return await run_transaction(self.pool, lambda conn: ensure_tag(conn, tag),
                                     what="adding a tag")

    async def canonical_of(self, tag_id: int) -> TagRow:
        return await canonical_of(self.pool, tag_id)

    async def all(self) -> list[TagRow]:
        rows = await self.pool.fetch(
            f'SELECT {TAG_COLUMNS} FROM tags ORDER BY kind COLLATE "C", key COLLATE "C"')
        return [tag_row(r) for r in rows]

    async def counts(self, kind: TagKind | None = None, *, limit: int | None = None,
                     offset: int = 0) -> list[TagCount]:
        """Canonical tags in use with story counts (synonyms counted with their canonical),
        most used first; one page of them when `limit` is given (the page is cut in SQL)."""
        found = await self.pool.fetch(
            """SELECT c.id, c.kind, c.name, c.key, c.canonical_id,
                      count(DISTINCT st.story_id),
                      array_agg(DISTINCT t.name) FILTER (WHERE t.id != c.id)
                 FROM story_tags st
                 JOIN tags t ON t.id = st.tag_id
                 JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
                WHERE ($1::text IS NULL OR c.kind = $1)
                GROUP BY c.id
                ORDER BY count(DISTINCT st.story_id) DESC, lower(c.name) COLLATE "C", c.id
                LIMIT $2 OFFSET $3""",
            kind and kind.value, limit, max(offset, 0),
        )
        return [TagCount(tag_row(tuple(r)[:5]), int(r[5]), tuple(sorted(r[6] or ())))
                for r in found]

    async def with_key(self, name: str) -> list[TagRow]:
        rows = await self.pool.fetch(
            f'SELECT {TAG_COLUMNS} FROM tags WHERE key = $1 ORDER BY kind COLLATE "C"',
            tag_key(name),
        )
        return [tag_row(r) for r in rows]

    async def stories_carrying(self, canonical_id: int) -> list[int]:
        return await stories_carrying(self.pool, canonical_id)

    async def merge(self, source: TagRow, target: TagRow) -> list[int]:
        """Make canonical `source` (and its synonyms) synonyms of canonical `target`; the
        affected stories' search documents are rewritten in the same transaction."""
        if source.canonical_id is not None or target.canonical_id is not None:
            raise InvalidInput("only canonical tags can be merged")
        if source.kind is not target.kind:
            raise InvalidInput(
                f"“{source.name}” is a {source.kind.value} tag and “{target.name}” a "
                f"{target.kind.value} tag: only tags of the same kind can be merged"
            )
        if source.id == target.id:
            raise InvalidInput(f"“{source.name}” and “{target.name}” are already the same tag")
        async def fold(conn: asyncpg.Connection) -> list[int]:
            affected = await stories_carrying(conn, source.id)
            await conn.execute(
                "UPDATE tags SET canonical_id = $1 WHERE id = $2 OR canonical_id = $2",
                target.id, source.id,
            )
            for story_id in affected:
                if self.reindex is not None:
                    await self.reindex(conn, story_id)
            return affected

        # Not idempotent: a second run after an unanswered COMMIT would find no stories
        # left on `source` (run_transaction asks the server whether it committed).
        return await run_transaction(self.pool, fold, what="merging tags", idempotent=False)

    async def rename(self, tag: TagRow, new_name: str) -> list[int]:
        """Give canonical `tag` a new display name (and key); returns the affected stories."""
        if tag.canonical_id is not None:
            raise InvalidInput("only canonical tags can be renamed")
        name = clean_tag_name(new_name)
        if not name or len(name) > MAX_TAG_LENGTH:
            raise InvalidInput(f"a tag name must be 1 to {MAX_TAG_LENGTH} characters")
        clash = await self.find(tag.kind, name)
        if clash is not None and clash.canonical_id == tag.id:
            raise InvalidInput(
                f"“{clash.name}” is already a synonym of “{tag.name}”; pick another name"
            )
        if clash is not None and clash.id != tag.id:
            raise InvalidInput(
                f"there is already a {tag.kind.value} tag “{clash.name}”: "
                f"use /tags merge to fold “{tag.name}” into it"
            )
        async def rename(conn: asyncpg.Connection) -> list[int]:
            affected = await stories_carrying(conn, tag.id)
            await conn.execute(
                "UPDATE tags SET name = $1, key = $2 WHERE id = $3", name, tag_key(name), tag.id
            )
            if tag_key(name) != tag.key:
                # The old name stays a synonym, so later imports spelling it still fold in.
                await conn.execute(
                    "INSERT INTO tags (kind, name, key, canonical_id) VALUES ($1, $2, $3, $4)",
                    tag.kind.value, tag.name, tag.key, tag.id,
                )
            for story_id in affected:
                if self.reindex is not None:
                    await self.reindex(conn, story_id)
            return affected

        # Not idempotent: run again, it would add the old name as a synonym a second time.
        return await run_transaction(self.pool, rename, what="renaming a tag",
                                     idempotent=False)


async def stories_carrying(conn: Executor, canonical_id: int) -> list[int]:
    """Stories carrying the canonical tag or any of its synonyms."""
    found = await conn.fetch(
        """SELECT DISTINCT st.story_id FROM story_tags st JOIN tags t ON t.id = st.tag_id
            WHERE t.id = $1 OR t.canonical_id = $1 ORDER BY st.story_id""",
        canonical_id,
    )
    return [int(r[0]) for r in found]
