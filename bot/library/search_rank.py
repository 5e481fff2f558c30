"""How well a story matches a search, scored from the words of its title, tags and summary.

The SQLite store used FTS5's bm25, which weighs a rare word above a common one by counting,
on every search, the stories carrying each word across the whole library: at 100k stories
a common word cost more than the rest of the search. Here the weights are those of
PostgreSQL's ts_rank, which has no such count (bot/store/postgres/search.py): a word in a
title weighs 1.0, in the tags 0.6, in the summary 0.4, in the text alone 0.1, and each
field's count of it saturates (one mention is most of the credit). The store has already
found the stories carrying every word somewhere; a word in none of the three fields it
reads is in the text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence

from bot.library.records import SHORTEST_PREFIX
from bot.library.search_order import Scored

# A word's weight in each field, as ts_rank's labels A (title), B (tags), C (summary) and
# D (text) in the PostgreSQL store.
TITLE_WEIGHT, TAGS_WEIGHT, SUMMARY_WEIGHT, TEXT_WEIGHT = 1.0, 0.6, 0.4, 0.1

_WORD = re.compile(r"[^\W_]+")
# Joins one field of many stories into one text, so a word is looked for once per field.
_SEPARATOR = "\x1f"


def fold(text: str) -> str:
    """Case folded and accents removed, as both stores' search indexes see words."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    if max(decomposed) > "\uffff":  # beyond the class below: tested one by one
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # The marks go in one pass of a compiled class, not a Python test per character.
    return _BMP_COMBINING_MARKS.sub("", decomposed)


def _combining_marks_of_the_bmp() -> re.Pattern[str]:
    """Every combining character of the Basic Multilingual Plane, as one class (made at
    import: ~3 ms; the other planes would take 40)."""
    spans: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if not unicodedata.combining(chr(code)):
            continue
        if spans and spans[-1][1] == code - 1:
            spans[-1] = (spans[-1][0], code)
        else:
            spans.append((code, code))
    return re.compile("[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in spans)
                      + "]")


_BMP_COMBINING_MARKS = _combining_marks_of_the_bmp()


def plain_words(text: str) -> list[str]:
    """The text's words: accents removed, case folded, split at everything else."""
    return _WORD.findall(fold(text))


# A story that matched a search, as a store read it to score it: its id, title and summary.
MatchedStory = tuple[int, str, str]


def score_matches(query_words: Sequence[str], stories: Sequence[MatchedStory],
                  words_in_tags: Mapping[int, Collection[str]] | None = None) -> list[Scored]:
    """Each story's id and score, lower better (the negated sum over the query's words
    of their weighted, saturated counts in each field), in the order given.
    `words_in_tags`: the query's words each story's tags carry (the store's index knows),
    by story id; a story not in it carries none."""
    words = list(dict.fromkeys(query_words))
    tagged = words_in_tags or {}
    titles = _Joined([story[1] for story in stories])
    summaries = _Joined([story[2] for story in stories])
    totals = [0.0] * len(stories)
    for word in words:
        # A word in no field read is in the text: mentioned once, as far as we know.
        credit = [TEXT_WEIGHT / 2] * len(stories)
        for weight, field in ((TITLE_WEIGHT, titles), (SUMMARY_WEIGHT, summaries)):
            for row, count in field.counts(word).items():
                totals[row] += weight * count / (count + 1)
                credit[row] = 0.0
        for row, story in enumerate(stories):
            if word in tagged.get(story[0], ()):
                credit[row] = TAGS_WEIGHT / 2
            totals[row] += credit[row]
    return [(story[0], -total) for story, total in zip(stories, totals, strict=True)]


class _Joined:
    """One field of many stories, folded and joined into one text, so that a word is
    looked for once per field rather than once per story."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.text = fold(_SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts))
        self._ends: list[int] | None = None

    def counts(self, word: str) -> dict[int, int]:
        """How many times `word` occurs in each story's text that has it, by place: as
        the start of a word when it is SHORTEST_PREFIX long, else as a whole word."""
        counts: dict[int, int] = {}
        text, whole = self.text, len(word) < SHORTEST_PREFIX
        # A plain find is many times faster than a pattern that looks behind each place.
        at = text.find(word)
        while at >= 0:
            after = at + len(word)
            if not (at and _in_word(text[at - 1])) and not (
                    whole and after < len(text) and _in_word(text[after])):
                if self._ends is None:
                    self._ends = [end.start() for end in re.finditer(_SEPARATOR, text)]
                row = bisect_left(self._ends, at)
                counts[row] = counts.get(row, 0) + 1
            at = text.find(word, after)
        return counts


def _in_word(character: str) -> bool:
    return character.isalnum()
