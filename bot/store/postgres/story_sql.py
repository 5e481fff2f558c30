"""The SQL pieces the PostgreSQL story repository builds its statements from: numbered
placeholders, a view's WHERE clause, a channel's filters, the sort orders, and the columns of
a whole story and of a list page's line."""

from __future__ import annotations

import builtins
from collections.abc import Collection

from bot.library.records import StoryFilter
from bot.library.visibility import ALL_GUILDS, OwnLibrary, Visibility

ORDER_BY: dict[str, str] = {
    "title": 'lower(s.title) COLLATE "C", s.id',
    "newest": "s.added_at DESC, s.id DESC",
    "words": "s.words DESC, s.id",
}


# A story with its authors and tags in one round trip (arrays in the stored order).
WHOLE_STORY_COLUMNS = """s.id, s.guild_id, s.title, s.rating, s.language, s.summary, s.notes,
    s.end_notes, s.words, s.chapters, s.complete, s.series, s.source, s.format, s.added_by,
    s.added_at,
    ARRAY(SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id
           WHERE sa.story_id = s.id ORDER BY sa.position, sa.author_id),
    ARRAY(SELECT t.kind FROM story_tags st JOIN tags t ON t.id = st.tag_id
           WHERE st.story_id = s.id ORDER BY st.position, st.tag_id),
    ARRAY(SELECT t.name FROM story_tags st JOIN tags t ON t.id = st.tag_id
           WHERE st.story_id = s.id ORDER BY st.position, st.tag_id),
    s.published, s.updated, s.series_part, s.source_checked_at, s.source_gone_at"""


# What one line of a list shows (bot.library.models.ListedStory), in one round trip: the
# authors, then the fandoms and warnings in one walk over the story's own tags, each name led
# by its kind's first letter ("f" or "w"), other kinds dropped as NULLs. A kind filter in the
# WHERE let the planner start from the tags instead (every fandom of the library hashed for
# each line): 6.0 ms for 50 lines of a 1k library, 2.5 ms this way; 2.1 and 1.2 ms at 10k.
LINE_COLUMNS = """s.id, s.guild_id, s.title, s.rating, s.words,
    ARRAY(SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id
           WHERE sa.story_id = s.id ORDER BY sa.position, sa.author_id),
    array_remove(ARRAY(
        SELECT CASE WHEN t.kind IN ('fandom', 'warning') THEN substr(t.kind, 1, 1) || t.name END
          FROM story_tags st JOIN tags t ON t.id = st.tag_id
         WHERE st.story_id = s.id ORDER BY st.position, st.tag_id), NULL)"""



class Params:
    """Numbered placeholders ($1, $2, ...) handed out as a query is put together."""

    def __init__(self, *values: object) -> None:
        self.values: list[object] = list(values)

    def add(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def visibility_clause(visibility: Visibility, params: Params) -> str:
    if isinstance(visibility, OwnLibrary):
        return f"s.guild_id = {params.add(visibility.guild_id)}"
    if visibility == ALL_GUILDS:
        return "TRUE"
    if visibility is None:
        return "s.guild_id IS NULL"
    return f"(s.guild_id IS NULL OR s.guild_id = {params.add(visibility)})"


def _carrying(ids: frozenset[int], params: Params) -> str:
    """Stories carrying one of these canonical tags or a synonym: the tag rows are found
    first (primary key and canonical index), then their stories (story_tags' tag index)."""
    marks = params.add(sorted(ids))
    return f"""s.id IN (SELECT st.story_id FROM story_tags st
                         WHERE st.tag_id IN (SELECT id FROM tags WHERE id = ANY({marks}::bigint[])
                                             OR canonical_id = ANY({marks}::bigint[])))"""


def _carried_by_each(ids: frozenset[int], params: Params) -> str:
    """The same test asked of each story as a filter the planner cannot make a join of: for
    a page walking its order's index. As a join, the planner's guess at a tag's stories is
    an average (16 at 10k), so it gathered and sorted even a tag on half the library."""
    marks = params.add(sorted(ids))
    return f"""ARRAY(SELECT st.tag_id FROM story_tags st WHERE st.story_id = s.id)
               && ARRAY(SELECT id FROM tags WHERE id = ANY({marks}::bigint[])
                                               OR canonical_id = ANY({marks}::bigint[]))"""


def filter_clauses(shown: StoryFilter | None, params: Params, *,
                   walked: Collection[frozenset[int]] | None = None) -> builtins.list[str]:
    """SQL for what a channel may list: ratings, blocked tags, required tag groups.

    `walked`, for a page walking an order's index: the required groups to ask of each story
    (see story_pages.page_filters); blocked tags are then asked of each story too."""
    if shown is None:
        return []
    clauses: builtins.list[str] = []
    if shown.ratings is not None:
        clauses.append(
            f"s.rating = ANY({params.add(sorted(r.value for r in shown.ratings))}::text[])")
    if shown.without_tag_ids:
        blocked = _carrying if walked is None else _carried_by_each
        clauses.append(f"NOT ({blocked(shown.without_tag_ids, params)})")
    clauses += [(_carried_by_each if walked is not None and group in walked else _carrying)(
        group, params) for group in shown.tag_groups]
    return clauses
