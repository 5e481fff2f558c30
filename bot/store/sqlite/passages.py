"""Which passages a server may be shown, and what it has already seen (the selection history)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from bot.library.models import Cut, Passage, Rating
from bot.library.sampling import SampledPassage
from bot.library.selection import PassageCandidate, ServerHistory
from bot.library.visibility import Visibility
from bot.store.sqlite.database import (
    fetch_all,
    fetch_few,
    is_busy,
    transaction,
    write_lock,
    write_on_loop,
)
from bot.store.sqlite.story_sql import visibility_clause

_PASSAGE_COLUMNS = """p.id, p.story_id, p.seq, p.chapter, p.text, p.words, p.cut_before,
    p.cut_after, (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id)"""


def _stored(row: aiosqlite.Row) -> Passage:
    return Passage(int(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]),
                         int(row[5]), Cut(int(row[6])), Cut(int(row[7])), int(row[8]))


def _story_filter(
    visibility: Visibility, ratings: Collection[Rating], blocked_canonical_tag_ids: Collection[int]
) -> tuple[list[str], list[object]]:
    """WHERE clauses (on stories `s`) for: in view, an allowed rating, no blocked tag."""
    where, params = visibility_clause(visibility)
    clauses, args = [where], list(params)
    rating_marks = ",".join("?" * len(ratings)) or "NULL"
    clauses.append(f"s.rating IN ({rating_marks})")
    args.extend(r.value for r in ratings)
    if blocked_canonical_tag_ids:
        marks = ",".join("?" * len(blocked_canonical_tag_ids))
        clauses.append(
            f"""NOT EXISTS (SELECT 1 FROM story_tags st JOIN tags t ON t.id = st.tag_id
                             WHERE st.story_id = s.id
                               AND IFNULL(t.canonical_id, t.id) IN ({marks}))"""
        )
        args.extend(blocked_canonical_tag_ids)
    return clauses, args


@dataclass
class PassageRepository:
    conn: aiosqlite.Connection

    # -- passages ------------------------------------------------------------------------

    async def passage(self, passage_id: int) -> Passage | None:
        rows = await fetch_few(
            self.conn,
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p WHERE p.id = ?", (passage_id,)
        )
        row = rows[0] if rows else None
        return None if row is None else _stored(row)

    async def passage_at(self, story_id: int, seq: int) -> Passage | None:
        rows = await fetch_few(
            self.conn,
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p WHERE p.story_id = ? AND p.seq = ?",
            (story_id, seq),
        )
        row = rows[0] if rows else None
        return None if row is None else _stored(row)

    async def candidates(
        self,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        story_ids: Sequence[int] | None = None,
    ) -> list[PassageCandidate]:
        """Every passage of the stories in view with an allowed rating and no blocked tag.

        A story is out when it carries a blocked tag or any synonym of it (tags are compared
        by their canonical id). Weights are left at 1.0 for the caller to set.
        """
        clauses, args = _story_filter(visibility, ratings, blocked_canonical_tag_ids)
        if story_ids is not None:
            clauses.append(f"s.id IN ({','.join('?' * len(story_ids)) or 'NULL'})")
            args.extend(story_ids)
        rows = await fetch_all(
            self.conn,
            f"""SELECT p.id, p.story_id, p.seq,
                       (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id)
                  FROM passages p JOIN stories s ON s.id = p.story_id
                 WHERE {' AND '.join(clauses)} ORDER BY p.story_id, p.seq""",
            tuple(args),
        )
        return [PassageCandidate(int(r[0]), int(r[1]), int(r[2]), int(r[3]))
                for r in rows]

    async def id_range(self) -> tuple[int, int] | None:
        """The lowest and highest passage id (None when there is no passage)."""
        return await self._id_range("passages")

    async def story_id_range(self) -> tuple[int, int] | None:
        """The lowest and highest story id, every server's (None when there is no story)."""
        return await self._id_range("stories")

    async def _id_range(self, table: Literal["passages", "stories"]) -> tuple[int, int] | None:
        # Two sub-selects: each is one step down the rowid b-tree; min and max in one
        # SELECT would scan the whole table.
        rows = await fetch_all(self.conn, f"SELECT (SELECT min(id) FROM {table}), "
                                          f"(SELECT max(id) FROM {table})")
        if not rows or rows[0][0] is None:
            return None
        return int(rows[0][0]), int(rows[0][1])

    async def sample(
        self,
        guild_id: int,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        draws: Sequence[int],
    ) -> list[SampledPassage]:
        """The drawn passage ids that exist and belong to an allowed story (the filter of
        `candidates`), in draw order, each with the server's history of it and its story.
        Every draw is a primary-key look-up: the cost is the number of draws."""
        return await self._sampled(
            guild_id, visibility, ratings, blocked_canonical_tag_ids, draws,
            """passages p ON p.id = d.id CROSS JOIN stories s ON s.id = p.story_id""")

    async def sample_openings(
        self,
        guild_id: int,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        story_draws: Sequence[int],
    ) -> list[SampledPassage]:
        """`sample` of the drawn story ids: the first passage of each drawn story that
        exists, is allowed and has passages, in draw order. Two look-ups a draw (the story,
        its first passage by (story_id, seq)): the cost is the number of draws."""
        return await self._sampled(
            guild_id, visibility, ratings, blocked_canonical_tag_ids, story_draws,
            """stories s ON s.id = d.id CROSS JOIN passages p ON p.id = (
                   SELECT o.id FROM passages o WHERE o.story_id = s.id ORDER BY o.seq LIMIT 1)""")

    async def _sampled(
        self,
        guild_id: int,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        draws: Sequence[int],
        drawn_rows: str,  # joins `draw d (pos, id)` to the drawn passages `p`, stories `s`
    ) -> list[SampledPassage]:
        if not draws:
            return []
        clauses, args = _story_filter(visibility, ratings, blocked_canonical_tag_ids)
        values = ",".join("(?, ?)" for _ in draws)
        drawn: list[object] = []
        for position, drawn_id in enumerate(draws):
            drawn += [position, drawn_id]
        # CROSS JOIN keeps SQLite's join order: the few draws first, then look-ups.
        rows = await fetch_few(
            self.conn,
            f"""WITH draw (pos, id) AS (VALUES {values})
                SELECT p.id, p.story_id, p.seq,
                       (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id),
                       EXISTS (SELECT 1 FROM excerpt_shown es
                                WHERE es.guild_id = ? AND es.passage_id = p.id),
                       (SELECT ef.featured_at FROM excerpt_featured ef
                         WHERE ef.guild_id = ? AND ef.story_id = p.story_id)
                  FROM draw d CROSS JOIN {drawn_rows}
                 WHERE {' AND '.join(clauses)} ORDER BY d.pos""",
            (*drawn, guild_id, guild_id, *args),
        )
        return [SampledPassage(PassageCandidate(int(r[0]), int(r[1]), int(r[2]), int(r[3])),
                               bool(r[4]),
                               None if r[5] is None else datetime.fromisoformat(r[5]))
                for r in rows]

    # -- what a server has seen ---------------------------------------------------------

    async def history(self, guild_id: int) -> ServerHistory:
        rows = await fetch_all(
            self.conn,
            "SELECT passage_id FROM excerpt_shown WHERE guild_id = ?", (guild_id,)
        )
        shown = {int(r[0]) for r in rows}
        rows = await fetch_all(
            self.conn,
            "SELECT story_id, featured_at FROM excerpt_featured WHERE guild_id = ?", (guild_id,)
        )
        featured = {int(r[0]): datetime.fromisoformat(r[1]) for r in rows}
        return ServerHistory(shown_passage_ids=shown, last_featured=featured)

    async def record(self, guild_id: int, chosen: PassageCandidate, now: datetime) -> None:
        """Store what `record_selection` computes: a repeat starts a new cycle.

        One script, written on the loop's thread when it can be (`write_on_loop`), else in
        one hop to the database thread where a transaction of separate statements took five
        (each hop is a wake-up of the thread and of the event loop, most of what /excerpt
        spent here). Its values are built into the text: integers and an ISO timestamp,
        nothing a user typed."""
        script = f"""BEGIN IMMEDIATE;
            DELETE FROM excerpt_shown WHERE guild_id = {int(guild_id)} AND EXISTS (
                SELECT 1 FROM excerpt_shown
                 WHERE guild_id = {int(guild_id)} AND passage_id = {int(chosen.passage_id)});
            INSERT OR IGNORE INTO excerpt_shown (guild_id, passage_id)
                VALUES ({int(guild_id)}, {int(chosen.passage_id)});
            INSERT INTO excerpt_featured (guild_id, story_id, featured_at)
                VALUES ({int(guild_id)}, {int(chosen.story_id)}, '{now.isoformat()}')
                ON CONFLICT (guild_id, story_id) DO UPDATE SET featured_at = excluded.featured_at;
            COMMIT;"""
        if write_on_loop(self.conn, script, None):
            return
        async with write_lock(self.conn):  # no other transaction open on this connection
            try:
                await self.conn.executescript(script)
                return
            except BaseException as error:
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                if not is_busy(error):
                    raise
        # Another process holds the write lock past busy_timeout: wait for it as every
        # other transaction does.
        await self._record_in_steps(guild_id, chosen, now)

    async def _record_in_steps(self, guild_id: int, chosen: PassageCandidate,
                               now: datetime) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                """DELETE FROM excerpt_shown WHERE guild_id = ? AND EXISTS (
                       SELECT 1 FROM excerpt_shown WHERE guild_id = ? AND passage_id = ?)""",
                (guild_id, guild_id, chosen.passage_id),
            )
            await self.conn.execute(
                "INSERT OR IGNORE INTO excerpt_shown (guild_id, passage_id) VALUES (?, ?)",
                (guild_id, chosen.passage_id),
            )
            await self.conn.execute(
                """INSERT INTO excerpt_featured (guild_id, story_id, featured_at) VALUES (?, ?, ?)
                   ON CONFLICT (guild_id, story_id)
                   DO UPDATE SET featured_at = excluded.featured_at""",
                (guild_id, chosen.story_id, now.isoformat()),
            )
