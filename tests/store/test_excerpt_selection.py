"""Choosing excerpts against the real demo library in a database: the server's rules, the
no-repeat cycle, the cooldown, the weights hook, serial reading and the stored cuts."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalog import Catalog
from bot.library.clock import FakeClock
from bot.library.errors import InvalidInput
from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.segmentation import Cut
from bot.render.excerpt_card import excerpt_embed
from bot.services.excerpts import ExcerptService
from bot.store.protocol import Store
from bot.ui.excerpt_buttons import excerpt_view

GUILD = 4242
START = datetime(2026, 2, 1, 12, tzinfo=UTC)
SAFE_RATINGS = {Rating.GENERAL, Rating.TEEN}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def service(store: Store, catalog: Catalog, clock: FakeClock) -> ExcerptService:
    return ExcerptService(store, catalog, clock, rng=random.Random(7))


async def test_no_passage_repeats_until_every_eligible_one_was_shown(
    service: ExcerptService, catalog: Catalog, clock: FakeClock
) -> None:
    eligible = 0
    for story in await catalog.list(GUILD):
        if story.rating in SAFE_RATINGS:
            eligible += math.ceil(0.6 * len(await catalog.passages(story.id, GUILD)))
    seen: list[int] = []
    for _ in range(eligible):
        excerpt = await service.choose(GUILD, age_restricted=False)
        assert excerpt.story.rating in SAFE_RATINGS
        passage = excerpt.passage
        assert passage.seq < math.ceil(0.6 * passage.story_passage_count)
        seen.append(passage.id)
        clock.advance(timedelta(hours=1))
    assert len(set(seen)) == eligible
    # Every eligible passage was shown: the next one starts a new cycle.
    again = await service.choose(GUILD, age_restricted=False)
    assert again.passage.id in seen
    history = await service.history.history(GUILD)
    assert history.shown_passage_ids == {again.passage.id}


async def test_a_featured_story_rests_while_others_have_passages(
    service: ExcerptService, clock: FakeClock
) -> None:
    stories = []
    for _ in range(6):
        stories.append((await service.choose(GUILD, age_restricted=False)).story.id)
        clock.advance(timedelta(days=1))
    assert len(set(stories)) == 6, stories


async def test_blocked_tags_and_their_synonyms_and_the_rating_ceiling_apply(
    service: ExcerptService, catalog: Catalog, store: Store
) -> None:
    soulmates = await catalog.list(GUILD, tags=["soulmate au"])
    assert len(soulmates) >= 2  # spelled differently in different stories
    (row,) = [r for r in await store.tags.all() if r.key == "soulmate au"]
    canonical = await store.tags.canonical_of(row.id)
    await store.blocked_tags.block(GUILD, canonical.id)
    blocked_ids = {s.id for s in soulmates}
    restricted = await service.candidates(GUILD, age_restricted=True)
    assert restricted and not blocked_ids & {c.story_id for c in restricted}
    assert len({c.story_id for c in restricted}) == 12 - len(blocked_ids)
    with pytest.raises(InvalidInput, match="blocked"):
        await service.choose(GUILD, age_restricted=True, story=soulmates[0])
    explicit = await catalog.resolve("True North", GUILD)
    with pytest.raises(InvalidInput, match="age-restricted channel"):
        await service.choose(GUILD, age_restricted=False, story=explicit)
    # Another server blocks nothing.
    assert len({c.story_id for c in await service.candidates(GUILD + 1, True)}) == 12


async def test_passage_weights_from_the_reactions_feature_steer_the_choice(
    service: ExcerptService, catalog: Catalog
) -> None:
    story = await catalog.resolve("Baker Street Lanterns", GUILD)
    favourite = (await catalog.passages(story.id, GUILD))[1].id
    asked: list[tuple[int, int]] = []

    async def weights(guild_id: int, passage_ids: list[int]) -> dict[int, float]:
        asked.append((guild_id, len(passage_ids)))
        return {pid: (50.0 if pid == favourite else 0.0) for pid in passage_ids}

    service.passage_weights = weights
    assert (await service.choose(GUILD, age_restricted=False)).passage.id == favourite
    assert asked and asked[0][0] == GUILD


async def test_serial_reading_goes_on_in_order_then_opens_a_new_story(
    service: ExcerptService, clock: FakeClock
) -> None:
    from bot.library.selection import SerialPosition

    first = await service.next_serial(GUILD, age_restricted=False, position=None)
    assert first.passage.seq == 0
    position = SerialPosition(first.story.id, 0)
    count = first.passage.story_passage_count
    for expected in range(1, count):
        clock.advance(timedelta(days=1))
        following = await service.next_serial(GUILD, False, position)
        assert (following.story.id, following.passage.seq) == (first.story.id, expected)
        position = SerialPosition(following.story.id, following.passage.seq)
    opened = await service.next_serial(GUILD, False, position)
    assert opened.story.id != first.story.id and opened.passage.seq == 0


async def test_next_passage_and_its_end(service: ExcerptService, catalog: Catalog) -> None:
    story = await catalog.resolve("Shore Leave", GUILD)
    passages = await catalog.passages(story.id, GUILD)
    second = await service.following(passages[0].id, GUILD, age_restricted=False)
    assert second.passage.id == passages[1].id
    with pytest.raises(InvalidInput, match="last passage"):
        await service.following(passages[-1].id, GUILD, age_restricted=False)
    assert "Next passage" not in str(excerpt_view(
        (await service.excerpt(passages[-1].id, GUILD)).passage).to_components())


async def test_a_cut_inside_a_sentence_is_stored_and_shown_with_an_ellipsis(
    service: ExcerptService, catalog: Catalog
) -> None:
    # One 800-word sentence: it can only be cut between words.
    sentence = " ".join(f"word{n}" for n in range(800)) + "."
    draft = StoryDraft(title="One Long Breath", authors=["Tester"],
                       chapters=[Chapter(1, "", sentence)], rating=Rating.GENERAL)
    story = await catalog.add_draft(draft, guild_id=GUILD)
    passages = await catalog.passages(story.id, GUILD)
    assert len(passages) >= 3
    first = await service.excerpt(passages[0].id, GUILD)
    middle = await service.excerpt(passages[1].id, GUILD)
    assert (first.passage.cut_before, first.passage.cut_after) == (Cut.SCENE, Cut.WORD)
    text = excerpt_embed(middle.story, middle.passage).description or ""
    assert text.startswith("…") and text.endswith("…")
    footer = excerpt_embed(first.story, first.passage).footer.text
    assert footer == f"Passage 1 of {len(passages)} · Chapter 1"
