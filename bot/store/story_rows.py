"""What every store backend writes the same way: a passage's row, a story's content
fingerprint, whether its source is a web link, and the text forms of dates; and how both
hand back stories read by id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from math import isqrt
from typing import Protocol, TypeVar

from bot.library.models import Chapter, Story, StoryDraft
from bot.library.records import PassageLike, SearchHits, StoryFilter
from bot.library.visibility import ALL_GUILDS, Visibility, can_see

# bot.library.segmentation.Cut.PARAGRAPH: the cut stored for passages that do not say.
_PARAGRAPH_CUT = 3


def passage_row(story_id: int, passage: PassageLike) -> tuple[object, ...]:
    """A passages row; where a passage was cut (mid-sentence or not) defaults to a paragraph."""
    return (story_id, passage.seq, passage.chapter, passage.text, passage.words,
            int(getattr(passage, "cut_before", _PARAGRAPH_CUT)),
            int(getattr(passage, "cut_after", _PARAGRAPH_CUT)))


def content_hash(chapters: Sequence[Chapter]) -> str:
    """A fingerprint of the story's words alone.

    Markup, emphasis, punctuation, case and chapter boundaries are left out, so the same
    story downloaded as EPUB, HTML or TXT is recognised as one story.
    """
    digest = hashlib.sha256()
    for chapter in chapters:
        digest.update(_words_of(chapter.text))
        digest.update(b" ")
    return digest.hexdigest()


_WORD = re.compile(r"\w+")
# ASCII bytes outside \w become spaces and capitals small letters (casefold, for ASCII);
# the non-ASCII punctuation of most English prose (none of it in \w either, and casefold
# keeps it) is made a space first. In text made only of these and ASCII, bytes.split finds
# the words at several times the regex's speed, already encoded and folded. An import
# fingerprints every story it reads.
_ASCII_FOLDED_WORD = bytes(
    ord(chr(byte).lower()) if byte < 128 and (chr(byte).isalnum() or chr(byte) == "_")
    else byte if byte >= 128
    else ord(" ")
    for byte in range(256)
)
_COMMON_PUNCTUATION = "\u2019\u201c\u201d\u2018\u2014\u2013\u2026\u00a0"


def _words_of(text: str) -> bytes:
    """The runs of \\w in the casefolded text, joined by single spaces, in UTF-8."""
    if not text.isascii():
        for char in _COMMON_PUNCTUATION:
            if char in text:
                text = text.replace(char, " ")
        if not text.isascii():
            # casefold maps each character on its own, so folding after the punctuation
            # became spaces is folding before.
            return " ".join(_WORD.findall(text.casefold())).encode("utf-8")
    return _ascii_words(text.encode("ascii"))


def ascii_words_in_python(data: bytes) -> bytes:
    """The runs of \\w in ASCII text, casefolded, joined by single spaces: the reference
    the compiled form (_words.c, one pass instead of these four) is held to, and what runs
    without it."""
    spaced = data.translate(_ASCII_FOLDED_WORD)
    # b" ".join(spaced.split()), with a piece per run of two spaces (punctuation before a
    # space, a paragraph's end) instead of one per word: a third of the time. Splitting at
    # each "  " from the left leaves no "  " in a piece, only a space at either end, and
    # spaces are the only whitespace left for bytes.strip.
    return b" ".join(filter(None, map(bytes.strip, spaced.split(b"  "))))


_ascii_words: Callable[[bytes], bytes]
try:
    from bot.store._words import ascii_words as _ascii_words  # type: ignore[no-redef]
except ImportError:  # built without a C compiler
    _ascii_words = ascii_words_in_python


def fingerprint_and_words(draft: StoryDraft) -> tuple[str, int]:
    """A new story's content_hash and word count: both read every word, so a store runs
    this in a thread (tens of milliseconds for a long work would stall the event loop)."""
    return content_hash(draft.chapters), draft.words


def is_web_link(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def iso_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def moment_of(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def fandoms_and_warnings(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """A list line's fandoms and warnings, each in the story's order, from one walk over its
    tags where every name is led by its kind's first letter ("f" or "w")."""
    fandoms: list[str] = []
    warnings: list[str] = []
    for name in names:
        (fandoms if name[0] == "f" else warnings).append(name[1:])
    return fandoms, warnings


class _ReadById(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def guild_id(self) -> int | None: ...


StoryRead = TypeVar("StoryRead", bound=_ReadById)


def visible_in_order(found: Iterable[StoryRead], story_ids: Sequence[int],
                     visibility: Visibility = ALL_GUILDS) -> list[StoryRead]:
    """Stories (or list lines) read by id, as asked for: the visible ones, in the order of
    `story_ids` (a story removed meanwhile is left out)."""
    by_id = {story.id: story for story in found if can_see(visibility, story.guild_id)}
    return [by_id[i] for i in story_ids if i in by_id]


def walk_crossover(rows: int, library: int, tags: int) -> int:
    """How many stories carrying a tag make the two ways of finding a list page of it cost
    the same. Gathering the tag's stories and sorting them reads each of them; walking the
    order's index and asking each story's tags (`tags` of them: a server's tag may stand
    for several) reads about `rows` x the library / the tag's stories, each asked `tags`
    times. Even at sqrt(rows x library x tags): fewer carriers, gather; more, walk. Either
    way a page reads at most about that many stories (2,236 of 100k for 50 lines)."""
    return max(1, isqrt(rows * library * max(1, tags)))


class _SearchesIds(Protocol):
    async def search_ids(self, visibility: Visibility, query: str, *, limit: int = 25,
                         shown: StoryFilter | None = None) -> SearchHits[int]: ...
    async def get_many(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> list[Story]: ...


async def searched_stories(stories: _SearchesIds, visibility: Visibility, query: str, *,
                           limit: int, shown: StoryFilter | None) -> SearchHits[Story]:
    """A store's `search`: its `search_ids`, read as whole stories."""
    found = await stories.search_ids(visibility, query, limit=limit, shown=shown)
    return SearchHits[Story](await stories.get_many(found, visibility),
                             newest_only=found.newest_only)
