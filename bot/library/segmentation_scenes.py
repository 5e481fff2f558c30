"""A chapter's paragraphs, grouped into scenes: the first step of segmentation.

Paragraphs are separated by a blank line (stray spaces on it and extra blank lines are
tolerated); a paragraph that is only the scene-break marker separates scenes and is
dropped. Each paragraph is a span (start, end) of the chapter's text, trimmed of
whitespace.
"""

from __future__ import annotations

import re

from bot.library.models import SCENE_BREAK

__all__ = ["scenes", "scenes_between_gaps", "scenes_of_single_lines"]

_PARAGRAPH_GAP = re.compile(r"\n\s*\n")


def scenes(text: str) -> list[list[tuple[int, int]]]:
    """The trimmed paragraph spans of a chapter, grouped into scenes (breaks dropped)."""
    plain = scenes_of_single_lines(text)
    return plain if plain is not None else scenes_between_gaps(text)


def scenes_between_gaps(text: str) -> list[list[tuple[int, int]]]:
    """scenes(), by the regex: for any text."""
    grouped: list[list[tuple[int, int]]] = [[]]
    position = 0
    gaps = [(m.start(), m.end()) for m in _PARAGRAPH_GAP.finditer(text)]
    gaps.append((len(text), len(text)))
    for gap_start, gap_end in gaps:
        span = _trim(text, position, gap_start)
        position = gap_end
        if span is None:
            continue
        if text[span[0] : span[1]] == SCENE_BREAK:
            grouped.append([])
        else:
            grouped[-1].append(span)
    return [scene for scene in grouped if scene]


def scenes_of_single_lines(text: str) -> list[list[tuple[int, int]]] | None:
    """scenes() of a chapter whose paragraphs are trimmed single lines with exactly one
    blank line between them (most imported text, as normalised): found by str.split, at a
    fraction of the regex's cost. None for any other text."""
    grouped: list[list[tuple[int, int]]] = [[]]
    position = 0
    for piece in text.split("\n\n"):
        if not piece or "\n" in piece or piece[0].isspace() or piece[-1].isspace():
            return None  # an empty or multi-line paragraph, or spaces the regex would take
        end = position + len(piece)
        if piece == SCENE_BREAK:
            grouped.append([])
        else:
            grouped[-1].append((position, end))
        position = end + 2
    return [scene for scene in grouped if scene]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
