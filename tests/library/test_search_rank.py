"""A search's score from a story's title, tags and summary (bot/library/search_rank.py)."""

from __future__ import annotations

import unicodedata

from bot.library.search_rank import fold, plain_words, score_matches


def best_first(words: list[str], stories: list[tuple[int, str, str]],
               tagged: dict[int, set[str]] | None = None) -> list[int]:
    scored = score_matches(words, stories, tagged)
    return [story_id for story_id, _ in sorted(scored, key=lambda row: (row[1], row[0]))]


def test_a_word_weighs_most_in_a_title_then_tags_then_summary_then_text() -> None:
    stories = [(1, "Harbour", "A quiet town."),            # "lantern" in its text alone
               (2, "Harbour", "A lantern in the window."),  # in its summary
               (3, "Harbour", "A quiet town."),             # in its tags
               (4, "The Lantern", "A quiet town.")]         # in its title
    assert best_first(["lantern"], stories, {3: {"lantern"}}) == [4, 3, 2, 1]


def test_every_word_counts_and_a_field_saturates() -> None:
    stories = [(1, "Lantern lantern lantern", ""),  # one word, said thrice
               (2, "Lantern", "The keeper's lantern."),
               (3, "Lantern keeper", "")]         # both words in the title
    order = best_first(["lantern", "keeper"], stories)
    assert order[0] == 3
    # A title saying a word three times is not worth three titles saying it once.
    scores = dict(score_matches(["lantern"], stories))
    assert scores[1] < scores[2] < 0 and scores[1] > 2 * scores[3]


def test_words_match_as_the_stores_match_them() -> None:
    stories = [(1, "Apples of Eden", ""), (2, "Pineapple", ""), (3, "Part 2", ""),
               (4, "Part 20", ""), (5, "Café Noir", "")]
    title_hit = {story_id for story_id, score in score_matches(["apple"], stories)
                 if score <= -0.5}
    assert title_hit == {1}  # the start of a word, not its middle
    assert {i for i, s in score_matches(["2"], stories) if s <= -0.5} == {3}  # whole
    assert {i for i, s in score_matches(["cafe"], stories) if s <= -0.5} == {5}  # accents


def test_a_text_holding_the_separator_keeps_its_place() -> None:
    stories = [(1, "One\x1fTwo", ""), (2, "Lantern", "")]
    assert [i for i, s in score_matches(["lantern"], stories) if s <= -0.5] == [2]


def test_fold_agrees_with_decomposing_and_dropping_every_mark() -> None:
    every = "".join(chr(code) for code in range(0x20, 0xD800))
    astral = "".join(chr(code) for code in range(0x1D15E, 0x1D1AA))  # marks beyond the BMP
    slow = "".join(ch for ch in unicodedata.normalize("NFKD", every.casefold())
                   if not unicodedata.combining(ch))
    assert fold(every) == slow
    assert fold(astral + "é") == "".join(
        ch for ch in unicodedata.normalize("NFKD", (astral + "é").casefold())
        if not unicodedata.combining(ch))
    assert plain_words("Crème brûlée_au-lait") == ["creme", "brulee", "au", "lait"]
