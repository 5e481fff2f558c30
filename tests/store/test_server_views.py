"""Two servers on one database, through the real services: each curator's wrangling changes
only that server's view, survives a restart, and the one recommendation index serves both.
Every test runs on SQLite and on PostgreSQL (the `target` fixture of tests/store/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import Services, build_services
from bot.library.clock import FakeClock
from bot.library.errors import InvalidInput
from bot.library.models import TagKind
from bot.library.visibility import ALL_GUILDS
from tests.conftest import DEMO_STORIES, FIXTURES

A, B = 1001, 2002
READER = 77


@pytest.fixture
async def services(target: str) -> AsyncIterator[Services]:
    built = await build_services(target, demo_stories=DEMO_STORIES,
                                 clock=FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    await built.recommendations.ready()
    yield built
    await built.close()


async def tag_names(services: Services, guild_id: int) -> dict[str, int]:
    return {use.name: use.stories
            for use in await services.recommendations.tag_list(guild_id, TagKind.FREEFORM)}


async def recommended(services: Services, guild_id: int, **query: object) -> list[str]:
    page = await services.recommendations.recommend_for(guild_id, READER, True, **query)  # type: ignore[arg-type]
    return [found.story.title for found in page.results]


async def test_a_rename_and_a_merge_change_one_server_only(services: Services) -> None:
    wrangling = services.recommendations.wrangling
    before_b = await tag_names(services, B)
    like_b = await recommended(services, B, like="Shore Leave")
    shared_before = {row.id: row.name for row in await services.store.tags.all()}

    renamed = await wrangling.rename_here(A, "Fluff", "Floof")
    assert (renamed.source, renamed.target) == ("Fluff", "Floof")
    merged = await wrangling.merge_here(A, "Slow Burn", "Enemies to Lovers")
    assert merged.target == "Enemies to Lovers" and merged.stories >= 1

    names_a = await tag_names(services, A)
    assert "Floof" in names_a and "Fluff" not in names_a and "Slow Burn" not in names_a
    assert names_a["Enemies to Lovers"] >= before_b["Enemies to Lovers"]
    # B: the same list, the same recommendations; the shared vocabulary untouched.
    assert await tag_names(services, B) == before_b
    assert await recommended(services, B, like="Shore Leave") == like_b
    assert {row.id: row.name for row in await services.store.tags.all()} == shared_before

    # A searches, filters and is recommended by its own names; B does not know them.
    assert await recommended(services, A, tags=["Floof"]) == await recommended(
        services, B, tags=["Fluff"])
    assert set(await recommended(services, A, tags=["Slow Burn"])) == set(
        await recommended(services, A, tags=["Enemies to Lovers"]))
    with pytest.raises(InvalidInput, match="unknown tag 'Floof'"):
        await recommended(services, B, tags=["Floof"])
    # ... and searches by them
    gate_a = await services.gates.for_channel(A, True)
    floof = {story.title for story in await services.catalog.search_shown("Floof", gate_a)}
    assert "Shore Leave" in floof
    assert not await services.catalog.search_shown(
        "Floof", await services.gates.for_channel(B, True))
    page = await services.recommendations.recommend_for(A, READER, True, tags=["Floof"])
    assert all("Floof" in found.reasons for found in page.results)
    # A result's line names its fandoms as A does, and only in A.
    found = next(found for found in page.results if found.story.fandoms)
    fandom = found.story.fandoms[0]
    await wrangling.rename_here(A, fandom, "Our Fandom")
    lines = {result.story.id: result.story.fandoms for result in (
        await services.recommendations.recommend_for(A, READER, True, tags=["Floof"])).results}
    assert lines[found.story.id][0] == "Our Fandom"
    page_b = await services.recommendations.recommend_for(B, READER, True, tags=["Fluff"])
    assert all("Our Fandom" not in result.story.fandoms for result in page_b.results)
    assert fandom in [name for result in page_b.results for name in result.story.fandoms]
    # So does its line in A's list and search, and not in B's.
    gate_b = await services.gates.for_channel(B, True)
    for gate, name in ((await services.gates.for_channel(A, True), "Our Fandom"),
                       (gate_b, fandom)):
        listed = {line.id: line.fandoms for line in await services.catalog.list_shown(gate)}
        assert name in listed[found.story.id]
        searched = await services.catalog.search_shown(found.story.title, gate)
        assert name in next(story for story in searched if story.id == found.story.id).fandoms


async def test_bad_wrangling_is_refused_in_one_line(services: Services) -> None:
    wrangling = services.recommendations.wrangling
    with pytest.raises(InvalidInput, match="already the same tag"):
        await wrangling.merge_here(A, "Fluff", "fluff")
    with pytest.raises(InvalidInput, match="only tags of the same kind"):
        await wrangling.merge_here(A, "Fluff", "Star Trek")
    rows = await services.gates.tags_named(A, "Angst")
    await services.gates.block(A, rows)
    with pytest.raises(InvalidInput, match="is blocked here"):
        await wrangling.merge_here(A, "Fluff", "Angst")
    with pytest.raises(InvalidInput, match="1 to 100 characters"):
        await wrangling.rename_here(A, "Fluff", "x" * 101)
    # A rename to a name the server already uses is refused, pointing at a merge.
    with pytest.raises(InvalidInput, match="already a freeform tag “Fluff” here: use /tags "
                                           "merge to fold “Soulmates” into it"):
        await wrangling.rename_here(A, "Soulmates", "Fluff")
    # ... also a name only this server uses
    await wrangling.rename_here(A, "Angst", "Pain")
    with pytest.raises(InvalidInput, match="already a freeform tag “Pain” here"):
        await wrangling.rename_here(A, "Fluff", "pain")
    # ... but B may use it
    assert (await wrangling.rename_here(B, "Fluff", "Pain")).target == "Pain"


async def test_the_overlay_survives_a_restart(target: str) -> None:
    db = target
    first = await build_services(db, demo_stories=DEMO_STORIES)
    try:
        await (await first.recommendations.ready()).wrangling.rename_here(A, "Fluff", "Floof")
        await first.recommendations.wrangling.merge_here(A, "Slow Burn", "Enemies to Lovers")
    finally:
        await first.close()
    second = await build_services(db)
    try:
        await second.recommendations.ready()
        names_a, names_b = await tag_names(second, A), await tag_names(second, B)
        assert "Floof" in names_a and "Slow Burn" not in names_a
        assert "Fluff" in names_b and "Slow Burn" in names_b
    finally:
        await second.close()


async def test_the_demo_library_can_be_hidden_and_shown_again(services: Services) -> None:
    story = await services.catalog.import_path(FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                                               guild_id=A, metadata={"title": "Ours Alone"})
    settings = await services.guild_settings.get(A)
    settings.demo_library = False
    await services.guild_settings.save(settings)
    gate = await services.gates.for_channel(A, True)
    assert [s.title for s in await services.catalog.list_shown(gate)] == ["Ours Alone"]
    assert await services.catalog.story_choices("", gate) == [(story.id, "Ours Alone")]
    with pytest.raises(InvalidInput, match="no story called “Shore Leave”"):
        await services.catalog.resolve("Shore Leave", gate)
    assert services.recommendations.visible(gate.visibility) == {story.id}
    settings.demo_library = True
    await services.guild_settings.save(settings)
    gate = await services.gates.for_channel(A, True)
    assert len(await services.catalog.list_shown(gate)) == 13
    # B never saw A's story either way.
    assert "Ours Alone" not in (await services.catalog.titles(
        await services.gates.for_channel(B, True))).values()


async def test_an_unknown_title_is_never_another_story(services: Services) -> None:
    gate = await services.gates.for_channel(A, True)
    with pytest.raises(InvalidInput) as raised:
        await services.catalog.resolve("True Nort", gate)
    message = str(raised.value)
    assert message.startswith("no story called “True Nort”; did you mean “True North”")
    assert message.count("“") <= 4  # the name and at most three suggestions
    assert (await services.catalog.resolve("  true   north ", gate)).title == "True North"
    # a hidden story is not suggested
    await services.gates.block(A, await services.gates.tags_named(A, "Lighthouses"))
    gate = await services.gates.for_channel(A, True)
    with pytest.raises(InvalidInput) as hidden:
        await services.catalog.resolve("True Nort", gate)
    assert "True North" not in str(hidden.value)


async def test_a_removed_server_is_purged_after_thirty_days(services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    ours = await services.catalog.import_path(FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                                              guild_id=A, metadata={"title": "Ours Alone"})
    theirs = await services.catalog.import_path(FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                                                guild_id=B, metadata={"title": "Theirs"})
    await services.recommendations.wrangling.rename_here(A, "Fluff", "Floof")
    await services.recommendations.wrangling.rename_here(B, "Fluff", "Fluffiness")
    settings = await services.guild_settings.get(A)
    settings.spoiler_fraction = 0.3
    await services.guild_settings.save(settings)
    await services.gates.block(A, await services.gates.tags_named(A, "Angst"))

    await services.servers.removed(A)
    assert await services.servers.purge_due() == []
    clock.advance(timedelta(days=29))
    assert await services.servers.purge_due() == []
    clock.advance(timedelta(days=1, seconds=1))
    assert await services.servers.purge_due() == [A]

    with pytest.raises(Exception, match="no story"):
        await services.catalog.get(ours.id, ALL_GUILDS)
    assert (await services.catalog.get(theirs.id, ALL_GUILDS)).title == "Theirs"
    assert (await services.guild_settings.get(A)).spoiler_fraction == 0.6
    assert await services.store.blocked_tags.list(A) == []
    assert "Fluff" in await tag_names(services, A)
    assert "Fluffiness" in await tag_names(services, B)
    assert len(await services.catalog.titles(A)) == 12  # the demo library stays
    assert ours.id not in services.recommendations.index


async def test_a_server_that_comes_back_keeps_its_data(services: Services) -> None:
    await services.recommendations.wrangling.rename_here(A, "Fluff", "Floof")
    await services.servers.removed(A)
    assert await services.servers.returned(A)
    assert isinstance(services.clock, FakeClock)
    services.clock.advance(timedelta(days=31))
    assert await services.servers.purge_due() == []
    assert "Floof" in await tag_names(services, A)


async def test_autocomplete_follows_every_title_change_while_a_channel_types(
        services: Services) -> None:
    """A small library's autocomplete keeps the titles a channel may name between
    keystrokes: an add, an edit and a removal must each show at the next one."""
    gate = await services.gates.for_channel(A, True)

    async def named(typed: str) -> list[str]:
        return [title for _, title in await services.catalog.story_choices(typed, gate)]

    assert "Shore Leave" in await named("Shore")
    added = await services.catalog.import_path(FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                                               guild_id=A, metadata={"title": "Harbour Lights"})
    gate = await services.gates.for_channel(A, True)  # the same gate: no setting changed
    assert "Harbour Lights" in await named("Harbour")
    await services.catalog.edit(added.id, A, title="Harbour Fog")
    assert "Harbour Fog" in await named("Harbour") and "Harbour Lights" not in await named(
        "Harbour")
    await services.catalog.remove(added.id, A)
    assert "Harbour Fog" not in await named("Harbour")


async def test_a_search_names_each_line_s_tags_once(services: Services) -> None:
    """A search that names a server's own tag adds that tag's stories, whose lines are
    renamed once. Here "Star Trek" is called "Greek and Roman Mythology" in A, and that
    shared fandom is called "Myths": /tags rename refuses such a pair, but the operator's
    shared rename can make one after the local renames (written to the store directly)."""
    ids = {row.name: row.id for row in await services.store.tags.all()
           if row.kind is TagKind.FANDOM}
    await services.store.tag_overlays.rename(A, ids["Greek and Roman Mythology"], "Myths")
    await services.store.tag_overlays.rename(A, ids["Star Trek"], "Greek and Roman Mythology")
    gate = await services.gates.for_channel(A, True)
    searched = {story.title: story.fandoms for story in
                await services.catalog.search_shown("Greek and Roman Mythology", gate)}
    assert searched["Shore Leave"] == ["Greek and Roman Mythology"]
    listed = {line.title: line.fandoms for line in await services.catalog.list_shown(gate)}
    assert listed["Shore Leave"] == ["Greek and Roman Mythology"]
