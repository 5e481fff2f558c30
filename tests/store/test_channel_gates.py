"""A channel's gate (bot/services/gates.py) is kept between commands; every change of what it
is made from gives a new one at once: the server's settings, its blocked tags, its tag
overlay, a story added to the library. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import Services, build_services
from bot.library.gate import Shown
from bot.library.models import Chapter, Rating, StoryDraft
from tests.conftest import DEMO_STORIES

GUILD = 3003


@pytest.fixture
async def services(target: str) -> AsyncIterator[Services]:
    built = await build_services(target, demo_stories=DEMO_STORIES)
    yield built
    await built.close()


async def test_the_same_inputs_give_the_same_gate(services: Services) -> None:
    first = await services.gates.for_channel(GUILD, False)
    assert await services.gates.for_channel(GUILD, False) is first
    assert await services.gates.for_channel(GUILD, True) is not first
    # a reader's own view is never shared
    assert await services.gates.for_channel(GUILD, False, reader_id=5) is not first


async def test_a_settings_change_shows_at_once(services: Services) -> None:
    before = await services.gates.for_channel(GUILD, False)
    assert Rating.MATURE not in before.full_ratings
    settings = await services.guild_settings.get(GUILD)
    await services.guild_settings.save(dataclasses.replace(
        settings, age_restricted_ratings=frozenset({Rating.EXPLICIT})))
    after = await services.gates.for_channel(GUILD, False)
    assert Rating.MATURE in after.full_ratings


async def test_a_blocked_tag_and_a_new_story_show_at_once(services: Services) -> None:
    rows = await services.gates.tags_named(GUILD, "Fluff")
    assert rows
    await services.gates.block(GUILD, rows)
    blocked = await services.gates.for_channel(GUILD, False)
    assert blocked.blocked_tag_ids and blocked.blocked_story_ids
    story = await services.catalog.add_draft(
        StoryDraft(title="More Fluff", authors=["Wren"], rating=Rating.GENERAL,
                   chapters=[Chapter(1, "", "Soft words here.")], freeform=["Fluff"]),
        guild_id=GUILD)
    gate = await services.gates.for_channel(GUILD, False)
    assert gate.shows(story.id, GUILD, story.rating) is Shown.HIDDEN
    await services.gates.unblock(GUILD, rows)
    gate = await services.gates.for_channel(GUILD, False)
    assert not gate.blocked_tag_ids
    assert gate.shows(story.id, GUILD, story.rating) is Shown.FULL


async def test_a_readers_own_view_is_kept_until_their_blocks_change(services: Services) -> None:
    """Autocomplete asks for the reader's own view on every keystroke: it is kept, and it
    follows their blocks at once."""
    first = await services.gates.for_channel(GUILD, False, reader_id=5)
    assert await services.gates.for_channel(GUILD, False, reader_id=5) is first
    assert not first.blocked_tag_ids
    assert await services.recommendations.block(5, "Fluff")
    blocked = await services.gates.for_channel(GUILD, False, reader_id=5)
    assert blocked.blocked_tag_ids and blocked.blocked_story_ids
    assert not (await services.gates.for_channel(GUILD, False)).blocked_tag_ids  # theirs only
    assert await services.recommendations.unblock(5, "Fluff")
    after = await services.gates.for_channel(GUILD, False, reader_id=5)
    assert not after.blocked_tag_ids
    assert await services.gates.for_channel(GUILD, False, reader_id=5) is after
    # Sharing the server's blocked sets, not copies of them.
    assert after.blocked_story_ids is (await services.gates.for_channel(GUILD, False)
                                       ).blocked_story_ids


async def test_readers_who_block_the_same_tags_share_what_those_block(
        services: Services) -> None:
    """Kept per set of blocked tags, not per reader: a common block's stories are held
    once however many readers choose it."""
    for reader in (5, 6):
        assert await services.recommendations.block(reader, "Fluff")
    five = await services.gates.reader_blocked(GUILD, 5)
    six = await services.gates.reader_blocked(GUILD, 6)
    assert five[1] and five is six
    assert await services.recommendations.unblock(6, "Fluff")
    assert await services.gates.reader_blocked(GUILD, 6) == (frozenset(), frozenset())
    assert await services.gates.reader_blocked(GUILD, 5) is five
