"""The store's side of per-server views (issue 11), on SQLite and PostgreSQL alike: what a
channel may list (StoryFilter), a server's own library, the title index, the tag overlay's
rows, the new settings, and a removed server's data being purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.library.guild_settings import GuildSettings, RestrictedStories
from bot.library.models import Chapter, Rating, StoryDraft, Tag, TagKind
from bot.library.records import StoryFilter, TitleRow
from bot.library.visibility import ALL_GUILDS, OwnLibrary
from bot.store.protocol import Store
from tests.store.backends import RawDatabase

A, B = 11, 22
NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


def draft(title: str, text: str, rating: Rating, freeform: list[str]) -> StoryDraft:
    return StoryDraft(title=title, authors=["Wren"], chapters=[Chapter(1, "", text)],
                      rating=rating, freeform=freeform)


async def three_stories(store: Store) -> tuple[int, int, int]:
    """A demo story (General, 'Soulmate AU', a synonym of shipped 'Soulmates'), one of A's
    (Explicit, Angst) and one of B's (Teen, Fluff)."""
    demo = await store.stories.add(draft("Lantern Light", "Lanterns glowed.", Rating.GENERAL,
                                         ["Soulmate AU"]), [], guild_id=None)
    ours = await store.stories.add(draft("Harbour Storm", "The lanterns swayed in the storm.",
                                         Rating.EXPLICIT, ["Angst"]), [], guild_id=A)
    theirs = await store.stories.add(draft("Quiet Field", "Lanterns in a field.", Rating.TEEN,
                                           ["Fluff"]), [], guild_id=B)
    return demo.id, ours.id, theirs.id


async def test_a_story_filter_keeps_ratings_blocked_tags_and_groups(store: Store) -> None:
    demo, ours, _ = await three_stories(store)
    soulmates = (await store.tags.canonical_of(
        await store.tags.ensure(Tag(TagKind.FREEFORM, "Soulmates")))).id
    angst = await store.tags.ensure(Tag(TagKind.FREEFORM, "Angst"))

    async def listed(shown: StoryFilter) -> set[int]:
        return {s.id for s in await store.stories.list(A, shown=shown)}

    async def searched(shown: StoryFilter) -> set[int]:
        return {s.id for s in await store.stories.search(A, "lanterns", shown=shown)}

    assert await listed(StoryFilter()) == {demo, ours}
    general = StoryFilter(ratings=frozenset({Rating.GENERAL, Rating.TEEN}))
    assert await listed(general) == await searched(general) == {demo}
    # a blocked canonical tag keeps out a story carrying its synonym
    no_soulmates = StoryFilter(without_tag_ids=frozenset({soulmates}))
    assert await listed(no_soulmates) == await searched(no_soulmates) == {ours}
    # a group: a story must carry one of its tags (synonyms count)
    either = StoryFilter(tag_groups=(frozenset({soulmates, angst}),))
    assert await listed(either) == {demo, ours}
    both = StoryFilter(tag_groups=(frozenset({soulmates}), frozenset({angst})))
    assert await listed(both) == await searched(both) == set()
    assert await listed(StoryFilter(ratings=frozenset())) == set()


async def test_a_server_without_the_demo_library_sees_its_own_stories(store: Store) -> None:
    demo, ours, theirs = await three_stories(store)
    own = OwnLibrary(A)
    assert {s.id for s in await store.stories.list(own)} == {ours}
    assert {s.id for s in await store.stories.search(own, "lanterns")} == {ours}
    assert await store.stories.count(own) == 1
    assert {s.id for s in await store.stories.list(A)} == {demo, ours}
    rows = sorted(await store.stories.titles())
    assert rows == [TitleRow(demo, None, "Lantern Light", Rating.GENERAL),
                    TitleRow(ours, A, "Harbour Storm", Rating.EXPLICIT),
                    TitleRow(theirs, B, "Quiet Field", Rating.TEEN)]
    assert all(isinstance(row.rating, Rating) for row in rows)


async def test_the_overlay_follows_the_shared_vocabulary(store: Store) -> None:
    fluff = await store.tags.ensure(Tag(TagKind.FREEFORM, "Fluff"))
    angst = await store.tags.ensure(Tag(TagKind.FREEFORM, "Angst"))
    hurt = await store.tags.ensure(Tag(TagKind.FREEFORM, "Hurt Feelings Here"))
    await store.tag_overlays.rename(A, fluff, "Floof")
    await store.tag_overlays.rename(A, fluff, "Floofy")  # a second rename replaces the first
    await store.tag_overlays.merge(A, [angst, hurt], hurt)  # merging into itself is dropped
    overlay = await store.tag_overlays.load(A)
    assert overlay.renamed == {fluff: "Floofy"} and overlay.merged_into == {angst: hurt}
    assert set(overlay.rows) == {fluff, angst, hurt}
    assert (await store.tag_overlays.load(B)).renamed == {}
    # the operator folds Fluff into another shared tag: A's name moves along with it
    cozy = await store.tags.ensure(Tag(TagKind.FREEFORM, "Cozy Evenings"))
    rows = {row.id: row for row in await store.tags.all()}
    await store.tags.merge(rows[fluff], rows[cozy])
    assert (await store.tag_overlays.load(A)).renamed == {cozy: "Floofy"}
    await store.tag_overlays.rename(A, fluff, None)
    assert (await store.tag_overlays.load(A)).renamed == {}


async def test_the_new_settings_round_trip(store: Store, raw: RawDatabase) -> None:
    assert (await store.guild_settings.get(A)).demo_library is True
    await store.guild_settings.save(GuildSettings(
        A, demo_library=False, restricted_stories=RestrictedStories.HIDE))
    await raw.execute("UPDATE guild_settings SET spoiler_fraction = 0.25 WHERE guild_id = ?", A)
    assert (await store.guild_settings.get(A)).spoiler_fraction != 0.25  # cached
    store.guild_settings.forget(A)
    settings = await store.guild_settings.get(A)
    assert settings.spoiler_fraction == 0.25 and settings.demo_library is False
    assert settings.restricted_stories is RestrictedStories.HIDE


async def test_a_removed_servers_rows_are_purged_and_nothing_else(
    store: Store, raw: RawDatabase,
) -> None:
    demo, ours, theirs = await three_stories(store)
    angst = await store.tags.ensure(Tag(TagKind.FREEFORM, "Angst"))
    for guild in (A, B):
        await store.guild_settings.save(GuildSettings(guild, spoiler_fraction=0.3))
        await store.blocked_tags.block(guild, angst)
        await store.tag_overlays.rename(guild, angst, f"Pain {guild}")
    await store.guild_data.schedule_removal(A, NOW, NOW + timedelta(days=30))
    await store.guild_data.schedule_removal(A, NOW + timedelta(days=1),
                                            NOW + timedelta(days=31))  # the first one stays
    assert await store.guild_data.scheduled_removal(A) == NOW + timedelta(days=30)
    assert await store.guild_data.scheduled_removal(B) is None
    assert await store.guild_data.removal_due(NOW + timedelta(days=29)) == []
    assert await store.guild_data.removal_due(NOW + timedelta(days=30)) == [A]

    deleted = await store.guild_data.purge(A)
    assert deleted == {"guild_blocked_tags": 1, "guild_removals": 1, "guild_settings": 1,
                       "guild_tag_names": 1, "stories": 1}
    assert {s.id for s in await store.stories.list(ALL_GUILDS)} == {demo, theirs}
    assert await raw.value("SELECT count(*) FROM chapters WHERE story_id = ?", ours) == 0
    assert await store.guild_data.removal_due(NOW + timedelta(days=99)) == []
    assert (await store.tag_overlays.load(B)).renamed == {angst: f"Pain {B}"}
    assert len(await store.blocked_tags.list(B)) == 1
    # a removal that is cancelled in time is gone
    await store.guild_data.schedule_removal(B, NOW, NOW + timedelta(days=30))
    assert await store.guild_data.cancel_removal(B)
    assert not await store.guild_data.cancel_removal(B)
    assert await store.guild_data.removal_due(NOW + timedelta(days=99)) == []
