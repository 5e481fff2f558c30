"""Tag names for autocomplete, found by prefix once the vocabulary is large.

A fuzzy match over every name costs time in proportion to the vocabulary (a 10k-story
library carries ~23k tag names: ~200 ms a keystroke). Past FUZZY_LIMIT names of a kind,
the names answer from a TitleIndex (bot/library/title_index.py) instead; smaller
vocabularies keep the fuzzy match, which forgives typos.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.library.lookup import AUTOCOMPLETE_LIMIT, fuzzy_matches
from bot.library.models import TagKind
from bot.library.records import TagRow
from bot.library.title_index import FUZZY_LIMIT, TitleIndex
from bot.library.visibility import ALL_GUILDS


def tag_name_index(rows: Sequence[TagRow], kind: TagKind | None) -> TitleIndex:
    """The names of the rows of one kind (None: every kind); slow for a large vocabulary,
    so callers build it in a thread."""
    listed: list[tuple[int, int | None, str]] = [
        (row.id, None, row.name) for row in rows if kind is None or row.kind is kind]
    return TitleIndex(listed)


def tag_name_choices(query: str, index: TitleIndex, local: Mapping[int, str]) -> list[str]:
    """Up to AUTOCOMPLETE_LIMIT names: a server's own names (`local`) first, then the
    shared names matching the query, each name once."""
    if len(index) < FUZZY_LIMIT:
        found = fuzzy_matches(query, {**local, **index.view(ALL_GUILDS)})
    else:
        found = [*fuzzy_matches(query, local), *index.choices(query, ALL_GUILDS)]
    return list(dict.fromkeys(name for _, name in found))[:AUTOCOMPLETE_LIMIT]
