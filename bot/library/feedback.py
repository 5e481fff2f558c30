"""Rules for reader feedback: valid stars and comments, emoji keys, who counts as an author,
and how reactions, stars, kudos and bookmarks become weights. Pure: no Discord, no SQL."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

from bot.library.errors import InvalidInput
from bot.library.records import FeedbackEntry, StoryTotals

MIN_STARS = 1
MAX_STARS = 5
MAX_COMMENT_LENGTH = 1000

# Reactions that mean "not for me": they pull a passage's weight below 1 instead of above.
NEGATIVE_EMOJIS = frozenset({"\N{THUMBS DOWN SIGN}", "\N{SLEEPING FACE}", "\N{YAWNING FACE}"})

# Passage weights stay in this range so one loud passage cannot drown the rest.
MIN_WEIGHT = 0.25
MAX_WEIGHT = 3.0


def parse_stars(text: str) -> int:
    """'1'..'5' (a trailing '★' or spaces are fine) -> the number; anything else is refused."""
    cleaned = text.strip().rstrip("★*⭐").strip()
    if not cleaned.isdigit() or not MIN_STARS <= int(cleaned) <= MAX_STARS:
        raise InvalidInput(f"Stars must be a whole number from {MIN_STARS} to {MAX_STARS}.")
    return int(cleaned)


def clean_comment(text: str | None) -> str:
    """The comment as stored (trimmed); over 1,000 characters is refused, not cut."""
    comment = (text or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            f"Comments can be at most {MAX_COMMENT_LENGTH:,} characters "
            f"(yours has {len(comment):,})."
        )
    return comment


def emoji_key(name: str | None, emoji_id: int | None) -> str:
    """How a reaction's emoji is stored: the character itself, or "name:id" for a custom emoji.

    Custom emojis from other servers are kept too (by name and id): the bot cannot show them,
    but they are still a reader's reaction and count in the totals."""
    if emoji_id:
        return f"{name or 'emoji'}:{emoji_id}"
    if not name:
        raise InvalidInput("a reaction without an emoji")
    return name


def emoji_label(key: str) -> str:
    """A stored key as text that renders anywhere: custom emojis become ':name:'."""
    name, sep, emoji_id = key.rpartition(":")
    return f":{name}:" if sep and emoji_id.isdigit() else key


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def is_author(member_names: Iterable[str | None], authors: Iterable[str]) -> bool:
    """A member is an author of a story when their display name, global name or username
    equals one of its author names, ignoring case and repeated spaces.

    Names are self-chosen, so this only unlocks reading comments on that story: nothing
    that changes data depends on it."""
    wanted = {_name_key(author) for author in authors if author.strip()}
    return any(name and _name_key(name) in wanted for name in member_names)


@dataclass(frozen=True)
class PassageSignals:
    """What readers did with one passage (in one server)."""

    reactions: int = 0
    negative_reactions: int = 0
    bookmarks: int = 0
    stars_total: int = 0
    stars_count: int = 0


def passage_weight(signals: PassageSignals) -> float:
    """1.0 for a passage nobody reacted to; above 1 when liked, below 1 when dismissed.

    Positive reactions and bookmarks count with diminishing returns (log), negative reactions
    push down the same way, and the average stars move the weight by up to ±50 %."""
    positive = max(0, signals.reactions - signals.negative_reactions) + 2 * signals.bookmarks
    weight = 1.0 + 0.3 * math.log1p(positive) - 0.3 * math.log1p(signals.negative_reactions)
    if signals.stars_count:
        average = signals.stars_total / signals.stars_count
        weight *= 1.0 + (average - 3.0) / 4.0
    return min(MAX_WEIGHT, max(MIN_WEIGHT, weight))


@dataclass(frozen=True)
class StorySignals:
    """What one reader did with one story."""

    kudos: bool = False
    bookmarks: int = 0
    reactions: int = 0
    negative_reactions: int = 0
    stars_total: int = 0
    stars_count: int = 0


def story_affinity(signals: StorySignals) -> float:
    """How much a reader seems to like a story: > 0 liked, < 0 disliked, 0 no signal."""
    score = (2.0 if signals.kudos else 0.0) + min(signals.bookmarks, 5) * 1.0
    score += 0.5 * math.log1p(max(0, signals.reactions - signals.negative_reactions))
    score -= 0.5 * math.log1p(signals.negative_reactions)
    if signals.stars_count:
        score += (signals.stars_total / signals.stars_count - 3.0)
    return round(score, 4)


# "For me" reads a reader's taste from the stories they did something with most recently.
# A profile's terms, and its search's work, grow with the stories in it: at 100k stories,
# in process, a reader with kudos on 512 stories from all over the library took 6.1-7.9 ms
# a /recommend for_me with all of them, 3.4-4.8 with the latest 50 (1.8-2.1 with kudos on
# 32). And a taste follows what was read lately.
TASTE_STORIES = 50


@dataclass(frozen=True)
class ReaderSignals:
    """What a reader did in a server, as "for me" reads it."""

    recent: Mapping[int, StorySignals]  # per story, their most recent ones, newest first
    kudos: frozenset[int]  # every story they gave kudos to, however long ago


def reader_taste(signals: ReaderSignals) -> tuple[dict[int, float], set[int]]:
    """How much a reader liked each of their TASTE_STORIES most recent stories, and every
    story they gave kudos to (never recommended back to them, however long ago)."""
    recent = islice(signals.recent.items(), TASTE_STORIES)
    return ({story_id: story_affinity(done) for story_id, done in recent}, set(signals.kudos))


def love_score(reactions: int, kudos: int, bookmarks: int, stars_total: int,
               stars_count: int) -> float:
    """One number to rank stories and passages by in /stats: every sign of love counts,
    stars above 3 add, stars below 3 take away."""
    stars = (stars_total - 3 * stars_count) if stars_count else 0
    return reactions + 2.0 * kudos + 1.5 * bookmarks + stars


@dataclass(frozen=True)
class StoryStats:
    story_id: int
    totals: StoryTotals
    best_passages: list[tuple[int, int, float]]  # (passage id, seq, love score)
    comments: list[FeedbackEntry]  # empty unless the viewer may read them
    days: list[tuple[str, int]]


@dataclass(frozen=True)
class GuildStats:
    stories: list[tuple[int, float]]  # (story id, love score), best first
    passages: list[tuple[int, int, int, float]]  # (passage id, story id, seq, score)
    days: list[tuple[str, int]]
