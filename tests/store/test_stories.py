"""The story repository, on SQLite and PostgreSQL (see tests/store/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.library.errors import DuplicateStory, StoryNotFound
from bot.library.models import SCENE_BREAK, Chapter, Rating, StoryDraft, TagKind
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store
from tests.store.backends import RawDatabase


@dataclass
class P:
    seq: int
    chapter: int
    text: str
    words: int


def draft(
    title: str = "The Lighthouse Keeper", text: str = "Waves broke. Gulls cried."
) -> StoryDraft:
    return StoryDraft(
        title=title,
        authors=["Wren", "Ash"],
        chapters=[
            Chapter(1, "Arrival", text),
            Chapter(2, "", f"Night fell.\n\n{SCENE_BREAK}\n\nMorning."),
        ],
        rating=Rating.TEEN,
        warnings=["No Archive Warnings Apply"],
        fandoms=["Original Work"],
        relationships=["Keeper/Sea"],
        characters=["The Keeper"],
        freeform=["Soulmate AU", "Found Family"],
        language="English",
        summary="A keeper and the sea.",
        complete=True,
        format="markdown",
    )


async def test_a_story_round_trips_with_all_its_metadata(store: Store) -> None:
    repo = store.stories
    stored = await repo.add(draft(), [P(0, 1, "Waves broke.", 2)], guild_id=7, added_by=42)
    story = await repo.get(stored.id, 7, with_chapters=True)
    assert story.title == "The Lighthouse Keeper"
    assert story.authors == ["Wren", "Ash"]
    assert story.rating is Rating.TEEN
    assert story.tag_names(TagKind.FREEFORM) == ["Soulmate AU", "Found Family"]
    assert story.tag_names(TagKind.RELATIONSHIP) == ["Keeper/Sea"]
    assert story.words == 7  # 4 + 3: the scene break is not a word
    assert story.chapter_count == 2 and [c.title for c in story.chapters] == ["Arrival", ""]
    assert story.complete is True and story.added_by == 42
    assert [p.text for p in await repo.passages(story.id)] == ["Waves broke."]


async def test_guild_stories_are_private_and_demo_stories_are_everywhere(
    store: Store,
) -> None:
    repo = store.stories
    mine = await repo.add(draft("Mine"), [], guild_id=1)
    demo = await repo.add(draft("Demo", "Other text entirely."), [], guild_id=None)
    assert {s.id for s in await repo.list(1)} == {mine.id, demo.id}
    assert {s.id for s in await repo.list(2)} == {demo.id}
    with pytest.raises(StoryNotFound):
        await repo.get(mine.id, 2)


async def test_the_same_text_twice_is_a_duplicate_and_is_not_stored(
    store: Store,
) -> None:
    repo = store.stories
    first = await repo.add(draft(), [], guild_id=None)
    with pytest.raises(DuplicateStory) as raised:
        await repo.add(draft("Same Text, New Title"), [], guild_id=5)
    assert raised.value.existing_id == first.id
    assert await repo.count(ALL_GUILDS) == 1


async def test_a_failed_insert_leaves_no_half_story(store: Store, raw: RawDatabase) -> None:
    repo = store.stories
    # Two passages with the same seq break a UNIQUE constraint after the story row is in.
    with pytest.raises(raw.integrity_error):
        await repo.add(draft(), [P(0, 1, "a", 1), P(0, 1, "b", 1)], guild_id=None)
    for table in ("stories", "chapters", "passages", "story_tags", "story_authors"):
        assert await raw.count(table) == 0, table


async def test_search_matches_title_tags_and_text(store: Store) -> None:
    repo = store.stories
    keeper = await repo.add(draft(), [], guild_id=None)
    other = await repo.add(
        draft("Orchard", "Apples ripened in the quiet valley."), [], guild_id=None
    )
    assert [s.id for s in await repo.search(ALL_GUILDS, "lighthouse")] == [keeper.id]
    assert [s.id for s in await repo.search(ALL_GUILDS, "apple")] == [other.id]  # prefix
    assert {s.id for s in await repo.search(ALL_GUILDS, "found family")} == {keeper.id, other.id}
    assert await repo.search(ALL_GUILDS, '"unbalanced AND (') == []


async def test_listing_by_tag_folds_synonyms(store: Store) -> None:
    repo = store.stories
    keeper = await repo.add(draft(), [], guild_id=None)
    # "soulmates" is the shipped canonical of "Soulmate AU": asking for either finds it.
    assert [s.id for s in await repo.list(ALL_GUILDS, tag_keys=["soulmates"])] == [keeper.id]
    assert [s.id for s in await repo.list(ALL_GUILDS, tag_keys=["soulmate au"])] == [keeper.id]
    assert await repo.list(ALL_GUILDS, tag_keys=["angst"]) == []


async def test_removing_a_story_removes_its_chapters_passages_and_search_row(
    store: Store, raw: RawDatabase,
) -> None:
    repo = store.stories
    story = await repo.add(draft(), [P(0, 1, "Waves broke.", 2)], guild_id=None)
    await repo.remove(story.id, ALL_GUILDS)
    for table in ("stories", "chapters", "passages", "story_tags"):
        assert await raw.count(table) == 0, table
    assert await repo.search(ALL_GUILDS, "lighthouse") == []
    with pytest.raises(StoryNotFound):
        await repo.remove(story.id, ALL_GUILDS)


async def test_a_bulk_batch_stores_the_same_as_one_by_one(store: Store) -> None:
    repo = store.stories
    one = await repo.add(draft("Single", "A single story."), [P(0, 1, "A single story.", 3)],
                         guild_id=None)
    ids = await store.bulk.add_batch(
        [(draft("Bulk A", "First bulk text."), [P(0, 1, "First bulk text.", 3)]),
         (draft("Bulk B", "Second bulk text."), [])],
        guild_id=None,
    )
    assert ids == [one.id + 1, one.id + 2]
    bulk = await repo.get(ids[0], ALL_GUILDS)
    single = await repo.get(one.id, ALL_GUILDS)
    assert bulk.tags == single.tags and bulk.authors == single.authors
    assert [p.text for p in await repo.passages(ids[0])] == ["First bulk text."]
    assert [s.id for s in await repo.search(ALL_GUILDS, "second")] == [ids[1]]
    assert {s.id for s in await repo.list(ALL_GUILDS, tag_keys=["soulmates"])} == {one.id, *ids}
