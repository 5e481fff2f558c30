"""Arrays a search writes into and reads back within one query, kept between queries so
that a query pays for the entries it writes, not for a library-wide allocation or fill.
The recommendation index (bot.library.tag_index) owns one and hands its arrays out."""

from __future__ import annotations

import numpy as np

_INT8_MAX, _INT16_MAX = int(np.iinfo(np.int8).max), int(np.iinfo(np.int16).max)


class QueryScratch:
    """Not thread-safe, like the index it belongs to: read what a call returns before the
    next call."""

    def __init__(self) -> None:
        self._slots = np.empty(0, dtype=np.int32)
        # per dtype, the array over the tag codes and the codes the last query wrote
        self._codes: dict[type, tuple[np.ndarray, np.ndarray]] = {}

    def row_slots(self, rows: int) -> np.ndarray:
        """An int32 slot for each of `rows` rows, never cleared (write the slots you read).
        A search numbers its candidate rows in it: one write and one read per row instead
        of a binary search, and nothing per library row."""
        if len(self._slots) < rows:
            self._slots = np.empty(max(rows, 2 * len(self._slots)), dtype=np.int32)
        return self._slots

    def code_scratch(self, codes: np.ndarray, values: np.ndarray, code_count: int
                     ) -> np.ndarray:
        """An array over `code_count` tag codes holding `values` at `codes` and -1
        elsewhere. Each call first puts back the -1s of the last one's codes: a query pays
        for its hundred codes, not for a vocabulary-wide fill (55k codes at 100k stories).

        Its integers are the narrowest that hold `values`: a search looks up every tag of
        its ~2,000 candidates in it, and at 100k an int8 array (55 kB) answers those ~38k
        random reads from a cold cache in 38 µs where an int32 one (220 kB) took 92."""
        top = int(values.max()) if len(values) else 0
        dtype = np.int8 if top <= _INT8_MAX else np.int16 if top <= _INT16_MAX else np.int32
        scratch, written = self._codes.get(dtype, (None, None))
        if scratch is None or len(scratch) < code_count:
            grown = 0 if scratch is None else 2 * len(scratch)
            scratch = np.full(max(code_count, grown), -1, dtype=dtype)
        else:
            scratch[written] = -1
        scratch[codes] = values
        self._codes[dtype] = (scratch, codes)
        return scratch
