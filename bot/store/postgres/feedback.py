"""Reader feedback in SQL: reactions, kudos, bookmarks, stars and comments.

Write functions take the connection they run on (the feedback writer calls them inside its
batch transaction); reads go through FeedbackRepository. Everything is per server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import asyncpg

from bot.library.feedback import NEGATIVE_EMOJIS, PassageSignals, ReaderSignals
from bot.library.records import BookmarkRow, FeedbackEntry, Ranked, ReactionChange, StoryTotals
from bot.store.feedback_rows import reader_signals_of
from bot.store.postgres.database import Executor, affected

_NEGATIVE = sorted(NEGATIVE_EMOJIS)


# ----- writes (run inside the writer's transaction)

async def apply_reaction_changes(conn: Executor, changes: list[ReactionChange]) -> int:
    """Apply changes in order: only the last change per (message, reader, emoji) decides the
    final row, so the run is folded to that first. A reaction on a message that is not (or
    no longer) a recorded post is dropped by the join on posts. One statement per side."""
    last: dict[tuple[int, int, str], ReactionChange] = {}
    for change in changes:
        key = (change.message_id, change.user_id, change.emoji)
        last.pop(key, None)
        last[key] = change
    removed = [c for c in last.values() if not c.added]
    added = [c for c in last.values() if c.added]
    if removed:
        await conn.execute(
            """DELETE FROM reactions r
                USING unnest($1::bigint[], $2::bigint[], $3::text[]) AS d (m, u, e)
                WHERE r.message_id = d.m AND r.user_id = d.u AND r.emoji = d.e""",
            [c.message_id for c in removed], [c.user_id for c in removed],
            [c.emoji for c in removed])
    if added:
        await conn.execute(
            """INSERT INTO reactions
                   (message_id, user_id, emoji, passage_id, story_id, guild_id, at)
               SELECT p.message_id, d.u, d.e, p.passage_id, p.story_id, p.guild_id, d.at
                 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])
                      WITH ORDINALITY AS d (m, u, e, at, n)
                 JOIN posts p ON p.message_id = d.m
                ORDER BY d.n
               ON CONFLICT (message_id, user_id, emoji) DO NOTHING""",
            [c.message_id for c in added], [c.user_id for c in added],
            [c.emoji for c in added], [c.at for c in added])
    return len(changes)


async def toggle_kudos(conn: Executor, story_id: int, user_id: int, guild_id: int | None,
                       at: str) -> bool:
    """Give kudos, or take them back if already given. True when the reader now has kudos."""
    status = await conn.execute(
        "DELETE FROM kudos WHERE story_id = $1 AND user_id = $2", story_id, user_id)
    if affected(status):
        return False
    await conn.execute(
        "INSERT INTO kudos (story_id, user_id, guild_id, at) VALUES ($1, $2, $3, $4)",
        story_id, user_id, guild_id, at)
    return True


async def toggle_bookmark(conn: Executor, user_id: int, passage_id: int, story_id: int,
                          guild_id: int | None, at: str) -> bool:
    """Bookmark a passage, or remove the bookmark. True when it is now bookmarked."""
    status = await conn.execute(
        "DELETE FROM bookmarks WHERE user_id = $1 AND passage_id = $2", user_id, passage_id)
    if affected(status):
        return False
    await conn.execute(
        "INSERT INTO bookmarks (user_id, passage_id, story_id, guild_id, at) "
        "VALUES ($1, $2, $3, $4, $5)", user_id, passage_id, story_id, guild_id, at)
    return True


async def save_feedback(conn: Executor, entry: FeedbackEntry) -> None:
    """One entry per reader per passage (or per story): a second one replaces the first."""
    await conn.execute(
        "INSERT INTO feedback (guild_id, story_id, passage_id, user_id, stars, comment, at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (user_id, story_id, COALESCE(passage_id, 0)) DO UPDATE SET "
        "stars = excluded.stars, comment = excluded.comment, at = excluded.at, "
        "guild_id = excluded.guild_id",
        entry.guild_id, entry.story_id, entry.passage_id, entry.user_id, entry.stars,
        entry.comment, entry.at)


# ----- reads

@dataclass
class FeedbackRepository:
    pool: asyncpg.Pool

    async def _rows(self, sql: str, *params: object) -> list[Any]:
        return list(await self.pool.fetch(sql, *params))

    async def post_message_ids(self) -> list[int]:
        return [row[0] for row in await self._rows("SELECT message_id FROM posts")]

    async def is_post(self, message_id: int) -> bool:
        return bool(await self._rows("SELECT 1 FROM posts WHERE message_id = $1", message_id))

    async def passage_story(self, passage_id: int) -> int | None:
        rows = await self._rows("SELECT story_id FROM passages WHERE id = $1", passage_id)
        return int(rows[0][0]) if rows else None

    async def feedback_of(self, user_id: int, story_id: int,
                          passage_id: int | None) -> FeedbackEntry | None:
        rows = await self._rows(
            "SELECT guild_id, story_id, passage_id, user_id, stars, comment, at FROM feedback "
            "WHERE user_id = $1 AND story_id = $2 AND COALESCE(passage_id, 0) = $3",
            user_id, story_id, passage_id or 0)
        return FeedbackEntry(*rows[0]) if rows else None

    async def reactions(self, guild_id: int | None = None) -> list[tuple[int, int, str]]:
        """(message, user, emoji) rows, sorted; all servers when guild_id is None."""
        where, params = ("WHERE guild_id = $1", (guild_id,)) if guild_id is not None else (
            "", ())
        rows = await self._rows(
            f'SELECT message_id, user_id, emoji FROM reactions {where} '
            f'ORDER BY message_id, user_id, emoji COLLATE "C"', *params)
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def story_totals(self, guild_id: int, story_id: int) -> StoryTotals:
        kudos = await self._rows(
            "SELECT COUNT(*) FROM kudos WHERE story_id = $1 AND guild_id = $2",
            story_id, guild_id)
        marks = await self._rows(
            "SELECT COUNT(*) FROM bookmarks WHERE story_id = $1 AND guild_id = $2",
            story_id, guild_id)
        by_emoji = await self._rows(
            "SELECT emoji, COUNT(*) FROM reactions WHERE story_id = $1 AND guild_id = $2 "
            'GROUP BY emoji ORDER BY 2 DESC, emoji COLLATE "C"', story_id, guild_id)
        stars = await self._rows(
            "SELECT AVG(stars)::float8, COUNT(*), COUNT(*) FILTER (WHERE comment != '') "
            "FROM feedback WHERE story_id = $1 AND guild_id = $2", story_id, guild_id)
        average, ratings, comments = stars[0]
        return StoryTotals(kudos=kudos[0][0], bookmarks=marks[0][0],
                           reactions={str(r[0]): int(r[1]) for r in by_emoji},
                           stars_average=None if average is None else float(average),
                           ratings=int(ratings), comments=int(comments or 0))

    async def comments(self, guild_id: int, story_id: int, limit: int = 10) -> list[FeedbackEntry]:
        rows = await self._rows(
            "SELECT guild_id, story_id, passage_id, user_id, stars, comment, at FROM feedback "
            "WHERE story_id = $1 AND guild_id = $2 AND comment != '' "
            'ORDER BY at COLLATE "C" DESC LIMIT $3', story_id, guild_id, limit)
        return [FeedbackEntry(*row) for row in rows]

    async def passage_signals(self, guild_id: int, passage_ids: list[int] | None = None,
                              story_id: int | None = None) -> dict[int, PassageSignals]:
        """Per passage: reactions (and how many were negative), bookmarks, stars."""
        params: list[object] = [guild_id]
        filters = ["guild_id = $1", "passage_id IS NOT NULL"]
        if passage_ids is not None:
            params.append(list(passage_ids))
            filters.append(f"passage_id = ANY(${len(params)}::bigint[])")
        if story_id is not None:
            params.append(story_id)
            filters.append(f"story_id = ${len(params)}")
        where = " AND ".join(filters)
        negative = f"count(*) FILTER (WHERE emoji = ANY(${len(params) + 1}::text[]))"
        found: dict[int, dict[str, int]] = {}
        for row in await self._rows(
                f"SELECT passage_id, COUNT(*), {negative} FROM reactions "
                f"WHERE {where} GROUP BY passage_id", *params, _NEGATIVE):
            found.setdefault(row[0], {}).update(reactions=row[1], negative_reactions=row[2])
        for row in await self._rows(
                f"SELECT passage_id, COUNT(*) FROM bookmarks WHERE {where} GROUP BY passage_id",
                *params):
            found.setdefault(row[0], {})["bookmarks"] = row[1]
        for row in await self._rows(
                f"SELECT passage_id, SUM(stars), COUNT(*) FROM feedback WHERE {where} "
                "GROUP BY passage_id", *params):
            found.setdefault(row[0], {}).update(stars_total=row[1], stars_count=row[2])
        return {pid: PassageSignals(**figures) for pid, figures in found.items()}

    async def reaction_days(self, guild_id: int, story_id: int | None) -> list[tuple[str, int]]:
        """Reactions per UTC day (YYYY-MM-DD), oldest first."""
        story_filter, params = ("AND story_id = $2", (guild_id, story_id)) if story_id else (
            "", (guild_id,))
        rows = await self._rows(
            f"SELECT substr(at, 1, 10), COUNT(*) FROM reactions WHERE guild_id = $1 "
            f"{story_filter} GROUP BY 1 ORDER BY 1", *params)
        return [(str(r[0]), int(r[1])) for r in rows]

    async def story_figures(self, guild_id: int) -> list[Ranked]:
        """Every story of this server that got any feedback, with its figures: summed in
        SQL, one row a story, made into records off the event loop (thousands of them)."""
        rows = await self._rows(
            "SELECT story_id, SUM(reactions), SUM(kudos), SUM(bookmarks), SUM(stars_total), "
            "SUM(stars_count) FROM ("
            "SELECT story_id, COUNT(*) AS reactions, 0 AS kudos, 0 AS bookmarks, "
            "0 AS stars_total, 0 AS stars_count FROM reactions WHERE guild_id = $1 GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, COUNT(*), 0, 0, 0 FROM kudos WHERE guild_id = $1 "
            "GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, COUNT(*), 0, 0 FROM bookmarks WHERE guild_id = $1 "
            "GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, 0, SUM(stars), COUNT(*) FROM feedback "
            "WHERE guild_id = $1 GROUP BY 1) AS figures GROUP BY story_id", guild_id)
        return await asyncio.to_thread(lambda: [
            Ranked(id=int(sid), story_id=int(sid), reactions=int(reactions), kudos=int(kudos),
                   bookmarks=int(bookmarks), stars_total=int(stars_total),
                   stars_count=int(stars_count))
            for sid, reactions, kudos, bookmarks, stars_total, stars_count in rows])

    async def passage_stories(self, passage_ids: list[int]) -> dict[int, tuple[int, int]]:
        """passage id -> (story id, seq)."""
        if not passage_ids:
            return {}
        rows = await self._rows(
            "SELECT id, story_id, seq FROM passages WHERE id = ANY($1::bigint[])",
            list(passage_ids))
        return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def reader_signals(self, guild_id: int, user_id: int, recent: int) -> ReaderSignals:
        """What this reader did in this server: per story, the `recent` stories they did
        something with most recently, newest first, and every story they gave kudos to (one
        query: /recommend for_me asks it on every call)."""
        rows = await self._rows(
            "SELECT story_id, MAX(kudos), SUM(bookmarks), SUM(reactions), SUM(negative), "
            "SUM(stars_total), SUM(stars_count) FROM ("
            "SELECT story_id, 1 AS kudos, 0 AS bookmarks, 0 AS reactions, 0 AS negative, "
            "0 AS stars_total, 0 AS stars_count, at FROM kudos "
            "WHERE user_id = $1 AND guild_id = $2 "
            "UNION ALL SELECT story_id, 0, COUNT(*), 0, 0, 0, 0, MAX(at) FROM bookmarks "
            "WHERE user_id = $1 AND guild_id = $2 GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, COUNT(*), "
            "COUNT(*) FILTER (WHERE emoji = ANY($3::text[])), 0, 0, MAX(at) "
            "FROM reactions WHERE user_id = $1 AND guild_id = $2 GROUP BY 1 "
            "UNION ALL SELECT story_id, 0, 0, 0, 0, SUM(stars), COUNT(*), MAX(at) FROM feedback "
            "WHERE user_id = $1 AND guild_id = $2 GROUP BY 1) AS signals "
            "GROUP BY story_id ORDER BY MAX(at) DESC, story_id DESC",
            user_id, guild_id, _NEGATIVE)
        return reader_signals_of(rows, recent)

    async def bookmarks(self, user_id: int, guild_id: int, offset: int,
                        limit: int) -> tuple[list[BookmarkRow], int]:
        """One page of a reader's bookmarks in this server (newest first), and the total."""
        total = await self._rows(
            "SELECT COUNT(*) FROM bookmarks WHERE user_id = $1 AND guild_id = $2",
            user_id, guild_id)
        rows = await self._rows(
            "SELECT b.passage_id, b.story_id, s.title, p.seq, p.chapter, b.at "
            "FROM bookmarks b JOIN passages p ON p.id = b.passage_id "
            "JOIN stories s ON s.id = b.story_id WHERE b.user_id = $1 AND b.guild_id = $2 "
            'ORDER BY b.at COLLATE "C" DESC, b.passage_id DESC LIMIT $3 OFFSET $4',
            user_id, guild_id, limit, offset)
        return [BookmarkRow(*row) for row in rows], int(total[0][0])

    async def export_rows(self, guild_id: int) -> list[tuple[object, ...]]:
        """Every feedback, reaction and kudos row of the server, for the CSV export:
        (kind, story_id, title, passage_id, user_id, emoji, stars, comment, at)."""
        found = await self._rows(
            "SELECT * FROM (SELECT 'feedback' AS kind, f.story_id, s.title, f.passage_id, "
            "f.user_id, "
            "'' AS emoji, f.stars, f.comment, f.at FROM feedback f "
            "JOIN stories s ON s.id = f.story_id WHERE f.guild_id = $1 "
            "UNION ALL SELECT 'reaction', r.story_id, s.title, r.passage_id, r.user_id, "
            "r.emoji, NULL, '', r.at FROM reactions r JOIN stories s ON s.id = r.story_id "
            "WHERE r.guild_id = $1 "
            "UNION ALL SELECT 'kudos', k.story_id, s.title, NULL, k.user_id, '', NULL, '', "
            "k.at FROM kudos k JOIN stories s ON s.id = k.story_id WHERE k.guild_id = $1) AS u "
            'ORDER BY at COLLATE "C", kind COLLATE "C"', guild_id)
        # tens of thousands of rows for a busy server: copied off the event loop
        return await asyncio.to_thread(lambda: [tuple(row) for row in found])
