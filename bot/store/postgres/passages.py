"""Which passages a server may be shown, and what it has already seen (the selection history)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from bot.library.models import Cut, Passage, Rating
from bot.library.sampling import SampledPassage
from bot.library.selection import PassageCandidate, ServerHistory
from bot.library.visibility import Visibility
from bot.store.postgres.database import run_transaction
from bot.store.postgres.stories import Params, visibility_clause

_PASSAGE_COLUMNS = """p.id, p.story_id, p.seq, p.chapter, p.text, p.words, p.cut_before,
    p.cut_after, (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id)"""


def _stored(row: Any) -> Passage:
    return Passage(int(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]),
                   int(row[5]), Cut(int(row[6])), Cut(int(row[7])), int(row[8]))


def _story_filter(visibility: Visibility, ratings: Collection[Rating],
                  blocked_canonical_tag_ids: Collection[int], params: Params) -> list[str]:
    """WHERE clauses (on stories `s`) for: in view, an allowed rating, no blocked tag (a
    synonym of a blocked tag blocks too)."""
    clauses = [visibility_clause(visibility, params),
               f"s.rating = ANY({params.add([r.value for r in ratings])}::text[])"]
    if blocked_canonical_tag_ids:
        clauses.append(
            f"""NOT EXISTS (SELECT 1 FROM story_tags st JOIN tags t ON t.id = st.tag_id
                             WHERE st.story_id = s.id
                               AND COALESCE(t.canonical_id, t.id)
                                   = ANY({params.add(list(blocked_canonical_tag_ids))}
                                         ::bigint[]))"""
        )
    return clauses


@dataclass
class PassageRepository:
    pool: asyncpg.Pool

    async def passage(self, passage_id: int) -> Passage | None:
        row = await self.pool.fetchrow(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p WHERE p.id = $1", passage_id)
        return None if row is None else _stored(row)

    async def passage_at(self, story_id: int, seq: int) -> Passage | None:
        row = await self.pool.fetchrow(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages p WHERE p.story_id = $1 AND p.seq = $2",
            story_id, seq)
        return None if row is None else _stored(row)

    async def candidates(
        self,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        story_ids: Sequence[int] | None = None,
    ) -> list[PassageCandidate]:
        """Every passage of the stories in view with an allowed rating and no blocked tag
        (a synonym of a blocked tag blocks too)."""
        params = Params()
        clauses = _story_filter(visibility, ratings, blocked_canonical_tag_ids, params)
        if story_ids is not None:
            clauses.append(f"s.id = ANY({params.add(list(story_ids))}::bigint[])")
        rows = await self.pool.fetch(
            f"""SELECT p.id, p.story_id, p.seq, count(*) OVER (PARTITION BY p.story_id)
                  FROM passages p JOIN stories s ON s.id = p.story_id
                 WHERE {' AND '.join(clauses)} ORDER BY p.story_id, p.seq""",
            *params.values,
        )
        return [PassageCandidate(int(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def id_range(self) -> tuple[int, int] | None:
        """The lowest and highest passage id (None when there is no passage)."""
        return await self._id_range("passages")

    async def story_id_range(self) -> tuple[int, int] | None:
        """The lowest and highest story id, every server's (None when there is no story)."""
        return await self._id_range("stories")

    async def _id_range(self, table: Literal["passages", "stories"]) -> tuple[int, int] | None:
        row = await self.pool.fetchrow(
            f"SELECT (SELECT min(id) FROM {table}), (SELECT max(id) FROM {table})")
        if row is None or row[0] is None:
            return None
        return int(row[0]), int(row[1])

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
            "JOIN passages p ON p.id = d.id JOIN stories s ON s.id = p.story_id")

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
            """JOIN stories s ON s.id = d.id CROSS JOIN LATERAL (
                   SELECT o.id, o.story_id, o.seq FROM passages o WHERE o.story_id = s.id
                    ORDER BY o.seq LIMIT 1) p""")

    async def _sampled(
        self,
        guild_id: int,
        visibility: Visibility,
        ratings: Collection[Rating],
        blocked_canonical_tag_ids: Collection[int],
        draws: Sequence[int],
        drawn_rows: str,  # joins `d (id, pos)` to the drawn passages `p` and stories `s`
    ) -> list[SampledPassage]:
        if not draws:
            return []
        params = Params(list(draws), guild_id)
        clauses = _story_filter(visibility, ratings, blocked_canonical_tag_ids, params)
        rows = await self.pool.fetch(
            f"""SELECT p.id, p.story_id, p.seq,
                       (SELECT count(*) FROM passages q WHERE q.story_id = p.story_id),
                       EXISTS (SELECT 1 FROM excerpt_shown es
                                WHERE es.guild_id = $2 AND es.passage_id = p.id),
                       (SELECT ef.featured_at FROM excerpt_featured ef
                         WHERE ef.guild_id = $2 AND ef.story_id = p.story_id)
                  FROM unnest($1::bigint[]) WITH ORDINALITY AS d (id, pos)
                  {drawn_rows}
                 WHERE {' AND '.join(clauses)} ORDER BY d.pos""",
            *params.values,
        )
        return [SampledPassage(PassageCandidate(int(r[0]), int(r[1]), int(r[2]), int(r[3])),
                               bool(r[4]),
                               None if r[5] is None else datetime.fromisoformat(r[5]))
                for r in rows]

    async def history(self, guild_id: int) -> ServerHistory:
        rows = await self.pool.fetch(
            "SELECT passage_id FROM excerpt_shown WHERE guild_id = $1", guild_id)
        shown = {int(r[0]) for r in rows}
        rows = await self.pool.fetch(
            "SELECT story_id, featured_at FROM excerpt_featured WHERE guild_id = $1", guild_id)
        featured = {int(r[0]): datetime.fromisoformat(r[1]) for r in rows}
        return ServerHistory(shown_passage_ids=shown, last_featured=featured)

    async def record(self, guild_id: int, chosen: PassageCandidate, now: datetime) -> None:
        """Store what `record_selection` computes: a repeat starts a new cycle. (Run
        again after a lost connection; not idempotent: a second run would see the passage
        as a repeat and start a new cycle, so a lost COMMIT answer is asked about.)"""
        async def work(conn: asyncpg.Connection) -> None:
            # Not worth a wait for the disk: after a server crash the worst is a passage
            # that may come round again in its cycle.
            await conn.execute("SET LOCAL synchronous_commit = off")
            repeat = await conn.fetchval(
                "SELECT 1 FROM excerpt_shown WHERE guild_id = $1 AND passage_id = $2",
                guild_id, chosen.passage_id)
            if repeat is not None:
                await conn.execute("DELETE FROM excerpt_shown WHERE guild_id = $1", guild_id)
            await conn.execute(
                "INSERT INTO excerpt_shown (guild_id, passage_id) VALUES ($1, $2) "
                "ON CONFLICT DO NOTHING",
                guild_id, chosen.passage_id)
            await conn.execute(
                """INSERT INTO excerpt_featured (guild_id, story_id, featured_at)
                   VALUES ($1, $2, $3) ON CONFLICT (guild_id, story_id)
                   DO UPDATE SET featured_at = excluded.featured_at""",
                guild_id, chosen.story_id, now.isoformat())

        await run_transaction(self.pool, work, what="recording a shown passage",
                              idempotent=False)
