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
from itertools import accumulate, compress, repeat
from operator import itemgetter, sub

from bot.library.models import Chapter, Passage
from bot.library.segmentation_packing import merge_fragments, pack_paragraphs, pack_scene
from bot.library.segmentation_rules import (
    CUE_MAX_CHARS,
    DEFAULT_RULES,
    EMPHASIS_MARKS,
    SPEAKER_PREFIX_CHARS,
    SPEECH_OPENERS,
    Cut,
    CutQuality,
    SegmentRules,
    Unit,
    ends_on_cue,
    is_cue_line,
    is_dialogue,
)
from bot.library.segmentation_scenes import scenes_between_gaps, scenes_of_single_lines
from bot.library.segmentation_words import count_words as _count_words
from bot.library.segmentation_words import paragraph_words

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


# A sentence ends with terminal punctuation (plus closing quotes/brackets/emphasis) followed
# by whitespace; a single line break inside a paragraph (verse, chat logs) counts as well.
_SENTENCE_GAP = re.compile(r"[.!?…‽]+[\"'”’»)\]*_~|]*(\s+)|([^\S\n]*\n\s*)")
_WORD_GAP = re.compile(r"\s+")


def segment_chapters(
    chapters: Sequence[Chapter], rules: SegmentRules = DEFAULT_RULES
) -> list[PassageDraft]:
    """Cut the chapters, in the order given, into passages numbered from 0."""
    drafts: list[PassageDraft] = []
    for chapter in chapters:
        text = chapter.text
        single_lines = scenes_of_single_lines(text)
        scenes = single_lines if single_lines is not None else scenes_between_gaps(text)
        # Whether any paragraph can hold a quotation mark or a speaker's colon: most
        # chapters of narration have neither, which spares the search in each paragraph.
        quotes, colons = '"' in text or "“" in text, ":" in text
        narration = single_lines is not None and not quotes and not colons
        units: list[Unit] = []
        ranges: list[tuple[int, int]] = []
        for scene, counts in zip(scenes, paragraph_words(text, scenes), strict=True):
            first = len(units)
            plain = narration and _narration_units(text, scene, counts, rules, units)
            if plain:
                ranges += pack_paragraphs(units, first, *plain, counts, rules)
            else:
                _scene_units(text, scene, counts, rules, units, quotes, colons)
                ranges += pack_scene(units, first, len(units) - 1, rules)
        words_before = [0, *accumulate(map(_WORDS_OF_UNIT, units))]
        number = chapter.number
        for first, last in merge_fragments(units, words_before, ranges, rules):
            start, end = units[first][0], units[last][1]
            # PassageDraft(...) without the frozen dataclass's __init__ (an object.__setattr__
            # per field, four times the cost of the rest): the same object, fields in order.
            draft = _new_object(PassageDraft)
            draft.__dict__.update(
                {
                    "seq": len(drafts),
                    "chapter": number,
                    "text": text[start:end],
                    # Units meet at whitespace (or a scene break) and never at an INSIDE_WORD
                    # cut within one passage, so their counts add up to count_words(text).
                    "words": words_before[last + 1] - words_before[first],
                    "span": (start, end),
                    "cut_before": _SCENE_CUT if first == 0 else units[first - 1][3],
                    "cut_after": units[last][3],
                }
            )
            drafts.append(draft)
    return drafts


_new_object = object.__new__
_SCENE_CUT = Cut.SCENE
# Unit's fields in a tuple, without NamedTuple's __new__ (a Python function): paragraphs
# are many, and this is the loop every imported story goes through.
_new_unit = tuple.__new__
_WORDS_OF_UNIT = itemgetter(2)
_PARAGRAPH_CUT, _PARAGRAPH_QUALITY = Cut.PARAGRAPH, CutQuality.PARAGRAPH


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _narration_units(
    text: str,
    paragraphs: list[tuple[int, int]],
    counts: list[int],
    rules: SegmentRules,
    units: list[Unit],
) -> tuple[list[int], list[int]] | None:
    """_scene_units of a scene of plain narration, in C-level maps: its paragraphs (single
    lines, the caller knows) fit whole, none is a cue line nor opens as speech (the chapter
    having no quotation mark or colon, nothing else makes a paragraph dialogue, and so no
    paragraph follows speech). Every cut is then a plain paragraph's, and the scene's at
    the end. The paragraphs' starts and ends; None, and nothing appended, for any other
    scene."""
    starts = list(map(_FIRST, paragraphs))
    ends = list(map(_SECOND, paragraphs))
    lengths = list(map(sub, ends, starts))
    if max(lengths) > rules.max_chars or max(counts) > rules.max_words:
        return None
    openings = list(map(text.__getitem__, starts))
    if not SPEECH_OPENERS.isdisjoint(openings):
        return None
    if not EMPHASIS_MARKS.isdisjoint(openings):  # "*Emphasis* first", or *"Speech"*?
        emphasised = compress(paragraphs, map(EMPHASIS_MARKS.__contains__, openings))
        if any(is_dialogue(text, start, end) for start, end in emphasised):
            return None
    if min(lengths) <= CUE_MAX_CHARS:
        short = compress(paragraphs, map(CUE_MAX_CHARS.__ge__, lengths))
        if any(is_cue_line(text, start, end) for start, end in short):
            return None
    units.extend(
        map(
            _new_unit,
            repeat(Unit),
            zip(starts, ends, counts, repeat(_PARAGRAPH_CUT), repeat(_PARAGRAPH_QUALITY)),
        )
    )
    unit = units[-1]
    units[-1] = _new_unit(Unit, (unit[0], unit[1], unit[2], Cut.SCENE, CutQuality.SCENE))
    return starts, ends


def _scene_units(
    text: str,
    paragraphs: list[tuple[int, int]],
    counts: list[int],
    rules: SegmentRules,
    units: list[Unit],
    quotes: bool,  # the chapter holds a double quotation mark somewhere
    colons: bool,
) -> None:
    """Append the units of one scene (counts: each paragraph's words); the cut after each
    paragraph says how it reads."""
    max_words, max_chars = rules.max_words, rules.max_chars
    after_cue = False  # the paragraph before ends on a cue line
    was_dialogue = False  # the paragraph before is dialogue
    before = -1  # index of the paragraph before's last unit
    for (start, end), words in zip(paragraphs, counts, strict=True):
        # Most paragraphs fit whole: _paragraph_units' first case, without the call.
        if words <= max_words and end - start <= max_chars:
            units.append(
                _new_unit(Unit, (start, end, words, _PARAGRAPH_CUT, _PARAGRAPH_QUALITY))
            )
        else:
            _paragraph_units(text, start, end, rules, units)
        line_end = text.find("\n", start, end)  # first_line_end, without the call
        if line_end < 0:
            line_end = end
        # A parenthetical is a cue after a speaker's name or inside a speech: "(Beat.)".
        # (is_cue_line's own first test: a long line is no cue.)
        opens_on_cue = line_end - start <= CUE_MAX_CHARS and is_cue_line(
            text, start, line_end, after_cue or was_dialogue
        )
        # is_dialogue's tests, the cheap ones first, each made only where it can succeed (a
        # colon found past the paragraph's end only costs the full test).
        opening = text[start]
        dialogue = (
            after_cue
            or opens_on_cue
            or opening in SPEECH_OPENERS
            or (quotes and (text.find('"', start, end) >= 0 or text.find("“", start, end) >= 0))
            or (
                (
                    opening in EMPHASIS_MARKS
                    or (colons and text.find(":", start, start + SPEAKER_PREFIX_CHARS) >= 0)
                )
                and is_dialogue(text, start, end)
            )
        )
        # The cut after the paragraph before, now that this one is known to be speech or not
        # (units were built with a plain paragraph cut; change those that read worse).
        if before >= 0 and (after_cue or (was_dialogue and dialogue)):
            quality = CutQuality.AFTER_CUE if after_cue else CutQuality.CONVERSATION
            unit = units[before]
            units[before] = _new_unit(Unit, (unit[0], unit[1], unit[2], _PARAGRAPH_CUT, quality))
        after_cue = opens_on_cue if line_end == end else ends_on_cue(text, start, end)
        was_dialogue = dialogue
        before = len(units) - 1
    unit = units[before]
    units[before] = _new_unit(Unit, (unit[0], unit[1], unit[2], Cut.SCENE, CutQuality.SCENE))


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
