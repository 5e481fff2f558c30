"""Tags in the store: shipped synonyms fold into canonical tags, counts include synonyms."""

from __future__ import annotations

from bot.library.models import Chapter, Rating, StoryDraft, Tag, TagKind
from bot.store.protocol import Store


async def test_a_shipped_synonym_points_at_its_canonical_tag(store: Store) -> None:
    tags = store.tags
    synonym_id = await tags.ensure(Tag(TagKind.FREEFORM, "soulmate-au"))
    canonical = await tags.canonical_of(synonym_id)
    assert canonical.name == "Soulmates" and canonical.canonical_id is None
    # Another spelling with the same key is the same row.
    assert await tags.ensure(Tag(TagKind.FREEFORM, "Soulmate_AU")) == synonym_id
    # The same name in another kind is another tag.
    assert await tags.ensure(Tag(TagKind.CHARACTER, "soulmate-au")) != synonym_id


async def test_counts_group_synonyms_under_the_canonical(store: Store) -> None:
    repo = store.stories
    for n, spelling in enumerate(["Soulmate AU", "soulmates", "Soulmate Bond"]):
        await repo.add(
            StoryDraft(title=f"S{n}", authors=["A"], chapters=[Chapter(1, "", f"Text {n}.")],
                       rating=Rating.GENERAL, freeform=[spelling]),
            [], guild_id=None,
        )
    counts = {c.tag.name: c for c in await store.tags.counts(TagKind.FREEFORM)}
    assert counts["Soulmates"].stories == 3
    assert set(counts["Soulmates"].synonyms) == {"Soulmate AU", "Soulmate Bond"}


async def test_a_server_blocks_and_unblocks_a_tag(store: Store) -> None:
    tag_id = await store.tags.ensure(Tag(TagKind.FREEFORM, "Angst"))
    blocks = store.blocked_tags
    assert await blocks.block(9, tag_id) is True
    assert await blocks.block(9, tag_id) is False
    assert [t.name for t in await blocks.list(9)] == ["Angst"]
    assert await blocks.list(10) == []
    assert await blocks.unblock(9, tag_id) is True
    assert await blocks.list(9) == []


async def test_search_finds_a_story_by_its_tag_s_canonical_name(
    store: Store,
) -> None:
    from bot.library.visibility import ALL_GUILDS

    repo = store.stories
    story = await repo.add(
        StoryDraft(title="Lantern", authors=["A"], chapters=[Chapter(1, "", "Text here.")],
                   rating=Rating.GENERAL, fandoms=["ACD Holmes"]), [], guild_id=None)
    found = await repo.search(ALL_GUILDS, "Arthur Conan Doyle")
    assert [s.id for s in found] == [story.id]
