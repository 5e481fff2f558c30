"""The SQL pieces the story repository builds its statements from: a view's WHERE clause,
a channel's filters and the sort orders (the backend-neutral pieces are in
bot/store/story_rows.py)."""

from __future__ import annotations

from collections.abc import Collection

from bot.library.records import StoryFilter
from bot.library.visibility import ALL_GUILDS, OwnLibrary, Visibility

PASSAGE_INSERT = ("INSERT INTO passages (story_id, seq, chapter, text, words, cut_before, "
                  "cut_after) VALUES (?, ?, ?, ?, ?, ?, ?)")

ORDER_BY: dict[str, str] = {
    "title": "s.title COLLATE NOCASE, s.id",
    "newest": "s.added_at DESC, s.id DESC",
    "words": "s.words DESC, s.id",
}


def visibility_clause(visibility: Visibility, *,
                      in_order: bool = False) -> tuple[str, tuple[object, ...]]:
    """SQL for a view. `in_order`: a page in one of ORDER_BY's orders, where walking that
    order's index (title, newest, words) and stopping after a page beats gathering the demo
    library by server and sorting all of it (`+` keeps SQLite off the server index)."""
    if isinstance(visibility, OwnLibrary):
        return "s.guild_id = ?", (visibility.guild_id,)
    if visibility == ALL_GUILDS:
        return "1", ()
    if visibility is None:
        return "s.guild_id IS NULL", ()
    if in_order:
        return "(+s.guild_id IS NULL OR +s.guild_id = ?)", (visibility,)
    return "(s.guild_id IS NULL OR s.guild_id = ?)", (visibility,)


def tag_ids(ids: frozenset[int]) -> tuple[str, list[object]]:
    """These canonical tags and their synonyms' ids (tags' primary key and canonical index)."""
    marks = ",".join("?" * len(ids)) or "NULL"
    ordered = sorted(ids)
    return (f"""SELECT id FROM tags WHERE id IN ({marks})
                UNION SELECT id FROM tags WHERE canonical_id IN ({marks})""",
            [*ordered, *ordered])


def _carrying(ids: frozenset[int]) -> tuple[str, list[object]]:
    """Stories carrying one of these canonical tags or a synonym: the tag rows first, then
    their stories (story_tags' tag index), never every story's tags. The stories are all
    gathered before any is used."""
    tags, args = tag_ids(ids)
    return f"s.id IN (SELECT st.story_id FROM story_tags st WHERE st.tag_id IN ({tags}))", args


def _carried_by_each(ids: frozenset[int]) -> tuple[str, list[object]]:
    """The same test asked of one story at a time, by story_tags' primary key: for a page
    walking an order's index, which stops after a page instead of gathering every story
    of a tag many carry (see story_reads.page_filters)."""
    tags, args = tag_ids(ids)
    return (f"EXISTS (SELECT 1 FROM story_tags st WHERE st.story_id = s.id "
            f"AND st.tag_id IN ({tags}))", args)


def filter_clauses(shown: StoryFilter | None, *,
                   walked: Collection[frozenset[int]] | None = None
                   ) -> tuple[list[str], list[object]]:
    """SQL for what a channel may list: ratings, blocked tags, required tag groups.

    `walked`, for a page walking an order's index: the required groups to test story by
    story; blocked tags are then tested story by story too (most stories pass)."""
    clauses: list[str] = []
    args: list[object] = []
    if shown is None:
        return clauses, args
    if shown.ratings is not None:
        clauses.append(f"s.rating IN ({','.join('?' * len(shown.ratings)) or 'NULL'})")
        args.extend(sorted(r.value for r in shown.ratings))
    for group, negated in ((shown.without_tag_ids, True),
                           *((group, False) for group in shown.tag_groups)):
        if negated and not group:
            continue
        one_by_one = walked is not None and (negated or group in walked)
        clause, group_args = (_carried_by_each if one_by_one else _carrying)(group)
        clauses.append(("NOT " if negated else "") + clause)
        args.extend(group_args)
    return clauses, args
