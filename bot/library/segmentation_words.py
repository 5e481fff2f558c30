"""Word counts for segmentation: models.count_words, at the speed an import needs.

Every paragraph of every imported story is counted, so the common case is done with a few
C-level bytes operations and no regex. A word is a run of word characters, apostrophes and
hyphens ([\\w'’-]+) that holds a letter or digit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.library.models import SCENE_BREAK

# The same count as models.count_words (runs of [\w'’-] holding a letter or digit) in one
# regex pass, about 3x faster: a run with no letter or digit matches the first branch (and
# yields ""), a counted word the second. Possessive quantifiers keep it linear.
_WORD_OR_BARE_RUN = re.compile(r"[_'’-]++(?![\w'’-])|([_'’-]*+[^\W_][\w'’-]*+)")

# The fast path's view of a text: every ASCII byte that cannot be in a word becomes a
# space, so the runs [\w'’-]+ are what bytes.split returns (C speed, no regex engine;
# bytes.translate is a table lookup per byte, several times str.translate's speed).
_ASCII_NON_WORD = bytes(
    byte if byte >= 128 or chr(byte).isalnum() or chr(byte) in "_'-" else ord(" ")
    for byte in range(256)
)
# The non-ASCII characters of most English prose, as the fast path may read them: the
# apostrophe is a word character (like "'"), the others separate words (like a space).
_COMMON_NON_ASCII = (("\u2019", "'"),
                     *((char, " ") for char in "\u201c\u201d\u2018\u2014\u2013\u2026\u00a0"))
# A chapter's view also meets scene breaks between its paragraphs: not word characters.
_CHAPTER_NON_ASCII = (*_COMMON_NON_ASCII, (SCENE_BREAK, " "))


def count_words(text: str) -> int:
    """models.count_words: the runs of word characters, apostrophes and hyphens that hold
    a letter or digit."""
    if not text.isascii():
        for char, stand_in in _COMMON_NON_ASCII:
            if char in text:
                text = text.replace(char, stand_in)
        if not text.isascii():  # other letters or marks: the regex knows Unicode's classes
            found = _WORD_OR_BARE_RUN.findall(text)
            return len(found) - found.count("")
    # Deleting _ ' - joins each word's letters and digits into one run and leaves nothing
    # of a run without any (a lone dash), so the runs left are the words.
    return len(text.encode("ascii").translate(_ASCII_NON_WORD, b"_'-").split())


# A chapter's classes, one byte per character: a letter or digit is "a", an apostrophe,
# underscore or hyphen (they join letters into a word but are no word alone) is "j", and
# anything else is a space. With the "j"s deleted, a word is a run of "a"s, and the words
# of a stretch are the places where " a" occurs in it: bytes.count, no list of words made.
_CLASSES = bytes(
    ord("a") if byte < 128 and chr(byte).isalnum()
    else ord("j") if chr(byte) in "_'-"
    else ord(" ")
    for byte in range(256)
)


def paragraph_words(text: str, scenes: Sequence[Sequence[tuple[int, int]]]) -> list[list[int]]:
    """count_words of each paragraph span of a chapter, scene by scene.

    The spans are in order, and what lies between them is whitespace or scene breaks, as
    segmentation's scenes are. When the chapter is plain ASCII (or only has the common
    punctuation above besides), it is classified once and each paragraph costs two
    bytes.count calls; otherwise each paragraph is counted on its own.
    """
    if not text.isascii():
        for char, stand_in in _CHAPTER_NON_ASCII:
            if char in text:
                text = text.replace(char, stand_in)  # one character for one: spans still hold
        if not text.isascii():
            return [[count_words(text[start:end]) for start, end in scene] for scene in scenes]
    classes = text.encode("ascii").translate(_CLASSES)
    # `words` has a space in front, so position p of the text is p + 1 there, less the
    # joiners before p; the space before a paragraph is at its start's place.
    words = b" " + classes.replace(b"j", b"")
    if len(words) == len(classes) + 1:  # no joiners: positions are the same
        return [[words.count(b" a", start, end + 1) for start, end in scene] for scene in scenes]
    counts: list[list[int]] = []
    joiners = 0  # before the current span; the text between spans has none
    for scene in scenes:
        scene_counts: list[int] = []
        for start, end in scene:
            low = start - joiners
            joiners += classes.count(b"j", start, end)
            scene_counts.append(words.count(b" a", low, end - joiners + 1))
        counts.append(scene_counts)
    return counts
