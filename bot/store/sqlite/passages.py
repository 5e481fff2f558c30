"""Which passages a server may be shown, and what it has already seen (the selection history)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.library.models import Cut, Passage, Rating
from bot.library.selection import PassageCandidate, ServerHistory
from bot.library.visibility import Visibility
from bot.store.sqlite.database import fetch_all, transaction
from bot.store.sqlite.stories import visibility_clause

_PASSAGE_COLUMNS = """p.id, p.story_id, p.seq, p.chapter, p.text, p.words, p.cut_before,
    p.cut_after, (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id)"""


def _stored(row: aiosqlite.Row) -> Passage:
    return Passage(int(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]),
                         int(row[5]), Cut(int(row[6])), Cut(int(row[7])), int(row[8]))


@dataclass
class PassageRepository:
    conn: aiosqlite.Connection

    # -- passages ------------------------------------------------------------------------

    async def passage(self, passage_id: int) -> Passage | None:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p WHERE p.id = ?", (passage_id,)
        )
        row = rows[0] if rows else None
        return None if row is None else _stored(row)

    async def passage_at(self, story_id: int, seq: int) -> Passage | None:
        rows = await fetch_all(
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
        where, params = visibility_clause(visibility)
        clauses, args = [where], list(params)
        rating_marks = ",".join("?" * len(ratings)) or "NULL"
        clauses.append(f"s.rating IN ({rating_marks})")
        args.extend(r.value for r in ratings)
        if blocked_canonical_tag_ids:
            marks = ",".join("?" * len(blocked_canonical_tag_ids))
            clauses.append(
                f"""s.id NOT IN (SELECT st.story_id FROM story_tags st
                                   JOIN tags t ON t.id = st.tag_id
                                  WHERE IFNULL(t.canonical_id, t.id) IN ({marks}))"""
            )
            args.extend(blocked_canonical_tag_ids)
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
        """Store what `record_selection` computes: a repeat starts a new cycle."""
        async with transaction(self.conn):
            rows = await fetch_all(
                self.conn,
                "SELECT 1 FROM excerpt_shown WHERE guild_id = ? AND passage_id = ?",
                (guild_id, chosen.passage_id),
            )
            repeat = (rows[0] if rows else None) is not None
            if repeat:
                await self.conn.execute("DELETE FROM excerpt_shown WHERE guild_id = ?",
                                        (guild_id,))
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
