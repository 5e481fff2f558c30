"""Every story's title in memory, found by prefix per keystroke without reading them all.

Autocomplete asks on every keystroke. A fuzzy match over every title costs time in
proportion to the library (tens of milliseconds at 100k titles), so past `FUZZY_LIMIT`
titles the index answers from two sorted lists instead: whole titles, and the rest of a
title from each later word on ("Winter" finds "The Long Winter"). A prefix is a bisection
and a short walk. Small libraries keep the fuzzy match, which forgives typos.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator, Mapping

from rapidfuzz import utils

from bot.library.lookup import AUTOCOMPLETE_LIMIT, fuzzy_matches
from bot.library.visibility import Visibility, can_see

FUZZY_LIMIT = 5_000
KEY_LENGTH = 48  # a longer prefix than anyone types; keeps the lists small


def _folded(title: str) -> str:
    return str(utils.default_process(title))


def _word_keys(folded: str) -> Iterator[str]:
    """The title from each word after the first on."""
    for position in range(1, len(folded)):
        if folded[position - 1] == " " and folded[position] != " ":
            yield folded[position:position + KEY_LENGTH]


class TitleIndex:
    def __init__(self, rows: list[tuple[int, int | None, str]]) -> None:
        self._stories: dict[int, tuple[int | None, str]] = {}
        # Entries are "key\0id" strings, not (key, id) tuples: a third of the memory, and
        # "\0" sorts before any character a key holds, so prefixes still bisect.
        self._whole: list[str] = []
        self._words: list[str] = []
        for story_id, guild_id, title in rows:
            self._stories[story_id] = (guild_id, title)
        for story_id, (_, title) in self._stories.items():
            folded = _folded(title)
            self._whole.append(_entry(folded, story_id))
            self._words.extend(_entry(key, story_id) for key in _word_keys(folded))
        self._whole.sort()
        self._words.sort()

    def __len__(self) -> int:
        return len(self._stories)

    def set(self, story_id: int, guild_id: int | None, title: str) -> None:
        self.discard(story_id)
        self._stories[story_id] = (guild_id, title)
        folded = _folded(title)
        insort(self._whole, _entry(folded, story_id))
        for key in _word_keys(folded):
            insort(self._words, _entry(key, story_id))

    def discard(self, story_id: int) -> None:
        known = self._stories.pop(story_id, None)
        if known is None:
            return
        folded = _folded(known[1])
        _remove(self._whole, _entry(folded, story_id))
        for key in _word_keys(folded):
            _remove(self._words, _entry(key, story_id))

    def visible(self, visibility: Visibility) -> dict[int, str]:
        """Every title the view may see, copied (a full pass)."""
        return {sid: title for sid, (gid, title) in self._stories.items()
                if can_see(visibility, gid)}

    def view(self, visibility: Visibility) -> VisibleTitles:
        """The titles the view may see, without copying them: look-ups cost one check."""
        return VisibleTitles(self._stories, visibility)

    def choices(self, query: str, visibility: Visibility,
                limit: int = AUTOCOMPLETE_LIMIT) -> list[tuple[int, str]]:
        """Autocomplete's (id, title) pairs: fuzzy in a small library, else titles starting
        with the query first, then titles with a word starting with it, A–Z within each."""
        if len(self._stories) < FUZZY_LIMIT:
            return fuzzy_matches(query, self.visible(visibility), limit)
        prefix = _folded(query)
        found: dict[int, str] = {}
        for keys in (self._whole, self._words):
            for story_id in self._walk(keys, prefix):
                if len(found) >= limit:
                    return list(found.items())
                guild_id, title = self._stories[story_id]
                if story_id not in found and can_see(visibility, guild_id):
                    found[story_id] = title
        return list(found.items())

    @staticmethod
    def _walk(keys: list[str], prefix: str) -> Iterator[int]:
        prefix = prefix[:KEY_LENGTH]
        position = bisect_left(keys, prefix)
        while position < len(keys) and keys[position].startswith(prefix):
            entry = keys[position]
            yield int(entry[entry.rindex("\0") + 1:])
            position += 1


class VisibleTitles(Mapping[int, str]):
    """A read-only window on the index: id -> title for the stories a view may see."""

    def __init__(self, stories: dict[int, tuple[int | None, str]],
                 visibility: Visibility) -> None:
        self._stories = stories
        self._visibility = visibility

    def __getitem__(self, story_id: int) -> str:
        guild_id, title = self._stories[story_id]
        if not can_see(self._visibility, guild_id):
            raise KeyError(story_id)
        return title

    def __iter__(self) -> Iterator[int]:
        return (sid for sid, (gid, _) in self._stories.items()
                if can_see(self._visibility, gid))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _entry(key: str, story_id: int) -> str:
    return f"{key[:KEY_LENGTH]}\0{story_id}"


def _remove(keys: list[str], entry: str) -> None:
    position = bisect_left(keys, entry)
    if position < len(keys) and keys[position] == entry:
        del keys[position]
