"""Cutting a story into passages: the excerpt units that are posted, reacted to and discussed.

A story is cut once, at import time, and the passages are stored with stable ids (their
`seq`). The rules, strongest first:

- a passage never crosses a chapter; a scene break is never a passage of its own, and is
  inside a passage only where a scene too short to stand alone joins a neighbour;
- a passage never holds more than `max_words` words (as `count_words` counts them) nor more
  than `max_chars` characters, so it always fits an embed description with room for its card;
- it ends at a paragraph end, unless one paragraph alone is over a limit (or moving a cut
  into a paragraph is the only way to keep a neighbour from being a fragment); then at a
  sentence end, unless one sentence alone is over a limit; then between words, and only a
  "word" over a limit on its own (a run with no whitespace) is cut inside itself;
- no passage is under `merge_below` words unless its chapter is (or the limits leave no
  choice): short scenes and tails merge into a neighbour, or the cut between them moves;
- within those limits passages are filled greedily, preferring cuts that read well (see
  segmentation_rules: never right after a speaker's name, rather where a scene or a
  conversation pauses than in mid-conversation) and passages of at least `min_words`; a
  short last passage of a scene merges back into the one before when that keeps the
  limits, or the two are rebalanced at an equally good cut.

Nothing is lost or reordered: every passage's text is exactly the slice
`chapter.text[start:end]` of its `span`, and what lies between consecutive passages of a
chapter is only whitespace and scene-break paragraphs. Stored text therefore carries no
"…" marker where a sentence was cut; `display_text` adds it when the passage is shown, using
`cut_before`/`cut_after` (the marker adds at most 2 characters to `max_chars`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from bot.library.models import SCENE_BREAK, Chapter, Passage
from bot.library.segmentation_packing import merge_fragments, pack_scene
from bot.library.segmentation_rules import (
    DEFAULT_RULES,
    Cut,
    CutQuality,
    SegmentRules,
    Unit,
    ends_on_cue,
    first_line_end,
    is_cue_line,
    is_dialogue,
)

__all__ = ["ELLIPSIS", "Cut", "PassageDraft", "SegmentRules", "display_text", "segment_chapters"]

ELLIPSIS = "…"


@dataclass(frozen=True)
class PassageDraft:
    """A passage before it is stored. `seq` is 0-based across the whole story."""

    seq: int
    chapter: int
    text: str
    words: int
    # (start, end) of `text` in its chapter's text; None when not built by segment_chapters.
    span: tuple[int, int] | None = None
    cut_before: Cut = Cut.PARAGRAPH
    cut_after: Cut = Cut.PARAGRAPH


def display_text(passage: PassageDraft | Passage) -> str:
    """The passage as shown: "…" where it starts or ends in the middle of a sentence."""
    text = passage.text
    if passage.cut_before.mid_sentence:
        text = ELLIPSIS + text
    if passage.cut_after.mid_sentence:
        text = text + ELLIPSIS
    return text


# Paragraphs are separated by a blank line; tolerate stray spaces on it and extra blank lines.
_PARAGRAPH_GAP = re.compile(r"\n\s*\n")
# A sentence ends with terminal punctuation (plus closing quotes/brackets/emphasis) followed
# by whitespace; a single line break inside a paragraph (verse, chat logs) counts as well.
_SENTENCE_GAP = re.compile(r"[.!?…‽]+[\"'”’»)\]*_~|]*(\s+)|([^\S\n]*\n\s*)")
_WORD_GAP = re.compile(r"\s+")
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


def _count_words(text: str) -> int:
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


def segment_chapters(
    chapters: Sequence[Chapter], rules: SegmentRules = DEFAULT_RULES
) -> list[PassageDraft]:
    """Cut the chapters, in the order given, into passages numbered from 0."""
    drafts: list[PassageDraft] = []
    for chapter in chapters:
        text = chapter.text
        units: list[Unit] = []
        ranges: list[tuple[int, int]] = []
        for scene in _scenes(text):
            first = len(units)
            _scene_units(text, scene, rules, units)
            ranges += pack_scene(units, first, len(units) - 1, rules)
        words_before = [0, *accumulate(unit.words for unit in units)]
        for first, last in merge_fragments(units, words_before, ranges, rules):
            start, end = units[first].start, units[last].end
            drafts.append(
                PassageDraft(
                    seq=len(drafts),
                    chapter=chapter.number,
                    text=text[start:end],
                    # Units meet at whitespace (or a scene break) and never at an INSIDE_WORD
                    # cut within one passage, so their counts add up to count_words(text).
                    words=words_before[last + 1] - words_before[first],
                    span=(start, end),
                    cut_before=Cut.SCENE if first == 0 else units[first - 1].cut,
                    cut_after=units[last].cut,
                )
            )
    return drafts


def _scene_units(
    text: str, paragraphs: list[tuple[int, int]], rules: SegmentRules, units: list[Unit]
) -> None:
    """Append the units of one scene; the cut after each paragraph says how it reads."""
    ends: list[int] = []  # index of each paragraph's last unit
    dialogue: list[bool] = []
    cue_ends: list[bool] = []  # the paragraph ends on a cue line
    after_cue = False
    max_words, max_chars = rules.max_words, rules.max_chars
    for start, end in paragraphs:
        # Most paragraphs fit whole: _paragraph_units' first case, without the call.
        words = _count_words(text[start:end])
        if words <= max_words and end - start <= max_chars:
            units.append(Unit(start, end, words, Cut.PARAGRAPH, CutQuality.PARAGRAPH))
        else:
            _paragraph_units(text, start, end, rules, units)
        ends.append(len(units) - 1)
        line_end = first_line_end(text, start, end)
        # A parenthetical is a cue after a speaker's name or inside a speech: "(Beat.)".
        in_speech = after_cue or bool(dialogue and dialogue[-1])
        opens_on_cue = is_cue_line(text, start, line_end, in_speech)
        dialogue.append(after_cue or opens_on_cue or is_dialogue(text, start, end))
        after_cue = opens_on_cue if line_end == end else ends_on_cue(text, start, end)
        cue_ends.append(after_cue)
    # Units were built with a plain paragraph cut after them; change those that read worse.
    for index, last in enumerate(ends):
        if index == len(ends) - 1:
            cut, quality = Cut.SCENE, CutQuality.SCENE
        elif cue_ends[index]:
            cut, quality = Cut.PARAGRAPH, CutQuality.AFTER_CUE
        elif dialogue[index] and dialogue[index + 1]:
            cut, quality = Cut.PARAGRAPH, CutQuality.CONVERSATION
        else:
            continue
        unit = units[last]
        units[last] = Unit(unit.start, unit.end, unit.words, cut, quality)


def _scenes(text: str) -> list[list[tuple[int, int]]]:
    """The trimmed paragraph spans of a chapter, grouped into scenes (breaks dropped)."""
    plain = _scenes_of_single_lines(text)
    if plain is not None:
        return plain
    scenes: list[list[tuple[int, int]]] = [[]]
    position = 0
    gaps = [(m.start(), m.end()) for m in _PARAGRAPH_GAP.finditer(text)]
    gaps.append((len(text), len(text)))
    for gap_start, gap_end in gaps:
        span = _trim(text, position, gap_start)
        position = gap_end
        if span is None:
            continue
        if text[span[0] : span[1]] == SCENE_BREAK:
            scenes.append([])
        else:
            scenes[-1].append(span)
    return [scene for scene in scenes if scene]


def _scenes_of_single_lines(text: str) -> list[list[tuple[int, int]]] | None:
    """_scenes of a chapter whose paragraphs are trimmed single lines with exactly one
    blank line between them (most imported text, as normalised): found by str.split, at a
    fraction of the regex's cost. None for any other text."""
    scenes: list[list[tuple[int, int]]] = [[]]
    position = 0
    for piece in text.split("\n\n"):
        if not piece or "\n" in piece or piece[0].isspace() or piece[-1].isspace():
            return None  # an empty or multi-line paragraph, or spaces the regex would take
        end = position + len(piece)
        if piece == SCENE_BREAK:
            scenes.append([])
        else:
            scenes[-1].append((position, end))
        position = end + 2
    return [scene for scene in scenes if scene]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _pieces(text: str, start: int, end: int, gap: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of text[start:end] between matches of `gap` (its last matching group, if any)."""
    spans: list[tuple[int, int]] = []
    position = start
    for match in gap.finditer(text, start, end):
        group = match.lastindex or 0
        gap_start, gap_end = match.span(group)
        if gap_start > position:
            spans.append((position, gap_start))
        position = gap_end
    if position < end:
        spans.append((position, end))
    return spans


def _paragraph_units(
    text: str, start: int, end: int, rules: SegmentRules, units: list[Unit]
) -> None:
    """Append the paragraph as one unit, or its sentences (and lines) when it is over a
    limit; the caller sets the cut after its last unit."""
    words = _count_words(text[start:end])
    if rules.fits(words, end - start):
        units.append(Unit(start, end, words, Cut.PARAGRAPH, CutQuality.PARAGRAPH))
        return
    sentences = _pieces(text, start, end, _SENTENCE_GAP)
    cues = _cue_lines(text, start, sentences)
    for index, (s_start, s_end) in enumerate(sentences):
        if index == len(sentences) - 1:
            after, quality = Cut.PARAGRAPH, CutQuality.PARAGRAPH
        elif cues[index]:
            after, quality = Cut.SENTENCE, CutQuality.AFTER_CUE
        elif cues[index + 1]:
            after, quality = Cut.SENTENCE, CutQuality.TURN
        else:
            after, quality = Cut.SENTENCE, CutQuality.SENTENCE
        _sentence_units(text, s_start, s_end, after, quality, rules, units)


def _cue_lines(text: str, start: int, sentences: list[tuple[int, int]]) -> list[bool]:
    """For each sentence of a paragraph: is it a whole line, and a cue line?"""
    cues: list[bool] = []
    after_cue = False
    for index, (s_start, s_end) in enumerate(sentences):
        line_start = s_start == start or "\n" in text[sentences[index - 1][1] : s_start]
        line_end = index == len(sentences) - 1 or "\n" in text[s_end : sentences[index + 1][0]]
        after_cue = line_start and line_end and is_cue_line(text, s_start, s_end, after_cue)
        cues.append(after_cue)
    return cues


def _sentence_units(
    text: str,
    start: int,
    end: int,
    after: Cut,
    quality: int,
    rules: SegmentRules,
    units: list[Unit],
) -> None:
    words = _count_words(text[start:end])
    if rules.fits(words, end - start):
        units.append(Unit(start, end, words, after, quality))
        return
    tokens = _pieces(text, start, end, _WORD_GAP)
    for index, (t_start, t_end) in enumerate(tokens):
        last = index == len(tokens) - 1
        token_after = after if last else Cut.WORD
        token_quality = quality if last else CutQuality.WORD
        token_words = _count_words(text[t_start:t_end])
        if rules.fits(token_words, t_end - t_start):
            units.append(Unit(t_start, t_end, token_words, token_after, token_quality))
        else:
            _hard_split(text, t_start, t_end, token_after, token_quality, rules, units)


def _hard_split(
    text: str,
    start: int,
    end: int,
    after: Cut,
    quality: int,
    rules: SegmentRules,
    units: list[Unit],
) -> None:
    """Cut a whitespace-free run into maximal pieces that keep both limits."""
    position = start
    while position < end:
        stop = min(end, position + rules.max_chars)
        if _count_words(text[position:stop]) > rules.max_words:
            # Words in a prefix never decrease as it grows, so binary-search the longest
            # prefix within max_words; one character is at most one word, so it always fits.
            good, bad = position + 1, stop
            while bad - good > 1:
                middle = (good + bad) // 2
                if _count_words(text[position:middle]) <= rules.max_words:
                    good = middle
                else:
                    bad = middle
            stop = good
        words = _count_words(text[position:stop])
        if stop == end:
            units.append(Unit(position, stop, words, after, quality))
        else:
            units.append(Unit(position, stop, words, Cut.INSIDE_WORD, CutQuality.INSIDE_WORD))
        position = stop
