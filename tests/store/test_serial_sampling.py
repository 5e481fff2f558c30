"""The book club's serial reading in a big library: a story goes on from its own passages,
and a new story is drawn by sampling (openings of stories drawn by id), with the rules of
the full choice. The demo library in a real database, on both stores, with the sampling
threshold lowered so every new story is drawn."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalog import Catalog
from bot.library.clock import FakeClock
from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.selection import PassageCandidate, SerialPosition
from bot.services.excerpts import ExcerptService
from bot.store.protocol import Store
from tests.store.test_excerpt_sampling import AskedWeights

GUILD = 4545
OTHER_GUILD = 4546
START = datetime(2026, 4, 1, 9, tzinfo=UTC)
SAFE_RATINGS = {Rating.GENERAL, Rating.TEEN}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def sampling_service(store: Store, catalog: Catalog, clock: FakeClock,
                     weights: AskedWeights) -> ExcerptService:
    return ExcerptService(store, catalog, clock, rng=random.Random(11), passage_weights=weights,
                          sampling_threshold=0)


async def test_sample_openings_gives_each_drawn_storys_first_passage_in_draw_order(
    store: Store, catalog: Catalog
) -> None:
    stories = await catalog.list(GUILD)
    safe = [s for s in stories if s.rating in SAFE_RATINGS]
    restricted = [s for s in stories if s.rating not in SAFE_RATINGS]
    assert len(safe) >= 3 and restricted
    passages_of = {s.id: await catalog.passages(s.id, GUILD) for s in stories}
    elsewhere = await catalog.add_draft(StoryDraft(
        title="Another Server's Story", authors=["Tester"],
        chapters=[Chapter(1, "", "Words of another server's own story.")],
        rating=Rating.GENERAL), guild_id=OTHER_GUILD)
    missing = elsewhere.id + 1000
    draws = [safe[1].id, missing, restricted[0].id, safe[0].id, elsewhere.id, safe[1].id,
             safe[2].id]
    passages = store.passages
    shown = passages_of[safe[0].id][0]
    await passages.record(GUILD, PassageCandidate(shown.id, safe[0].id, 0, 1), START)

    drawn = await passages.sample_openings(GUILD, GUILD, SAFE_RATINGS, (), draws)

    assert [s.candidate.story_id for s in drawn] == [safe[1].id, safe[0].id, safe[1].id,
                                                      safe[2].id]
    for sample in drawn:
        story = passages_of[sample.candidate.story_id]
        assert (sample.candidate.passage_id, sample.candidate.seq) == (story[0].id, 0)
        assert sample.candidate.story_passage_count == len(story)
        assert sample.shown == (sample.candidate.story_id == safe[0].id)
        assert (sample.story_featured_at == START) == (sample.candidate.story_id == safe[0].id)
    ids = [s.id for s in stories] + [elsewhere.id]  # every server's stories
    assert await passages.story_id_range() == (min(ids), max(ids))


async def test_sampled_serial_reads_every_story_in_order_before_opening_one_again(
    store: Store, catalog: Catalog, clock: FakeClock
) -> None:
    weights = AskedWeights()
    service = sampling_service(store, catalog, clock, weights)
    stories = await catalog.list(GUILD)
    every = {s.id: await catalog.passages(s.id, GUILD) for s in stories}
    counts = {s.id: len(every[s.id]) for s in stories if s.rating in SAFE_RATINGS}
    openings = {passages[0].id for passages in every.values()}
    opened: list[int] = []
    position: SerialPosition | None = None
    for _ in range(sum(counts.values())):
        excerpt = await service.next_serial(GUILD, False, position)
        story, seq = excerpt.story.id, excerpt.passage.seq
        assert excerpt.story.rating in SAFE_RATINGS
        if position is not None and story == position.story_id:
            assert seq == position.seq + 1  # on in the same story
        else:
            assert position is None or position.seq == counts[position.story_id] - 1
            assert seq == 0 and story not in opened  # a new story, from its start
            opened.append(story)
        position = SerialPosition(story, seq)
        clock.advance(timedelta(days=15))  # past the cool-down: only the cycle narrows
    assert sorted(opened) == sorted(counts)
    # New stories were drawn: each choice asked about the openings it drew, never about
    # every passage as the full choice does.
    assert weights.asked and all(set(asked) <= openings for asked in weights.asked)
    again = await service.next_serial(GUILD, False, position)
    assert again.passage.seq == 0 and again.story.id != opened[-1]
    assert (await store.passages.history(GUILD)).shown_passage_ids == {again.passage.id}


async def test_a_serial_story_goes_on_without_drawing_weighing_or_recording(
    store: Store, catalog: Catalog, clock: FakeClock
) -> None:
    weights = AskedWeights()
    service = sampling_service(store, catalog, clock, weights)
    story = await catalog.resolve("Shore Leave", GUILD)
    passages = await catalog.passages(story.id, GUILD)
    following = await service.next_serial(GUILD, False, SerialPosition(story.id, 1))
    assert following.passage.id == passages[2].id
    assert weights.sizes == []
    history = await store.passages.history(GUILD)
    assert history.shown_passage_ids == set() and history.last_featured == {}


async def test_sampled_serial_skips_blocked_tags_and_restricted_ratings(
    store: Store, catalog: Catalog, clock: FakeClock
) -> None:
    soulmates = {s.id for s in await catalog.list(GUILD, tags=["soulmate au"])}
    assert soulmates
    (row,) = [r for r in await store.tags.all() if r.key == "soulmate au"]
    await store.blocked_tags.block(GUILD, (await store.tags.canonical_of(row.id)).id)
    service = sampling_service(store, catalog, clock, AskedWeights())
    for _ in range(20):
        excerpt = await service.next_serial(GUILD, False, None)
        assert excerpt.story.id not in soulmates
        assert excerpt.story.rating in SAFE_RATINGS
        clock.advance(timedelta(days=15))


async def test_sampled_serial_openings_follow_the_weights(
    store: Store, catalog: Catalog, clock: FakeClock
) -> None:
    story = await catalog.resolve("Baker Street Lanterns", GUILD)
    favourite = (await catalog.passages(story.id, GUILD))[0].id
    weights = AskedWeights(favourite)
    service = sampling_service(store, catalog, clock, weights)
    openings = {(await catalog.passages(s.id, GUILD))[0].id for s in await catalog.list(GUILD)}
    assert (await service.next_serial(GUILD, False, None)).passage.id == favourite
    # Drawn: the full choice would have asked once, about every allowed passage.
    assert weights.asked and all(set(asked) <= openings for asked in weights.asked)
