"""Which way a PostgreSQL list page finds the stories of a tag it requires."""

from __future__ import annotations

import builtins

import asyncpg

from bot.library.records import StoryFilter
from bot.store.postgres.story_sql import Params, filter_clauses
from bot.store.story_rows import walk_crossover


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
