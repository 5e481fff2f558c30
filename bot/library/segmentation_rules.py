"""What segmentation needs to know about a story's text: limits, and where a cut reads well.

`Cut` is stored with every passage (it decides the "…" markers); `CutQuality` only steers
the packer and is never stored. The reading rules are small heuristics on single lines and
paragraph openings, cheap enough to run on every paragraph of a novel:

- a *cue line* only introduces what follows: a speaker's name in screenplay format
  ("MARTIN", "**SIEGFRIED (V.O.)**", "Bronner:"), a short line ending in a colon ("Hard
  coded ids:"), or a parenthetical direction after a speaker's name or in a speech
  ("(Yawning.)", "(Beat.)").
  A passage never ends on one when it can end anywhere else;
- a *dialogue* paragraph is speech: it opens with a quotation mark or dash, holds a double
  quotation mark, opens with "Name: ", or is (or follows) a speaker's name. Cutting between
  two of them starts the next passage in the middle of a conversation, so a cut where the
  conversation pauses (narration on either side) is preferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from bot.library.models import Cut


class CutQuality(IntEnum):
    """How well a passage reads when it ends here; the packer maximises it."""

    AFTER_CUE = -1  # right after a speaker's name: the speech would start the next passage
    INSIDE_WORD = 0
    WORD = 1
    SENTENCE = 2
    TURN = 3  # a line break before the next speaker's name, inside one paragraph
    CONVERSATION = 4  # between two paragraphs of dialogue: the next passage starts mid-talk
    PARAGRAPH = 5
    SCENE = 6


class Unit(NamedTuple):
    """The smallest piece the packer moves: text[start:end], and how the cut after it is."""

    start: int
    end: int
    words: int
    cut: Cut
    quality: int


@dataclass(frozen=True)
class SegmentRules:
    # Passages are filled up to the limits, preferring to leave at least min_words...
    min_words: int = 120
    max_words: int = 350
    # Discord's embed description holds 4096; the rest is left for the card around it.
    max_chars: int = 3500
    # ...and a passage under merge_below words is merged into a neighbour (across a scene
    # break if need be), unless its whole chapter is that short or the limits forbid it.
    merge_below: int = 80

    def __post_init__(self) -> None:
        if self.max_words < 1 or self.max_chars < 1:
            raise ValueError("max_words and max_chars must be at least 1")
        if not 0 <= self.min_words <= self.max_words:
            raise ValueError("min_words must be between 0 and max_words")
        if not 0 <= self.merge_below <= self.min_words:
            raise ValueError("merge_below must be between 0 and min_words")

    def fits(self, words: int, chars: int) -> bool:
        return words <= self.max_words and chars <= self.max_chars


DEFAULT_RULES = SegmentRules()


# Longer lines are never cues; checking the length first keeps prose paragraphs cheap.
CUE_MAX_CHARS = 60
_CUE_MAX_WORDS = 5
_EMPHASIS = "*_~\\ "
# A name, then maybe an extension such as "(V.O.)" or "(cont'd)", then maybe a colon.
_CUE = re.compile(
    r"(?P<name>[^\W\d_][^:()\n]*?)[*_~\\ ]*(?:\([^()\n]{1,24}\))?[*_~\\ ]*(?P<colon>:)?"
)
_PARENTHETICAL = re.compile(r"\([^()\n]{1,120}\)")
_WORD = re.compile(r"[\w'’-]+")
# Speech opens with a quotation mark or dash (after any emphasis), or with "Name: " as in
# chat logs and scripts; the prefix is looked for only when a colon comes early.
SPEECH_OPENERS = frozenset("\"“”„«»‘'「『—–-")
# What may come before the opener: emphasis marks, skipped.
EMPHASIS_MARKS = frozenset("*_~\\")
_SPEAKER_PREFIX = re.compile(r"[*_~\\]*[^\W\d_][\w.'’ -]{0,30}?[*_~\\]*:[*_~\\]*\s")
SPEAKER_PREFIX_CHARS = 40


def is_cue_line(text: str, start: int, end: int, in_speech: bool = False) -> bool:
    """True when the line text[start:end] only introduces what follows it (see the module
    docstring). `in_speech` says the line before was a cue or speech, which makes a
    parenthetical direction ("(Beat.)") a cue too."""
    if end - start > CUE_MAX_CHARS:
        return False
    line = text[start:end]
    bare = line.strip(_EMPHASIS)
    if not bare:
        return False
    if in_speech and _PARENTHETICAL.fullmatch(bare):
        return len(_WORD.findall(bare)) <= 3 * _CUE_MAX_WORDS
    match = _CUE.fullmatch(bare)
    if match is None or len(_WORD.findall(bare)) > _CUE_MAX_WORDS:
        return False
    name = match.group("name").rstrip(_EMPHASIS)
    if name[-1:] in ".!?…,;":
        return False  # a sentence, or a heading such as "FADE OUT."
    if match.group("colon"):
        return True
    cased = [ch for ch in name if ch.isupper() or ch.islower()]
    return len(cased) >= 2 and not any(ch.islower() for ch in cased)


def is_dialogue(text: str, start: int, end: int) -> bool:
    """Whether the paragraph text[start:end] is (or holds) speech."""
    position = start
    while position < end and text[position] in EMPHASIS_MARKS:
        position += 1
    if position < end and text[position] in SPEECH_OPENERS:
        return True
    if text.find('"', start, end) >= 0 or text.find("“", start, end) >= 0:
        return True
    if text.find(":", start, min(end, start + SPEAKER_PREFIX_CHARS)) < 0:
        return False
    return _SPEAKER_PREFIX.match(text, start, end) is not None


def first_line_end(text: str, start: int, end: int) -> int:
    found = text.find("\n", start, end)
    return end if found < 0 else found


def ends_on_cue(text: str, start: int, end: int) -> bool:
    """Whether the last line of the multi-line paragraph text[start:end] is a cue line (a
    parenthetical counts when the line before it is a speaker's name)."""
    last_start = max(start, text.rfind("\n", start, end) + 1)
    if end - last_start > CUE_MAX_CHARS:
        return False
    if is_cue_line(text, last_start, end):
        return True
    if not _PARENTHETICAL.fullmatch(text[last_start:end].strip(_EMPHASIS)):
        return False
    previous_start = max(start, text.rfind("\n", start, last_start - 1) + 1)
    return is_cue_line(text, previous_start, last_start - 1)
