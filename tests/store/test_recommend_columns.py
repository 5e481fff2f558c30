"""The recommendation index's columnar read holds what its row-by-row read holds."""

from __future__ import annotations

from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store

GUILD = 77


async def add(store: Store, title: str, *, authors: list[str], series: str | None,
              guild_id: int | None, freeform: list[str]) -> int:
    draft = StoryDraft(title=title, authors=authors, chapters=[Chapter(1, "", f"{title}.")],
                       rating=Rating.MATURE if series else Rating.GENERAL,
                       fandoms=["Star Trek"], freeform=freeform, series=series)
    return (await store.stories.add(draft, [], guild_id=guild_id)).id


async def test_columns_match_the_rows(store: Store) -> None:
    await add(store, "One", authors=["Ann", "Bo, the Second"], series="Saga; part\x1fone",
              guild_id=None, freeform=["Fluff", "Angst"])
    await add(store, "Two", authors=["Bo, the Second"], series=None, guild_id=GUILD,
              freeform=[])
    gone = await add(store, "Three", authors=["Cy"], series="", guild_id=GUILD,
                     freeform=["Fluff"])
    await store.stories.remove(gone, ALL_GUILDS)
    rows = [row async for row in store.recommend_index.rows()]
    columns = await store.recommend_index.columns()
    assert columns.story_ids.tolist() == [row.story_id for row in rows]
    assert columns.guild_ids == [row.guild_id for row in rows]
    assert columns.ratings == [row.rating for row in rows]
    assert columns.series == [row.series for row in rows]
    links = sorted(zip(columns.tag_story.tolist(), columns.tag_ids.tolist(), strict=True))
    assert links == sorted((row.story_id, tag) for row in rows for tag in row.tag_ids)
    bylines: dict[int, list[tuple[int, str]]] = {}
    for story, author, position in sorted(zip(columns.author_story.tolist(),
                                              columns.author_ids.tolist(),
                                              columns.author_position.tolist(), strict=True)):
        bylines.setdefault(story, []).append((position, columns.author_names[author]))
    assert {story: tuple(name for _, name in sorted(names))
            for story, names in bylines.items()} == {row.story_id: row.authors for row in rows}


async def test_an_empty_library_has_empty_columns(store: Store) -> None:
    columns = await store.recommend_index.columns()
    assert columns.size == 0 and len(columns.tag_ids) == 0 and columns.series == []
