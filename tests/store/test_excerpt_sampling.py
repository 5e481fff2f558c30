"""Excerpt choice by sampling (what big libraries use) keeps every selection rule: the demo
library in a real database, with the sampling threshold lowered so every choice samples."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalog import Catalog
from bot.library.clock import FakeClock
from bot.library.feedback import MAX_WEIGHT
from bot.library.models import Rating
from bot.services.excerpts import ExcerptService
from bot.store.sqlite.store import SqliteStore

GUILD = 4343
START = datetime(2026, 3, 1, 9, tzinfo=UTC)
SAFE_RATINGS = {Rating.GENERAL, Rating.TEEN}


@pytest.fixture
def store(sqlite_store: SqliteStore) -> SqliteStore:
    return sqlite_store  # this file's rules are tested on SQLite alone


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


class AskedWeights:
    """A weights hook that remembers which passages each choice asked about."""

    def __init__(self, favourite: int | None = None) -> None:
        self.favourite = favourite
        self.asked: list[list[int]] = []

    @property
    def sizes(self) -> list[int]:
        return [len(passage_ids) for passage_ids in self.asked]

    async def __call__(self, guild_id: int, passage_ids: list[int]) -> dict[int, float]:
        self.asked.append(list(passage_ids))
        if self.favourite is None:
            return {pid: 1.0 for pid in passage_ids}
        return {pid: (MAX_WEIGHT if pid == self.favourite else 0.0) for pid in passage_ids}


def sampling_service(store: SqliteStore, catalog: Catalog, clock: FakeClock,
                     weights: AskedWeights) -> ExcerptService:
    return ExcerptService(store, catalog, clock, rng=random.Random(3), passage_weights=weights,
                          sampling_threshold=0)


async def test_sampled_choices_never_repeat_within_a_cycle_and_stay_spoiler_safe(
    store: SqliteStore, catalog: Catalog, clock: FakeClock
) -> None:
    weights = AskedWeights()
    service = sampling_service(store, catalog, clock, weights)
    all_passages = 0
    eligible = 0
    for story in await catalog.list(GUILD):
        count = len(await catalog.passages(story.id, GUILD))
        all_passages += count
        if story.rating in SAFE_RATINGS:
            eligible += math.ceil(0.6 * count)
    seen: list[int] = []
    for _ in range(eligible):
        excerpt = await service.choose(GUILD, age_restricted=False)
        assert excerpt.story.rating in SAFE_RATINGS
        assert excerpt.passage.seq < math.ceil(0.6 * excerpt.passage.story_passage_count)
        seen.append(excerpt.passage.id)
        clock.advance(timedelta(days=15))  # past the cool-down: only the cycle narrows
    assert len(set(seen)) == eligible
    # Most choices were drawn, each asking about a handful of passages, not all of them.
    assert sum(1 for size in weights.sizes if size < all_passages // 4) > eligible // 2
    again = await service.choose(GUILD, age_restricted=False)
    assert again.passage.id in seen
    assert (await store.passages.history(GUILD)).shown_passage_ids == {again.passage.id}


async def test_sampled_choices_rest_a_featured_story(
    store: SqliteStore, catalog: Catalog, clock: FakeClock
) -> None:
    service = sampling_service(store, catalog, clock, AskedWeights())
    stories = []
    for _ in range(6):
        stories.append((await service.choose(GUILD, age_restricted=False)).story.id)
        clock.advance(timedelta(days=1))
    assert len(set(stories)) == 6, stories


async def test_sampled_choices_skip_blocked_tags_and_restricted_ratings(
    store: SqliteStore, catalog: Catalog, clock: FakeClock
) -> None:
    soulmates = {s.id for s in await catalog.list(GUILD, tags=["soulmate au"])}
    (row,) = [r for r in await store.tags.all() if r.key == "soulmate au"]
    await store.blocked_tags.block(GUILD, (await store.tags.canonical_of(row.id)).id)
    service = sampling_service(store, catalog, clock, AskedWeights())
    for _ in range(20):
        excerpt = await service.choose(GUILD, age_restricted=False)
        assert excerpt.story.id not in soulmates
        assert excerpt.story.rating in SAFE_RATINGS
        clock.advance(timedelta(days=15))


async def test_sampled_choices_follow_the_weights(
    store: SqliteStore, catalog: Catalog, clock: FakeClock
) -> None:
    story = await catalog.resolve("Baker Street Lanterns", GUILD)
    favourite = (await catalog.passages(story.id, GUILD))[1].id
    service = sampling_service(store, catalog, clock, AskedWeights(favourite))
    assert (await service.choose(GUILD, age_restricted=False)).passage.id == favourite
