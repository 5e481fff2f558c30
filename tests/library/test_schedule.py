"""The daily post over a simulated year: one post per local day, through DST and downtime."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.library.clock import FakeClock, SystemClock
from bot.library.errors import InvalidInput
from bot.library.schedule import (
    DailySchedule,
    due_post,
    next_run,
    parse_local_time,
    post_moment,
    timezone_choices,
    validate_timezone,
)

TICK = timedelta(minutes=10)


def run_bot(
    schedule: DailySchedule,
    clock: FakeClock,
    until: datetime,
    down: list[tuple[datetime, datetime]] = (),
    last: date | None = None,
) -> list[tuple[date, datetime]]:
    """Check every TICK like the bot's loop does, except while down; return the posts made."""
    posts: list[tuple[date, datetime]] = []
    while clock.now() < until:
        now = clock.now()
        if not any(start <= now < end for start, end in down):
            due = due_post(schedule, now, last)
            if due is not None:
                posts.append((due, now))
                last = due
        clock.advance(TICK)
    return posts


def local_dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# Each zone with a time that falls in its spring-forward gap or fall-back overlap (or both).
YEAR_CASES = [
    ("America/New_York", time(2, 30)),  # 2025-03-09 02:30 does not exist
    ("America/New_York", time(1, 30)),  # 2025-11-02 01:30 happens twice
    ("Europe/London", time(1, 30)),  # both: gap in March, overlap in October
    ("Australia/Lord_Howe", time(2, 15)),  # 30-minute DST: gap 02:00-02:30 in October
    ("Australia/Lord_Howe", time(1, 45)),  # overlap 01:30-02:00 in April
    ("Asia/Kolkata", time(18, 30)),  # no DST, half-hour offset
]


@pytest.mark.parametrize(("zone_name", "at"), YEAR_CASES)
def test_a_whole_year_posts_exactly_once_per_local_day(zone_name, at):
    zone = ZoneInfo(zone_name)
    schedule = DailySchedule(channel_id=1, local_time=at, timezone=zone_name)
    start = datetime(2025, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(2026, 1, 1, tzinfo=zone).astimezone(UTC)
    posts = run_bot(schedule, FakeClock(start), end, last=date(2024, 12, 31))
    counts = Counter(day for day, _ in posts)
    assert set(counts.values()) == {1}
    assert sorted(counts) == local_dates(date(2025, 1, 1), date(2025, 12, 31))
    for day, posted_at in posts:
        # The oracle: the first check whose local wall clock has reached the post time.
        # It covers gaps (the wall jumps past it) and overlaps (the first pass counts).
        target = datetime.combine(day, at)
        assert posted_at.astimezone(zone).date() == day
        assert posted_at.astimezone(zone).replace(tzinfo=None) >= target
        assert (posted_at - TICK).astimezone(zone).replace(tzinfo=None) < target


def test_spring_forward_gap_posts_at_the_first_valid_instant():
    new_york, lord_howe = ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")
    moment = post_moment(date(2025, 3, 9), time(2, 30), new_york)
    assert moment == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
    assert moment.astimezone(new_york).time() == time(3, 0)
    moment = post_moment(date(2025, 10, 5), time(2, 15), lord_howe)
    assert moment.astimezone(lord_howe).replace(tzinfo=None) == datetime(2025, 10, 5, 2, 30)


def test_fall_back_overlap_posts_at_the_first_occurrence_only():
    new_york = ZoneInfo("America/New_York")
    moment = post_moment(date(2025, 11, 2), time(1, 30), new_york)
    assert moment == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST
    schedule = DailySchedule(1, time(1, 30), "America/New_York")
    clock = FakeClock(datetime(2025, 11, 2, 5, 0, tzinfo=UTC))
    posts = run_bot(schedule, clock, datetime(2025, 11, 2, 9, 0, tzinfo=UTC))
    assert posts == [(date(2025, 11, 2), datetime(2025, 11, 2, 5, 30, tzinfo=UTC))]


@pytest.mark.parametrize(
    ("downtime", "posted"),
    [(timedelta(hours=3), True), (timedelta(hours=8), False)],
)
def test_restart_across_the_post_time(downtime, posted):
    schedule = DailySchedule(1, time(18, 30), "Europe/London")
    post_at = datetime(2025, 6, 10, 17, 30, tzinfo=UTC)  # 18:30 BST
    down_from = post_at - timedelta(hours=1)
    down = [(down_from, down_from + downtime)]
    clock = FakeClock(datetime(2025, 6, 8, 0, 0, tzinfo=UTC))
    posts = run_bot(schedule, clock, datetime(2025, 6, 13, 0, 0, tzinfo=UTC), down)
    days = [day for day, _ in posts]
    assert len(days) == len(set(days))
    expected = [date(2025, 6, 8), date(2025, 6, 9), date(2025, 6, 11), date(2025, 6, 12)]
    if posted:
        expected.insert(2, date(2025, 6, 10))
        made_at = dict(posts)[date(2025, 6, 10)]
        assert made_at == down_from + downtime  # the first check after coming back
    assert days == expected


def test_a_restart_after_posting_never_posts_twice():
    schedule = DailySchedule(1, time(9, 0), "Asia/Kolkata")
    now = datetime(2025, 2, 1, 3, 40, tzinfo=UTC)  # 09:10 IST
    assert due_post(schedule, now, None) == date(2025, 2, 1)
    # The bot restarts and reads back the date it claimed before sending.
    assert due_post(schedule, now + timedelta(minutes=5), date(2025, 2, 1)) is None


def test_old_days_are_never_made_up():
    schedule = DailySchedule(1, time(23, 0), "America/New_York")
    # 01:00 the next local day: yesterday's 23:00 post is 2 h late, still within grace.
    now = datetime(2025, 5, 2, 5, 0, tzinfo=UTC)
    assert due_post(schedule, now, date(2025, 4, 30)) == date(2025, 5, 1)
    # 10 h late: gone, and the day before that was never owed either.
    assert due_post(schedule, now + timedelta(hours=8), date(2025, 4, 29)) is None


def test_disabled_schedule_never_posts():
    schedule = DailySchedule(1, time(12, 0), "UTC", enabled=False)
    assert due_post(schedule, datetime(2025, 1, 1, 12, 5, tzinfo=UTC), None) is None
    assert next_run(schedule, datetime(2025, 1, 1, 12, 5, tzinfo=UTC), None) is None


def test_next_run_names_the_coming_post():
    schedule = DailySchedule(1, time(2, 30), "America/New_York")
    before = datetime(2025, 3, 8, 5, 0, tzinfo=UTC)  # local midnight
    assert next_run(schedule, before, date(2025, 3, 7)) == datetime(2025, 3, 8, 7, 30, tzinfo=UTC)
    after_post = datetime(2025, 3, 8, 8, 0, tzinfo=UTC)
    assert next_run(schedule, after_post, date(2025, 3, 8)) == datetime(
        2025,
        3,
        9,
        7,
        0,
        tzinfo=UTC,  # the gap day: 03:00 EDT
    )
    # A missed post still within grace is due now.
    assert next_run(schedule, after_post, date(2025, 3, 7)) == after_post


def test_timezones_are_validated_with_suggestions():
    assert validate_timezone("Europe/London").key == "Europe/London"
    assert validate_timezone("  america/new_york ").key == "America/New_York"
    with pytest.raises(InvalidInput) as caught:
        validate_timezone("Europe/Londn")
    message = str(caught.value)
    assert "Europe/London" in message and "\n" not in message
    with pytest.raises(InvalidInput):
        validate_timezone("../../etc/passwd")
    with pytest.raises(InvalidInput):
        DailySchedule(1, time(9, 0), "Mars/Olympus_Mons")


def test_timezone_choices_for_autocomplete():
    assert timezone_choices("new york")[0] == "America/New_York"
    assert timezone_choices("lon")[0] == "Europe/London"
    assert timezone_choices("Kolkatta")[0] == "Asia/Kolkata"
    assert len(timezone_choices("a")) == 25
    assert "UTC" in timezone_choices("")
    assert len(timezone_choices("", limit=3)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        ("6:30pm", time(18, 30)),
        ("6 PM", time(18, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("0:05", time(0, 5)),
        ("18h30", time(18, 30)),
    ],
)
def test_local_times_are_parsed(text, expected):
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "12:61", "noonish", "13pm", "", "18", "24:00"])
def test_impossible_times_are_rejected_with_one_line(text):
    with pytest.raises(InvalidInput) as caught:
        parse_local_time(text)
    assert "\n" not in str(caught.value) and "time" in str(caught.value)


def test_clocks():
    start = datetime(2025, 1, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    clock = FakeClock(start)
    assert clock.now() == start and clock.now().tzinfo is UTC
    clock.advance(timedelta(hours=2))
    assert clock.now() == start + timedelta(hours=2)
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2030
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        FakeClock(datetime(2025, 1, 1))
    assert SystemClock().now().tzinfo is UTC
