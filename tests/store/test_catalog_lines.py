"""List lines kept in memory (bot/catalog_lines.py): a page asks SQL for its ids alone, and
every change the catalog hears of shows in the next page (SQLite here; another process's
changes in tests/store/test_change_feed.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Services, open_services
from bot.catalog_lines import LineCache
from bot.library.models import ListedStory, Rating, Story
from bot.library.visibility import ALL_GUILDS
from tests.conftest import DEMO_STORIES

GUILD = 5200


def line(story_id: int, title: str = "A Title") -> ListedStory:
    return ListedStory(id=story_id, guild_id=None, title=title, authors=["someone"],
                       rating=Rating.GENERAL, words=100, fandoms=[], warnings=[])


async def test_lines_read_once_are_kept_and_only_the_missing_ones_are_read() -> None:
    cache = LineCache()
    asked: list[list[int]] = []

    async def read(story_ids: list[int]) -> list[ListedStory]:
        asked.append(story_ids)
        return [line(story_id) for story_id in story_ids if story_id != 404]

    assert set(await cache.lines_of([1, 2, 404], read)) == {1, 2}
    assert set(await cache.lines_of([2, 3], read)) == {2, 3}
    assert asked == [[1, 2, 404], [3]]  # a story that does not exist is asked again


async def test_a_line_dropped_while_it_was_being_read_is_used_but_not_kept() -> None:
    cache = LineCache()
    reading = asyncio.Event()
    go_on = asyncio.Event()

    async def slow_read(story_ids: list[int]) -> list[ListedStory]:
        reading.set()
        await go_on.wait()
        return [line(story_id, "Old Title") for story_id in story_ids]

    async def read(story_ids: list[int]) -> list[ListedStory]:
        return [line(story_id, "New Title") for story_id in story_ids]

    pending = asyncio.create_task(cache.lines_of([7], slow_read))
    await reading.wait()
    cache.drop([7])  # the story was edited while the old line was on its way
    go_on.set()
    assert (await pending)[7].title == "Old Title"
    assert (await cache.lines_of([7], read))[7].title == "New Title"


async def test_the_cache_holds_at_most_its_size() -> None:
    cache = LineCache(kept=100)

    async def read(story_ids: list[int]) -> list[ListedStory]:
        return [line(story_id) for story_id in story_ids]

    for first in range(0, 1_000, 50):
        await cache.lines_of(list(range(first, first + 50)), read)
        assert len(cache) <= 100
    # The newest lines stay.
    assert len(cache) >= 50
    assert set(range(950, 1_000)) <= set(await cache.lines_of(list(range(950, 1_000)), read))


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with open_services(tmp_path / "library.db") as opened:
        await opened.recommendations.ready()
        yield opened


async def add(services: Services, name: str) -> Story:
    return await services.catalog.import_path(DEMO_STORIES / name, guild_id=GUILD)


async def lines(services: Services, *stories: Story) -> dict[int, ListedStory]:
    found = await services.catalog.lines_of([story.id for story in stories], GUILD)
    return {found_line.id: found_line for found_line in found}


async def test_an_edit_shows_in_the_next_page_and_a_removal_leaves_it(
        services: Services) -> None:
    kept, removed = await add(services, "dead-reckoning.md"), await add(services, "shore-leave.md")
    first = await lines(services, kept, removed)
    assert first[kept.id].title == "Dead Reckoning" and removed.id in first

    await services.catalog.edit(kept.id, GUILD, title="Dead Reckoning, Revised",
                                rating=Rating.MATURE)
    await services.catalog.remove(removed.id, GUILD)

    now = await lines(services, kept, removed)
    assert list(now) == [kept.id]
    assert (now[kept.id].title, now[kept.id].rating) == ("Dead Reckoning, Revised",
                                                         Rating.MATURE)
    gate = await services.gates.for_channel(GUILD, age_restricted=True)
    listed = await services.catalog.list_shown(gate)
    assert [(found.id, found.title) for found in listed] == [(kept.id, "Dead Reckoning, Revised")]
    assert [found.id for found in await services.catalog.lines_of([kept.id], GUILD + 1)] == []


async def test_the_operators_rename_and_merge_of_a_fandom_show_in_every_line(
        services: Services) -> None:
    trek = [await add(services, "dead-reckoning.md"), await add(services, "shore-leave.md")]
    myth = [await add(services, "the-loom-at-night.md"),
            await add(services, "what-the-lyre-remembers.md")]
    assert [line.fandoms for line in (await lines(services, *trek)).values()] == [
        ["Star Trek"], ["Star Trek"]]

    await services.recommendations.rename_tag("Star Trek", "Star Trek (All Series)")
    assert [line.fandoms for line in (await lines(services, *trek)).values()] == [
        ["Star Trek (All Series)"], ["Star Trek (All Series)"]]
    await read_as_sql_reads(services, *trek)

    await lines(services, *myth)
    await services.recommendations.merge_tags("Greek Mythology", "The Odyssey - Homer")
    await read_as_sql_reads(services, *myth)


async def read_as_sql_reads(services: Services, *stories: Story) -> None:
    story_ids = [story.id for story in stories]
    assert await services.catalog.lines_of(story_ids, GUILD) == \
        await services.store.stories.lines_of(story_ids, GUILD)


async def test_a_page_read_from_memory_is_the_page_sql_reads(services: Services) -> None:
    for name in ("dead-reckoning.md", "shore-leave.md", "true-north.md", "the-loom-at-night.md"):
        await add(services, name)
    gate = await services.gates.for_channel(GUILD, age_restricted=True)
    for sort in ("title", "newest", "words"):
        from_sql = await services.store.stories.list_lines(gate.visibility, sort=sort)
        assert await services.catalog.list_shown(gate, sort=sort) == from_sql  # read
        assert await services.catalog.list_shown(gate, sort=sort) == from_sql  # kept
    assert len(await services.store.stories.list_lines(ALL_GUILDS)) >= 4
