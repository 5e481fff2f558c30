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
# giving up on sampling. Each draw is a few random page reads: at 100k stories 4 µs a draw
# in a tight loop, 13-27 µs in the running bot (24 draws took 0.31-0.65 ms there: its pages
# go cold between commands); each batch also costs a statement and its pool's feedback
# weights. At 100k synthetic stories 60% of draws qualify and a third of those are kept
# (weight 1 under a bound of 3), so a draw is kept with p ~ 0.2 and a batch of n finds
# none with 0.8^n. Taking a batch as 60 µs and a draw as 15 µs, the expected cost is
# nearly flat from 4 to 8 first draws (0.22-0.23 ms) and rises past that (12: 0.27, 24:
# 0.42); 8 leaves 17% of choices a second batch, and the median choice reads 8 passages,
# not 24. Six batches (504 draws in all, against 360 before) let the rare channel where few
# passages qualify sample a little longer before it falls back to the scan.
FIRST_BATCH_DRAWS = 8
MAX_BATCHES = 6


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
