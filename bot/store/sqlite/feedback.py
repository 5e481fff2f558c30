"""Reader feedback in SQL: reactions, kudos, bookmarks, stars and comments.

Write functions take the connection they run on (the feedback writer calls them inside its
batch transaction); reads go through FeedbackRepository. Everything is per server
(guild_id), because the bundled stories are shared by every server.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import aiosqlite

from bot.library.feedback import NEGATIVE_EMOJIS, PassageSignals, ReaderSignals
from bot.library.records import BookmarkRow, FeedbackEntry, Ranked, ReactionChange, StoryTotals
from bot.store.feedback_rows import reader_signals_of
from bot.store.sqlite.database import fetch_all, fetch_few

_NEGATIVE = tuple(sorted(NEGATIVE_EMOJIS))
_NEGATIVE_MARKS = ", ".join("?" * len(_NEGATIVE))

# A reader's own rows: a read of one reader's rows in one server says `+guild_id`
# (SQLite's way to keep a term off the indexes). Without it SQLite took each table's server
# index (a server's rows in story order, which the GROUP BY story_id likes) and filtered
# out the other readers: with 200,000 reactions in the server a for-me read took 300 ms,
# on the event loop's thread. The reader's index reads their own rows alone, in every
# server: as many as one person makes. (PostgreSQL plans by its statistics: once they are
# in, it reads the reader's index of its own accord.)


# ----- writes (run inside the writer's transaction)

# Each (message, reader, emoji)'s last change in a run, the run being a JSON array of
# ReactionChange rows [message_id, user_id, emoji, added, at] in order: in a GROUP BY
# with max(), SQLite takes the other columns from the row holding the max.
_LAST_CHANGES = (
    "WITH last AS (SELECT value ->> 0 AS message_id, value ->> 1 AS user_id, "
    "value ->> 2 AS emoji, value ->> 3 AS added, value ->> 4 AS at, max(key) AS seq "
    "FROM json_each(?) GROUP BY 1, 2, 3) ")


async def apply_reaction_changes(conn: aiosqlite.Connection, changes: list[ReactionChange]) -> int:
    """Apply changes in order. Only the last change per (message, reader, emoji) decides the
    final row, so SQLite folds the run to that before touching the table. A reaction on a
    message that is not (or no longer) a recorded post is dropped by the join on posts.

    The run goes over as one JSON array (a ReactionChange is a tuple: one C call encodes
    the lot), and each side is ONE statement over it, so SQLite does the folding and the
    per-row work in C without holding Python's GIL. Folding in Python on the event loop
    took a tenth of a burst's time (bench_reactions: 0.88-0.95x the no-op listener's rate
    with neither, 0.84x with the fold alone)."""
    run = json.dumps(changes, ensure_ascii=False)
    await conn.execute(
        _LAST_CHANGES + "DELETE FROM reactions WHERE (message_id, user_id, emoji) IN ("
        "SELECT message_id, user_id, emoji FROM last WHERE NOT added)", (run,))
    await conn.execute(
        _LAST_CHANGES + "INSERT OR IGNORE INTO reactions "
        "(message_id, user_id, emoji, passage_id, story_id, guild_id, at) "
        "SELECT p.message_id, last.user_id, last.emoji, p.passage_id, p.story_id, "
        "p.guild_id, last.at FROM last JOIN posts AS p ON p.message_id = last.message_id "
        "WHERE last.added ORDER BY last.seq", (run,))
    return len(changes)


async def toggle_kudos(conn: aiosqlite.Connection, story_id: int, user_id: int,
                       guild_id: int | None, at: str) -> bool:
    """Give kudos, or take them back if already given. True when the reader now has kudos."""
    cursor = await conn.execute(
        "DELETE FROM kudos WHERE story_id = ? AND user_id = ?", (story_id, user_id))
    if cursor.rowcount:
        return False
    await conn.execute("INSERT INTO kudos (story_id, user_id, guild_id, at) VALUES (?, ?, ?, ?)",
                       (story_id, user_id, guild_id, at))
    return True


async def toggle_bookmark(conn: aiosqlite.Connection, user_id: int, passage_id: int,
                          story_id: int, guild_id: int | None, at: str) -> bool:
    """Bookmark a passage, or remove the bookmark. True when it is now bookmarked."""
    cursor = await conn.execute(
        "DELETE FROM bookmarks WHERE user_id = ? AND passage_id = ?", (user_id, passage_id))
    if cursor.rowcount:
        return False
    await conn.execute(
        "INSERT INTO bookmarks (user_id, passage_id, story_id, guild_id, at) "
        "VALUES (?, ?, ?, ?, ?)", (user_id, passage_id, story_id, guild_id, at))
    return True


async def save_feedback(conn: aiosqlite.Connection, entry: FeedbackEntry) -> None:
    """One entry per reader per passage (or per story): a second one replaces the first."""
    await conn.execute(
        "INSERT INTO feedback (guild_id, story_id, passage_id, user_id, stars, comment, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (user_id, story_id, IFNULL(passage_id, 0)) DO UPDATE SET "
        "stars = excluded.stars, comment = excluded.comment, at = excluded.at, "
        "guild_id = excluded.guild_id",
        (entry.guild_id, entry.story_id, entry.passage_id, entry.user_id, entry.stars,
         entry.comment, entry.at))


# ----- reads

@dataclass
class FeedbackRepository:
    conn: aiosqlite.Connection

    async def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        found = await fetch_all(self.conn, sql, params)
        return list(found)

    async def _few(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        """A read bounded by its keys (given passages, one reader): see `fetch_few`."""
        return await fetch_few(self.conn, sql, params)

    async def post_message_ids(self) -> list[int]:
        return [row[0] for row in await self._rows("SELECT message_id FROM posts")]

    async def is_post(self, message_id: int) -> bool:
        return bool(await self._rows("SELECT 1 FROM posts WHERE message_id = ?", (message_id,)))

    async def passage_story(self, passage_id: int) -> int | None:
        rows = await self._few("SELECT story_id FROM passages WHERE id = ?", (passage_id,))
        return int(rows[0][0]) if rows else None

    async def feedback_of(self, user_id: int, story_id: int,
                          passage_id: int | None) -> FeedbackEntry | None:
        rows = await self._rows(
            "SELECT guild_id, story_id, passage_id, user_id, stars, comment, at FROM feedback "
            "WHERE user_id = ? AND story_id = ? AND IFNULL(passage_id, 0) = ?",
            (user_id, story_id, passage_id or 0))
        return FeedbackEntry(*rows[0]) if rows else None

    async def reactions(self, guild_id: int | None = None) -> list[tuple[int, int, str]]:
        """(message, user, emoji) rows, sorted; all servers when guild_id is None."""
        where, params = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        rows = await self._rows(
            f"SELECT message_id, user_id, emoji FROM reactions {where} ORDER BY 1, 2, 3", params)
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def story_totals(self, guild_id: int, story_id: int) -> StoryTotals:
        scope = (story_id, guild_id)
        kudos = await self._rows(
            "SELECT COUNT(*) FROM kudos WHERE story_id = ? AND guild_id = ?", scope)
        marks = await self._rows(
            "SELECT COUNT(*) FROM bookmarks WHERE story_id = ? AND guild_id = ?", scope)
        by_emoji = await self._rows(
            "SELECT emoji, COUNT(*) FROM reactions WHERE story_id = ? AND guild_id = ? "
            "GROUP BY emoji ORDER BY 2 DESC, 1", scope)
        stars = await self._rows(
            "SELECT AVG(stars), COUNT(*), SUM(comment != '') FROM feedback "
            "WHERE story_id = ? AND guild_id = ?", scope)
        average, ratings, comments = stars[0]
        return StoryTotals(kudos=kudos[0][0], bookmarks=marks[0][0],
                           reactions={str(r[0]): int(r[1]) for r in by_emoji},
                           stars_average=None if average is None else float(average),
                           ratings=int(ratings), comments=int(comments or 0))

    async def comments(self, guild_id: int, story_id: int, limit: int = 10) -> list[FeedbackEntry]:
        rows = await self._rows(
            "SELECT guild_id, story_id, passage_id, user_id, stars, comment, at FROM feedback "
            "WHERE story_id = ? AND guild_id = ? AND comment != '' ORDER BY at DESC LIMIT ?",
            (story_id, guild_id, limit))
        return [FeedbackEntry(*row) for row in rows]

    async def passage_signals(self, guild_id: int, passage_ids: list[int] | None = None,
                              story_id: int | None = None) -> dict[int, PassageSignals]:
        """Per passage: reactions (and how many were negative), bookmarks, stars."""
        filters = ["guild_id = ?", "passage_id IS NOT NULL"]
        params: list[object] = [guild_id]
        if passage_ids is not None:
            # Named passages (/excerpt's batch of draws) are read through each table's
            # (passage, server) index (migration 16). Before it, SQLite took the server
            # index and filtered out every other passage's rows: with 200,000 reactions in
            # the server a batch of 16 draws took 35 ms on the event loop's thread, 0.26 ms
            # now. One JSON array: a scan's candidates can outnumber SQLite's parameters.
            filters.append("passage_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(passage_ids))
        if story_id is not None:
            filters.append("story_id = ?")
            params.append(story_id)
        where = " AND ".join(filters)
        # One query for the three tables (one round trip to the database thread, not
        # three). Bounded by the passages when they are named, so on the loop's thread; a
        # whole server's or story's sums take the hop.
        read = self._rows if passage_ids is None else self._few
        rows = await read(
            f"SELECT 0, passage_id, COUNT(*), SUM(emoji IN ({_NEGATIVE_MARKS})) FROM reactions "
            f"WHERE {where} GROUP BY passage_id "
            f"UNION ALL SELECT 1, passage_id, COUNT(*), 0 FROM bookmarks WHERE {where} "
            "GROUP BY passage_id "
            f"UNION ALL SELECT 2, passage_id, SUM(stars), COUNT(*) FROM feedback WHERE {where} "
            "GROUP BY passage_id", (*_NEGATIVE, *params, *params, *params))
        found: dict[int, dict[str, int]] = {}
        for table, passage_id, first, second in rows:
            figures = found.setdefault(passage_id, {})
            if table == 0:
                figures.update(reactions=first, negative_reactions=second)
            elif table == 1:
                figures["bookmarks"] = first
            else:
                figures.update(stars_total=first, stars_count=second)
        return {pid: PassageSignals(**figures) for pid, figures in found.items()}

    async def reaction_days(self, guild_id: int, story_id: int | None) -> list[tuple[str, int]]:
        """Reactions per UTC day (YYYY-MM-DD), oldest first."""
        story_filter, params = ("AND story_id = ?", (guild_id, story_id)) if story_id else (
            "", (guild_id,))
        rows = await self._rows(
            f"SELECT substr(at, 1, 10), COUNT(*) FROM reactions WHERE guild_id = ? "
            f"{story_filter} GROUP BY 1 ORDER BY 1", params)
        return [(str(r[0]), int(r[1])) for r in rows]

    async def story_figures(self, guild_id: int) -> list[Ranked]:
        """Every story of this server that got any feedback, with its figures: summed in
        SQL, one row a story, made into records off the event loop (thousands of them)."""
        rows = await self._rows(
            "SELECT story_id, SUM(reactions), SUM(kudos), SUM(bookmarks), SUM(stars_total), "
            "SUM(stars_count) FROM ("
            "SELECT story_id, COUNT(*) AS reactions, 0 AS kudos, 0 AS bookmarks, "
            "0 AS stars_total, 0 AS stars_count FROM reactions WHERE guild_id = ? GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, COUNT(*), 0, 0, 0 FROM kudos WHERE guild_id = ? "
            "GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, COUNT(*), 0, 0 FROM bookmarks WHERE guild_id = ? "
            "GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, 0, SUM(stars), COUNT(*) FROM feedback "
            "WHERE guild_id = ? GROUP BY 1) GROUP BY story_id", (guild_id,) * 4)
        return await asyncio.to_thread(lambda: [
            Ranked(id=int(sid), story_id=int(sid), reactions=reactions, kudos=kudos,
                   bookmarks=bookmarks, stars_total=stars_total, stars_count=stars_count)
            for sid, reactions, kudos, bookmarks, stars_total, stars_count in rows])

    async def passage_stories(self, passage_ids: list[int]) -> dict[int, tuple[int, int]]:
        """passage id -> (story id, seq)."""
        if not passage_ids:
            return {}
        # Server-wide /stats asks this for every passage with feedback in the server: one
        # JSON array (a parameter each can outnumber what SQLite takes: 32,766 by default,
        # 250,000 in Debian's build), read on the database thread, not the loop's.
        rows = await self._rows(
            "SELECT id, story_id, seq FROM passages WHERE id IN "
            "(SELECT value FROM json_each(?))", (json.dumps(passage_ids),))
        return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def reader_signals(self, guild_id: int, user_id: int, recent: int) -> ReaderSignals:
        """What this reader did in this server: per story, the `recent` stories they did
        something with most recently, newest first, and every story they gave kudos to (one
        query: /recommend for_me asks it on every call). Read through the reader's own rows
        however busy the server ("A reader's own rows", above)."""
        scope = (user_id, guild_id)
        rows = await self._few(
            "SELECT story_id, MAX(kudos), SUM(bookmarks), SUM(reactions), SUM(negative), "
            "SUM(stars_total), SUM(stars_count) FROM ("
            "SELECT story_id, 1 AS kudos, 0 AS bookmarks, 0 AS reactions, 0 AS negative, "
            "0 AS stars_total, 0 AS stars_count, at FROM kudos "
            "WHERE user_id = ? AND +guild_id = ? "
            "UNION ALL SELECT story_id, 0, COUNT(*), 0, 0, 0, 0, MAX(at) FROM bookmarks "
            "WHERE user_id = ? AND +guild_id = ? GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, COUNT(*), "
            f"SUM(emoji IN ({_NEGATIVE_MARKS})), 0, 0, MAX(at) "
            "FROM reactions WHERE user_id = ? AND +guild_id = ? GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, 0, 0, SUM(stars), COUNT(*), MAX(at) FROM feedback "
            "WHERE user_id = ? AND +guild_id = ? GROUP BY 1) "
            "GROUP BY story_id ORDER BY MAX(at) DESC, story_id DESC",
            (*scope, *scope, *_NEGATIVE, *scope, *scope))
        return reader_signals_of(rows, recent)

    async def bookmarks(self, user_id: int, guild_id: int, offset: int,
                        limit: int) -> tuple[list[BookmarkRow], int]:
        """One page of a reader's bookmarks in this server (newest first), and the total;
        read through the reader's own rows ("A reader's own rows", above)."""
        total = await self._rows(
            "SELECT COUNT(*) FROM bookmarks WHERE user_id = ? AND +guild_id = ?",
            (user_id, guild_id))
        rows = await self._rows(
            "SELECT b.passage_id, b.story_id, s.title, p.seq, p.chapter, b.at "
            "FROM bookmarks b JOIN passages p ON p.id = b.passage_id "
            "JOIN stories s ON s.id = b.story_id WHERE b.user_id = ? AND +b.guild_id = ? "
            "ORDER BY b.at DESC, b.passage_id DESC LIMIT ? OFFSET ?",
            (user_id, guild_id, limit, offset))
        return [BookmarkRow(*row) for row in rows], int(total[0][0])

    async def export_rows(self, guild_id: int) -> list[tuple[object, ...]]:
        """Every feedback and reaction row of the server, for the CSV export:
        (kind, story_id, title, passage_id, user_id, emoji, stars, comment, at)."""
        found = await self._rows(
            "SELECT 'feedback', f.story_id, s.title, f.passage_id, f.user_id, '', f.stars, "
            "f.comment, f.at FROM feedback f JOIN stories s ON s.id = f.story_id "
            "WHERE f.guild_id = ? "
            "UNION ALL SELECT 'reaction', r.story_id, s.title, r.passage_id, r.user_id, r.emoji, "
            "NULL, '', r.at FROM reactions r JOIN stories s ON s.id = r.story_id "
            "WHERE r.guild_id = ? "
            "UNION ALL SELECT 'kudos', k.story_id, s.title, NULL, k.user_id, '', NULL, '', k.at "
            "FROM kudos k JOIN stories s ON s.id = k.story_id WHERE k.guild_id = ? "
            "ORDER BY 9, 1", (guild_id, guild_id, guild_id))
        # tens of thousands of rows for a busy server: copied off the event loop
        return await asyncio.to_thread(lambda: [tuple(row) for row in found])
