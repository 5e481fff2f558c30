"""The daily post: when it is due, in the server's own time zone, across DST changes.

The post for local date D is due at D + local_time in the schedule's zone ("the moment").
It is made once, at the first check at or after that moment, as long as the check is less
than `grace` after it; a post missed for longer (the bot was down) is skipped, never made
late for a day already gone, and never made twice: the caller records the local date it
posted (`daily_posts`, claimed before sending) and passes it back as `last_posted`.

DST: on a spring-forward day where local_time does not exist (02:30 in New York) the moment
is the first instant after the gap (03:00); on a fall-back day where it exists twice, the
moment is the first occurrence only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process

from bot.library.errors import InvalidInput

PostMode = Literal["random", "serial"]
DEFAULT_GRACE = timedelta(hours=6)

# Shown for an empty autocomplete query: the zones most servers want, roughly west to east.
_COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
# Old aliases and POSIX-style names stay valid but are not offered as choices.
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "US/", "posix", "right/", "Canada/", "Mexico/")


@dataclass
class DailySchedule:
    channel_id: int
    local_time: time
    timezone: str  # IANA name, e.g. "Europe/London"
    mode: PostMode = "random"
    role_id: int | None = None  # the only role the post may ping
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.mode not in ("random", "serial"):
            raise InvalidInput(f'unknown daily mode "{self.mode}" (use random or serial)')
        self.timezone = validate_timezone(self.timezone).key

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA name, keyed by its lower-case form (so "europe/london" is accepted)."""
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=1)
def _offered_zone_names() -> tuple[str, ...]:
    names = (n for n in _zone_names().values() if "/" in n or n == "UTC")
    return tuple(sorted(n for n in names if not n.startswith(_LEGACY_PREFIXES)))


def _query_key(text: str) -> str:
    return text.strip().lower().replace(" ", "_")


def validate_timezone(name: str) -> ZoneInfo:
    """The zone named `name` (any letter case), or InvalidInput naming the closest ones."""
    found = _zone_names().get(_query_key(name))
    if found is not None:
        return ZoneInfo(found)
    suggestions = timezone_choices(name, limit=3)
    hint = ""
    if suggestions:
        listed = ", ".join(suggestions[:-1]) + " or " if len(suggestions) > 1 else ""
        hint = f" - did you mean {listed}{suggestions[-1]}?"
    shown = name.strip()[:40] or "(empty)"
    raise InvalidInput(f'unknown time zone "{shown}"{hint}')


def timezone_choices(query: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: those containing the query, else the closest by spelling."""
    key = _query_key(query)
    if not key:
        return list(_COMMON_ZONES[:limit])
    names = _offered_zone_names()
    # A city name that starts with the query ranks first: "lon" -> Europe/London.
    containing = sorted(
        (n for n in names if key in n.lower()),
        key=lambda n: (not n.lower().rsplit("/", 1)[-1].startswith(key), len(n), n),
    )
    if containing:
        return containing[:limit]
    fuzzy = process.extract(key, names, scorer=fuzz.WRatio, processor=str.lower, limit=limit)
    return [name for name, score, _ in fuzzy if score >= 60]


_TIME = re.compile(
    r"^\s*(?P<hour>\d{1,2})(?:\s*[:h.]\s*(?P<minute>\d{2}))?\s*"
    r"(?P<half>[ap]\.?\s*m\.?)?\s*$",
    re.IGNORECASE,
)


def parse_local_time(text: str) -> time:
    """ "18:30", "6:30pm", "6 pm", "18h30" -> a wall-clock time; anything else is rejected."""
    match = _TIME.match(text)
    if match is None or (match["minute"] is None and match["half"] is None):
        raise InvalidInput(f'"{text.strip()[:40]}" is not a time: use HH:MM, like 18:30 or 6:30pm')
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if minute > 59:
        raise InvalidInput(f"{text.strip()} is not a time: minutes go from 00 to 59")
    if match["half"] is not None:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"{text.strip()} is not a time: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if match["half"].lower().startswith("p") else 0)
    elif hour > 23:
        raise InvalidInput(f"{text.strip()} is not a time: hours go from 00 to 23")
    return time(hour, minute)


def post_moment(local_date: date, local_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant the post for `local_date` is due (see the module notes on DST)."""
    wall = datetime.combine(local_date, local_time.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # exists (fold=0 is the first of two occurrences on a fall-back day)
    # In a gap: fold=1 reads the wall time with the offset after the change, which lands
    # before the change; fold=0 (above) lands after it. The change itself lies between.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(before, first), max(before, first)
    low_offset = low.astimezone(zone).utcoffset()
    # Transitions fall on whole seconds; find the first second with the new offset.
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) // 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == low_offset:
            low = middle
        else:
            high = middle
    return high


def due_post(
    schedule: DailySchedule,
    now_utc: datetime,
    last_posted_local_date: date | None,
    grace: timedelta = DEFAULT_GRACE,
) -> date | None:
    """The local date whose post should be made now, or None."""
    if not schedule.enabled:
        return None
    zone = schedule.zone
    today = now_utc.astimezone(zone).date()
    # A moment can be at most a day (plus DST) before now and still within grace.
    days_back = grace // timedelta(days=1) + 1
    for offset in range(days_back + 1):
        local_date = today - timedelta(days=offset)
        if last_posted_local_date is not None and local_date <= last_posted_local_date:
            return None  # this day and every older one is done or gone
        moment = post_moment(local_date, schedule.local_time, zone)
        if moment <= now_utc < moment + grace:
            return local_date
    return None


def next_run(
    schedule: DailySchedule,
    now_utc: datetime,
    last_posted_local_date: date | None,
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """When the next post will be made (now if one is due); None when the schedule is off."""
    if not schedule.enabled:
        return None
    if due_post(schedule, now_utc, last_posted_local_date, grace) is not None:
        return now_utc
    zone = schedule.zone
    today = now_utc.astimezone(zone).date()
    for offset in range(-1, 3):
        local_date = today + timedelta(days=offset)
        if last_posted_local_date is not None and local_date <= last_posted_local_date:
            continue
        moment = post_moment(local_date, schedule.local_time, zone)
        if moment > now_utc:
            return moment
    raise AssertionError("a daily moment always exists within three days")  # pragma: no cover


MISSED_DAYS_LOOKED_BACK = 30


def missed_dates(
    schedule: DailySchedule,
    now_utc: datetime,
    last_posted_local_date: date | None,
    grace: timedelta = DEFAULT_GRACE,
) -> list[date]:
    """Local dates after `last_posted_local_date` whose post window (moment + grace) has
    closed without a post: the bot was not running then. At most the last 30 days."""
    if not schedule.enabled or last_posted_local_date is None:
        return []
    zone = schedule.zone
    today = now_utc.astimezone(zone).date()
    first = max(last_posted_local_date + timedelta(days=1),
                today - timedelta(days=MISSED_DAYS_LOOKED_BACK))
    found: list[date] = []
    day = first
    while day <= today:
        if post_moment(day, schedule.local_time, zone) + grace <= now_utc:
            found.append(day)
        day += timedelta(days=1)
    return found


def window_open(schedule: DailySchedule, local_date: date, now_utc: datetime,
                grace: timedelta = DEFAULT_GRACE) -> bool:
    """Whether the post for `local_date` may still be made now."""
    moment = post_moment(local_date, schedule.local_time, schedule.zone)
    return moment <= now_utc < moment + grace
