"""The index's per-query scratch arrays: a query sees only what it wrote, in the narrowest
integers that hold it, however many queries came before."""

from __future__ import annotations

import numpy as np

from bot.library.index_scratch import QueryScratch


def codes(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def test_code_scratch_holds_this_query_s_values_and_minus_one_elsewhere() -> None:
    scratch = QueryScratch()
    first = scratch.code_scratch(codes(2, 5, 7), codes(0, 1, 2), code_count=10)
    assert first.tolist() == [-1, -1, 0, -1, -1, 1, -1, 2, -1, -1]
    # The next query on the same dtype gets the same array back, the last one's codes
    # put back to -1.
    second = scratch.code_scratch(codes(3), codes(9), code_count=10)
    assert second is first
    assert second.tolist() == [-1, -1, -1, 9, -1, -1, -1, -1, -1, -1]


def test_code_scratch_uses_the_narrowest_integers_and_keeps_one_array_per_width() -> None:
    scratch = QueryScratch()
    assert scratch.code_scratch(codes(1), codes(127), code_count=4).dtype == np.int8
    wide = scratch.code_scratch(codes(0, 2), codes(5, 128), code_count=4)
    assert wide.dtype == np.int16
    assert wide.tolist() == [5, -1, 128, -1]
    widest = scratch.code_scratch(codes(3), codes(40_000), code_count=4)
    assert widest.dtype == np.int32 and widest.tolist() == [-1, -1, -1, 40_000]
    # Back to int8: its array still remembers the first query's code, and clears it.
    narrow = scratch.code_scratch(codes(0), codes(1), code_count=4)
    assert narrow.dtype == np.int8 and narrow.tolist()[:4] == [1, -1, -1, -1]


def test_code_scratch_grows_with_the_vocabulary_and_starts_clean() -> None:
    scratch = QueryScratch()
    scratch.code_scratch(codes(0, 1), codes(4, 4), code_count=2)
    grown = scratch.code_scratch(codes(6), codes(3), code_count=7)
    assert len(grown) >= 7
    assert grown.tolist()[:7] == [-1, -1, -1, -1, -1, -1, 3]
    assert scratch.code_scratch(codes(), codes(), code_count=7).tolist()[:7] == [-1] * 7


def test_row_slots_cover_every_row_and_grow_by_doubling() -> None:
    scratch = QueryScratch()
    slots = scratch.row_slots(5)
    assert len(slots) >= 5 and slots.dtype == np.int32
    slots[4] = 11
    assert scratch.row_slots(3) is slots  # enough already: the same array, as written
    grown = scratch.row_slots(len(slots) + 1)
    assert len(grown) >= 2 * len(slots)
