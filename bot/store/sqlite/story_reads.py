"""Reading pages of stories, each in one query: whole stories with their authors and tags,
and a list page's lines (bot.library.models.ListedStory), which need neither summaries nor
most tags."""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.library.models import RATING_OF, TAG_KIND_OF, ListedStory, Story, Tag
from bot.library.records import StoryFilter
from bot.store.sqlite.database import Read, fetch_all, fetch_bounded, fetch_few
from bot.store.sqlite.story_sql import filter_clauses, tag_ids
from bot.store.story_rows import day_of, fandoms_and_warnings, moment_of, walk_crossover

# Names in one column, joined by the unit separator (a name holding one has it as a space:
# a line only shows them). Splitting is several times cheaper than json_group_array's JSON.
_SEPARATOR = "\x1f"


def _joined(names_query: str) -> str:
    """The names of an ordered subquery in one text (the aggregate reads them in that order:
    SQLite never flattens a subquery with an ORDER BY into an aggregate)."""
    return f"(SELECT group_concat(replace(name, char(31), ' '), char(31)) FROM ({names_query}))"


# One query for a whole page: the page's rows are chosen first (by the order's index), then
# each one's authors, and its fandoms and warnings (its story_line_tags, each name led by
# its kind's first letter, "f" or "w"), by primary key.
LINE_COLUMNS = f"""s.id, s.guild_id, s.title, s.rating, s.words,
    {_joined("SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id "
             "WHERE sa.story_id = s.id ORDER BY sa.position")},
    {_joined("SELECT substr(t.kind, 1, 1) || t.name AS name "
             "FROM story_line_tags lt JOIN tags t ON t.id = lt.tag_id "
             "WHERE lt.story_id = s.id ORDER BY lt.position")}"""


def listed_story(row: Any) -> ListedStory:
    fandoms, warnings = fandoms_and_warnings(
        row[6].split(_SEPARATOR) if row[6] is not None else ())
    return ListedStory(id=row[0], guild_id=row[1], title=row[2],
                       authors=row[5].split(_SEPARATOR) if row[5] is not None else [],
                       rating=RATING_OF[row[3]], words=row[4], fandoms=fandoms,
                       warnings=warnings)


async def lines_page(conn: aiosqlite.Connection, where: str, params: Sequence[object], *,
                     order: str, limit: int, offset: int, gathered: int = 0
                     ) -> list[ListedStory]:
    """A page of lines. One walking an order's index is short unless the channel's filters
    skip most of the library: it reads on the loop's thread within an allowance (see
    `fetch_bounded`); one gathering many stories (`gathered`, see `page_filters`) reads on
    the database thread."""
    rows = await _page_read(gathered)(
        conn,
        f"""SELECT {LINE_COLUMNS} FROM (
                SELECT s.id, s.guild_id, s.title, s.rating, s.words, s.added_at FROM stories s
                 WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) s
            ORDER BY {order}""",
        (*params, limit, offset),
    )
    return [listed_story(row) for row in rows]


async def ids_page(conn: aiosqlite.Connection, where: str, params: Sequence[object], *,
                   order: str, limit: int, offset: int, gathered: int = 0) -> list[int]:
    """A page's story ids, in its order: `lines_page` without the lines, for a reader that
    has most of them already (bot/catalog_lines.py)."""
    rows = await _page_read(gathered)(
        conn, f"SELECT s.id FROM stories s WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, limit, offset))
    return [row[0] for row in rows]


def _page_read(gathered: int) -> Read:
    """How a page reads: on the loop's thread within an allowance, unless it gathers more
    than GATHERED_ON_LOOP stories (then on the database thread)."""
    return fetch_bounded if gathered <= GATHERED_ON_LOOP else fetch_all


# A page gathering more stories than this (a tag's, to sort them) reads on the database
# thread: at ~6 µs a story read at random from a 100k library, that is ~1 ms of the loop.
GATHERED_ON_LOOP = 200


async def page_filters(conn: aiosqlite.Connection, shown: StoryFilter | None, rows: int
                       ) -> tuple[list[str], list[object], int]:
    """`filter_clauses` for the first `rows` stories of a page walked in an order's index,
    and how many stories the page gathers (0 when it walks only).

    A tag the page requires is either gathered (its stories read and sorted) or walked to
    (each story of the order's index asked for it by key), whichever is cheaper: the tag's
    stories are counted in story_tags' tag index, without reading a story, up to where the
    two cost the same (`walk_crossover`). The synthetic library's commonest tag, on 52,035
    of 100k stories, took 44 ms gathered; a server's blocked tags are asked of each story
    the same way (18.7 ms for a page in a server blocking a tag on 16,548 stories)."""
    if shown is None or not shown.tag_groups:
        return (*filter_clauses(shown, walked=()), 0)
    library = await _planning_count(conn, "library", "SELECT max(id) FROM stories", ())
    walked = []
    gathered = 0
    for group in shown.tag_groups:
        crossover = walk_crossover(rows, library, len(group))
        tags, args = tag_ids(group)
        counted = await _planning_count(  # in story_tags' tag index alone
            conn, (group, crossover), f"""SELECT count(*) FROM (SELECT 1 FROM story_tags st
                                             WHERE st.tag_id IN ({tags}) LIMIT ?)""",
            (*args, crossover))
        if counted >= crossover:
            walked.append(group)
        else:
            gathered = max(gathered, counted)
    return (*filter_clauses(shown, walked=walked), gathered)


# The counts that choose a page's plan, as read lately on each connection. A count only
# chooses between walking and gathering (the page's rows are the same either way), and a
# page that gathers more than its count said is still held to its allowance on the loop
# (`fetch_bounded`), so a count up to a minute old serves: a list of a popular tag asked
# again (/story list tag:) skips its two counts (0.09 ms at 100k stories).
PLANNING_COUNT_SECONDS = 60.0
_PLANNING_COUNTS_KEPT = 1_000  # per connection; past it, all are forgotten at once
_planning_counts: weakref.WeakKeyDictionary[
    aiosqlite.Connection, dict[Hashable, tuple[float, int]]] = weakref.WeakKeyDictionary()


async def _planning_count(conn: aiosqlite.Connection, key: Hashable, sql: str,
                          params: Sequence[object]) -> int:
    """The count `sql` reads (one row, one number), or the same count read lately."""
    counts = _planning_counts.setdefault(conn, {})
    now = time.monotonic()
    kept = counts.get(key)
    if kept is not None and now - kept[0] < PLANNING_COUNT_SECONDS:
        return kept[1]
    rows = await fetch_bounded(conn, sql, params)
    value = int(rows[0][0] or 0)
    if len(counts) >= _PLANNING_COUNTS_KEPT:
        counts.clear()
    counts[key] = (now, value)
    return value


async def lines_by_id(conn: aiosqlite.Connection, story_ids: Sequence[int]
                     ) -> list[ListedStory]:
    """These stories' lines, in no order (a read bounded by its keys: see `fetch_few`)."""
    if not story_ids:
        return []
    rows = await fetch_few(
        conn, f"SELECT {LINE_COLUMNS} FROM stories s WHERE s.id IN "
              f"({','.join('?' * len(story_ids))})", tuple(story_ids))
    return [listed_story(row) for row in rows]


_STORY_COLUMNS = """s.id, s.guild_id, s.title, s.rating, s.language, s.summary, s.notes,
    s.end_notes, s.words, s.chapters, s.complete, s.series, s.source, s.format, s.added_by,
    s.added_at, s.published, s.updated, s.series_part, s.source_checked_at, s.source_gone_at"""

# A whole story's authors and tags as JSON arrays (names may hold any character), each read
# from an ordered subquery, as above: the story and all of it in one hop to the database.
_AUTHORS_AND_TAGS = """
    (SELECT json_group_array(name) FROM (
        SELECT a.name FROM story_authors sa JOIN authors a ON a.id = sa.author_id
         WHERE sa.story_id = s.id ORDER BY sa.position)),
    (SELECT json_group_array(json_array(kind, name)) FROM (
        SELECT t.kind, t.name FROM story_tags st JOIN tags t ON t.id = st.tag_id
         WHERE st.story_id = s.id ORDER BY st.position))"""


def _story(r: Any) -> Story:
    kinds = TAG_KIND_OF
    return Story(
        id=r[0], guild_id=r[1], title=r[2], authors=json.loads(r[21]),
        rating=RATING_OF[r[3]], tags=[Tag(kinds[kind], name) for kind, name in json.loads(r[22])],
        language=r[4], summary=r[5], notes=r[6], end_notes=r[7], words=r[8],
        chapter_count=r[9], complete=None if r[10] is None else bool(r[10]), series=r[11],
        source=r[12], format=r[13], added_by=r[14], added_at=datetime.fromisoformat(r[15]),
        published=day_of(r[16]), updated=day_of(r[17]), series_part=r[18],
        source_checked_at=moment_of(r[19]), source_gone_at=moment_of(r[20]),
    )


async def stories_page(conn: aiosqlite.Connection, where: str, params: Sequence[object], *,
                       order: str, limit: int, offset: int, by_key: bool = False
                       ) -> list[Story]:
    """Whole stories (chapters aside) in one query: the page's rows first, then each one's
    authors and tags (read for the page only, never for rows an OFFSET skips). `by_key`:
    `where` picks the rows by id, so the read is bounded (see `fetch_few`)."""
    rows = await (fetch_few if by_key else fetch_all)(
        conn,
        f"""SELECT {_STORY_COLUMNS}, {_AUTHORS_AND_TAGS} FROM (
                SELECT * FROM stories s WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) s
            ORDER BY {order}""",
        (*params, limit, offset),
    )
    return [_story(row) for row in rows]
