"""The library's side of stories from links: add by URL, duplicates by source, and new
chapters appended with the old passages' ids unchanged (FanFicFare's offline test1.com)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bootstrap import Services, open_services
from bot.library.errors import DuplicateStory
from bot.sources import PoliteRules, StorySources

URL = "http://test1.com?sid=7001"


def growing_story(chapters: int, status: str = "In-Progress") -> str:
    """A test1.com work in progress with this many chapters (its ini definition)."""
    titles = ",".join(f"Part {n}" for n in range(1, chapters + 1))
    return (f"[teststory:7001]\ntitle:Growing Tale\nauthor:Someone\nstatus:{status}\n"
            f"rating:Teen And Up Audiences\nchaptertitles:{titles}\n")


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with open_services(tmp_path / "library.db") as opened:
        # No pause between requests and no cache: each check sees the site as it is now.
        opened.story_links.sources = StorySources(
            rules=PoliteRules(min_interval=timedelta(0)), cache_for=timedelta(0),
            extra_settings=growing_story(2))
        yield opened


async def test_a_work_added_by_link_keeps_its_source_and_site_dates(services: Services) -> None:
    story = await services.story_links.add(URL, guild_id=1, added_by=5, allow_adult=False)
    assert (story.source, story.chapter_count, story.complete, story.added_by) == (
        URL, 2, False, 5)
    assert story.published is not None and story.updated is not None
    with pytest.raises(DuplicateStory, match=f"already in the library as story {story.id}"):
        await services.story_links.add(URL, guild_id=1, added_by=6, allow_adult=False)
    # Another server has its own library.
    other = await services.story_links.add(URL, guild_id=2, added_by=6, allow_adult=False)
    assert other.id != story.id


async def test_a_new_chapter_is_appended_and_old_passages_keep_their_ids(
    services: Services
) -> None:
    story = await services.story_links.add(URL, guild_id=1, added_by=5, allow_adult=False)
    before = [(p.id, p.text) for p in await services.store.stories.passages(story.id)]
    [line] = await services.catalog.lines_of([story.id], 1)  # a list line, kept in memory
    assert line.words == story.words
    unchanged = await services.story_links.refresh(story.id)
    assert unchanged.summary() == "no new chapters" and unchanged.new_passage_ids == []

    services.story_links.sources.extra_settings = growing_story(3, status="Completed")
    grown = await services.story_links.refresh(story.id)
    after = [(p.id, p.text) for p in await services.store.stories.passages(story.id)]
    assert after[:len(before)] == before
    assert grown.new_passage_ids == [pid for pid, _ in after[len(before):]]
    assert grown.story.chapter_count == 3 and grown.story.complete is True
    [line] = await services.catalog.lines_of([story.id], 1)
    assert line.words == grown.story.words > story.words
    assert grown.summary() == "1 new chapter; the story is now complete"
    # A complete story is no longer followed.
    assert await services.story_links.due(10) == []
    chapters = await services.store.stories.chapters(story.id)
    assert [(c.number, c.title) for c in chapters][-1] == (3, "Part 3")


async def test_a_work_deleted_from_its_site_keeps_our_copy(services: Services) -> None:
    fetched = await services.story_links.sources.fetch(URL)
    assert fetched.draft is not None
    # test1.com's work 666 does not exist: a story whose site lost it.
    fetched.draft.source = "http://test1.com?sid=666"
    story = await services.catalog.add_draft(fetched.draft, guild_id=1)
    assert await services.story_links.due(10) == [story.id]
    outcome = await services.story_links.refresh(story.id)
    assert outcome.summary() == "the work is no longer on its site; our copy is kept"
    assert outcome.story.source_gone_at is not None and outcome.story.chapter_count == 2
    assert await services.story_links.due(10) == []


async def test_a_chapter_removed_on_the_site_is_reported_and_our_copy_kept(
    services: Services
) -> None:
    story = await services.story_links.add(URL, guild_id=1, added_by=5, allow_adult=False)
    before = [(p.id, p.text) for p in await services.store.stories.passages(story.id)]
    services.story_links.sources.extra_settings = growing_story(1)
    outcome = await services.story_links.refresh(story.id)
    assert outcome.summary() == "the site removed chapter 2; our copy is kept as it was"
    assert [(p.id, p.text) for p in await services.store.stories.passages(story.id)] == before
    assert outcome.story.chapter_count == 2 and outcome.new_passage_ids == []
