"""Full-text search over SQLite's FTS5: the search rows of stories, and a search's walk.

story_search holds each story's title, summary, tags and the words of its text, each once
(bot/store/search_words.py; rowid = the story's id); story_title_search its title alone
(migration 14). Both keep postings of their own for prefixes of 3 to
LONGEST_INDEXED_PREFIX letters, so a prefix that short is walked like one word, and a
walk stops where the search does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import aiosqlite

from bot.library.models import PARAGRAPH_SEPARATOR
from bot.library.records import SEARCH_RANKED, SHORTEST_PREFIX, SearchHits, StoryFilter
from bot.library.search_order import Scored, best_first
from bot.library.search_rank import plain_words, score_matches
from bot.library.visibility import Visibility
from bot.store.search_words import search_words
from bot.store.sqlite.database import Read, fetch_all, fetch_bounded
from bot.store.sqlite.story_sql import filter_clauses, visibility_clause

# Migration 14's `prefix` option: the longest prefix with postings of its own.
LONGEST_INDEXED_PREFIX = 6

# Stories whose text index_for_search reads at once, when their writer has no search words.
_TEXTS_READ_AT_ONCE = 500

# Every table a story has search rows in: what removes a story removes its rows from each.
SEARCH_TABLES = ("story_search", "story_title_search")


async def forget_search_rows(conn: aiosqlite.Connection, condition: str = "TRUE",
                             params: Sequence[object] = ()) -> None:
    """Delete the search rows of the stories `condition` picks (on `rowid`, the story's
    id) from every search table."""
    for table in SEARCH_TABLES:
        await conn.execute(f"DELETE FROM {table} WHERE {condition}", params)


async def compact_search_index(conn: aiosqlite.Connection) -> None:
    """Merge each search table's pieces into one (FTS5's `optimize`). Every commit that
    writes search rows adds a piece (a segment), and FTS5 merges them only when there are
    sixteen, so a 100k library imported in batches of 100 was left in 13; a search walks its
    words' postings in each. In one piece the newest matches of a common word read in 0.073 ms
    warm instead of 0.101, the query words in the tags in 0.016 instead of 0.040. The merge
    rewrites the whole index: 2.7 s at 100k stories."""
    for table in SEARCH_TABLES:
        await conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


async def search_index_pieces(conn: aiosqlite.Connection) -> int:
    """The most pieces (segments) any search table is in (~3 ms at 100k stories)."""
    counts = [await fetch_all(conn, f"SELECT count(DISTINCT segid) FROM {table}_idx")
              for table in SEARCH_TABLES]
    return max(int(rows[0][0]) for rows in counts)


async def index_for_search(conn: aiosqlite.Connection, first_id: int, last_id: int,
                           words: Mapping[int, str] | None = None) -> None:
    """(Re)write the search rows of stories first_id..last_id from what is stored; `words`:
    each story's search words (bot/store/search_words.py) where its writer has them, else
    they are read from its chapters."""
    await forget_search_rows(conn, "rowid BETWEEN ? AND ?", (first_id, last_id))
    if words is not None:
        await _insert_search_rows(conn, first_id, last_id, words)
        return
    # Read from the chapters a few hundred stories at a time: a transfer indexes a whole
    # library this way, and all of its text at once need not fit in memory.
    after = first_id - 1
    while texts := await fetch_all(
            conn,
            """SELECT s.id, (SELECT group_concat(c.text, ?) FROM chapters c
                              WHERE c.story_id = s.id)
                 FROM stories s WHERE s.id > ? AND s.id <= ? ORDER BY s.id LIMIT ?""",
            (PARAGRAPH_SEPARATOR, after, last_id, _TEXTS_READ_AT_ONCE)):
        after = int(texts[-1][0])
        # In a thread: the words of a long work take milliseconds to find.
        await _insert_search_rows(conn, int(texts[0][0]), after,
                                  await asyncio.to_thread(_words_by_story, texts))


async def _insert_search_rows(conn: aiosqlite.Connection, first_id: int, last_id: int,
                              words: Mapping[int, str]) -> None:
    """The search rows of the stories first_id..last_id that `words` has. The rows are read
    in one query and inserted as values: an INSERT ... SELECT per story into FTS5 took
    about 0.1 ms more a story than the same row as values, more than indexing its words."""
    stories = await fetch_all(
        conn,
        """SELECT s.id, s.title, s.summary,
                  (SELECT IFNULL(group_concat(
                              CASE WHEN c.id = t.id THEN t.name
                                   ELSE t.name || ' · ' || c.name END, ' · '), '')
                     FROM story_tags st JOIN tags t ON t.id = st.tag_id
                     JOIN tags c ON c.id = IFNULL(t.canonical_id, t.id)
                    WHERE st.story_id = s.id)
             FROM stories s WHERE s.id BETWEEN ? AND ?""",
        (first_id, last_id))
    rows = [(story_id, title, summary, tags, words[story_id])
            for story_id, title, summary, tags in stories if story_id in words]
    await conn.executemany("INSERT INTO story_title_search (rowid, title) VALUES (?, ?)",
                           [row[:2] for row in rows])
    await conn.executemany(
        "INSERT INTO story_search (rowid, title, summary, tags, body) VALUES (?, ?, ?, ?, ?)",
        rows)


def _words_by_story(texts: Sequence[aiosqlite.Row]) -> dict[int, str]:
    return {int(story_id): search_words([text or ""]) for story_id, text in texts}


async def search_ids(conn: aiosqlite.Connection, visibility: Visibility, query: str, *,
                     limit: int = 25, shown: StoryFilter | None = None) -> SearchHits[int]:
    """Full-text search; every word of the query must match (as a prefix when it is
    SHORTEST_PREFIX long), best first (bot/library/search_rank.py) among the newest
    SEARCH_RANKED matches; when more matched, the newest with every word in their titles
    first (search_order)."""
    # The query's plain words, each asked of FTS5 alone: a run like "a_b" would be a phrase
    # whose last word, "b", a one-letter prefix, merges the postings of every word
    # beginning with it. (PostgreSQL's store asks for the same words.)
    words = list(dict.fromkeys(plain_words(query)))
    if not words:
        return SearchHits[int]()
    match = " ".join(_term(word) for word in words)
    where, params = visibility_clause(visibility)
    # Blocked tags asked story by story: a walk stops after SEARCH_RANKED stories.
    extra, extra_args = filter_clauses(shown, walked=())
    clauses = " AND ".join([where, *extra])
    read = _read_for(words)
    # The newest matches in view, by the search index's own order, stopping after the
    # ones ranked; on the loop's thread unless the channel's view skips so many that the
    # walk runs long.
    rows = await read(
        conn,
        f"""SELECT s.id, s.title, s.summary
              FROM story_search JOIN stories s ON s.id = story_search.rowid
             WHERE story_search MATCH ? AND {clauses}
             ORDER BY story_search.rowid DESC LIMIT ?""",
        (match, *params, *extra_args, SEARCH_RANKED + 1),
    )
    more = len(rows) > SEARCH_RANKED
    matched = [(int(r[0]), str(r[1]), str(r[2])) for r in rows[:SEARCH_RANKED]]
    ranked = score_matches(words, matched, await _words_in_tags(
        conn, words, [story[0] for story in matched]))
    titled: list[Scored] = []
    if more:
        titles = await read(
            conn,
            f"""SELECT s.id, s.title
                  FROM story_title_search t JOIN stories s ON s.id = t.rowid
                 WHERE story_title_search MATCH ? AND {clauses}
                 ORDER BY t.rowid DESC LIMIT ?""",
            (match, *params, *extra_args, SEARCH_RANKED),
        )
        titled = score_matches(words, [(int(r[0]), str(r[1]), "") for r in titles])
    return SearchHits[int](best_first(ranked, titled, limit), newest_only=more)


async def _words_in_tags(conn: aiosqlite.Connection, words: Sequence[str],
                         story_ids: Sequence[int]) -> dict[int, set[str]]:
    """The query words each of these stories carries in its tags, by story (those with
    none left out): the search index asked for each word in the tags column over the
    stories' span of ids alone, so a walk is as long as the span, however many stories
    carry the word elsewhere."""
    found: dict[int, set[str]] = {}
    if not story_ids:
        return found
    wanted = set(story_ids)
    for word in words:
        rows = await _read_for([word])(
            conn,
            "SELECT rowid FROM story_search WHERE story_search MATCH ? "
            "AND rowid BETWEEN ? AND ?",
            (f"{{tags}} : {_term(word)}", min(story_ids), max(story_ids)))
        for (story_id,) in rows:
            if story_id in wanted:
                found.setdefault(story_id, set()).add(word)
    return found


def _term(word: str) -> str:
    """A query word as FTS5 is asked for it: a prefix when it is SHORTEST_PREFIX long."""
    return f'"{word}"*' if len(word) >= SHORTEST_PREFIX else f'"{word}"'


def _read_for(words: Sequence[str]) -> Read:
    """How to run a search statement over these query words. A prefix longer than the
    index's own is answered by merging the postings of every word it begins, over the
    whole library, in one step of SQLite's machine that no allowance can interrupt: such
    a statement takes the hop to the database thread, so the loop never waits for it."""
    merged = any(len(word) > LONGEST_INDEXED_PREFIX for word in words)
    return fetch_all if merged else fetch_bounded
