"""Pure feedback rules: stars, comments, emoji keys, authors, weights."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.library.errors import InvalidInput
from bot.library.feedback import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    TASTE_STORIES,
    PassageSignals,
    ReaderSignals,
    StorySignals,
    clean_comment,
    emoji_key,
    emoji_label,
    is_author,
    love_score,
    parse_stars,
    passage_weight,
    reader_taste,
    story_affinity,
)


@pytest.mark.parametrize("text, stars", [("1", 1), ("5", 5), (" 3 ", 3), ("4★", 4)])
def test_stars_in_range_are_accepted(text: str, stars: int) -> None:
    assert parse_stars(text) == stars


@pytest.mark.parametrize("text", ["0", "9", "", "-1", "3.5", "five", "10"])
def test_stars_out_of_range_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(InvalidInput) as problem:
        parse_stars(text)
    assert str(problem.value) == "Stars must be a whole number from 1 to 5."


def test_comments_over_1000_characters_are_refused_not_cut() -> None:
    assert clean_comment("  lovely  ") == "lovely"
    assert clean_comment(None) == ""
    assert len(clean_comment("x" * 1000)) == 1000
    with pytest.raises(InvalidInput, match="at most 1,000 characters"):
        clean_comment("x" * 5000)


def test_emoji_keys() -> None:
    assert emoji_key("❤️", None) == "❤️"
    assert emoji_key("blobheart", 1234) == "blobheart:1234"  # any server's custom emoji
    assert emoji_label("blobheart:1234") == ":blobheart:"
    assert emoji_label("❤️") == "❤️"
    with pytest.raises(InvalidInput):
        emoji_key(None, None)


def test_authors_match_by_any_name_ignoring_case_and_spaces() -> None:
    authors = ["teacup_tempest", "Marchhare  Mo"]
    assert is_author(["Teacup_Tempest"], authors)
    assert is_author(["someone", None, "marchhare mo"], authors)
    assert not is_author(["teacup", "tempest"], authors)
    assert not is_author([None], [""])


def test_weights_liked_above_one_dismissed_below() -> None:
    assert passage_weight(PassageSignals()) == 1.0
    liked = passage_weight(PassageSignals(reactions=5, bookmarks=1, stars_total=10, stars_count=2))
    dismissed = passage_weight(PassageSignals(reactions=2, negative_reactions=2,
                                              stars_total=1, stars_count=1))
    assert liked > 1.0 > dismissed


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 1000),
       st.integers(1, 5), st.integers(0, 1000))
def test_weights_stay_in_range(reactions: int, negative: int, bookmarks: int, stars: int,
                               count: int) -> None:
    signals = PassageSignals(max(reactions, negative), negative, bookmarks, stars * count, count)
    assert MIN_WEIGHT <= passage_weight(signals) <= MAX_WEIGHT


def test_story_affinity_and_love_score() -> None:
    assert story_affinity(StorySignals()) == 0
    assert story_affinity(StorySignals(kudos=True, stars_total=5, stars_count=1)) > 0
    assert story_affinity(StorySignals(stars_total=1, stars_count=1, negative_reactions=1)) < 0
    assert love_score(reactions=3, kudos=1, bookmarks=0, stars_total=0, stars_count=0) == 5.0
    assert love_score(0, 0, 0, stars_total=1, stars_count=1) < 0


def test_a_readers_taste_is_their_most_recent_stories_and_every_kudos_is_left_out() -> None:
    # Most recent first, as the store hands them over: kudos on the even ones, a bookmark
    # on the odd ones, and the oldest of all disliked.
    recent = {story_id: StorySignals(kudos=True) if story_id % 2 == 0
              else StorySignals(bookmarks=1)
              for story_id in range(TASTE_STORIES + 20, 1, -1)}
    recent[1] = StorySignals(kudos=True, stars_total=1, stars_count=1, negative_reactions=3)
    kudos = frozenset(story_id for story_id, done in recent.items() if done.kudos) | {900}
    profile, left_out = reader_taste(ReaderSignals(recent, kudos))
    assert list(profile) == list(recent)[:TASTE_STORIES]
    assert profile[TASTE_STORIES + 20] == story_affinity(StorySignals(kudos=True))
    assert profile[TASTE_STORIES + 19] == story_affinity(StorySignals(bookmarks=1))
    # Kudos given long ago (900: before the store's recent ones) still keep those stories
    # out of the page, and so does the disliked one.
    assert left_out == set(range(2, TASTE_STORIES + 21, 2)) | {1, 900}
    assert reader_taste(ReaderSignals({}, frozenset())) == ({}, set())
