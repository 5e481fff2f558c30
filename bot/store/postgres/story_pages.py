"""PostgreSQL list pages: their lines or their ids, and which way a page finds the stories
of a tag it requires."""

from __future__ import annotations

import builtins
from typing import Any

import asyncpg

from bot.library.models import RATING_OF, ListedStory
from bot.library.records import SortOrder, StoryFilter
from bot.library.visibility import Visibility
from bot.store.postgres.story_sql import (
    LINE_COLUMNS,
    ORDER_BY,
    Params,
    filter_clauses,
    visibility_clause,
)
from bot.store.story_rows import fandoms_and_warnings, walk_crossover


def listed_line(r: Any) -> ListedStory:
    """A list line from LINE_COLUMNS."""
    fandoms, warnings = fandoms_and_warnings(r[6])
    return ListedStory(id=r[0], guild_id=r[1], title=r[2], authors=list(r[5]),
                       rating=RATING_OF[r[3]], words=r[4], fandoms=fandoms, warnings=warnings)


async def page_lines(pool: asyncpg.Pool, visibility: Visibility, *, sort: SortOrder,
                     limit: int, offset: int, shown: StoryFilter | None
                     ) -> builtins.list[ListedStory]:
    """A list page's lines in one query (the page's rows first, then their authors, fandoms
    and warnings)."""
    params = Params()
    where = await _page_where(pool, visibility, shown, limit + offset, params)
    order = ORDER_BY[sort]
    rows = await pool.fetch(
        f"""SELECT {LINE_COLUMNS} FROM (
                SELECT s.* FROM stories s WHERE {where} ORDER BY {order}
                 LIMIT {params.add(limit)} OFFSET {params.add(offset)}) s
            ORDER BY {order}""",
        *params.values,
    )
    return [listed_line(row) for row in rows]


async def page_ids(pool: asyncpg.Pool, visibility: Visibility, *, sort: SortOrder,
                   limit: int, offset: int, shown: StoryFilter | None) -> builtins.list[int]:
    """The same page's story ids, in its order, for a reader that has most of their lines
    already (bot/catalog_lines.py)."""
    params = Params()
    where = await _page_where(pool, visibility, shown, limit + offset, params)
    rows = await pool.fetch(
        f"""SELECT s.id FROM stories s WHERE {where} ORDER BY {ORDER_BY[sort]}
             LIMIT {params.add(limit)} OFFSET {params.add(offset)}""", *params.values)
    return [int(row[0]) for row in rows]


async def _page_where(pool: asyncpg.Pool, visibility: Visibility, shown: StoryFilter | None,
                      rows: int, params: Params) -> str:
    return " AND ".join([visibility_clause(visibility, params),
                         *await page_filters(pool, shown, rows, params)])


async def page_filters(pool: asyncpg.Pool, shown: StoryFilter | None, rows: int,
                       params: Params) -> builtins.list[str]:
    """`filter_clauses` for the first `rows` stories of a page walked in an order's index:
    a required tag whose stories, counted in story_tags' tag index up to `walk_crossover`,
    reach it is asked of each story walked; a rarer one has its stories gathered."""
    if shown is None or not shown.tag_groups:
        return filter_clauses(shown, params, walked=())
    library = int(await pool.fetchval("SELECT coalesce(max(id), 0) FROM stories"))
    walked = []
    for group in shown.tag_groups:
        crossover = walk_crossover(rows, library, len(group))
        carriers = await pool.fetchval(
            """SELECT count(*) FROM (
                   SELECT 1 FROM story_tags st
                    WHERE st.tag_id IN (SELECT id FROM tags WHERE id = ANY($1::bigint[])
                                                               OR canonical_id = ANY($1::bigint[]))
                    LIMIT $2) carriers""",
            sorted(group), crossover)
        if int(carriers) >= crossover:
            walked.append(group)
    return filter_clauses(shown, params, walked=walked)
