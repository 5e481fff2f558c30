"""Tags and their synonyms (AO3's model: a tag row points at its canonical tag, if any)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.library.errors import InvalidInput
from bot.library.models import Tag, TagKind
from bot.library.tags import clean_tag_name, shipped_synonyms, tag_key


@dataclass(frozen=True)
class TagRow:
    id: int
    kind: TagKind
    name: str
    key: str
    canonical_id: int | None


@dataclass(frozen=True)
class TagCount:
    """A canonical tag with the number of stories carrying it or one of its synonyms."""

    tag: TagRow
    stories: int
    synonyms: tuple[str, ...]


@dataclass
class TagRepository:
    conn: aiosqlite.Connection

    async def find(self, kind: TagKind, name: str) -> TagRow | None:
        async with self.conn.execute(
            "SELECT id, kind, name, key, canonical_id FROM tags WHERE kind = ? AND key = ?",
            (kind.value, tag_key(name)),
        ) as cursor:
            row = await cursor.fetchone()
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
            canonical_id = await self.ensure(Tag(tag.kind, canonical_name))
        name = clean_tag_name(tag.name)
        cursor = await self.conn.execute(
            "INSERT INTO tags (kind, name, key, canonical_id) VALUES (?, ?, ?, ?)",
            (tag.kind.value, name, tag_key(name), canonical_id),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def canonical_of(self, tag_id: int) -> TagRow:
        async with self.conn.execute(
            """SELECT c.id, c.kind, c.name, c.key, c.canonical_id
                 FROM tags t JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                WHERE t.id = ?""",
            (tag_id,),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise InvalidInput(f"no tag with id {tag_id}")
        return tag_row(row)

    async def all(self) -> list[TagRow]:
        async with self.conn.execute(
            "SELECT id, kind, name, key, canonical_id FROM tags ORDER BY kind, key"
        ) as cursor:
            return [tag_row(r) async for r in cursor]

    async def counts(self, kind: TagKind | None = None) -> list[TagCount]:
        """Canonical tags in use with story counts (synonyms counted with their canonical)."""
        async with self.conn.execute(
            """SELECT c.id, c.kind, c.name, c.key, c.canonical_id,
                      count(DISTINCT st.story_id),
                      group_concat(DISTINCT CASE WHEN t.id != c.id THEN t.name END)
                 FROM story_tags st
                 JOIN tags t ON t.id = st.tag_id
                 JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                WHERE (? IS NULL OR c.kind = ?)
                GROUP BY c.id
                ORDER BY count(DISTINCT st.story_id) DESC, c.name COLLATE NOCASE""",
            (kind and kind.value, kind and kind.value),
        ) as cursor:
            return [
                TagCount(tag_row(r[:5]), int(r[5]), tuple(sorted(r[6].split(","))) if r[6] else ())
                async for r in cursor
            ]


def tag_row(row: aiosqlite.Row | tuple[object, ...]) -> TagRow:
    tag_id, kind, name, key, canonical_id = tuple(row)
    return TagRow(
        int(tag_id),  # type: ignore[call-overload]
        TagKind(kind),
        str(name),
        str(key),
        None if canonical_id is None else int(canonical_id),  # type: ignore[call-overload]
    )
