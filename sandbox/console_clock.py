"""Time travel in the console: `clock +1d`, `clock +3h`, `clock next`.

The bot posts its daily passage at the first check at or after the scheduled moment, and
only within a grace period after it (bot.library.schedule.DEFAULT_GRACE): a post missed
for longer, as after an outage, is skipped, never made late. A jump of the clock is such
an outage, so the console warns when a jump passes a post by more than the grace, and
`clock next` lands on the next post instead. When the next post is due is read the way a
curator reads it, from /daily status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.library.schedule import DEFAULT_GRACE
from sandbox.console_options import UsageError

_STEP = re.compile(r"^\+?\s*(\d{1,5})\s*(d|h|m|days?|hours?|minutes?|mins?)$", re.IGNORECASE)
_NEXT_POST = re.compile(r"Next post:[^\n]*?<t:(\d+)")
CLOCK_USAGE = "usage: clock +1d | clock +3h | clock +30m | clock next"
GRACE = DEFAULT_GRACE


def parse_duration(text: str) -> timedelta:
    """'+1d', '3h', '30m', '2 days' -> a forward step; anything else is refused."""
    match = _STEP.match(text.strip())
    if not match:
        raise UsageError(f"'{text.strip()[:40]}' is not a clock step", CLOCK_USAGE)
    amount, unit = int(match.group(1)), match.group(2)[0].lower()
    step = {"d": timedelta(days=amount), "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount)}[unit]
    if step > timedelta(days=3650):
        raise UsageError("the clock moves at most ten years at a time", CLOCK_USAGE)
    return step


def next_post_in_status(status: str) -> datetime | None:
    """The next post's moment from /daily status ("Next post: <t:1796236200:F> …")."""
    match = _NEXT_POST.search(status)
    return datetime.fromtimestamp(int(match.group(1)), UTC) if match else None


@dataclass(frozen=True)
class SkippedPosts:
    first: datetime
    count: int


def skipped_by_jump(next_post: datetime | None, new_now: datetime,
                    grace: timedelta = GRACE) -> SkippedPosts | None:
    """The daily posts a jump to `new_now` passes by more than the grace (one a day from
    `next_post`; a DST shift of an hour does not change the count that matters here)."""
    if next_post is None or new_now < next_post + grace:
        return None
    missed = (new_now - grace - next_post) // timedelta(days=1) + 1
    # The newest of them may still be within grace of new_now; then it is made, not skipped.
    if next_post + (missed - 1) * timedelta(days=1) + grace > new_now:
        missed -= 1
    return SkippedPosts(next_post, missed) if missed > 0 else None


def skip_warning(skipped: SkippedPosts, shown_first: str) -> str:
    more = f" and {skipped.count - 1} later one(s)" if skipped.count > 1 else ""
    hours = int(GRACE.total_seconds() // 3600)
    return (f"⚠ this jump skips the daily post due {shown_first}{more}: the bot makes a "
            f"post it missed only within {hours} h of its time (as after an outage), "
            "never late. Use `clock next` to land on a post.")
