"""Choosing which passage a server sees next (random excerpts and the daily post).

The caller filters candidates BEFORE calling: only passages of stories this channel may
show (rating ceiling, age-restricted channel) and without the server's or reader's blocked
tags. It also computes each candidate's weight (liked passages weigh more, dismissed ones
less). The rules here, in order of priority:

1. Spoiler-safe: only the opening part of a story is eligible, passages with
   seq < ceil(spoiler_fraction * passage count), and always at least the first one.
2. No repeats: a passage is not shown again until every eligible passage has been shown;
   then the cycle starts over (`record_selection` resets the shown set when that happens).
3. Cooldown: a story featured within `story_cooldown` is passed over while some other
   story still has an unshown eligible passage; if all are cooling down, the least recently
   featured story is used.
4. Among what is left, a weighted random choice (each passage by its own weight, so a long
   story is proportionally more likely than a short one).

Serial (book-club) mode reads one story from its first passage to its last, then moves to
a new story chosen with the same rules.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PassageCandidate:
    passage_id: int
    story_id: int
    seq: int  # 0-based position in its story
    story_passage_count: int
    weight: float = 1.0  # >= 0; negative weights count as 0


@dataclass(frozen=True)
class SelectionRules:
    spoiler_fraction: float = 0.6
    story_cooldown: timedelta = timedelta(days=14)

    def __post_init__(self) -> None:
        if not 0.0 <= self.spoiler_fraction <= 1.0:
            raise ValueError("spoiler_fraction must be between 0 and 1")


@dataclass
class ServerHistory:
    # Passages shown in the current cycle (see record_selection).
    shown_passage_ids: set[int] = field(default_factory=set)
    # When each story was last featured.
    last_featured: dict[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class SerialPosition:
    """The passage the serial reading is at (the last one posted)."""

    story_id: int
    seq: int


def is_spoiler_safe(candidate: PassageCandidate, rules: SelectionRules) -> bool:
    limit = math.ceil(rules.spoiler_fraction * candidate.story_passage_count)
    return candidate.seq < max(1, limit)


def select_passage(
    candidates: Iterable[PassageCandidate],
    history: ServerHistory,
    now: datetime,
    rules: SelectionRules,
    rng: random.Random,
) -> PassageCandidate | None:
    """The passage to show next, or None when there is no eligible candidate."""
    eligible = [c for c in candidates if is_spoiler_safe(c, rules)]
    if not eligible:
        return None
    unshown = [c for c in eligible if c.passage_id not in history.shown_passage_ids]
    pool = _apply_cooldown(unshown or eligible, history, now, rules)
    return _weighted_choice(pool, rng)


def record_selection(
    history: ServerHistory, chosen: PassageCandidate, now: datetime
) -> ServerHistory:
    """The history after `chosen` was shown.

    select_passage only returns an already shown passage when every eligible passage has
    been shown, so seeing one means a new cycle starts with it.
    """
    if chosen.passage_id in history.shown_passage_ids:
        shown = {chosen.passage_id}
    else:
        shown = history.shown_passage_ids | {chosen.passage_id}
    featured = dict(history.last_featured)
    featured[chosen.story_id] = now
    return replace(history, shown_passage_ids=shown, last_featured=featured)


def next_serial_passage(
    candidates: Sequence[PassageCandidate],
    position: SerialPosition | None,
    history: ServerHistory,
    now: datetime,
    rules: SelectionRules,
    rng: random.Random,
) -> PassageCandidate | None:
    """The passage after `position` in its story, or the first passage of a new story.

    `candidates` holds every passage of every allowed story (no spoiler limit applies when
    a story is read in order). A new story is chosen like a random excerpt among the first
    passages of the other stories, so finished stories come back only after all others.
    Record a serial post in `history` (record_selection) only when it opens a new story:
    the shown set then tracks story openings, as this choice expects.
    """
    if position is not None:
        following = [
            c for c in candidates if c.story_id == position.story_id and c.seq > position.seq
        ]
        if following:
            return min(following, key=lambda c: c.seq)
    openings: dict[int, PassageCandidate] = {}
    for candidate in candidates:
        known = openings.get(candidate.story_id)
        if known is None or candidate.seq < known.seq:
            openings[candidate.story_id] = candidate
    others = [c for c in openings.values() if position is None or c.story_id != position.story_id]
    # An opening is never a spoiler; the cycle and cooldown rules still apply.
    opening_rules = replace(rules, spoiler_fraction=1.0)
    return select_passage(others or list(openings.values()), history, now, opening_rules, rng)


def _apply_cooldown(
    pool: list[PassageCandidate], history: ServerHistory, now: datetime, rules: SelectionRules
) -> list[PassageCandidate]:
    cutoff = now - rules.story_cooldown
    rested = [
        c for c in pool if (seen := history.last_featured.get(c.story_id)) is None or seen <= cutoff
    ]
    if rested:
        return rested
    oldest = min(history.last_featured[c.story_id] for c in pool)
    return [c for c in pool if history.last_featured[c.story_id] == oldest]


def _weighted_choice(pool: list[PassageCandidate], rng: random.Random) -> PassageCandidate:
    # A fixed order makes the choice depend only on the rng, not on how rows were fetched.
    ordered = sorted(pool, key=lambda c: (c.story_id, c.seq, c.passage_id))
    weights = [max(0.0, c.weight) for c in ordered]
    if sum(weights) <= 0.0:
        return rng.choice(ordered)
    return rng.choices(ordered, weights=weights, k=1)[0]
