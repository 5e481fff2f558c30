"""Readers' suggestions of works and the review card each suggested work gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.library.source_records import SuggestedWork, SuggestionRecord
from bot.store.sqlite.database import fetch_all, transaction

_COLUMNS = ("id, guild_id, work_key, user_id, note, status, reason, story_id, "
            "suggested_at, file_name")


def _record(row: aiosqlite.Row) -> SuggestionRecord:
    return SuggestionRecord(int(row[0]), int(row[1]), str(row[2]), int(row[3]), str(row[4]),
                            str(row[5]), str(row[6]), row[7], str(row[8]), row[9])


@dataclass
class SuggestionRepository:
    conn: aiosqlite.Connection

    async def suggest(self, guild_id: int, work_key: str, user_id: int, note: str,
                      at: datetime, file: tuple[str, bytes] | None = None
                      ) -> tuple[SuggestedWork, bool]:
        """Record a reader's suggestion (once per reader per work) and make sure the work
        has a card row; returns the work and whether this reader's suggestion is new."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                """INSERT OR IGNORE INTO suggestions (guild_id, work_key, user_id, note,
                                                      suggested_at, file_name, file_data)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (guild_id, work_key, user_id, note, at.isoformat(),
                 file[0] if file else None, file[1] if file else None))
            await self.conn.execute(
                "INSERT OR IGNORE INTO suggestion_cards (guild_id, work_key) VALUES (?, ?)",
                (guild_id, work_key))
        work = await self.work(guild_id, work_key)
        assert work is not None
        return work, bool(cursor.rowcount)

    async def work(self, guild_id: int, work_key: str) -> SuggestedWork | None:
        """The work with its waiting suggesters (None when nobody suggested it)."""
        cards = await fetch_all(
            self.conn, """SELECT id, channel_id, message_id FROM suggestion_cards
                          WHERE guild_id = ? AND work_key = ?""", (guild_id, work_key))
        rows = await fetch_all(
            self.conn, f"""SELECT {_COLUMNS} FROM suggestions WHERE guild_id = ?
                           AND work_key = ? AND status = 'waiting' ORDER BY id""",
            (guild_id, work_key))
        if not cards:
            return None
        card = cards[0]
        return SuggestedWork(guild_id, work_key, [_record(r) for r in rows], int(card[0]),
                             card[1], card[2])

    async def work_of_card(self, card_id: int) -> SuggestedWork | None:
        rows = await fetch_all(self.conn, """SELECT guild_id, work_key FROM suggestion_cards
                                             WHERE id = ?""", (card_id,))
        return await self.work(int(rows[0][0]), str(rows[0][1])) if rows else None

    async def file(self, suggestion_id: int) -> tuple[str, bytes] | None:
        """A suggested file's name and bytes (None once decided: they are not kept)."""
        rows = await fetch_all(self.conn, """SELECT file_name, file_data FROM suggestions
                                             WHERE id = ? AND file_data IS NOT NULL""",
                               (suggestion_id,))
        return (str(rows[0][0]), bytes(rows[0][1])) if rows else None

    async def set_card_message(self, card_id: int, channel_id: int, message_id: int) -> None:
        async with transaction(self.conn):
            await self.conn.execute(
                "UPDATE suggestion_cards SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, card_id))

    async def decide(self, guild_id: int, work_key: str, *, approved: bool, reason: str,
                     story_id: int | None, at: datetime) -> int:
        """Close every waiting suggestion of the work; the card row goes (a later
        suggestion of the same work starts a new card). Returns how many were closed."""
        async with transaction(self.conn):
            cursor = await self.conn.execute(
                """UPDATE suggestions SET status = ?, reason = ?, story_id = ?, decided_at = ?,
                          file_data = NULL
                    WHERE guild_id = ? AND work_key = ? AND status = 'waiting'""",
                ("approved" if approved else "rejected", reason, story_id, at.isoformat(),
                 guild_id, work_key))
            await self.conn.execute(
                "DELETE FROM suggestion_cards WHERE guild_id = ? AND work_key = ?",
                (guild_id, work_key))
        return int(cursor.rowcount)

    async def of_user(self, guild_id: int, user_id: int, limit: int = 25
                      ) -> list[SuggestionRecord]:
        rows = await fetch_all(
            self.conn, f"""SELECT {_COLUMNS} FROM suggestions WHERE guild_id = ?
                           AND user_id = ? ORDER BY id DESC LIMIT ?""",
            (guild_id, user_id, limit))
        return [_record(r) for r in rows]

    async def waiting(self, guild_id: int, limit: int = 25) -> list[tuple[str, int]]:
        """(work, how many readers) of the works waiting for a decision, oldest first."""
        rows = await fetch_all(
            self.conn, """SELECT work_key, count(*) FROM suggestions
                          WHERE guild_id = ? AND status = 'waiting'
                          GROUP BY work_key ORDER BY min(id) LIMIT ?""", (guild_id, limit))
        return [(str(r[0]), int(r[1])) for r in rows]
