"""Reading pages of stories: the authors and tags of a page of whole stories, and a list
page's lines (bot.library.models.ListedStory), which need neither summaries nor most tags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.library.models import RATING_OF, TAG_KIND_OF, ListedStory, Tag
from bot.store.sqlite.database import fetch_all


def _names_of_kind(kind: str) -> str:
    """A JSON array of the story's tag names of one kind, in the story's order (the
    aggregate reads its ordered subquery in order: SQLite never flattens a subquery with an
    ORDER BY into an aggregate)."""
    return f"""(SELECT json_group_array(name) FROM (
                   SELECT t.name FROM story_tags st JOIN tags t ON t.id = st.tag_id
                    WHERE st.story_id = s.id AND t.kind = '{kind}' ORDER BY st.position))"""


# One query for a whole page: the page's rows are chosen first (by the order's index), then
# each one's authors, fandoms and warnings are read by primary key.
LINE_COLUMNS = f"""s.id, s.guild_id, s.title, s.rating, s.words,
    (SELECT json_group_array(name) FROM (
        SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id
         WHERE sa.story_id = s.id ORDER BY sa.position)),
    {_names_of_kind("fandom")}, {_names_of_kind("warning")}"""


def listed_story(row: Any) -> ListedStory:
    return ListedStory(id=row[0], guild_id=row[1], title=row[2], authors=json.loads(row[5]),
                       rating=RATING_OF[row[3]], words=row[4], fandoms=json.loads(row[6]),
                       warnings=json.loads(row[7]))


async def lines_page(conn: aiosqlite.Connection, where: str, params: Sequence[object], *,
                     order: str, limit: int, offset: int) -> list[ListedStory]:
    rows = await fetch_all(
        conn,
        f"""SELECT {LINE_COLUMNS} FROM (
                SELECT s.id, s.guild_id, s.title, s.rating, s.words, s.added_at FROM stories s
                 WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) s
            ORDER BY {order}""",
        (*params, limit, offset),
    )
    return [listed_story(row) for row in rows]


async def authors_of(conn: aiosqlite.Connection,
                     ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    rows = await fetch_all(
        conn,
        f"""SELECT sa.story_id, a.name
              FROM story_authors sa JOIN authors a ON a.id = sa.author_id
            WHERE sa.story_id IN ({marks}) ORDER BY sa.story_id, sa.position""",
        tuple(ids),
    )
    for story_id, name in rows:
        out.setdefault(int(story_id), []).append(str(name))
    return out


async def tags_of(conn: aiosqlite.Connection, ids: Sequence[int]) -> dict[int, list[Tag]]:
    out: dict[int, list[Tag]] = {}
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    rows = await fetch_all(
        conn,
        f"""SELECT st.story_id, t.kind, t.name
              FROM story_tags st JOIN tags t ON t.id = st.tag_id
            WHERE st.story_id IN ({marks}) ORDER BY st.story_id, st.position""",
        tuple(ids),
    )
    kinds = TAG_KIND_OF
    for story_id, kind, name in rows:
        out.setdefault(story_id, []).append(Tag(kinds[kind], name))
    return out
