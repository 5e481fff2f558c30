"""Cutting a story into passages: the excerpt units that are posted, reacted to and discussed.

A story is cut once, at import time, and the passages are stored with stable ids (their
`seq`). The rules, strongest first:

- a passage never crosses a chapter or a scene break, and a scene break is never part of a
  passage (nor a passage of its own);
- a passage never holds more than `max_words` words (as `count_words` counts them) nor more
  than `max_chars` characters, so it always fits an embed description with room for its card;
- it ends at a paragraph end, unless one paragraph alone is over a limit; then at a sentence
  end, unless one sentence alone is over a limit; then between words, and only a "word" over
  a limit on its own (a run with no whitespace) is cut inside itself;
- within those limits passages are filled greedily, preferring cuts that leave at least
  `min_words`; a short last passage of a scene merges back into the one before when that
  keeps the limits, or the two are rebalanced at an equally good cut. A scene shorter than
  `min_words` is simply a short passage.

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

from bot.library.models import SCENE_BREAK, Chapter, Cut, Passage

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


@dataclass(frozen=True)
class SegmentRules:
    min_words: int = 120
    max_words: int = 350
    # Discord's embed description holds 4096; the rest is left for the card around it.
    max_chars: int = 3500

    def __post_init__(self) -> None:
        if self.max_words < 1 or self.max_chars < 1:
            raise ValueError("max_words and max_chars must be at least 1")
        if not 0 <= self.min_words <= self.max_words:
            raise ValueError("min_words must be between 0 and max_words")

    def fits(self, words: int, chars: int) -> bool:
        return words <= self.max_words and chars <= self.max_chars


def display_text(passage: PassageDraft | Passage) -> str:
    """The passage as shown: "…" where it starts or ends in the middle of a sentence."""
    text = passage.text
    if passage.cut_before.mid_sentence:
        text = ELLIPSIS + text
    if passage.cut_after.mid_sentence:
        text = text + ELLIPSIS
    return text


# A unit is the smallest piece the packer moves: (start, end, words, cut after it).
_Unit = tuple[int, int, int, Cut]

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


def _count_words(text: str) -> int:
    runs = _WORD_OR_BARE_RUN.findall(text)
    return len(runs) - runs.count("")


def segment_chapters(
    chapters: Sequence[Chapter], rules: SegmentRules = SegmentRules()
) -> list[PassageDraft]:
    """Cut the chapters, in the order given, into passages numbered from 0."""
    drafts: list[PassageDraft] = []
    for chapter in chapters:
        text = chapter.text
        for scene in _scenes(text):
            units: list[_Unit] = []
            for start, end in scene:
                _paragraph_units(text, start, end, rules, units)
            for first, last in _pack(units, rules):
                start, end = units[first][0], units[last][1]
                drafts.append(
                    PassageDraft(
                        seq=len(drafts),
                        chapter=chapter.number,
                        text=text[start:end],
                        # Units meet at whitespace and never at an INSIDE_WORD cut within
                        # one passage, so their counts add up to count_words(text).
                        words=sum(unit[2] for unit in units[first : last + 1]),
                        span=(start, end),
                        cut_before=Cut.SCENE if first == 0 else units[first - 1][3],
                        cut_after=Cut.SCENE if last == len(units) - 1 else units[last][3],
                    )
                )
    return drafts


def _scenes(text: str) -> list[list[tuple[int, int]]]:
    """The trimmed paragraph spans of a chapter, grouped into scenes (breaks dropped)."""
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
    text: str, start: int, end: int, rules: SegmentRules, units: list[_Unit]
) -> None:
    words = _count_words(text[start:end])
    if rules.fits(words, end - start):
        units.append((start, end, words, Cut.PARAGRAPH))
        return
    sentences = _pieces(text, start, end, _SENTENCE_GAP)
    for index, (s_start, s_end) in enumerate(sentences):
        after = Cut.PARAGRAPH if index == len(sentences) - 1 else Cut.SENTENCE
        _sentence_units(text, s_start, s_end, after, rules, units)


def _sentence_units(
    text: str, start: int, end: int, after: Cut, rules: SegmentRules, units: list[_Unit]
) -> None:
    words = _count_words(text[start:end])
    if rules.fits(words, end - start):
        units.append((start, end, words, after))
        return
    tokens = _pieces(text, start, end, _WORD_GAP)
    for index, (t_start, t_end) in enumerate(tokens):
        token_after = after if index == len(tokens) - 1 else Cut.WORD
        token_words = _count_words(text[t_start:t_end])
        if rules.fits(token_words, t_end - t_start):
            units.append((t_start, t_end, token_words, token_after))
        else:
            _hard_split(text, t_start, t_end, token_after, rules, units)


def _hard_split(
    text: str, start: int, end: int, after: Cut, rules: SegmentRules, units: list[_Unit]
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
        cut = after if stop == end else Cut.INSIDE_WORD
        units.append((position, stop, _count_words(text[position:stop]), cut))
        position = stop


def _pack(units: list[_Unit], rules: SegmentRules) -> list[tuple[int, int]]:
    """Group a scene's units into passages: inclusive (first, last) unit indexes."""
    ranges: list[tuple[int, int]] = []
    last_unit = len(units) - 1
    first = 0
    while first <= last_unit:
        origin = units[first][0]
        words = 0
        best_key: tuple[bool, int, int] | None = None
        best_last = first
        # Every unit fits on its own, so the loop accepts at least the first one.
        for index in range(first, last_unit + 1):
            start, end, unit_words, cut = units[index]
            if not rules.fits(words + unit_words, end - origin):
                break
            words += unit_words
            if index == last_unit:
                cut = Cut.SCENE
            # Prefer reaching min_words, then the cleanest cut, then the longest passage.
            key = (words >= rules.min_words, int(cut), index)
            if best_key is None or key > best_key:
                best_key, best_last = key, index
        ranges.append((first, best_last))
        first = best_last + 1
    _balance_tail(units, ranges, rules)
    return ranges


def _balance_tail(units: list[_Unit], ranges: list[tuple[int, int]], rules: SegmentRules) -> None:
    """Merge a short last passage back, or move the cut before it to even the two out."""
    if len(ranges) < 2:
        return
    (first, cut_index), (_, last) = ranges[-2], ranges[-1]
    words = [unit[2] for unit in units[first : last + 1]]
    total = sum(words)
    tail = sum(words[cut_index + 1 - first :])
    if tail >= rules.min_words:
        return
    if rules.fits(total, units[last][1] - units[first][0]):
        ranges[-2:] = [(first, last)]
        return
    current_cut = units[cut_index][3]
    best: tuple[int, int] | None = None  # (-imbalance, index)
    left = 0
    for index in range(first, last):
        left += words[index - first]
        right = total - left
        if units[index][3] < current_cut or min(left, right) < rules.min_words:
            continue
        if not rules.fits(left, units[index][1] - units[first][0]):
            break
        if not rules.fits(right, units[last][1] - units[index + 1][0]):
            continue
        candidate = (-abs(left - right), index)
        if best is None or candidate > best:
            best = candidate
    if best is not None:
        ranges[-2:] = [(first, best[1]), (best[1] + 1, last)]
