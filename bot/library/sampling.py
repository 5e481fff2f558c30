"""Choosing an excerpt without reading the whole library: rejection sampling.

`select_passage` needs every candidate, so its cost grows with the library. The same
choice can be drawn by sampling instead: draw passages uniformly (a random id; ids that
no longer exist are redrawn), keep a draw only when `select_passage` could have chosen it
in its usual case (allowed story, spoiler-safe, not shown in this cycle, its story rested),
then keep it with probability weight / bound. A kept draw is then distributed exactly as
`select_passage`'s weighted choice over that pool: uniform draws times acceptance in
proportion to the weight. The cost depends on the share of passages that qualify, not on
how many there are.

When draws keep failing (few passages qualify: the cycle is nearly through, every story
is cooling down, or most of the library is hidden from this channel) the caller falls back
to the full `select_passage`, whose answer is exact in every case. A draw from the sampler
and a draw from the fallback are both distributed as the rules say, so the mixture is too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from bot.library.selection import PassageCandidate, SelectionRules, is_spoiler_safe

# Draws asked of the store in the first batch, doubled in each next one, and batches before
# giving up on sampling. Each draw is a few random page reads, which grow dearer with the
# library's file (at 100k stories ~0.05 ms a draw, at 1k a third of that): a small first
# batch usually holds a kept draw (at 100k synthetic stories about half the draws qualify
# and a third of those are kept), and the later, larger batches are there for the rare
# channel where few passages qualify.
FIRST_BATCH_DRAWS = 24
MAX_BATCHES = 4


def batch_sizes() -> list[int]:
    """How many draws each batch asks for, in order."""
    return [FIRST_BATCH_DRAWS << batch for batch in range(MAX_BATCHES)]


@dataclass(frozen=True)
class SampledPassage:
    """A drawn passage of an allowed story, with what the server's history says of it."""

    candidate: PassageCandidate
    shown: bool  # shown in the current cycle
    story_featured_at: datetime | None


def random_ids(low: int, high: int, count: int, rng: random.Random) -> list[int]:
    """`count` uniform draws from low..high inclusive (the passages' id range)."""
    return [rng.randint(low, high) for _ in range(count)]


def qualifies(sample: SampledPassage, rules: SelectionRules, now: datetime) -> bool:
    """Whether `select_passage` would count this passage in its usual pool: spoiler-safe,
    not shown in this cycle, its story not featured within the cool-down."""
    if sample.shown or not is_spoiler_safe(sample.candidate, rules):
        return False
    featured = sample.story_featured_at
    return featured is None or featured <= now - rules.story_cooldown


def accepted(weight: float, bound: float, rng: random.Random) -> bool:
    """Keep a qualifying draw with probability weight / bound (weights above the bound are
    the caller's to refuse: the draw would be under-weighted)."""
    return rng.random() * bound < max(0.0, weight)
