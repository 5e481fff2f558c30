"""Grouping a chapter's units into passages: greedy within each scene, then fragments merged.

Ranges are inclusive (first, last) indexes into the chapter's unit list. `words_before`
holds the running word total (words_before[i] = words of units[:i]) so any range's count is
one subtraction.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from operator import itemgetter

from bot.library.segmentation_rules import CutQuality, SegmentRules, Unit

Range = tuple[int, int]
_WORDS = itemgetter(2)


def pack_scene(units: list[Unit], first: int, last_unit: int, rules: SegmentRules) -> list[Range]:
    """Group the units first..last_unit of one scene into passages."""
    ranges: list[Range] = []
    max_words, max_chars = rules.max_words, rules.max_chars
    merge_below, min_words = rules.merge_below, rules.min_words
    while first <= last_unit:
        end_limit = units[first][0] + max_chars
        words = 0
        best_score = -1
        best_last = first
        # Every unit fits on its own, so the loop accepts at least the first one.
        for index in range(first, last_unit + 1):
            _, end, unit_words, _, quality = units[index]
            words += unit_words
            if words > max_words or end > end_limit:
                break
            # Never after a speaker's name if avoidable; then reach merge_below, then the
            # best-reading cut, then min_words, then the longest passage: the tuple
            # (quality >= 0, words >= merge_below, quality, words >= min_words, index)
            # maximised, as one number (quality is -1..6, three bits once shifted by one);
            # ">=" lets the later index win a tie.
            score = (
                (quality >= 0) << 5
                | (words >= merge_below) << 4
                | (quality + 1) << 1
                | (words >= min_words)
            )
            if score >= best_score:
                best_score, best_last = score, index
        ranges.append((first, best_last))
        first = best_last + 1
    if len(ranges) > 1:
        _balance_tail(units, ranges, rules)
    return ranges


def pack_paragraphs(
    units: list[Unit],
    first: int,
    starts: list[int],
    ends: list[int],
    counts: list[int],
    rules: SegmentRules,
) -> list[Range]:
    """pack_scene of a scene whose units (from `first` on, each paragraph's start, end and
    words given) all have a paragraph's cut but the last (the scene's). Then the packer's
    key only grows as a passage takes more units, so each passage takes all that fit:
    found by bisection instead of unit by unit."""
    words_before = [0, *accumulate(counts)]
    max_words, max_chars = rules.max_words, rules.max_chars
    ranges: list[Range] = []
    start = 0  # in the scene
    while start < len(starts):
        # Every unit fits on its own, so both bisections find at least the first one.
        stop = min(
            bisect_right(words_before, words_before[start] + max_words) - 1,
            bisect_right(ends, starts[start] + max_chars),
        )
        ranges.append((first + start, first + stop - 1))
        start = stop
    if len(ranges) > 1:
        _balance_tail(units, ranges, rules)
    return ranges


def _balance_tail(units: list[Unit], ranges: list[Range], rules: SegmentRules) -> None:
    """Merge a short last passage back, or move the cut before it to even the two out."""
    if len(ranges) < 2:
        return
    (first, cut_index), (_, last) = ranges[-2], ranges[-1]
    min_words = rules.min_words
    words = list(map(_WORDS, units[first : last + 1]))
    if sum(words[cut_index + 1 - first :]) >= min_words:
        return
    total = sum(words)
    origin, end = units[first][0], units[last][1]
    if rules.fits(total, end - origin):
        ranges[-2:] = [(first, last)]
        return
    max_words, max_chars = rules.max_words, rules.max_chars
    current_quality = units[cut_index][4]
    # The most even cut no worse than the current one; the later of two as even.
    best_imbalance, best_index = -1, -1
    left = 0
    for index in range(first, last):
        left += words[index - first]
        right = total - left
        if units[index][4] < current_quality or left < min_words or right < min_words:
            continue
        if left > max_words or units[index][1] - origin > max_chars:
            break
        if right > max_words or end - units[index + 1][0] > max_chars:
            continue
        imbalance = abs(left - right)
        if best_index < 0 or imbalance <= best_imbalance:
            best_imbalance, best_index = imbalance, index
    if best_index >= 0:
        ranges[-2:] = [(first, best_index), (best_index + 1, last)]


def merge_fragments(
    units: list[Unit], words_before: list[int], ranges: list[Range], rules: SegmentRules
) -> list[Range]:
    """Passages of one chapter, none under merge_below words where the limits allow.

    A short passage (a short scene, or a scene's tail that could not be evened out) joins
    the passage before it, or else the one after; the scene break between them stays in
    the text. When the two together are over a limit, the cut between them moves instead,
    to a sentence end or better, so that both keep merge_below words.
    """
    merged: list[Range] = []
    for current in ranges:
        if merged:
            previous = merged[-1]
            short = (
                _words(words_before, previous) < rules.merge_below
                or _words(words_before, current) < rules.merge_below
            )
            if short:
                joined = (previous[0], current[1])
                if _fits(units, words_before, joined, rules):
                    merged[-1] = joined
                    continue
                split = _even_split(units, words_before, joined, rules)
                if split is not None:
                    merged[-1] = (previous[0], split)
                    _absorb_fragment_before_last(units, words_before, merged, rules)
                    merged.append((split + 1, current[1]))
                    continue
        merged.append(current)
    return merged


def _absorb_fragment_before_last(units: list[Unit], words_before: list[int],
                                 merged: list[Range], rules: SegmentRules) -> None:
    """A fragment that could not join the passage after it may fit now that the cut at
    that passage's end moved back: a one-line scene before a long paragraph whose last
    sentences went to the next passage."""
    if len(merged) < 2:
        return
    before, last = merged[-2], merged[-1]
    joined = (before[0], last[1])
    if (_words(words_before, before) < rules.merge_below
            and _fits(units, words_before, joined, rules)):
        merged[-2:] = [joined]


def _words(words_before: list[int], span: Range) -> int:
    return words_before[span[1] + 1] - words_before[span[0]]


def _fits(units: list[Unit], words_before: list[int], span: Range, rules: SegmentRules) -> bool:
    return rules.fits(_words(words_before, span), units[span[1]].end - units[span[0]].start)


def _even_split(
    units: list[Unit], words_before: list[int], span: Range, rules: SegmentRules
) -> int | None:
    """The best cut in `span` leaving merge_below words on both sides: the best-reading one
    at a sentence end or better, then the most even. None if there is none."""
    first, last = span
    best: tuple[int, int, int] | None = None  # (quality, -imbalance, index)
    for index in range(first, last):
        quality = units[index].quality
        if quality < CutQuality.SENTENCE:
            continue
        left, right = (first, index), (index + 1, last)
        left_words, right_words = _words(words_before, left), _words(words_before, right)
        if min(left_words, right_words) < rules.merge_below:
            continue
        fits_both = _fits(units, words_before, left, rules) and _fits(
            units, words_before, right, rules
        )
        if not fits_both:
            continue
        candidate = (quality, -abs(left_words - right_words), index)
        if best is None or candidate > best:
            best = candidate
    return None if best is None else best[2]
