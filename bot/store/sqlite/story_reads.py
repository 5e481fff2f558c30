"""Reading pages of stories: the authors and tags of a page of whole stories, and a list
page's lines (bot.library.models.ListedStory), which need neither summaries nor most tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.library.models import RATING_OF, TAG_KIND_OF, ListedStory, Tag
from bot.store.sqlite.database import fetch_all

# Names in one column, joined by the unit separator (a name holding one has it as a space:
# a line only shows them). Splitting is several times cheaper than json_group_array's JSON.
_SEPARATOR = "\x1f"


def _joined(names_query: str) -> str:
    """The names of an ordered subquery in one text (the aggregate reads them in that order:
    SQLite never flattens a subquery with an ORDER BY into an aggregate)."""
    return f"(SELECT group_concat(replace(name, char(31), ' '), char(31)) FROM ({names_query}))"


# One query for a whole page: the page's rows are chosen first (by the order's index), then
# each one's authors, and its fandoms and warnings (one walk over its tags, each name led
# by its kind's first letter, "f" or "w"), by primary key.
LINE_COLUMNS = f"""s.id, s.guild_id, s.title, s.rating, s.words,
    {_joined("SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id "
             "WHERE sa.story_id = s.id ORDER BY sa.position")},
    {_joined("SELECT substr(t.kind, 1, 1) || t.name AS name "
             "FROM story_tags st JOIN tags t ON t.id = st.tag_id WHERE st.story_id = s.id "
             "AND t.kind IN ('fandom', 'warning') ORDER BY st.position")}"""


def listed_story(row: Any) -> ListedStory:
    fandoms: list[str] = []
    warnings: list[str] = []
    for name in row[6].split(_SEPARATOR) if row[6] is not None else ():
        (fandoms if name[0] == "f" else warnings).append(name[1:])
    return ListedStory(id=row[0], guild_id=row[1], title=row[2],
                       authors=row[5].split(_SEPARATOR) if row[5] is not None else [],
                       rating=RATING_OF[row[3]], words=row[4], fandoms=fandoms,
                       warnings=warnings)


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
