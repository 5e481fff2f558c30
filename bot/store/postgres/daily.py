"""The daily post's schedule, its one-per-local-day claims, and story discussion prompts.

Statements run on the pool are retried after a lost connection (retry.py): each write here
other than the claim ends in the same rows when applied twice (upserts, UPDATEs to given
values, DELETEs, INSERT ... ON CONFLICT DO NOTHING for a missed day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import asyncpg

from bot.library.records import DailyPostRow, ScheduleRecord
from bot.library.schedule import DailySchedule
from bot.library.selection import SerialPosition
from bot.store.postgres.database import affected, run_transaction

_SCHEDULE_COLUMNS = ("guild_id, channel_id, local_time, timezone, mode, role_id, enabled, "
                     "serial_story_id, serial_seq, last_error, last_error_at, saved_at")
_POST_COLUMNS = ("guild_id, local_date, claimed_at, message_id, channel_id, passage_id, error, "
                 "nonce")


def _schedule_record(row: Any) -> ScheduleRecord:
    hour, minute = (int(part) for part in str(row[2]).split(":"))
    schedule = DailySchedule(channel_id=int(row[1]), local_time=time(hour, minute),
                             timezone=str(row[3]), mode=row[4], role_id=row[5],
                             enabled=bool(row[6]))
    position = None if row[7] is None or row[8] is None else SerialPosition(int(row[7]),
                                                                            int(row[8]))
    error_at = None if row[10] is None else datetime.fromisoformat(row[10])
    return ScheduleRecord(int(row[0]), schedule, position, row[9], error_at,
                          datetime.fromisoformat(row[11]))


def _post_row(row: Any) -> DailyPostRow:
    return DailyPostRow(int(row[0]), date.fromisoformat(row[1]), datetime.fromisoformat(row[2]),
                        row[3], row[4], row[5], row[6], row[7])


@dataclass
class DailyRepository:
    pool: asyncpg.Pool

    async def get(self, guild_id: int) -> ScheduleRecord | None:
        row = await self.pool.fetchrow(
            f"SELECT {_SCHEDULE_COLUMNS} FROM daily_schedules WHERE guild_id = $1", guild_id)
        return None if row is None else _schedule_record(row)

    async def enabled(self) -> list[ScheduleRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_SCHEDULE_COLUMNS} FROM daily_schedules WHERE enabled = 1 "
            "ORDER BY guild_id")
        return [_schedule_record(row) for row in rows]

    async def save(self, guild_id: int, schedule: DailySchedule, now: datetime) -> None:
        """Set (or replace) the schedule; a new mode or channel keeps the serial position."""
        await self.pool.execute(
            """INSERT INTO daily_schedules (guild_id, channel_id, local_time, timezone, mode,
                                            role_id, enabled, saved_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (guild_id) DO UPDATE SET
                   channel_id = excluded.channel_id, local_time = excluded.local_time,
                   timezone = excluded.timezone, mode = excluded.mode,
                   role_id = excluded.role_id, enabled = excluded.enabled,
                   saved_at = excluded.saved_at, last_error = NULL, last_error_at = NULL""",
            guild_id, schedule.channel_id, schedule.local_time.strftime("%H:%M"),
            schedule.timezone, schedule.mode, schedule.role_id, int(schedule.enabled),
            now.isoformat(),
        )

    async def disable(self, guild_id: int) -> bool:
        status = await self.pool.execute(
            "UPDATE daily_schedules SET enabled = 0 WHERE guild_id = $1 AND enabled = 1",
            guild_id)
        return affected(status) == 1

    async def set_serial_position(self, guild_id: int, position: SerialPosition) -> None:
        await self.pool.execute(
            "UPDATE daily_schedules SET serial_story_id = $1, serial_seq = $2 "
            "WHERE guild_id = $3",
            position.story_id, position.seq, guild_id)

    async def record_error(self, guild_id: int, error: str, at: datetime) -> None:
        await self.pool.execute(
            "UPDATE daily_schedules SET last_error = $1, last_error_at = $2 WHERE guild_id = $3",
            error, at.isoformat(), guild_id)

    async def claim(self, guild_id: int, local_date: date, at: datetime,
                    nonce: str | None = None) -> bool:
        """Reserve the post for `local_date`; False when it was already claimed, by this
        process or any other (the unique key is the judge).

        Retried after a lost connection as a whole transaction. If the connection goes
        just after COMMIT, a plain retry would meet our own row, answer False and the
        post would not be made; so the claim is not idempotent: run_transaction asks the
        server whether the first COMMIT happened and, if so, keeps its answer (True). The
        nonce cannot tell our row from another's: it is the same for the server and day
        in every process (bot/services/daily.py post_nonce)."""
        async def insert(conn: asyncpg.Connection) -> bool:
            status = await conn.execute(
                """INSERT INTO daily_posts (guild_id, local_date, claimed_at, nonce)
                   VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id, local_date) DO NOTHING""",
                guild_id, local_date.isoformat(), at.isoformat(), nonce)
            return affected(status) == 1

        return await run_transaction(self.pool, insert, what="claiming a daily post",
                                     idempotent=False)

    async def record_missed(self, guild_id: int, local_date: date, at: datetime,
                            reason: str) -> bool:
        """Record a day whose post was never made (claimed with the reason, so never later)."""
        status = await self.pool.execute(
            """INSERT INTO daily_posts (guild_id, local_date, claimed_at, error)
               VALUES ($1, $2, $3, $4) ON CONFLICT (guild_id, local_date) DO NOTHING""",
            guild_id, local_date.isoformat(), at.isoformat(), reason)
        return affected(status) == 1

    async def set_passage(self, guild_id: int, local_date: date, passage_id: int) -> None:
        await self.pool.execute(
            "UPDATE daily_posts SET passage_id = $1 WHERE guild_id = $2 AND local_date = $3",
            passage_id, guild_id, local_date.isoformat())

    async def unfinished(self) -> list[DailyPostRow]:
        """Claimed posts neither sent nor failed: a crash came between claim and mark."""
        rows = await self.pool.fetch(
            f"""SELECT {_POST_COLUMNS} FROM daily_posts
                 WHERE message_id IS NULL AND error IS NULL ORDER BY local_date""")
        return [_post_row(row) for row in rows]

    async def missed(self, guild_id: int, limit: int = 5) -> list[DailyPostRow]:
        rows = await self.pool.fetch(
            f"""SELECT {_POST_COLUMNS} FROM daily_posts
                 WHERE guild_id = $1 AND message_id IS NULL AND error IS NOT NULL
                 ORDER BY local_date DESC LIMIT $2""", guild_id, limit)
        return [_post_row(row) for row in rows]

    async def mark_sent(self, guild_id: int, local_date: date, *, message_id: int,
                        channel_id: int, passage_id: int) -> None:
        await self.pool.execute(
            """UPDATE daily_posts SET message_id = $1, channel_id = $2, passage_id = $3
               WHERE guild_id = $4 AND local_date = $5""",
            message_id, channel_id, passage_id, guild_id, local_date.isoformat())

    async def mark_failed(self, guild_id: int, local_date: date, error: str) -> None:
        await self.pool.execute(
            "UPDATE daily_posts SET error = $1 WHERE guild_id = $2 AND local_date = $3",
            error, guild_id, local_date.isoformat())

    async def last_claimed_date(self, guild_id: int) -> date | None:
        value = await self.pool.fetchval(
            "SELECT max(local_date) FROM daily_posts WHERE guild_id = $1", guild_id)
        return None if value is None else date.fromisoformat(value)

    async def posts(self, guild_id: int) -> list[DailyPostRow]:
        rows = await self.pool.fetch(
            f"SELECT {_POST_COLUMNS} FROM daily_posts WHERE guild_id = $1 ORDER BY local_date",
            guild_id)
        return [_post_row(row) for row in rows]

    async def last_sent(self, guild_id: int) -> DailyPostRow | None:
        row = await self.pool.fetchrow(
            f"""SELECT {_POST_COLUMNS} FROM daily_posts
                 WHERE guild_id = $1 AND message_id IS NOT NULL
                 ORDER BY local_date DESC LIMIT 1""",
            guild_id)
        return None if row is None else _post_row(row)

    async def set_prompt(self, guild_id: int, story_id: int, prompt: str | None) -> None:
        if prompt:
            await self.pool.execute(
                """INSERT INTO story_prompts (guild_id, story_id, prompt) VALUES ($1, $2, $3)
                   ON CONFLICT (guild_id, story_id) DO UPDATE SET prompt = excluded.prompt""",
                guild_id, story_id, prompt)
        else:
            await self.pool.execute(
                "DELETE FROM story_prompts WHERE guild_id = $1 AND story_id = $2",
                guild_id, story_id)

    async def prompt(self, guild_id: int, story_id: int) -> str | None:
        value = await self.pool.fetchval(
            "SELECT prompt FROM story_prompts WHERE guild_id = $1 AND story_id = $2",
            guild_id, story_id)
        return None if value is None else str(value)
