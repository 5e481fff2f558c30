"""The per-server overlay and the one gate, as plain rules."""

from __future__ import annotations

import pytest

from bot.library.errors import InvalidInput
from bot.library.gate import Shown, channel_gate, title_matches
from bot.library.guild_settings import GuildSettings, RestrictedStories
from bot.library.lookup import exact_title, suggestions
from bot.library.models import ListedStory, Rating, TagKind
from bot.library.overlay import TagOverlay, lines_seen_through, merge_plan
from bot.library.recommend import RecommendQuery, recommend, recommend_exhaustive
from bot.library.records import TagRow
from bot.library.tag_index import IndexedStory, TagIndex
from bot.library.visibility import OwnLibrary, can_see

FREE = TagKind.FREEFORM
ROWS = [TagRow(1, FREE, "Fluff", "fluff", None), TagRow(2, FREE, "Angst", "angst", None),
        TagRow(3, FREE, "Hurt", "hurt", None), TagRow(4, TagKind.FANDOM, "Star Trek",
                                                       "star trek", None)]


def test_merges_are_kept_flat_and_loops_left_unmerged() -> None:
    overlay = TagOverlay(1, merged_into={1: 2, 2: 3, 5: 6, 6: 5}, rows=ROWS)
    assert overlay.fold(1) == 3 and overlay.fold(2) == 3 and overlay.fold(3) == 3
    assert set(overlay.members(3)) == {1, 2, 3} and overlay.members(3)[0] == 3
    assert overlay.fold(5) == 5 and overlay.fold(6) == 6  # a loop merges nothing
    assert overlay.fold_ref((FREE, "fluff")) == (FREE, "hurt")


def line(fandoms: list[str], warnings: list[str]) -> ListedStory:
    return ListedStory(id=7, guild_id=None, title="T", authors=["A"], rating=Rating.TEEN,
                       words=900, fandoms=fandoms, warnings=warnings)


def test_list_lines_show_the_servers_names_and_keep_the_rest() -> None:
    warning = TagRow(5, TagKind.WARNING, "Major Character Death", "major character death",
                     None)
    overlay = TagOverlay(1, renamed={4: "Trek", 5: "Someone Dies", 1: "Floof"},
                         rows=[*ROWS, warning])
    # "Fluff" is a freeform tag: a fandom spelled the same is another tag, not renamed
    untouched = line(["Other", "Fluff"], ["No Archive Warnings Apply"])
    both, only_warning, spelled, kept = lines_seen_through(
        [line(["Star Trek", "Other"], ["Major Character Death"]),
         line(["Other"], ["Major Character Death"]), line(["star  TREK"], []), untouched],
        overlay)
    assert (both.fandoms, both.warnings) == (["Trek", "Other"], ["Someone Dies"])
    assert (both.id, both.title, both.authors, both.words) == (7, "T", ["A"], 900)
    assert (only_warning.fandoms, only_warning.warnings) == (["Other"], ["Someone Dies"])
    assert spelled.fandoms == ["Trek"]
    assert kept is untouched  # not copied: most lines of a page
    # the same page again, its spellings now remembered: the same lines
    again = lines_seen_through([line(["Star Trek", "Other"], ["Major Character Death"]),
                                line(["star  TREK"], []), untouched], overlay)
    assert [(s.fandoms, s.warnings) for s in again] == [
        (["Trek", "Other"], ["Someone Dies"]), (["Trek"], []),
        (["Other", "Fluff"], ["No Archive Warnings Apply"])]
    assert again[2] is untouched
    # only kinds with a rename are looked at; a server without renames keeps every line
    fandoms_only = TagOverlay(1, renamed={4: "Trek"}, rows=ROWS)
    assert lines_seen_through([untouched], fandoms_only)[0] is untouched
    assert lines_seen_through([untouched], TagOverlay(1, merged_into={1: 2}, rows=ROWS)) == [
        untouched]


def test_merge_rules_refuse_in_one_line() -> None:
    overlay = TagOverlay(1, renamed={1: "Floof"}, rows=ROWS)
    with pytest.raises(InvalidInput, match="already the same tag"):
        merge_plan(overlay, ROWS[0], ROWS[0], [])
    with pytest.raises(InvalidInput, match="“Floof” is a freeform tag and “Star Trek” a "
                                           "fandom tag"):
        merge_plan(overlay, ROWS[0], ROWS[3], [])
    with pytest.raises(InvalidInput, match="“Angst” is blocked here"):
        merge_plan(overlay, ROWS[0], ROWS[1], [2])
    assert merge_plan(overlay, ROWS[0], ROWS[1], []) == ([1], 2)


def test_the_gate_decides_for_every_rating_and_block() -> None:
    settings = GuildSettings(9)
    gate = channel_gate(settings, False, blocked_story_ids=frozenset({5}))
    assert gate.shows(1, None, Rating.GENERAL) is Shown.FULL
    assert gate.shows(1, 9, Rating.EXPLICIT) is Shown.RESTRICTED
    assert gate.shows(5, None, Rating.GENERAL) is Shown.HIDDEN
    assert gate.shows(2, 8, Rating.GENERAL) is Shown.HIDDEN  # another server's story
    assert channel_gate(settings, True).shows(1, 9, Rating.EXPLICIT) is Shown.FULL
    settings.restricted_stories = RestrictedStories.HIDE
    settings.demo_library = False
    hidden = channel_gate(settings, False)
    assert hidden.shows(1, 9, Rating.MATURE) is Shown.HIDDEN
    assert hidden.shows(1, None, Rating.GENERAL) is Shown.HIDDEN  # demo library off
    assert hidden.visibility == OwnLibrary(9) and not can_see(OwnLibrary(9), None)


def test_titles_resolve_exactly_and_suggest_at_most_three() -> None:
    names = {1: "True North", 2: "True Northern Lights", 3: "Many Story 1", 4: "Many Story 2",
             5: "Many Story 4", 6: "Many Story 5"}
    assert exact_title("  true   NORTH ", names) == 1
    assert exact_title("Many Story 3", names) is None
    assert exact_title("6", names) == 6
    assert len(suggestions("Many Story 3", names)) == 3
    assert title_matches("true nor", "True North") and not title_matches("compass", "True North")


def test_the_index_serves_a_servers_view_like_the_reference() -> None:
    fluff, angst, hurt = (FREE, "fluff"), (FREE, "angst"), (FREE, "hurt")
    stories = [IndexedStory(1, (fluff,), "g"), IndexedStory(2, (angst, hurt), "g"),
               IndexedStory(3, (hurt,), "g"), IndexedStory(4, (fluff, angst), "g")]
    index = TagIndex(stories)
    overlay = TagOverlay(1, merged_into={2: 3}, rows=ROWS)  # here Angst counts as Hurt
    here = RecommendQuery(include={hurt}, view=overlay, limit=10)
    assert {r.story_id for r in recommend(index, here)} == {2, 3, 4}
    assert {r.story_id for r in recommend(index, RecommendQuery(include={hurt}))} == {2, 3}
    for query in (here, RecommendQuery(like_story_id=4, view=overlay),
                  RecommendQuery(like_story_id=2, exclude={fluff}, view=overlay)):
        fast = [(r.story_id, r.score, r.reasons) for r in recommend(index, query)]
        assert fast == [(r.story_id, r.score, r.reasons)
                        for r in recommend_exhaustive(index, query)]


def test_a_line_seen_before_is_given_again_and_a_changed_one_is_seen_anew() -> None:
    overlay = TagOverlay(1, renamed={4: "Trek"}, rows=ROWS)
    kept = line(["Star Trek"], [])
    first = lines_seen_through([kept], overlay)[0]
    assert first.fandoms == ["Trek"]
    assert lines_seen_through([kept], overlay)[0] is first  # the catalog's same line
    edited = line(["Other"], [])  # story 7 edited: the catalog hands out a new line
    assert lines_seen_through([edited], overlay)[0] is edited
    # a server's rename changed: its overlay is built anew, and sees every line anew
    renamed_again = TagOverlay(1, renamed={4: "ST"}, rows=ROWS)
    assert lines_seen_through([kept], renamed_again)[0].fandoms == ["ST"]
