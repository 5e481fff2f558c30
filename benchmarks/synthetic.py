"""A synthetic fanfiction library and query load for the recommendation benchmark.

Shaped like an AO3 slice: fandom popularity and freeform tags follow Zipf laws (a handful of
freeform tags such as the equivalent of "Fluff" or "Angst" sit on a large share of all
stories), characters and relationships belong to their fandom, ratings and warnings follow
rough AO3 proportions, authors write several works and some works form series.
"""

from __future__ import annotations

import random
from itertools import accumulate

from bot.library.models import TagKind
from bot.library.recommend import RecommendQuery
from bot.library.tag_index import IndexedStory, TagRef

RATINGS = ["general", "teen", "mature", "explicit", "not rated"]
RATING_SHARE = [0.25, 0.35, 0.2, 0.15, 0.05]
WARNINGS = [
    "no archive warnings apply",
    "creator chose not to use archive warnings",
    "graphic depictions of violence",
    "major character death",
    "rape/non con",
    "underage",
]
WARNING_SHARE = [0.58, 0.25, 0.1, 0.05, 0.015, 0.005]
CATEGORIES = ["m/m", "f/m", "gen", "f/f", "multi", "other"]
CATEGORY_SHARE = [0.45, 0.2, 0.2, 0.1, 0.04, 0.01]

FANDOMS = 1000
CHARACTERS_PER_FANDOM = 40
SHIPS_PER_FANDOM = 25
FREEFORM_TAGS = 8000


def _zipf_cumulative(size: int, exponent: float = 1.0) -> list[float]:
    return list(accumulate(1.0 / (rank**exponent) for rank in range(1, size + 1)))


class _Vocabulary:
    """Tag tuples built once and shared, as a real index shares interned canonical keys."""

    def __init__(self) -> None:
        self.ratings = [(TagKind.RATING, key) for key in RATINGS]
        self.warnings = [(TagKind.WARNING, key) for key in WARNINGS]
        self.categories = [(TagKind.CATEGORY, key) for key in CATEGORIES]
        self.fandoms = [(TagKind.FANDOM, f"fandom {n}") for n in range(FANDOMS)]
        self.freeform = [(TagKind.FREEFORM, f"freeform {n}") for n in range(FREEFORM_TAGS)]
        self._local: dict[tuple[TagKind, int, int], TagRef] = {}

    def local(self, kind: TagKind, fandom: int, rank: int) -> TagRef:
        """A character or relationship of one fandom."""
        key = (kind, fandom, rank)
        tag = self._local.get(key)
        if tag is None:
            tag = self._local[key] = (kind, f"{kind.value} {fandom}.{rank}")
        return tag


def make_library(size: int, seed: int = 7) -> list[IndexedStory]:
    rng = random.Random(seed)
    vocab = _Vocabulary()
    fandom_cw = _zipf_cumulative(FANDOMS)
    char_cw = _zipf_cumulative(CHARACTERS_PER_FANDOM)
    ship_cw = _zipf_cumulative(SHIPS_PER_FANDOM)
    freeform_cw = _zipf_cumulative(FREEFORM_TAGS)
    author_cw = _zipf_cumulative(max(size // 5, 1), exponent=0.8)
    rating_cw = list(accumulate(RATING_SHARE))
    warning_cw = list(accumulate(WARNING_SHARE))
    category_cw = list(accumulate(CATEGORY_SHARE))
    series_of_author: dict[int, list[str]] = {}

    stories: list[IndexedStory] = []
    for story_id in range(1, size + 1):
        tags: set[TagRef] = set()
        rating = rng.choices(range(len(RATINGS)), cum_weights=rating_cw)[0]
        tags.add(vocab.ratings[rating])
        warning_count = 1 + (rng.random() < 0.25)
        tags.update(rng.choices(vocab.warnings, cum_weights=warning_cw, k=warning_count))
        tags.update(
            rng.choices(vocab.categories, cum_weights=category_cw, k=1 + (rng.random() < 0.3))
        )
        fandoms = rng.choices(range(FANDOMS), cum_weights=fandom_cw, k=1 + (rng.random() < 0.2))
        for fandom in fandoms:
            tags.add(vocab.fandoms[fandom])
            for rank in rng.choices(
                range(CHARACTERS_PER_FANDOM), cum_weights=char_cw, k=rng.randint(2, 5)
            ):
                tags.add(vocab.local(TagKind.CHARACTER, fandom, rank))
            ship_count = rng.choices((0, 1, 2, 3), weights=(2, 5, 2, 1))[0]
            for rank in rng.choices(range(SHIPS_PER_FANDOM), cum_weights=ship_cw, k=ship_count):
                tags.add(vocab.local(TagKind.RELATIONSHIP, fandom, rank))
        tags.update(rng.choices(vocab.freeform, cum_weights=freeform_cw, k=rng.randint(3, 11)))

        author = rng.choices(range(len(author_cw)), cum_weights=author_cw)[0]
        authors: tuple[str, ...] = (f"author {author}",)
        if rng.random() < 0.05:
            authors += (f"author {rng.randrange(len(author_cw))}",)
        series = None
        if rng.random() < 0.12:
            known = series_of_author.setdefault(author, [])
            if known and rng.random() < 0.6:
                series = rng.choice(known)
            else:
                series = f"series {author}.{len(known)}"
                known.append(series)
        stories.append(
            IndexedStory(
                story_id=story_id,
                tags=frozenset(tags),
                rating=RATINGS[rating],
                authors=authors,
                series=series,
                popularity=float(int(rng.lognormvariate(3.0, 1.2))),
            )
        )
    return stories


def make_queries(stories: list[IndexedStory], count: int, seed: int = 11) -> list[RecommendQuery]:
    """A mixed load: like-this, include tags, include+exclude and for-me, with filters."""
    rng = random.Random(seed)
    by_fandom: dict[TagRef, list[IndexedStory]] = {}
    for story in stories:
        for tag in story.tags:
            if tag[0] is TagKind.FANDOM:
                by_fandom.setdefault(tag, []).append(story)
    common_freeform = [(TagKind.FREEFORM, f"freeform {n}") for n in range(200)]

    queries: list[RecommendQuery] = []
    for n in range(count):
        query = RecommendQuery(blocked=set(), allowed_ratings=_ratings_filter(rng))
        if rng.random() < 0.5:
            query.blocked.add((TagKind.WARNING, "major character death"))
        if rng.random() < 0.3:
            query.blocked.add(rng.choice(common_freeform))
        seed_story = rng.choice(stories)
        kind = n % 10
        if kind < 3:
            query.like_story_id = seed_story.story_id
        elif kind < 5:
            query.include = _some_tags(rng, seed_story, rng.randint(1, 2))
        elif kind < 7:
            query.include = _some_tags(rng, seed_story, 1)
            query.exclude = {rng.choice(common_freeform) for _ in range(rng.randint(1, 2))}
            query.exclude -= query.include
        else:
            fandom = rng.choice(sorted(t for t in seed_story.tags if t[0] is TagKind.FANDOM))
            liked = _liked_stories(rng, stories, by_fandom[fandom], rng.randint(5, 20))
            query.profile = {sid: rng.choice((0.5, 1.0, 2.0, 3.0)) for sid in liked}
            query.exclude_story_ids = set(liked)
        query.blocked -= query.include
        queries.append(query)
    return queries


def _ratings_filter(rng: random.Random) -> set[str] | None:
    draw = rng.random()
    if draw < 0.4:
        return {"general", "teen"}
    if draw < 0.6:
        return {"general", "teen", "mature"}
    return None


def _some_tags(rng: random.Random, story: IndexedStory, count: int) -> set[TagRef]:
    wanted = (TagKind.FANDOM, TagKind.RELATIONSHIP, TagKind.CHARACTER, TagKind.FREEFORM)
    choices = sorted(tag for tag in story.tags if tag[0] in wanted)
    return set(rng.sample(choices, min(count, len(choices))))


def _liked_stories(
    rng: random.Random, stories: list[IndexedStory], same_fandom: list[IndexedStory], count: int
) -> list[int]:
    """A reader's history: mostly one fandom, some wandering."""
    liked = {rng.choice(same_fandom).story_id for _ in range(count * 2 // 3)}
    while len(liked) < count:
        liked.add(rng.choice(stories).story_id)
    return sorted(liked)
