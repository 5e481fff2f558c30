"""The recommendation index saved with the library: loaded at a restart of an unchanged
library, ignored after any change it depends on, whoever made it, and rebuilt (with one log
line, no crash) from a damaged or old-format snapshot. Every test runs on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from bot.bootstrap import Services, build_services
from bot.library.clock import FakeClock
from bot.library.index_snapshot import FORMAT_VERSION
from bot.library.models import Chapter, Rating, StoryDraft, Tag, TagKind
from bot.library.recommend import RecommendQuery, recommend
from bot.library.tag_index import TagIndex
from bot.library.tags import tag_key
from bot.library.visibility import ALL_GUILDS
from bot.services.index_start import build_state, vocabulary_maps
from bot.store.protocol import Store
from tests.conftest import DEMO_STORIES
from tests.store.backends import RawDatabase, open_library

GUILD = 4242


async def start(target: str) -> Services:
    services = await build_services(target, demo_stories=DEMO_STORIES,
                                    clock=FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    await services.recommendations.ready()
    await services.recommendations.index_start.saved()
    return services


async def restart(target: str) -> tuple[bool, Services]:
    """(whether the index came from the snapshot, the services after a restart)."""
    services = await start(target)
    return services.recommendations.index_start.loaded_from_snapshot, services


@pytest.fixture
async def library(target: str) -> AsyncIterator[str]:
    """A library whose index was built and saved once (the demo stories and a few more)."""
    services = await start(target)
    for n in range(6):
        await add_story(services.store, f"Story {n}", [f"Tag {m}" for m in range(n % 3 + 1)],
                        guild_id=GUILD if n % 2 else None)
    await services.close()
    services = await start(target)
    await services.close()
    yield target


async def add_story(store: Store, title: str, freeform: list[str], *,
                    guild_id: int | None = None, series: str | None = None) -> int:
    draft = StoryDraft(title=title, authors=["Ann", f"Writer of {title}"],
                       chapters=[Chapter(1, "", f"{title} begins.")], rating=Rating.TEEN,
                       fandoms=["Star Trek"], freeform=freeform, series=series)
    return (await store.stories.add(draft, [], guild_id=guild_id)).id


def facts(index: TagIndex) -> tuple[object, ...]:
    """What an index answers, independent of the order its codes were given in."""
    stories = sorted((s.story_id, frozenset(s.tags), s.rating, s.authors, s.series,
                      s.popularity, s.guild_id) for s in index.stories())
    common = sorted(index.tag_counts().items(), key=lambda kv: (-kv[1], str(kv[0])))[:6]
    pages = []
    for tag, _ in common:
        found = recommend(index, RecommendQuery(include={tag}, limit=25))
        pages.append([(r.story_id, round(r.score, 9)) for r in found])
    some_story = stories[0][0] if stories else None
    liked = recommend(index, RecommendQuery(like_story_id=some_story, limit=25))
    pages.append([(r.story_id, round(r.score, 9)) for r in liked])
    return stories, sorted(index.tag_counts().items(), key=str), pages


async def fresh_facts(store: Store) -> tuple[object, ...]:
    tags, names = vocabulary_maps(await store.recommend_index.vocabulary())
    state = build_state(await store.recommend_index.columns(), tags, names)
    return facts(state.index), tags, names


async def answers_as_built_now(services: Services) -> bool:
    """The index in use answers as one built from the library now would."""
    service = services.recommendations
    return (facts(service.index), service._tags, service._names) == await fresh_facts(
        services.store)


async def test_an_unchanged_library_loads_the_snapshot_with_the_same_answers(
        library: str) -> None:
    from_snapshot, services = await restart(library)
    try:
        service = services.recommendations
        assert from_snapshot
        assert await answers_as_built_now(services)
        # A title is not indexed: changing it keeps the snapshot.
        story_id = min(service.index.stories_by_id)
        await services.store.stories.update(story_id, title="Another title")
    finally:
        await services.close()
    from_snapshot, services = await restart(library)
    await services.close()
    assert from_snapshot


async def _add(store: Store, ids: list[int]) -> None:
    await add_story(store, "Brand new", ["Fresh tag"], series="A series")


async def _retag(store: Store, ids: list[int]) -> None:
    await store.stories.update(ids[0], add_tags=[Tag(TagKind.FREEFORM, "Retagged")])


async def _untag(store: Store, ids: list[int]) -> None:
    story = await store.stories.get(ids[0], ALL_GUILDS)
    assert story is not None
    await store.stories.update(ids[0], remove_tag_keys=[
        (tag.kind, tag_key(tag.name)) for tag in story.tags if tag.kind is TagKind.FREEFORM])


async def _remove(store: Store, ids: list[int]) -> None:
    await store.stories.remove(ids[-1], ALL_GUILDS)


async def _rating(store: Store, ids: list[int]) -> None:
    await store.stories.update(ids[1], rating=Rating.EXPLICIT)


async def _rename_tag(store: Store, ids: list[int]) -> None:
    tag = await store.tags.find(TagKind.FREEFORM, "Tag 0")
    assert tag is not None
    await store.tags.rename(tag, "Tag zero")


CHANGES: dict[str, Callable[[Store, list[int]], Awaitable[None]]] = {
    "add a story": _add, "add a tag": _retag, "remove tags": _untag,
    "remove a story": _remove, "change a rating": _rating, "rename a tag": _rename_tag,
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_any_counted_change_by_another_process_makes_the_snapshot_stale(
        library: str, change: str) -> None:
    """The change is made through a second, separate store on the same database (as another
    bot process or the command line would): the triggers count it all the same."""
    other = await open_library(library)
    try:
        before = await other.recommend_index.change_counter()
        ids = sorted([row.story_id async for row in other.recommend_index.rows()])
        await CHANGES[change](other, ids)
        assert await other.recommend_index.change_counter() > before
    finally:
        await other.close()
    from_snapshot, services = await restart(library)
    try:
        assert not from_snapshot
        assert await answers_as_built_now(services)
    finally:
        await services.close()
    from_snapshot, services = await restart(library)  # the new build was saved in turn
    await services.close()
    assert from_snapshot


async def test_a_damaged_snapshot_is_ignored_with_a_log_line(
        library: str, caplog: pytest.LogCaptureFixture) -> None:
    store = await open_library(library)
    try:
        saved = await store.recommend_index.snapshot(FORMAT_VERSION)
        assert saved is not None and saved.arrays is not None
        damaged = bytearray(saved.arrays)
        damaged[len(damaged) // 2] ^= 0xFF  # inside an array: zip's CRC-32 catches it
        await RawDatabase(store).execute("UPDATE index_snapshot SET arrays = ?",
                                         bytes(damaged))
    finally:
        await store.close()
    with caplog.at_level(logging.WARNING, logger="storybot.recommendations"):
        from_snapshot, services = await restart(library)
    try:
        assert not from_snapshot
        assert any("unusable" in record.getMessage() for record in caplog.records)
        assert await answers_as_built_now(services)
    finally:
        await services.close()


async def test_a_snapshot_of_another_format_is_ignored_with_a_log_line(
        library: str, caplog: pytest.LogCaptureFixture) -> None:
    store = await open_library(library)
    try:
        await RawDatabase(store).execute("UPDATE index_snapshot SET format_version = ?",
                                         FORMAT_VERSION - 1)
        stale = await store.recommend_index.snapshot(FORMAT_VERSION)
        assert stale is not None and stale.arrays is None  # not even read
    finally:
        await store.close()
    with caplog.at_level(logging.INFO, logger="storybot.recommendations"):
        from_snapshot, services = await restart(library)
    await services.close()
    assert not from_snapshot
    assert any("not used" in record.getMessage() for record in caplog.records)


async def test_changes_during_a_rebuild_reach_the_new_index(library: str) -> None:
    """A rebuild (after a lost change feed) keeps the index in use until the new one is
    made, and the stories changed meanwhile are re-read into the new one."""
    services = await start(library)
    try:
        service = services.recommendations
        old = service.index
        task = asyncio.ensure_future(service.rebuild())
        added = await add_story(services.store, "During the rebuild", ["While building"])
        await service.refresh(added)  # what the catalog's listener does
        assert added in service.index  # the index in use follows the change at once
        await task
        assert service.index is not old and added in service.index
        assert await answers_as_built_now(services)
    finally:
        await services.close()


async def test_changes_made_while_running_are_saved_at_an_orderly_stop(library: str) -> None:
    """The bot's stop brings the snapshot up to date (built from the library, as at a start),
    so the next start loads it; with nothing changed it builds nothing."""
    services = await start(library)
    try:
        assert services.recommendations.index_start.loaded_from_snapshot
        assert not await services.recommendations.index_start.refresh_saved()
        await add_story(services.store, "Written while running", ["Fresh tag"])
        assert await services.recommendations.index_start.refresh_saved()
    finally:
        await services.close()
    from_snapshot, services = await restart(library)
    try:
        service = services.recommendations
        assert from_snapshot
        assert await answers_as_built_now(services)
        assert any(story.tags and ("freeform", "fresh tag") in story.tags
                   for story in service.index.stories())
    finally:
        await services.close()
