"""A search ranks at most SEARCH_RANKED of the stories matching it, the newest in view, and
says when more matched (SQLite and PostgreSQL); a query word shorter than SHORTEST_PREFIX
matches only itself."""

from __future__ import annotations

from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.records import SEARCH_RANKED, StoryFilter
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store


def _draft(title: str, summary: str, rating: Rating = Rating.TEEN) -> StoryDraft:
    return StoryDraft(title=title, authors=["Wren"], summary=summary, rating=rating,
                      chapters=[Chapter(1, "", f"The text of {title}.")])


async def _add(store: Store, drafts: list[StoryDraft], guild_id: int | None) -> list[int]:
    return await store.bulk.add_batch([(draft, []) for draft in drafts], guild_id=guild_id)


async def test_more_matches_than_ranked_ranks_the_newest_and_says_so(store: Store) -> None:
    # Oldest, stories with the word in their summaries; then stories with it in their
    # titles (the best matches there are); then SEARCH_RANKED newer ones with it in their
    # summaries, which also say "beacon".
    forgotten = await _add(store, [_draft(f"Cove {n}", "A lantern.") for n in range(5)], None)
    titled = await _add(store, [_draft(f"Lantern {n}", "By the sea.") for n in range(10)],
                        None)
    rest = await _add(store, [_draft(f"Harbour {n}", "A lantern and a beacon.")
                              for n in range(SEARCH_RANKED)], None)

    # More matches than the bound: the newest SEARCH_RANKED are ranked, the stories with
    # the word in their titles come first however old, and the rest are left out.
    lantern = await store.stories.search(ALL_GUILDS, "lantern", limit=SEARCH_RANKED + 50)
    assert lantern.newest_only
    assert [s.id for s in lantern[:10]] == titled
    assert {s.id for s in lantern[10:]} == set(rest)
    assert not {s.id for s in lantern} & set(forgotten)
    assert [s.id for s in await store.stories.search(ALL_GUILDS, "lantern", limit=3)] \
        == titled[:3]
    # Fewer matches than the bound: every match is ranked, old or new.
    few = await store.stories.search(ALL_GUILDS, "lantern 3", limit=5)
    assert not few.newest_only
    assert {s.id for s in few} == {forgotten[3], titled[3], rest[3]}
    # Exactly SEARCH_RANKED matches: all of them, and nothing left out to speak of.
    beacon = await store.stories.search(ALL_GUILDS, "beacon", limit=SEARCH_RANKED + 50)
    assert not beacon.newest_only and {s.id for s in beacon} == set(rest)


async def test_the_newest_are_counted_among_the_stories_in_view(store: Store) -> None:
    shared = await _add(store, [_draft(f"Shared {n}", "A lantern.") for n in range(20)], None)
    # Newer stories another server keeps, and newer ones this channel may not show: they
    # take no place among the stories ranked here.
    await _add(store, [_draft(f"Theirs {n}", "A lantern.") for n in range(SEARCH_RANKED)], 8)
    explicit = await _add(store, [_draft(f"Explicit {n}", "A lantern.", Rating.EXPLICIT)
                                  for n in range(SEARCH_RANKED)], 7)
    teen_only = StoryFilter(ratings=frozenset({Rating.TEEN}))
    found = await store.stories.search(7, "lantern", limit=50, shown=teen_only)
    assert not found.newest_only and {s.id for s in found} == set(shared)
    everything_here = await store.stories.search(7, "lantern", limit=50)
    assert everything_here.newest_only
    assert {s.id for s in everything_here} <= set(explicit)


async def test_a_word_of_one_or_two_letters_matches_only_itself(store: Store) -> None:
    two, twenty, ab = await _add(store, [_draft("Part 2", "Night."),
                                         _draft("Part 20", "Night."),
                                         _draft("Part ab", "Night abbey.")], None)
    assert {s.id for s in await store.stories.search(ALL_GUILDS, "part 2")} == {two}
    assert {s.id for s in await store.stories.search(ALL_GUILDS, "ab")} == {ab}
    assert {s.id for s in await store.stories.search(ALL_GUILDS, "abb")} == {ab}
    assert {s.id for s in await store.stories.search(ALL_GUILDS, "part 20")} == {twenty}


async def test_a_word_in_a_title_ranks_above_tags_above_summary_above_text(
        store: Store) -> None:
    def placed(title: str, summary: str, text: str, tags: list[str]) -> StoryDraft:
        return StoryDraft(title=title, authors=["Wren"], summary=summary,
                          rating=Rating.TEEN, freeform=tags,
                          chapters=[Chapter(1, "", text)])

    # Added best last, so the newest is never the best by accident of order.
    in_text, in_summary, in_tags, in_title = await _add(store, [
        placed("Harbour", "A quiet town.", "The lantern swung.", ["Fluff"]),
        placed("Haven", "A lantern in the window.", "Waves.", ["Fluff"]),
        placed("Cove", "A quiet town.", "Gulls.", ["Lantern Festival"]),
        placed("The Lantern", "A quiet town.", "Rain.", ["Fluff"]),
    ], None)
    found = await store.stories.search(ALL_GUILDS, "lanterns lantern")
    assert found == []  # every word must match: "lanterns" is in none of them
    found = await store.stories.search(ALL_GUILDS, "lant")
    assert [s.id for s in found] == [in_title, in_tags, in_summary, in_text]


async def test_a_search_walks_the_newest_stories_with_its_words_in_their_titles(
        store: Store) -> None:
    # The title walk reads titles alone: a newer story with the word everywhere but its
    # title does not take a place among them, and an edited title is found by its words.
    old_titled = await _add(store, [_draft("Lantern Light", "Sea.")], None)
    await _add(store, [_draft(f"Harbour {n}", "A lantern.") for n in range(SEARCH_RANKED + 1)],
               None)
    found = await store.stories.search(ALL_GUILDS, "lantern", limit=3)
    assert found.newest_only and found[0].id == old_titled[0]
    await store.stories.update(old_titled[0], title="Beacon Light")
    found = await store.stories.search(ALL_GUILDS, "lantern", limit=3)
    assert old_titled[0] not in {s.id for s in found}
    assert [s.id for s in await store.stories.search(ALL_GUILDS, "beacon")] == old_titled


async def test_words_run_together_are_searched_as_words_of_their_own(store: Store) -> None:
    # "harbour_lantern" is two words to both stores, each matched anywhere in the story;
    # SQLite used to ask FTS5 for the phrase, its last word a prefix of any length.
    lantern, = await _add(store, [_draft("Keeper", "The lantern by the harbour.")], None)
    await _add(store, [_draft("Cove", "A harbour.")], None)
    assert [s.id for s in await store.stories.search(ALL_GUILDS, "harbour_lantern")] \
        == [lantern]
    assert [s.id for s in await store.stories.search(ALL_GUILDS, "lantern_by")] == [lantern]
    assert await store.stories.search(ALL_GUILDS, "lantern_b") == []  # "b": a whole word
