"""Tag counts a page at a time: the store cuts the page in SQL, and /tags list counts a
server's tags once per change (the same list until the library, the server's overlay or its
view changes). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.bootstrap import Services, build_services
from bot.library.clock import FakeClock
from bot.library.models import Chapter, Rating, StoryDraft, TagKind
from bot.render.recommend_card import tag_list_embed, tag_list_pages, tag_page_starts
from bot.store.protocol import Store
from tests.conftest import DEMO_STORIES, FIXTURES

GUILD = 1001


async def test_a_page_of_counts_is_a_slice_of_the_whole(store: Store) -> None:
    for n in range(12):
        await store.stories.add(
            StoryDraft(title=f"S{n}", authors=["A"], chapters=[Chapter(1, "", f"Text {n}.")],
                       rating=Rating.GENERAL, freeform=[f"Tag {m}" for m in range(n % 5 + 1)]),
            [], guild_id=None)
    whole = await store.tags.counts(TagKind.FREEFORM)
    assert [c.stories for c in whole] == sorted((c.stories for c in whole), reverse=True)
    pages = [await store.tags.counts(TagKind.FREEFORM, limit=2, offset=start)
             for start in range(0, len(whole) + 2, 2)]
    assert [c.tag.id for page in pages for c in page] == [c.tag.id for c in whole]
    assert pages[-1] == []
    assert await store.tags.counts(TagKind.FREEFORM, limit=0) == []


@pytest.fixture
async def services(target: str) -> AsyncIterator[Services]:
    built = await build_services(target, demo_stories=DEMO_STORIES,
                                 clock=FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    await built.recommendations.ready()
    yield built
    await built.close()


async def test_the_tag_list_is_counted_again_only_after_a_change(services: Services) -> None:
    recommendations = services.recommendations
    first = await recommendations.tag_list(GUILD, TagKind.FREEFORM)
    assert await recommendations.tag_list(GUILD, TagKind.FREEFORM) is first  # kept
    assert await recommendations.tag_list(GUILD, TagKind.FANDOM) is not first  # per kind

    story = await services.catalog.import_path(FIXTURES / "ao3" / "first-as-farce.html",
                                               guild_id=GUILD)
    added = await recommendations.tag_list(GUILD, TagKind.FREEFORM)
    assert added is not first
    assert sum(u.stories for u in added) > sum(u.stories for u in first)
    assert await recommendations.tag_list(GUILD, TagKind.FREEFORM) is added

    soulmates = next(use for use in added if use.name == "Soulmates")
    await recommendations.wrangling.rename_here(GUILD, "Soulmates", "Soulmates AU")
    renamed = {use.name: use.stories
               for use in await recommendations.tag_list(GUILD, TagKind.FREEFORM)}
    assert renamed["Soulmates AU"] == soulmates.stories and "Soulmates" not in renamed

    await services.catalog.remove(story.id, GUILD)
    assert {use.name: use.stories for use in await recommendations.tag_list(
        GUILD, TagKind.FREEFORM)} == {
        ("Soulmates AU" if use.name == "Soulmates" else use.name): use.stories
        for use in first}


async def test_page_starts_give_the_same_pages(services: Services) -> None:
    uses = await services.recommendations.tag_list(None)
    starts = tag_page_starts(uses, None)
    pages = tag_list_pages(uses, None)
    assert len(starts) == len(pages) > 1
    for number, page in enumerate(pages):
        embed = tag_list_embed(uses, None, number, starts)
        assert embed.description == "\n".join(page)
        assert embed.to_dict() == tag_list_embed(uses, None, number).to_dict()
