"""Stories from links and readers' suggestions, the same on both backends: the lookup by
link, one story per work per server, following for new chapters, appending them, and the
suggestion cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from bot.library.errors import DuplicateStory
from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.shards import ShardPlan, shard_of
from bot.library.source_records import SourceChannels
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store

LINK = "https://archiveofourown.org/works/123"
GUILD = 7
MOMENT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class P:
    seq: int
    chapter: int
    text: str
    words: int


def from_site(text: str = "The tide came in.", *, source: str = LINK) -> StoryDraft:
    return StoryDraft(
        title="Tides", authors=["Wren"], chapters=[Chapter(1, "One", text)],
        rating=Rating.GENERAL, language="English", complete=False, source=source,
        series="Sea Stories", published=date(2025, 1, 2), updated=date(2025, 3, 4),
        series_part=3)


async def add(store: Store, draft: StoryDraft, guild_id: int | None = GUILD) -> int:
    text = draft.chapters[0].text
    story = await store.stories.add(draft, [P(0, 1, text, len(text.split()))],
                                    guild_id=guild_id, now=MOMENT)
    return story.id


async def test_a_story_from_a_site_keeps_its_dates_part_and_language_code(
    store: Store,
) -> None:
    story = await store.stories.get(await add(store, from_site()), ALL_GUILDS)
    assert (story.published, story.updated, story.series_part) == (
        date(2025, 1, 2), date(2025, 3, 4), 3)
    assert story.language == "en"
    assert story.source_checked_at is None and story.source_gone_at is None


async def test_the_same_link_is_one_story_per_server(store: Store) -> None:
    story_id = await add(store, from_site())
    assert await store.story_sources.find_by_source(LINK, GUILD) == story_id
    assert await store.story_sources.find_by_source(LINK, 8) is None
    with pytest.raises(DuplicateStory):
        await add(store, from_site("Other text of the same work."))
    # Another server may add the same work.
    assert await add(store, from_site("Other text of the same work."), 8) != story_id


async def test_followed_stories_are_checked_oldest_first_and_marked(store: Store) -> None:
    first = await add(store, from_site("One."))
    second = await add(store, from_site("Two.", source=LINK + "5"))
    await add(store, from_site("Demo.", source=LINK + "6"), guild_id=None)  # not followed
    sources = store.story_sources
    assert await sources.followed_count() == 2
    await sources.mark_checked(first, MOMENT)
    assert await sources.to_check(10) == [second, first]
    assert await sources.to_check(10, checked_before=MOMENT) == [second]
    await sources.mark_checked(second, MOMENT, complete=True, updated=date(2026, 1, 1))
    story = await store.stories.get(second, ALL_GUILDS)
    assert story.complete is True and story.updated == date(2026, 1, 1)
    assert story.source_checked_at == MOMENT
    await sources.mark_checked(first, MOMENT, gone=True)
    assert (await store.stories.get(first, ALL_GUILDS)).source_gone_at == MOMENT
    assert await sources.followed_count() == 0 and await sources.to_check(10) == []


async def test_each_shard_process_checks_only_its_own_servers_stories(store: Store) -> None:
    # Real snowflake-sized server ids, one on each shard of two (Discord's rule).
    on_shard = {shard_of(g, 2): g for g in (1 << 22, 2 << 22, 3 << 22)}
    stories = {shard: await add(store, from_site(f"Text {shard}.", source=f"{LINK}{shard}"),
                                guild_id=guild) for shard, guild in on_shard.items()}
    sources = store.story_sources
    assert set(await sources.to_check(10)) == set(stories.values())
    for shard, story_id in stories.items():
        assert await sources.to_check(10, shards=ShardPlan(2, (shard,))) == [story_id]
    both = await sources.to_check(10, shards=ShardPlan(2, (0, 1)))
    assert set(both) == set(stories.values())


async def test_new_chapters_are_appended_after_ours(store: Store) -> None:
    story_id = await add(store, from_site())
    (old,) = await store.stories.passages(story_id)
    ids = await store.story_sources.append_chapters(
        story_id, [Chapter(5, "Two", "Gulls lifted."), Chapter(6, "Three", "Night.")],
        [P(0, 5, "Gulls lifted.", 2), P(1, 6, "Night.", 1)])
    passages = await store.stories.passages(story_id)
    assert [p.id for p in passages] == [old.id, *ids]
    assert [(p.seq, p.chapter) for p in passages] == [(0, 1), (1, 2), (2, 3)]
    assert [c.number for c in await store.stories.chapters(story_id)] == [1, 2, 3]
    story = await store.stories.get(story_id, ALL_GUILDS)
    assert story.chapter_count == 3 and story.words == 4 + 3
    assert [s.id for s in await store.stories.search(ALL_GUILDS, "gulls")] == [story_id]


async def test_source_channels_are_saved_per_server(store: Store) -> None:
    sources = store.story_sources
    assert await sources.channels(GUILD) == SourceChannels(GUILD)
    await sources.save_channels(SourceChannels(GUILD, 1, 2, 3))
    await sources.save_channels(SourceChannels(GUILD, 1, None, 4))
    assert await sources.channels(GUILD) == SourceChannels(GUILD, 1, None, 4)


async def test_a_suggested_work_gets_one_card_until_decided(store: Store) -> None:
    suggestions = store.suggestions
    work, new = await suggestions.suggest(GUILD, LINK, 100, "read it", MOMENT)
    assert new and work.count == 1 and work.card_id is not None
    again, new = await suggestions.suggest(GUILD, LINK, 100, "again", MOMENT)
    assert not new and again.count == 1
    work, new = await suggestions.suggest(GUILD, LINK, 101, "", MOMENT, ("t.txt", b"Tide"))
    assert new and work.count == 2
    await suggestions.set_card_message(work.card_id or 0, 55, 66)
    card = await suggestions.work_of_card(work.card_id or 0)
    assert card is not None and (card.channel_id, card.message_id) == (55, 66)
    filed = next(s for s in work.suggesters if s.user_id == 101)
    assert await suggestions.file(filed.id) == ("t.txt", b"Tide")
    assert await suggestions.waiting(GUILD) == [(LINK, 2)]
    closed = await suggestions.decide(GUILD, LINK, approved=False, reason="no",
                                      story_id=None, at=MOMENT)
    assert closed == 2 and await suggestions.work(GUILD, LINK) is None
    assert await suggestions.file(filed.id) is None and await suggestions.waiting(GUILD) == []
    (mine,) = await suggestions.of_user(GUILD, 101)
    assert (mine.status, mine.reason, mine.file_name) == ("rejected", "no", "t.txt")


async def test_the_write_count_moves_with_library_writes(store: Store) -> None:
    before = store.write_count()
    assert await store.passages.id_range() is None
    story_id = await add(store, from_site())
    assert store.write_count() != before
    (passage,) = await store.stories.passages(story_id)
    assert await store.passages.id_range() == (passage.id, passage.id)
