"""Recommendation quality on a real, labelled library, through the store and the service.

The library: the twelve demo stories, the five AO3 downloads, the three FanFicFare stories
(EPUB) and the pasted seed story, imported through Catalog into a real SQLite file.
The expected top results were written down from the stories' tags before looking at any
ranking; each comment says why.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Services, build_services, open_services
from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.models import Tag, TagKind
from bot.library.visibility import ALL_GUILDS
from bot.services.recommendations import NO_TASTE_YET, RecommendationService
from tests.conftest import DEMO_STORIES, FIXTURES

GUILD, READER = 4242, 7
SEED_TITLE = "Soulmates Reborn"
SOULMATE_STORIES = {"Dead Reckoning", "Shore Leave", "The Ghost in Flat 4B", "True North",
                    "What the Lyre Remembers", SEED_TITLE}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quality") / "library.db"

    async def build() -> None:
        async with open_services(path) as services:
            catalog = services.catalog
            sources = [DEMO_STORIES, FIXTURES / "ao3",
                       *sorted((FIXTURES / "fanficfare").glob("*.epub"))]
            report = await catalog.import_paths(sources)
            assert not report.rejected, report.rejected
            await catalog.import_path(
                FIXTURES / "seed" / "000_243aa131780b4f07.txt",
                metadata={"title": SEED_TITLE, "authors": ["A Reader"], "fandoms": ["Torchwood"],
                          "relationships": ["Jack Harkness/Ianto Jones"],
                          "tags": ["soulmate!au", "Reincarnation", "Fix-It"]},
            )

    asyncio.run(build())
    return path


@pytest.fixture
async def services(template: Path, tmp_path: Path) -> AsyncIterator[Services]:
    db = tmp_path / "library.db"
    shutil.copy(template, db)
    built = await build_services(db)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def service(services: Services) -> RecommendationService:
    # Built without a profile source, as before: "for me" has no taste until a test sets one.
    recommendations = RecommendationService(services.store, services.catalog)
    await recommendations.start()
    return recommendations


async def ids(service: RecommendationService) -> dict[str, int]:
    return {title: sid for sid, title in (await service.catalog.titles("all")).items()}


async def ranked(service: RecommendationService, guild_id: int | None = None,
                 nsfw: bool = True, **query: object) -> list[str]:
    page = await service.recommend_for(guild_id, READER, nsfw, limit=25, **query)  # type: ignore[arg-type]
    return [found.story.title for found in page.results]


async def test_the_library_is_indexed(service: RecommendationService) -> None:
    assert len(service.index) == 21


async def test_like_dead_reckoning_puts_shore_leave_first(service: RecommendationService) -> None:
    # Same relationship (Ruth Okafor/T'Sena), fandom, characters and series.
    assert (await ranked(service, like="Dead Reckoning"))[0] == "Shore Leave"
    assert (await ranked(service, like="Shore Leave"))[0] == "Dead Reckoning"


async def test_like_the_lyre_puts_the_other_greek_story_first(
    service: RecommendationService,
) -> None:
    # The only other story in Greek (and Roman) Mythology, also Canon Compliant.
    assert (await ranked(service, like="What the Lyre Remembers"))[0] == "The Loom at Night"


async def test_like_baker_street_respects_the_channel(service: RecommendationService) -> None:
    # What the Creature Kept shares Found Family, Hurt/Comfort and Winter, but is Mature:
    # first for the operator, never in an ordinary channel, where the Ghost (Found Family,
    # Hurt/Comfort) leads.
    assert (await ranked(service, like="Baker Street Lanterns"))[0] == "What the Creature Kept"
    sfw = await ranked(service, GUILD, False, like="Baker Street Lanterns")
    assert sfw[0] == "The Ghost in Flat 4B"
    assert "What the Creature Kept" not in sfw
    nsfw = await ranked(service, GUILD, True, like="Baker Street Lanterns")
    assert nsfw[0] == "What the Creature Kept"


async def test_like_first_as_farce_finds_its_pairing_but_caps_the_author(
    service: RecommendationService,
) -> None:
    # Big Wheel shares Martin Bufholtz/Siegfried Kircheis; all five works are one author's
    # and one series, so at most two of them appear.
    found = await ranked(service, like="First as Farce")
    assert found[0] == "And the Big Wheel Keep On Turning (Neon Burning Up Above)"
    by_natsinator = [t for t in found if t in {
        "A Funeral Shroud for Laertes - A Preface to the Third Edition of A Wheel Inside a Wheel",
        "And the Big Wheel Keep On Turning (Neon Burning Up Above)",
        "Keep the Home Fires (Burning)",
        "Those Few Who’ve Slipped the Surly Bonds"}]
    assert len(by_natsinator) == 2


async def test_like_the_seed_ranks_the_rare_fix_it_then_soulmates(
    service: RecommendationService,
) -> None:
    # Fix-It is carried by one other story (rarer than Soulmates, carried by five others).
    found = await ranked(service, like=SEED_TITLE)
    assert found[0] == "The Watchmender's Wager"
    assert set(found[1:6]) == SOULMATE_STORIES - {SEED_TITLE}


@pytest.mark.parametrize("spelling", ["Soulmates", "soulmate au", "Soul Mates", "soulmate!au",
                                      "SOULMATE-AU"])
async def test_a_soulmates_search_finds_every_spelling(
    service: RecommendationService, spelling: str
) -> None:
    assert set(await ranked(service, tags=[spelling])) == SOULMATE_STORIES


async def test_include_exclude_and_ratings(service: RecommendationService) -> None:
    without_fluff = await ranked(service, tags=["Soulmates"], exclude=["Fluffy"])
    assert set(without_fluff) == SOULMATE_STORIES - {"Shore Leave", "The Ghost in Flat 4B"}
    sfw = await ranked(service, GUILD, False, tags=["Soulmates"])
    # Not in an ordinary channel: True North (Explicit), the Lyre (Mature) and the seed,
    # imported without a rating (Not Rated).
    assert set(sfw) == {"Dead Reckoning", "Shore Leave", "The Ghost in Flat 4B"}


async def test_reader_and_server_blocks(
    service: RecommendationService, services: Services
) -> None:
    await service.block(READER, "Star Trek")
    mine = await ranked(service, GUILD, True, tags=["Soulmates"])
    assert "Dead Reckoning" not in mine and "Shore Leave" not in mine
    page = await service.recommend_for(GUILD, READER + 1, True, tags=["Soulmates"])
    assert "Shore Leave" in [found.story.title for found in page.results]
    ghosts = await services.store.tags.find(TagKind.FREEFORM, "Ghosts")
    assert ghosts is not None
    await services.guild_blocks.block(GUILD, ghosts.id)
    page = await service.recommend_for(GUILD, READER + 1, True, tags=["Soulmates"])
    assert "The Ghost in Flat 4B" not in [found.story.title for found in page.results]


async def test_for_me_uses_the_profile_source(service: RecommendationService) -> None:
    with pytest.raises(InvalidInput, match="I don't know your taste yet"):
        await service.recommend_for(GUILD, READER, True, for_me=True)
    stories = await ids(service)
    liked = {stories["Dead Reckoning"]: 1.0, stories["The Ghost in Flat 4B"]: 1.0}

    async def profile(guild_id: int, user_id: int) -> tuple[dict[int, float], set[int]]:
        assert (guild_id, user_id) == (GUILD, READER)
        return liked, set(liked) | {stories["Shore Leave"]}

    service.profile_source = profile
    # True North shares Soulmates with both, and Enemies to Lovers, Slow Burn and Original
    # Characters with one, Original Work and M/M with the other.
    found = await ranked(service, GUILD, True, for_me=True)
    assert found[0] == "True North"
    assert not {"Dead Reckoning", "The Ghost in Flat 4B", "Shore Leave"} & set(found)
    liked.clear()
    with pytest.raises(InvalidInput, match=NO_TASTE_YET):
        await service.recommend_for(GUILD, READER, True, for_me=True)


async def test_the_index_follows_edits_removals_merges_and_renames(
    service: RecommendationService,
) -> None:
    stories = await ids(service)
    catalog = service.catalog
    await catalog.edit(stories["Baker Street Lanterns"], "all",
                       add_tags=[Tag(TagKind.FREEFORM, "Soulmate Bond")])
    assert "Baker Street Lanterns" in await ranked(service, tags=["soulmates"])
    await catalog.remove(stories["Shore Leave"], ALL_GUILDS)
    assert "Shore Leave" not in await ranked(service, tags=["soulmates"])
    with pytest.raises(StoryNotFound):
        await ranked(service, like=str(stories["Shore Leave"]))

    source, target, count = await service.merge_tags("Red String of Fate", "Soulmates")
    assert (source.name, target.name, count) == ("Red String of Fate", "Soulmates", 1)
    assert set(await ranked(service, tags=["Red String of Fate"])) == set(
        await ranked(service, tags=["Soulmates"]))
    uses = {use.name: use for use in await service.tag_list(None, TagKind.FREEFORM)}
    assert "Red String of Fate" in uses["Soulmates"].synonyms
    assert "Red String of Fate" not in uses

    renamed, _ = await service.rename_tag("soulmates", "Soulmates & Soulbonds")
    assert renamed.name == "Soulmates & Soulbonds"
    page = await service.recommend_for(None, None, True, tags=["Soul Mates"])
    assert all("Soulmates & Soulbonds" in found.reasons for found in page.results)
    # Full-text search sees the new name too.
    assert await catalog.search("Soulbonds", ALL_GUILDS)


async def test_bad_input(service: RecommendationService) -> None:
    with pytest.raises(InvalidInput, match="unknown tag 'slow brun' — did you mean 'Slow Burn'"):
        await service.recommend_for(None, None, True, tags=["slow brun"])
    with pytest.raises(InvalidInput, match="both included and excluded"):
        await service.recommend_for(None, None, True, tags=["Angst"], exclude=["angsty"])
    with pytest.raises(InvalidInput, match="at most 25 tags"):
        await service.recommend_for(None, None, True, tags=["Angst"] * 20, exclude=["Fluff"] * 6)
    with pytest.raises(InvalidInput, match="say what to look for"):
        await service.recommend_for(None, None, True, exclude=["Fluff"])
