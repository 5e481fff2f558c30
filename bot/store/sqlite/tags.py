"""Tags and their synonyms (AO3's model: a tag row points at its canonical tag, if any)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from bot.library.errors import InvalidInput
from bot.library.models import Tag, TagKind
from bot.library.records import TagCount, TagRow
from bot.library.tags import MAX_TAG_LENGTH, clean_tag_name, shipped_synonyms, tag_key
from bot.store.sqlite.database import fetch_all, fetch_few, transaction

# Rewrites one story's full-text row (StoryRepository.reindex_for_search), passed in by the
# caller so this module need not import the story repository (which imports this one).
SearchReindexer = Callable[[int], Awaitable[None]]


@dataclass
class TagRepository:
    conn: aiosqlite.Connection
    # Rewrites a story's full-text row after its tags changed (the store passes the story
    # repository's, which imports this module, so it cannot be imported here).
    reindex: SearchReindexer | None = None

    async def find(self, kind: TagKind, name: str) -> TagRow | None:
        rows = await fetch_few(
            self.conn,
            "SELECT id, kind, name, key, canonical_id FROM tags WHERE kind = ? AND key = ?",
            (kind.value, tag_key(name)),
        )
        row = rows[0] if rows else None
        return tag_row(row) if row else None

    async def ensure(self, tag: Tag) -> int:
        """The id of `tag`, creating it (and its shipped canonical tag) when new.

        Runs inside the caller's transaction.
        """
        existing = await self.find(tag.kind, tag.name)
        if existing is not None:
            return existing.id
        canonical_id: int | None = None
        canonical_name = shipped_synonyms().canonical_for(tag.kind, tag.name)
        if canonical_name is not None:
            # The shipped canonical may since have been merged into another tag: point at
            # that one, so synonyms stay one hop from their canonical tag.
            shipped_id = await self.ensure(Tag(tag.kind, canonical_name))
            canonical_id = (await self.canonical_of(shipped_id)).id
        name = clean_tag_name(tag.name)
        cursor = await self.conn.execute(
            "INSERT INTO tags (kind, name, key, canonical_id) VALUES (?, ?, ?, ?)",
            (tag.kind.value, name, tag_key(name), canonical_id),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def canonical_of(self, tag_id: int) -> TagRow:
        rows = await fetch_few(
            self.conn,
            """SELECT c.id, c.kind, c.name, c.key, c.canonical_id
                 FROM tags t JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                WHERE t.id = ?""",
            (tag_id,),
        )
        row = rows[0] if rows else None
        if row is None:
            raise InvalidInput(f"no tag with id {tag_id}")
        return tag_row(row)

    async def all(self) -> list[TagRow]:
        rows = await fetch_all(
            self.conn,
            "SELECT id, kind, name, key, canonical_id FROM tags ORDER BY kind, key"
        )
        return [tag_row(r) for r in rows]

    async def counts(self, kind: TagKind | None = None, *, limit: int | None = None,
                     offset: int = 0) -> list[TagCount]:
        """Canonical tags in use with story counts (synonyms counted with their canonical),
        most used first; one page of them when `limit` is given (the page is cut in SQL)."""
        found = await fetch_all(
            self.conn,
            """SELECT c.id, c.kind, c.name, c.key, c.canonical_id,
                      count(DISTINCT st.story_id),
                      group_concat(DISTINCT CASE WHEN t.id != c.id THEN t.name END)
                 FROM story_tags st
                 JOIN tags t ON t.id = st.tag_id
                 JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                WHERE (? IS NULL OR c.kind = ?)
                GROUP BY c.id
                ORDER BY count(DISTINCT st.story_id) DESC, c.name COLLATE NOCASE, c.id
                LIMIT ? OFFSET ?""",
            (kind and kind.value, kind and kind.value, -1 if limit is None else limit,
             max(offset, 0)),
        )
        return [
            TagCount(tag_row(r[:5]), int(r[5]), tuple(sorted(r[6].split(","))) if r[6] else ())
            for r in found
        ]

    # -- wrangling (AO3-style: nothing is lost, stories keep their own tag rows) ----------

    async def with_key(self, name: str) -> list[TagRow]:
        """Every tag, of any kind, whose key equals the key of `name`."""
        rows = await fetch_few(
            self.conn,
            "SELECT id, kind, name, key, canonical_id FROM tags WHERE key = ? ORDER BY kind",
            (tag_key(name),),
        )
        return [tag_row(r) for r in rows]

    async def stories_carrying(self, canonical_id: int) -> list[int]:
        """Stories carrying the canonical tag or any of its synonyms."""
        found = await fetch_all(
            self.conn,
            """SELECT DISTINCT st.story_id FROM story_tags st JOIN tags t ON t.id = st.tag_id
                WHERE t.id = ? OR t.canonical_id = ? ORDER BY st.story_id""",
            (canonical_id, canonical_id),
        )
        return [int(r[0]) for r in found]

    async def merge(self, source: TagRow, target: TagRow) -> list[int]:
        """Make canonical `source` (and its synonyms) synonyms of canonical `target`.

        Returns the stories whose canonical tags changed; their search rows are rewritten in
        the same transaction.
        """
        if source.canonical_id is not None or target.canonical_id is not None:
            raise InvalidInput("only canonical tags can be merged")
        if source.kind is not target.kind:
            raise InvalidInput(
                f"“{source.name}” is a {source.kind.value} tag and “{target.name}” a "
                f"{target.kind.value} tag: only tags of the same kind can be merged"
            )
        if source.id == target.id:
            raise InvalidInput(f"“{source.name}” and “{target.name}” are already the same tag")
        affected = await self.stories_carrying(source.id)
        async with transaction(self.conn):
            await self.conn.execute(
                "UPDATE tags SET canonical_id = ? WHERE id = ? OR canonical_id = ?",
                (target.id, source.id, source.id),
            )
            for story_id in affected:
                if self.reindex is not None:
                    await self.reindex(story_id)
        return affected

    async def rename(self, tag: TagRow, new_name: str) -> list[int]:
        """Give canonical `tag` a new display name (and key); returns the affected stories.

        A key already used by another tag of the same kind is refused: that is a merge.
        """
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
        affected = await self.stories_carrying(tag.id)
        async with transaction(self.conn):
            await self.conn.execute(
                "UPDATE tags SET name = ?, key = ? WHERE id = ?", (name, tag_key(name), tag.id)
            )
            if tag_key(name) != tag.key:
                # The old name stays a synonym: later imports spelling it (or a shipped
                # synonym leading to it) still fold into the renamed tag.
                await self.conn.execute(
                    "INSERT INTO tags (kind, name, key, canonical_id) VALUES (?, ?, ?, ?)",
                    (tag.kind.value, tag.name, tag.key, tag.id),
                )
            for story_id in affected:
                if self.reindex is not None:
                    await self.reindex(story_id)
        return affected


def tag_row(row: aiosqlite.Row | tuple[object, ...]) -> TagRow:
    tag_id, kind, name, key, canonical_id = tuple(row)
    return TagRow(
        int(tag_id),  # type: ignore[call-overload]
        TagKind(kind),
        str(name),
        str(key),
        None if canonical_id is None else int(canonical_id),  # type: ignore[call-overload]
    )
