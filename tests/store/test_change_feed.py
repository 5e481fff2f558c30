"""Two bot processes on one PostgreSQL library (two `build_services` on one schema, as two
shard processes would have): what one changes, the other's caches and indexes follow.

The waits below poll with a generous deadline; how fast a change arrives is measured by
benchmarks/bench_change_feed.py, not asserted here.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.bootstrap import Services, build_services
from bot.library.changes import Change, ChangeKind
from bot.library.models import Story
from bot.library.visibility import ALL_GUILDS
from bot.store.postgres.change_feed import IDS_PER_NOTICE, decode, encode
from tests.conftest import DEMO_STORIES
from tests.store.backends import fresh_schema

GUILD = 4100
READER = 77
DEADLINE = 5.0


async def eventually(check: Callable[[], object], deadline: float = DEADLINE) -> None:
    """Wait until `check` (sync or async) holds; it fails the test with its last answer if
    it never does within the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while True:
        answer = check()
        if asyncio.iscoroutine(answer):
            answer = await answer
        if answer or loop.time() > end:
            break
        await asyncio.sleep(0.02)
    assert answer, "the other process never saw the change"


@pytest.fixture
async def library(pg_server: str) -> AsyncIterator[str]:
    async for dsn in fresh_schema(pg_server):
        yield dsn


@pytest.fixture
async def processes(library: str) -> AsyncIterator[tuple[Services, Services]]:
    first = await build_services(library)
    second = await build_services(library)
    try:
        await first.recommendations.ready()
        await second.recommendations.ready()
        yield first, second
    finally:
        await first.close()
        await second.close()


async def add(services: Services, name: str) -> Story:
    return await services.catalog.import_path(DEMO_STORIES / name, guild_id=GUILD)


async def test_a_story_added_in_one_process_reaches_every_cache_of_the_other(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    # B has read everything it caches before A writes.
    assert await b.catalog.titles(GUILD) == {}
    assert await b.catalog.story_choices("Dead", GUILD) == []
    assert await b.catalog.tag_choices("Soulmate") == []
    await b.gates.for_channel(GUILD, age_restricted=True)

    first = await add(a, "dead-reckoning.md")
    second = await add(a, "shore-leave.md")

    async def b_knows_both() -> bool:
        return {first.id, second.id} <= set(await b.catalog.titles(GUILD))

    await eventually(b_knows_both)
    assert (first.id, "Dead Reckoning") in await b.catalog.story_choices("Dead", GUILD)
    assert "Soulmate AU" in await b.catalog.tag_choices("Soulmate")
    assert [s.id for s in await b.catalog.search("jollof", GUILD)] == [second.id]
    page = await b.recommendations.recommend_for(GUILD, READER, True, like="Dead Reckoning")
    assert [found.story.id for found in page.results] == [second.id]
    assert b.store.changes.received >= 2  # type: ignore[attr-defined]
    assert a.store.changes.received == 0  # type: ignore[attr-defined]  # its own: ignored


async def test_a_removal_and_an_edit_reach_the_other_process(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    kept, removed = await add(a, "dead-reckoning.md"), await add(a, "shore-leave.md")

    async def b_sees(story_id: int) -> bool:
        return story_id in await b.catalog.titles(GUILD)

    await eventually(lambda: b_sees(removed.id))
    assert len(await b.catalog.lines_of([kept.id, removed.id], GUILD)) == 2  # B keeps them
    await a.catalog.remove(removed.id, GUILD)
    await a.catalog.edit(kept.id, GUILD, title="Dead Reckoning, Revised")

    async def b_follows() -> bool:
        titles = await b.catalog.titles(GUILD)
        return removed.id not in titles and titles.get(kept.id) == "Dead Reckoning, Revised"

    await eventually(b_follows)
    assert [(line.id, line.title) for line in await b.catalog.lines_of(
        [kept.id, removed.id], GUILD)] == [(kept.id, "Dead Reckoning, Revised")]
    assert await b.catalog.story_choices("Shore", GUILD) == []
    page = await b.recommendations.recommend_for(GUILD, READER, True, tags=["Soulmate AU"])
    assert [found.story.id for found in page.results] == [kept.id]


async def test_a_servers_settings_blocks_and_tag_names_reach_the_other_process(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    story = await add(a, "dead-reckoning.md")
    assert (await b.guild_settings.get(GUILD)).curator_role_id is None
    assert (await b.gates.blocked(GUILD)) == (frozenset(), frozenset())
    await eventually(lambda: b.recommendations.index.get(story.id) is not None)

    settings = await a.guild_settings.get(GUILD)
    await a.guild_settings.save(dataclasses.replace(settings, curator_role_id=555))
    await eventually(
        lambda: _curator_role(b, GUILD))
    rows = await a.gates.tags_named(GUILD, "Slow Burn")
    await a.gates.block(GUILD, rows)

    async def b_blocks_the_story() -> bool:
        return story.id in (await b.gates.blocked(GUILD))[1]

    await eventually(b_blocks_the_story)

    await a.recommendations.wrangling.rename_here(GUILD, "Engineering", "Warp Mechanics")

    async def b_uses_the_local_name() -> bool:
        return "Warp Mechanics" in {use.name for use in await b.recommendations.tag_list(GUILD)}

    await eventually(b_uses_the_local_name)


async def test_a_readers_blocks_and_their_deletion_reach_the_other_process(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    story = await add(a, "dead-reckoning.md")
    await eventually(lambda: b.recommendations.index.get(story.id) is not None)
    assert await b.gates.reader_blocked(GUILD, READER) == (frozenset(), frozenset())  # kept

    assert await a.recommendations.block(READER, "Slow Burn")

    async def b_blocks_the_story() -> bool:
        return story.id in (await b.gates.reader_blocked(GUILD, READER))[1]

    await eventually(b_blocks_the_story)
    await a.feedback.forget(READER)

    async def b_blocks_nothing() -> bool:
        return await b.gates.reader_blocked(GUILD, READER) == (frozenset(), frozenset())

    await eventually(b_blocks_nothing)


async def _curator_role(services: Services, guild_id: int) -> bool:
    return (await services.guild_settings.get(guild_id)).curator_role_id == 555


async def test_the_operators_shared_rename_reaches_the_other_process(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    story = await add(a, "dead-reckoning.md")
    await eventually(lambda: b.recommendations.index.get(story.id) is not None)
    assert "Trapped Together" in await b.catalog.tag_choices("Trapped")
    assert [line.fandoms for line in await b.catalog.lines_of([story.id], GUILD)] == [
        ["Star Trek"]]

    await a.recommendations.rename_tag("Trapped Together", "Stuck Together")
    await a.recommendations.rename_tag("Star Trek", "Star Trek (All Series)")

    async def b_has_the_new_name() -> bool:
        return "Stuck Together" in await b.catalog.tag_choices("Stuck")

    await eventually(b_has_the_new_name)
    names = {use.name for use in await b.recommendations.tag_list(None)}
    assert "Stuck Together" in names and "Trapped Together" not in names

    async def b_shows_the_new_fandom() -> bool:
        [line] = await b.catalog.lines_of([story.id], GUILD)
        return line.fandoms == ["Star Trek (All Series)"]

    await eventually(b_shows_the_new_fandom)


async def test_a_purged_server_is_gone_from_the_other_process_too(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    story = await add(a, "dead-reckoning.md")
    settings = await a.guild_settings.get(GUILD)
    await a.guild_settings.save(dataclasses.replace(settings, curator_role_id=555))
    await eventually(lambda: _curator_role(b, GUILD))
    assert story.id in await b.catalog.titles(GUILD)

    await a.servers.purge(GUILD)

    async def b_forgot_the_server() -> bool:
        return (await b.catalog.titles(GUILD) == {}
                and (await b.guild_settings.get(GUILD)).curator_role_id is None)

    await eventually(b_forgot_the_server)
    assert b.recommendations.index.get(story.id) is None


async def test_a_lost_listen_connection_comes_back_and_drops_every_cache_once(
        processes: tuple[Services, Services]) -> None:
    a, b = processes
    feed = b.store.changes
    assert (await b.guild_settings.get(GUILD)).curator_role_id is None
    # A write no process announces (as if its notice was sent while B was not listening).
    settings = await a.store.guild_settings.get(GUILD)
    await a.store.guild_settings.save(dataclasses.replace(settings, curator_role_id=555))
    assert (await b.guild_settings.get(GUILD)).curator_role_id is None  # B's cache

    lost = feed.listening_pid  # type: ignore[attr-defined]
    assert lost is not None
    await a.store.pool.execute(  # type: ignore[attr-defined]
        "SELECT pg_terminate_backend($1)", lost)

    await eventually(lambda: _curator_role(b, GUILD))
    assert feed.reconnects == 1  # type: ignore[attr-defined]
    assert feed.listening_pid not in (None, lost)  # type: ignore[attr-defined]
    story = await add(a, "shore-leave.md")  # and changes flow again

    async def b_sees_it() -> bool:
        return story.id in await b.catalog.titles(GUILD)

    await eventually(b_sees_it)


async def test_libraries_in_other_schemas_of_the_database_hear_nothing(
        processes: tuple[Services, Services], pg_server: str) -> None:
    a, _ = processes
    async for dsn in fresh_schema(pg_server):
        elsewhere = await build_services(dsn)
        try:
            story = await add(a, "dead-reckoning.md")
            await a.catalog.remove(story.id, GUILD)
            await elsewhere.store.changes.publish(Change.guild(GUILD))
            assert elsewhere.store.changes.received == 0  # type: ignore[attr-defined]
            assert await elsewhere.catalog.titles(ALL_GUILDS) == {}
        finally:
            await elsewhere.close()


async def test_a_sqlite_library_still_works_alone(tmp_path: Path) -> None:
    services = await build_services(tmp_path / "library.db")
    try:
        await services.recommendations.ready()
        first = await add(services, "dead-reckoning.md")
        second = await add(services, "shore-leave.md")
        assert set(await services.catalog.titles(GUILD)) == {first.id, second.id}
        page = await services.recommendations.recommend_for(GUILD, READER, True,
                                                            like=first.title)
        assert [found.story.id for found in page.results] == [second.id]
        settings = await services.guild_settings.get(GUILD)
        await services.guild_settings.save(dataclasses.replace(settings, curator_role_id=9))
        assert (await services.guild_settings.get(GUILD)).curator_role_id == 9
        assert services.changes.applied == 0
    finally:
        await services.close()


def test_a_big_change_goes_out_in_parts_that_each_fit_a_notice() -> None:
    touched = tuple(range(10**18, 10**18 + 2 * IDS_PER_NOTICE + 1))
    parts = Change.tags(touched).split(IDS_PER_NOTICE)
    assert [part.kind for part in parts] == [ChangeKind.TAGS, ChangeKind.STORY, ChangeKind.STORY]
    assert tuple(i for part in parts for i in part.ids) == touched
    payloads = [encode(part, "a" * 32, "test_0123456789ab") for part in parts]
    assert max(len(p.encode()) for p in payloads) < 8000
    assert [decode(p) for p in payloads] == [("a" * 32, "test_0123456789ab", p) for p in parts]
    assert decode("not json") is None
    assert decode('{"from": "x", "library": "y", "kind": "nonsense", "ids": []}') is None
