"""The growable arrays, interning tables and per-row columns the recommendation index is
held in (bot.library.tag_index), and the sorted-distinct helper its searches share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Columns:
    """Dense per-row columns for one query (views: do not keep across index changes)."""

    story_id: np.ndarray  # int64
    factor: np.ndarray  # float64, length factor
    popularity: np.ndarray  # float64
    rating: np.ndarray  # int16 rating code
    live: np.ndarray  # bool, False for removed stories
    series: np.ndarray  # int32 series code, -1 for none
    guild: np.ndarray  # int32 guild code


# The index's per-row columns and their types: those Columns hands out, then where each
# row's slices of the flat tag and author code arrays start and how long they are.
ROW_COLUMN_TYPES = {"sid": np.int64, "factor": np.float64, "popularity": np.float64,
                    "rating": np.int16, "live": np.bool_, "series": np.int32,
                    "guild": np.int32, "tag_start": np.int64, "tag_count": np.int32,
                    "author_start": np.int64, "author_count": np.int32}


class GrowArray:
    """A growable 1-D numpy array (amortised O(1) append). Views handed out stay valid
    until the next append."""

    __slots__ = ("data", "size")

    def __init__(self, dtype: type | np.dtype,
                 initial: np.ndarray | Sequence[float] | None = None) -> None:
        if initial is None:
            self.data = np.zeros(4, dtype=dtype)
            self.size = 0
        else:
            self.data = np.asarray(initial, dtype=dtype)
            self.size = len(self.data)

    def _room(self, extra: int) -> None:
        if self.size + extra > len(self.data):
            grown = np.zeros(max(2 * len(self.data), self.size + extra, 4), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def append(self, value: float) -> None:
        self._room(1)
        self.data[self.size] = value
        self.size += 1

    def extend(self, values: Iterable[int]) -> None:
        block = np.fromiter(values, dtype=self.data.dtype)
        self._room(len(block))
        self.data[self.size: self.size + len(block)] = block
        self.size += len(block)

    def view(self) -> np.ndarray:
        return self.data[: self.size]


class Interned:
    """Strings (or other hashables) <-> small integer codes, never reused."""

    __slots__ = ("code", "values")

    def __init__(self) -> None:
        self.code: dict[object, int] = {}
        self.values: list[object] = []

    def of(self, value: object) -> int:
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.values)
            self.values.append(value)
        return code


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (a sort and a neighbour comparison: cheaper than
    np.unique's hashing for the integer arrays here)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered.compress(keep)  # faster than ordered[keep] (see profile_search.py)
