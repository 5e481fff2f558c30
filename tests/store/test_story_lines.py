"""A list page's lines (StoryStore.list_lines), on SQLite and PostgreSQL: the same stories,
in the same order and under the same filters as whole stories (StoryStore.list), with what a
line shows of each."""

from __future__ import annotations

import pytest

from bot.library.models import Chapter, ListedStory, Rating, Story, StoryDraft, Tag, TagKind
from bot.library.records import StoryFilter
from bot.library.tags import tag_key
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store


def _draft(title: str, authors: list[str], rating: Rating, words: str, *,
           fandoms: list[str], warnings: list[str], freeform: list[str]) -> StoryDraft:
    return StoryDraft(title=title, authors=authors, chapters=[Chapter(1, "", words)],
                      rating=rating, fandoms=fandoms, warnings=warnings, freeform=freeform)


async def _library(store: Store) -> list[Story]:
    drafts = [
        _draft("Tidewater", ["Wren", "Ash", "Birch"], Rating.TEEN, "one two three",
               fandoms=["Original Work", "Sea Stories"], warnings=["No Archive Warnings Apply"],
               freeform=["Soulmate AU"]),
        _draft("anchorage", ["Zed"], Rating.EXPLICIT, "one two three four five",
               fandoms=[], warnings=["Graphic Depictions Of Violence", "Major Character Death"],
               freeform=["Angst"]),
        _draft("Moor", [], Rating.GENERAL, "one",
               fandoms=["Moors"], warnings=[], freeform=["Fluff", "Angst"]),
    ]
    stories = [await store.stories.add(drafts[0], [], guild_id=7),
               await store.stories.add(drafts[1], [], guild_id=None),
               await store.stories.add(drafts[2], [], guild_id=8)]
    return stories


def _line_of(story: Story) -> ListedStory:
    return ListedStory(id=story.id, guild_id=story.guild_id, title=story.title,
                       authors=story.authors, rating=story.rating, words=story.words,
                       fandoms=story.tag_names(TagKind.FANDOM),
                       warnings=story.tag_names(TagKind.WARNING))


@pytest.mark.parametrize("sort", ["title", "newest", "words"])
async def test_lines_are_the_listed_stories_in_their_order(store: Store, sort: str) -> None:
    await _library(store)
    for view in (ALL_GUILDS, 7, 8):
        whole = await store.stories.list(view, sort=sort)  # type: ignore[arg-type]
        lines = await store.stories.list_lines(view, sort=sort)  # type: ignore[arg-type]
        assert lines == [_line_of(story) for story in whole]
        assert len(lines) == (3 if view == ALL_GUILDS else 2)


async def test_a_line_keeps_authors_fandoms_and_warnings_in_their_order(store: Store) -> None:
    tide, anchorage, moor = await _library(store)
    lines = {line.id: line for line in await store.stories.list_lines(ALL_GUILDS)}
    assert lines[tide.id].authors == ["Wren", "Ash", "Birch"]
    assert lines[tide.id].fandoms == ["Original Work", "Sea Stories"]
    assert lines[anchorage.id].warnings == ["Graphic Depictions Of Violence",
                                            "Major Character Death"]
    assert lines[anchorage.id].fandoms == [] and lines[moor.id].authors == []
    assert (lines[moor.id].rating, lines[moor.id].words) == (Rating.GENERAL, 1)


async def test_lines_follow_a_channels_filter_and_pages(store: Store) -> None:
    tide, anchorage, moor = await _library(store)
    angst = next(t.id for t in await store.tags.all() if t.name == "Angst")
    no_explicit = StoryFilter(ratings=frozenset({Rating.GENERAL, Rating.TEEN}))
    blocked = StoryFilter(ratings=None, without_tag_ids=frozenset({angst}))
    only_angst = StoryFilter(ratings=None, tag_groups=(frozenset({angst}),))
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=no_explicit)] \
        == [moor.id, tide.id]
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=blocked)] \
        == [tide.id]
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=only_angst)] \
        == [anchorage.id, moor.id]
    page = await store.stories.list_lines(ALL_GUILDS, limit=1, offset=1)
    assert [s.id for s in page] == [moor.id]


async def test_a_page_narrowed_to_a_common_or_a_rare_tag_is_the_same_either_way(
        store: Store) -> None:
    """A page of a tag most stories carry is found by walking the order's index, one of a
    tag few carry by gathering its stories (SQLite: story_reads.page_filters): both give
    the stories in view carrying it, in order, under the channel's other filters."""
    stories = []
    for n in range(12):
        freeform = ["Common"] * (n % 4 != 0) + ["Rare"] * (n in (4, 7)) + ["Dark"] * (n % 3 == 0)
        draft = _draft(f"Story {chr(ord('a') + (7 * n) % 12)}", ["Wren"],
                       Rating.EXPLICIT if n % 5 == 0 else Rating.TEEN, "word " * (n + 1),
                       fandoms=[], warnings=[], freeform=freeform)
        stories.append(await store.stories.add(draft, [], guild_id=(None, 7, 8)[n % 3]))
    ids = {t.name: t.id for t in await store.tags.all()}
    by_id = {story.id: story for story in stories}
    for view in (ALL_GUILDS, 7):
        for sort in ("title", "newest", "words"):
            whole = await store.stories.list(view, sort=sort)  # type: ignore[arg-type]
            for tag in ("Common", "Rare"):
                for shown in (
                    StoryFilter(tag_groups=(frozenset({ids[tag]}),)),
                    StoryFilter(ratings=frozenset({Rating.TEEN}),
                                without_tag_ids=frozenset({ids["Dark"]}),
                                tag_groups=(frozenset({ids[tag]}),)),
                ):
                    expected = [s.id for s in whole if _listed(by_id[s.id], shown, tag)]
                    assert expected, (view, sort, tag)
                    for limit, offset in ((2, 0), (2, 1), (100, 0)):
                        page = await store.stories.list_lines(
                            view, sort=sort, limit=limit, offset=offset,  # type: ignore[arg-type]
                            shown=shown)
                        assert [s.id for s in page] == expected[offset:offset + limit]


def _listed(story: Story, shown: StoryFilter, tag: str) -> bool:
    names = story.tag_names(TagKind.FREEFORM)
    return (tag in names and (shown.ratings is None or story.rating in shown.ratings)
            and not (shown.without_tag_ids and "Dark" in names))


async def test_a_line_follows_its_storys_tag_edits_renames_and_removal(store: Store) -> None:
    """SQLite reads a line's fandoms and warnings from story_line_tags, which triggers keep
    in step with the story's tags: edits, a curator's rename and a removal show at once."""
    tide, anchorage, _ = await _library(store)
    await store.stories.update(
        tide.id, add_tags=[Tag(TagKind.WARNING, "Creator Chose Not To Use Archive Warnings"),
                           Tag(TagKind.FANDOM, "Harbour Tales")],
        remove_tag_keys=[(TagKind.FANDOM, tag_key("Original Work")),
                         (TagKind.WARNING, tag_key("No Archive Warnings Apply"))])
    await store.stories.update(anchorage.id, rating=Rating.MATURE)  # rewrites rating tags
    sea = await store.tags.find(TagKind.FANDOM, "Sea Stories")
    assert sea is not None
    await store.tags.rename(sea, "Stories of the Sea")
    lines = {line.id: line for line in await store.stories.list_lines(ALL_GUILDS)}
    for story in (tide, anchorage):
        assert lines[story.id] == _line_of(await store.stories.get(story.id, ALL_GUILDS))
    assert lines[tide.id].fandoms == ["Stories of the Sea", "Harbour Tales"]
    assert lines[tide.id].warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert lines[anchorage.id].warnings == ["Graphic Depictions Of Violence",
                                            "Major Character Death"]
    await store.stories.remove(tide.id, ALL_GUILDS)
    again = await store.stories.add(StoryDraft(
        title="Tidewater", authors=["Wren"], chapters=[Chapter(1, "", "one")],
        rating=Rating.TEEN, fandoms=["Moors"], warnings=[], freeform=[]), [], guild_id=7)
    lines = {line.id: line for line in await store.stories.list_lines(ALL_GUILDS)}
    assert tide.id not in lines
    assert (lines[again.id].fandoms, lines[again.id].warnings) == (["Moors"], [])


async def test_a_tags_page_is_right_when_its_carriers_changed_since_it_was_planned(
        store: Store) -> None:
    """SQLite plans a tag's page from counts up to a minute old (walk the order's index or
    gather the tag's stories): a page asked again after the tag spread, or after it was
    taken off nearly every story, has exactly the stories carrying it now."""
    def draft(n: int, tags: list[str]) -> StoryDraft:
        return _draft(f"Story {n:02}", ["Wren"], Rating.TEEN, f"word {n}", fandoms=[],
                      warnings=[], freeform=tags)

    stories = [await store.stories.add(draft(n, ["Spreading"] * (n == 0)), [], guild_id=None)
               for n in range(30)]
    spreading = next(t.id for t in await store.tags.all() if t.name == "Spreading")
    only = StoryFilter(tag_groups=(frozenset({spreading}),))
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=only)] \
        == [stories[0].id]
    for story in stories[1:]:
        await store.stories.update(story.id, add_tags=[Tag(TagKind.FREEFORM, "Spreading")])
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=only, limit=5)] \
        == [s.id for s in stories[:5]]
    for story in stories[:-1]:
        await store.stories.update(
            story.id, remove_tag_keys=[(TagKind.FREEFORM, tag_key("Spreading"))])
    assert [s.id for s in await store.stories.list_lines(ALL_GUILDS, shown=only, limit=5)] \
        == [stories[-1].id]
