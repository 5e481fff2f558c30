"""What the recommender knows of a story, and how much each kind of tag weighs.

bot.library.tag_index holds these stories by tag; these are its terms, kept apart so
that the index module is about the index.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.library.models import TagKind

TagRef = tuple[TagKind, str]

# How much one shared tag of each kind says about two stories being alike. Ratings and
# warnings are filters only: sharing "No Archive Warnings Apply" makes nothing similar.
KIND_WEIGHTS: dict[TagKind, float] = {
    TagKind.RELATIONSHIP: 3.0,
    TagKind.FANDOM: 2.5,
    TagKind.CHARACTER: 1.75,
    TagKind.FREEFORM: 1.0,
    TagKind.CATEGORY: 0.4,
    TagKind.RATING: 0.0,
    TagKind.WARNING: 0.0,
}

# Stories with more weighted tags than this are damped (score x sqrt(LENGTH_FREE_TAGS / n)),
# so a story with fifty freeform tags does not resemble everything.
LENGTH_FREE_TAGS = 12
NO_SERIES = -1


@dataclass(frozen=True)
class IndexedStory:
    """What the recommender knows of a story. `rating` is a rating key (any consistent
    spelling the caller chooses; `allowed_ratings` in queries uses the same spelling)."""

    story_id: int
    tags: Collection[TagRef]  # distinct tags
    rating: str
    authors: tuple[str, ...] = ()
    series: str | None = None
    # Tie-breaker among equally good matches (e.g. kudos count); higher comes first.
    popularity: float = 0.0
    guild_id: int | None = None  # whose library it is in (None: the demo library)

    @property
    def weighted_tags(self) -> list[TagRef]:
        return weighted(self.tags)


def weighted(tags: Iterable[TagRef]) -> list[TagRef]:
    """The tags whose kind weighs in a score, in their order."""
    return [tag for tag in tags if KIND_WEIGHTS[tag[0]] > 0.0]


def length_factor(story: IndexedStory) -> float:
    weighted = sum(1 for tag in story.tags if KIND_WEIGHTS[tag[0]] > 0.0)
    if weighted <= LENGTH_FREE_TAGS:
        return 1.0
    return math.sqrt(LENGTH_FREE_TAGS / weighted)
