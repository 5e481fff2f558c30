"""A reader's own blocked tags, tag merges and renames, and the recommendation index rows."""

from __future__ import annotations

import pytest

from bot.library.errors import InvalidInput
from bot.library.models import Chapter, Rating, StoryDraft, Tag, TagKind
from bot.library.records import VocabularyEntry
from bot.store.protocol import Store
from tests.store.backends import RawDatabase

READER, OTHER = 111, 222


async def add_story(store: Store, title: str, *freeform: str,
                    authors: tuple[str, ...] = ("A",), series: str | None = None) -> int:
    story = await store.stories.add(
        StoryDraft(title=title, authors=list(authors), chapters=[Chapter(1, "", f"{title}.")],
                   rating=Rating.TEEN, fandoms=["Star Trek"], freeform=list(freeform),
                   series=series),
        [], guild_id=None,
    )
    return story.id


async def search_text(raw: RawDatabase, story_id: int) -> str:
    """The tags part of the story's search row. PostgreSQL keeps normalised words with a
    weight (tags are B: bot/store/postgres/search.py), so there the words are read back in
    the order they first appear."""
    if raw.backend == "sqlite":
        row = await raw.value("SELECT tags FROM story_search WHERE rowid = ?", story_id)
        assert row is not None
        return str(row)
    words = await raw.fetch(
        "SELECT word FROM story_search, unnest(document) AS u (word, positions, weights) "
        "WHERE story_id = ? AND 'B' = ANY(weights) ORDER BY positions[1]", story_id)
    assert words
    return " ".join(str(word).capitalize() for (word,) in words)


async def test_blocks_are_per_reader(store: Store) -> None:
    tags, blocks = store.tags, store.reader_blocks
    angst = await tags.ensure(Tag(TagKind.FREEFORM, "Angst"))
    fluff = await tags.ensure(Tag(TagKind.FREEFORM, "Fluff"))
    assert await blocks.block(READER, angst)
    assert not await blocks.block(READER, angst)  # already blocked
    assert await blocks.block(READER, fluff)
    assert [row.name for row in await blocks.list(READER)] == ["Angst", "Fluff"]
    assert await blocks.list(OTHER) == []
    assert await blocks.unblock(READER, angst)
    assert not await blocks.unblock(READER, angst)
    assert [row.name for row in await blocks.list(READER)] == ["Fluff"]
    assert await blocks.forget(READER) == 1
    assert await blocks.list(READER) == []


async def test_personal_data_column_is_user_id(raw: RawDatabase) -> None:
    columns = {column for table, column in await raw.columns() if table == "reader_blocks"}
    assert columns == {"user_id", "tag_id"}


async def test_a_block_follows_its_tag_through_a_merge(store: Store) -> None:
    tags, blocks = store.tags, store.reader_blocks
    await add_story(store, "One", "Whump", "Hurt/Comfort")
    whump = await tags.find(TagKind.FREEFORM, "Whump")
    comfort = await tags.find(TagKind.FREEFORM, "Hurt/Comfort")
    assert whump is not None and comfort is not None
    await blocks.block(READER, whump.id)
    await tags.merge(whump, comfort)
    assert [row.name for row in await blocks.list(READER)] == ["Hurt/Comfort"]
    # Unblocking the canonical tag also lifts the block made on the merged one.
    assert await blocks.unblock(READER, comfort.id)
    assert await blocks.list(READER) == []


async def test_merge_keeps_every_tag_row_and_folds_synonyms(store: Store) -> None:
    tags = store.tags
    first = await add_story(store, "First", "Pining")  # shipped synonym of Mutual Pining
    second = await add_story(store, "Second", "Yearning")
    pining = await tags.canonical_of((await tags.find(TagKind.FREEFORM, "Pining")).id)  # type: ignore[union-attr]
    yearning = await tags.find(TagKind.FREEFORM, "Yearning")
    assert pining.name == "Mutual Pining" and yearning is not None
    affected = await tags.merge(pining, yearning)
    assert affected == [first]
    # The old canonical and its synonym now both point at Yearning; nothing was deleted.
    for name in ("Mutual Pining", "Pining"):
        row = await tags.find(TagKind.FREEFORM, name)
        assert row is not None and row.canonical_id == yearning.id
    vocabulary = await store.recommend_index.vocabulary()
    yearning_entry = VocabularyEntry(TagKind.FREEFORM, "yearning", "Yearning")
    async for story in store.recommend_index.rows():
        assert story.story_id in (first, second)
        assert yearning_entry in {vocabulary[tag_id] for tag_id in story.tag_ids}
    assert "Pining" in (await store.stories.get(first, "all")).tag_names(TagKind.FREEFORM)


async def test_merge_refusals(store: Store) -> None:
    tags = store.tags
    await add_story(store, "Story", "Angst")
    angst = await tags.find(TagKind.FREEFORM, "Angst")
    trek = await tags.find(TagKind.FANDOM, "Star Trek")
    assert angst is not None and trek is not None
    with pytest.raises(InvalidInput, match="same kind"):
        await tags.merge(angst, trek)
    with pytest.raises(InvalidInput, match="already the same tag"):
        await tags.merge(angst, angst)


async def test_rename_changes_name_and_key_and_refreshes_search(
    store: Store, raw: RawDatabase,
) -> None:
    tags = store.tags
    story = await add_story(store, "Story", "Sad Ending", "Angst")
    sad = await tags.find(TagKind.FREEFORM, "Sad Ending")
    assert sad is not None
    assert await tags.rename(sad, "Bittersweet  Ending") == [story]
    renamed = await tags.find(TagKind.FREEFORM, "bittersweet ending")
    assert renamed is not None and renamed.id == sad.id and renamed.name == "Bittersweet Ending"
    assert "Bittersweet Ending" in await search_text(raw, story)
    with pytest.raises(InvalidInput, match="use /tags merge"):
        await tags.rename(renamed, "angst")
    with pytest.raises(InvalidInput, match="1 to 100"):
        await tags.rename(renamed, "x" * 101)


async def test_index_rows_carry_canonical_tags_authors_and_series(
    store: Store,
) -> None:
    sid = await add_story(store, "Story", "Soulmate AU", "soulmates", authors=("B", "A"),
                          series="Saga")
    row = await store.recommend_index.row(sid)
    assert row is not None
    assert row.authors == ("B", "A") and row.series == "Saga"
    assert row.rating == Rating.TEEN.value
    vocabulary = await store.recommend_index.vocabulary(row.tag_ids)
    canonical = {vocabulary[tag_id] for tag_id in row.tag_ids}
    # Two spellings, two tag rows, one canonical tag.
    assert len(row.tag_ids) == 4  # rating, fandom and the two spellings
    assert {entry for entry in canonical if entry.kind is TagKind.FREEFORM} == {
        VocabularyEntry(TagKind.FREEFORM, "soulmates", "Soulmates")}
    assert await store.recommend_index.row(sid + 1) is None


async def test_new_spellings_fold_after_wrangling(store: Store) -> None:
    tags = store.tags
    await add_story(store, "One", "Pining", "Soulmates")
    await add_story(store, "Two", "Yearning")
    pining = await tags.canonical_of((await tags.find(TagKind.FREEFORM, "Pining")).id)  # type: ignore[union-attr]
    yearning = await tags.find(TagKind.FREEFORM, "Yearning")
    assert yearning is not None
    await tags.merge(pining, yearning)
    # "Mutual Pinning" is a shipped synonym of Mutual Pining, now merged into Yearning.
    later = await tags.ensure(Tag(TagKind.FREEFORM, "Mutual Pinning"))
    assert (await tags.canonical_of(later)).id == yearning.id

    soulmates = await tags.find(TagKind.FREEFORM, "Soulmates")
    assert soulmates is not None
    await tags.rename(soulmates, "Soulbonds")
    for spelling in ("Soulmates", "Soul Mates"):  # the old name, and a shipped synonym of it
        assert (await tags.canonical_of(await tags.ensure(Tag(TagKind.FREEFORM, spelling)))
                ).id == soulmates.id
