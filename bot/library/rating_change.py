"""Who may change a story's rating: the file's own rating wins over a curator's option.

A rating decides where a story may be shown (Mature, Explicit and Not Rated only in
age-restricted channels), so an option that quietly replaced a file's "Explicit" with
"General Audiences" would put the story in front of every channel. The rule, for the
command line and the slash command alike:
- a file with no rating takes the option's;
- a file's rating is changed only when the curator asks for a change explicitly;
- lowering it (towards General Audiences) needs its own, separate word.
"""

from __future__ import annotations

from enum import StrEnum

from bot.library.errors import ImportRejected
from bot.library.models import Rating


class RatingChange(StrEnum):
    """How far a curator's rating may change the rating a file carries."""

    FILL = "fill"  # only rate files that carry no rating (the default)
    OVERRIDE = "override"  # replace the file's rating with a stricter or equal one
    LOWER = "lower"  # replace the file's rating with any, a less strict one included


# Not Rated is treated as Explicit: it may be anything, so it is shown as the strictest.
_STRICTNESS = {
    Rating.GENERAL: 0,
    Rating.TEEN: 1,
    Rating.MATURE: 2,
    Rating.EXPLICIT: 3,
    Rating.NOT_RATED: 3,
}


def is_lower(new: Rating, old: Rating) -> bool:
    """True when `new` would let the story be shown in more places than `old`."""
    return _STRICTNESS[new] < _STRICTNESS[old]


def merge_rating(file_rating: Rating | None, asked: Rating | None,
                 change: RatingChange = RatingChange.FILL) -> Rating | None:
    """The rating to store when the file says `file_rating` and the curator asked `asked`.

    With FILL a file's own rating is kept as it is (the option is for files without one).
    OVERRIDE may raise it; lowering it is refused with one line unless `change` is LOWER."""
    if asked is None or file_rating is None:
        return asked if file_rating is None else file_rating
    if asked is file_rating or change is RatingChange.FILL:
        return file_rating
    if is_lower(asked, file_rating) and change is not RatingChange.LOWER:
        raise ImportRejected(
            f"the file is rated {file_rating.value}; lowering it to {asked.value} needs "
            "the explicit lower-rating choice"
        )
    return asked
