"""Readers' suggestions of works and the review card each suggested work gets, on
PostgreSQL (the same rules as bot/store/sqlite/suggestions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from bot.library.source_records import SuggestedWork, SuggestionRecord
from bot.store.postgres.database import affected, note_write, run_transaction

_COLUMNS = ("id, guild_id, work_key, user_id, note, status, reason, story_id, "
            "suggested_at, file_name")


def _record(row: Any) -> SuggestionRecord:
    return SuggestionRecord(int(row[0]), int(row[1]), str(row[2]), int(row[3]), str(row[4]),
                            str(row[5]), str(row[6]), row[7], str(row[8]), row[9])


@dataclass
class SuggestionRepository:
    pool: asyncpg.Pool

    async def suggest(self, guild_id: int, work_key: str, user_id: int, note: str,
                      at: datetime, file: tuple[str, bytes] | None = None
                      ) -> tuple[SuggestedWork, bool]:
        """Record a reader's suggestion (once per reader per work) and make sure the work
        has a card row; returns the work and whether this reader's suggestion is new.
        (Re-run after a lost connection; "new" would read False on a blind second run, so
        a lost COMMIT answer is asked about.)"""
        async def insert(conn: asyncpg.Connection) -> str:
            status: str = await conn.execute(
                """INSERT INTO suggestions (guild_id, work_key, user_id, note, suggested_at,
                                            file_name, file_data)
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
                guild_id, work_key, user_id, note, at.isoformat(),
                file[0] if file else None, file[1] if file else None)
            await conn.execute(
                """INSERT INTO suggestion_cards (guild_id, work_key) VALUES ($1, $2)
                   ON CONFLICT DO NOTHING""", guild_id, work_key)
            return status

        status = await run_transaction(self.pool, insert, what="saving a suggestion",
                                       idempotent=False)
        work = await self.work(guild_id, work_key)
        assert work is not None
        return work, affected(status) > 0

    async def work(self, guild_id: int, work_key: str) -> SuggestedWork | None:
        """The work with its waiting suggesters (None when nobody suggested it)."""
        card = await self.pool.fetchrow(
            """SELECT id, channel_id, message_id FROM suggestion_cards
                WHERE guild_id = $1 AND work_key = $2""", guild_id, work_key)
        if card is None:
            return None
        rows = await self.pool.fetch(
            f"""SELECT {_COLUMNS} FROM suggestions WHERE guild_id = $1
                   AND work_key = $2 AND status = 'waiting' ORDER BY id""",
            guild_id, work_key)
        return SuggestedWork(guild_id, work_key, [_record(r) for r in rows], int(card[0]),
                             card[1], card[2])

    async def work_of_card(self, card_id: int) -> SuggestedWork | None:
        row = await self.pool.fetchrow(
            "SELECT guild_id, work_key FROM suggestion_cards WHERE id = $1", card_id)
        return await self.work(int(row[0]), str(row[1])) if row else None

    async def file(self, suggestion_id: int) -> tuple[str, bytes] | None:
        """A suggested file's name and bytes (None once decided: they are not kept)."""
        row = await self.pool.fetchrow(
            """SELECT file_name, file_data FROM suggestions
                WHERE id = $1 AND file_data IS NOT NULL""", suggestion_id)
        return (str(row[0]), bytes(row[1])) if row else None

    async def set_card_message(self, card_id: int, channel_id: int, message_id: int) -> None:
        # A single UPDATE to given values: the same row however often it runs.
        await self.pool.execute(
            "UPDATE suggestion_cards SET channel_id = $1, message_id = $2 WHERE id = $3",
            channel_id, message_id, card_id)
        note_write(self.pool)

    async def decide(self, guild_id: int, work_key: str, *, approved: bool, reason: str,
                     story_id: int | None, at: datetime) -> int:
        """Close every waiting suggestion of the work; the card row goes (a later
        suggestion of the same work starts a new card). Returns how many were closed.
        (A blind second run would count none, so a lost COMMIT answer is asked about.)"""
        async def close(conn: asyncpg.Connection) -> str:
            status: str = await conn.execute(
                """UPDATE suggestions SET status = $1, reason = $2, story_id = $3,
                          decided_at = $4, file_data = NULL
                    WHERE guild_id = $5 AND work_key = $6 AND status = 'waiting'""",
                "approved" if approved else "rejected", reason, story_id, at.isoformat(),
                guild_id, work_key)
            await conn.execute(
                "DELETE FROM suggestion_cards WHERE guild_id = $1 AND work_key = $2",
                guild_id, work_key)
            return status

        return affected(await run_transaction(self.pool, close, what="deciding a suggestion",
                                              idempotent=False))

    async def of_user(self, guild_id: int, user_id: int, limit: int = 25
                      ) -> list[SuggestionRecord]:
        rows = await self.pool.fetch(
            f"""SELECT {_COLUMNS} FROM suggestions WHERE guild_id = $1 AND user_id = $2
                 ORDER BY id DESC LIMIT $3""", guild_id, user_id, limit)
        return [_record(r) for r in rows]

    async def waiting(self, guild_id: int, limit: int = 25) -> list[tuple[str, int]]:
        """(work, how many readers) of the works waiting for a decision, oldest first."""
        rows = await self.pool.fetch(
            """SELECT work_key, count(*) FROM suggestions
                WHERE guild_id = $1 AND status = 'waiting'
                GROUP BY work_key ORDER BY min(id) LIMIT $2""", guild_id, limit)
        return [(str(r[0]), int(r[1])) for r in rows]
