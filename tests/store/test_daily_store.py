"""The daily schedule in the database: one claim per server and local day, whatever happens.

A FakeClock walks through days in small steps; the database is closed and reopened along
the way (a restart), and the bot can be "down" for hours. Runs on both backends.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.library.clock import FakeClock
from bot.library.schedule import DailySchedule
from bot.library.selection import SerialPosition
from bot.services.daily import claim_due
from bot.store.protocol import Store
from tests.store.backends import RawDatabase, open_library

GUILD = 111
OTHER_GUILD = 222


def schedule(at: str, zone: str = "Europe/London", channel: int = 5) -> DailySchedule:
    hour, minute = map(int, at.split(":"))
    return DailySchedule(channel_id=channel, local_time=time(hour, minute), timezone=zone)


async def walk(
    db: str, clock: FakeClock, until: datetime, step: timedelta, *,
    restart_every: int = 7, down: tuple[datetime, datetime] | None = None,
) -> list[tuple[int, date, datetime]]:
    """Tick every `step` until `until`, reopening the database every few ticks; ticks while
    `down` are skipped. Returns (guild, local date, when) of every claim made."""
    claims: list[tuple[int, date, datetime]] = []
    store = await open_library(db)
    ticks = 0
    try:
        while clock.now() < until:
            clock.advance(step)
            now = clock.now()
            if down and down[0] <= now < down[1]:
                continue
            ticks += 1
            if ticks % restart_every == 0:
                await store.close()
                store = await open_library(db)
            for due in await claim_due(store.daily, now):
                claims.append((due.record.guild_id, due.local_date, now))
    finally:
        await store.close()
    return claims


async def set_schedule(db: str, guild: int, value: DailySchedule, now: datetime) -> None:
    store = await open_library(db)
    try:
        await store.daily.save(guild, value, now)
    finally:
        await store.close()


async def test_exactly_one_claim_per_server_and_local_day_across_restarts(
    target: str,
) -> None:
    db = target
    start = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    clock = FakeClock(start)
    await set_schedule(db, GUILD, schedule("18:30"), start)  # 17:30 UTC in summer
    await set_schedule(db, OTHER_GUILD, schedule("07:15", "Asia/Tokyo"), start)
    claims = await walk(db, clock, start + timedelta(days=4), timedelta(minutes=7))
    per_day = Counter((guild, day) for guild, day, _ in claims)
    assert set(per_day.values()) == {1}
    london = sorted(day for guild, day, _ in claims if guild == GUILD)
    assert london == [date(2026, 6, d) for d in (1, 2, 3, 4)]
    for guild, day, when in claims:
        if guild == GUILD:
            moment = datetime(day.year, day.month, day.day, 17, 30, tzinfo=UTC)
            assert moment <= when < moment + timedelta(minutes=7)
    # Tokyo's 07:15 on June 1 was before the schedule was set (05:00 UTC = 14:00 JST).
    assert sorted(day for guild, day, _ in claims if guild == OTHER_GUILD)[0] == date(2026, 6, 2)


async def test_a_post_missed_during_downtime_is_made_once_within_grace(target: str) -> None:
    db = target
    start = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    clock = FakeClock(start)
    await set_schedule(db, GUILD, schedule("18:00"), start)
    # Down from 17:00 to 21:00: the 18:00 post is made at 21:00, within the 6 h grace.
    down = (datetime(2026, 1, 10, 17, 0, tzinfo=UTC), datetime(2026, 1, 10, 21, 0, tzinfo=UTC))
    claims = await walk(db, clock, start + timedelta(hours=20), timedelta(minutes=10), down=down)
    assert [(day, when) for _, day, when in claims] == [(date(2026, 1, 10), down[1])]


async def test_a_day_missed_beyond_grace_is_skipped_not_made_late(target: str) -> None:
    db = target
    start = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    clock = FakeClock(start)
    await set_schedule(db, GUILD, schedule("18:00"), start)
    # Down from 17:00 on the 10th until 09:00 on the 12th: the 10th (15 h late) and the
    # 11th (15 h late) are gone; the 12th is posted on time.
    down = (datetime(2026, 1, 10, 17, 0, tzinfo=UTC), datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    claims = await walk(db, clock, datetime(2026, 1, 13, 0, 0, tzinfo=UTC),
                        timedelta(minutes=15), down=down)
    assert [(day, when) for _, day, when in claims] == [
        (date(2026, 1, 12), datetime(2026, 1, 12, 18, 0, tzinfo=UTC))]


@pytest.mark.parametrize(("at", "days", "expected_utc"), [
    # Spring forward on 8 March: 02:30 does not exist; the post comes at 03:00 EDT.
    ("02:30", (7, 8, 9), ["2026-03-07 07:30", "2026-03-08 07:00", "2026-03-09 06:30"]),
    # Fall back on 1 November: 01:30 happens twice; only the first one posts.
    ("01:30", (31, 1, 2), ["2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"]),
])
async def test_dst_changes_give_one_post_per_day(
    target: str, at: str, days: tuple[int, ...], expected_utc: list[str]
) -> None:
    db = target
    first = datetime.fromisoformat(expected_utc[0]).replace(tzinfo=UTC)
    start = first - timedelta(hours=12)
    clock = FakeClock(start)
    await set_schedule(db, GUILD, schedule(at, "America/New_York"), start)
    claims = await walk(db, clock, start + timedelta(days=3, hours=6), timedelta(minutes=5))
    assert [f"{when:%Y-%m-%d %H:%M}" for _, _, when in claims] == expected_utc
    assert [day.day for _, day, _ in claims] == list(days)


async def test_a_claimed_day_is_never_claimed_again(store: Store) -> None:
    daily = store.daily
    now = datetime(2026, 5, 5, 12, tzinfo=UTC)
    assert await daily.claim(GUILD, date(2026, 5, 5), now)
    assert not await daily.claim(GUILD, date(2026, 5, 5), now + timedelta(minutes=1))
    assert await daily.claim(OTHER_GUILD, date(2026, 5, 5), now)
    await daily.mark_failed(GUILD, date(2026, 5, 5), "the daily channel no longer exists")
    (row,) = await daily.posts(GUILD)
    assert row.error == "the daily channel no longer exists" and row.message_id is None
    assert await daily.last_sent(GUILD) is None
    assert await daily.last_claimed_date(GUILD) == date(2026, 5, 5)


async def test_schedule_round_trip_off_serial_and_prompts(
    store: Store, raw: RawDatabase
) -> None:
    daily = store.daily
    await raw.execute("INSERT INTO stories (id, title, rating, words, chapters, content_hash, "
                      "added_at) VALUES (1, 't', 'Mature', 1, 1, 'h', '2026-01-01')")
    now = datetime(2026, 5, 5, 12, tzinfo=UTC)
    value = DailySchedule(channel_id=9, local_time=time(6, 45), timezone="asia/tokyo",
                          mode="serial", role_id=77)
    await daily.save(GUILD, value, now)
    record = await daily.get(GUILD)
    assert record is not None and record.schedule == value and record.saved_at == now
    assert record.schedule.timezone == "Asia/Tokyo" and record.serial_position is None
    await daily.set_serial_position(GUILD, SerialPosition(story_id=1, seq=2))
    await daily.record_error(GUILD, "no permission", now)
    record = await daily.get(GUILD)
    assert record is not None and record.serial_position == SerialPosition(1, 2)
    assert record.last_error == "no permission"
    assert await daily.disable(GUILD) and not await daily.disable(GUILD)
    assert await daily.enabled() == []
    await daily.save(GUILD, value, now)  # setting it again clears the old error
    record = await daily.get(GUILD)
    assert record is not None and record.last_error is None and record.schedule.enabled
    assert record.serial_position == SerialPosition(1, 2)
    await daily.set_prompt(GUILD, 1, "Who is lying?")
    assert await daily.prompt(GUILD, 1) == "Who is lying?"
    await daily.set_prompt(GUILD, 1, None)
    assert await daily.prompt(GUILD, 1) is None
