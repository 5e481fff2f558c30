"""Autocomplete's title index past the fuzzy-match size: prefixes, later words, visibility,
and edits kept in step."""

from __future__ import annotations

from bot.library.title_index import FUZZY_LIMIT, TitleIndex

GUILD, OTHER = 10, 20


def big_index() -> TitleIndex:
    rows: list[tuple[int, int | None, str]] = [
        (n, None, f"Filler Story {n:05d}") for n in range(1, FUZZY_LIMIT + 1)
    ]
    rows += [(90001, None, "The Long Winter"), (90002, GUILD, "Winter Roses"),
             (90003, OTHER, "Winter's Secret"), (90004, None, "A Study in Tea")]
    return TitleIndex(rows)


def test_titles_starting_with_the_query_come_before_titles_with_a_word_starting_so() -> None:
    found = big_index().choices("wint", GUILD)
    assert found == [(90002, "Winter Roses"), (90001, "The Long Winter")]


def test_another_servers_titles_are_never_offered() -> None:
    assert 90003 not in dict(big_index().choices("winter", GUILD))
    assert 90003 in dict(big_index().choices("winter", OTHER))


def test_an_empty_query_gives_the_first_titles_a_to_z_up_to_the_limit() -> None:
    found = big_index().choices("", GUILD)
    assert len(found) == 25
    assert found[0] == (90004, "A Study in Tea")


def test_edits_and_removals_are_kept_in_step() -> None:
    index = big_index()
    index.set(90001, None, "The Short Summer")
    assert 90001 not in dict(index.choices("long", GUILD))
    assert dict(index.choices("summer", GUILD)) == {90001: "The Short Summer"}
    index.discard(90001)
    assert index.choices("summer", GUILD) == []
    assert len(index) == FUZZY_LIMIT + 3
