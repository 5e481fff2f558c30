"""The compiled profile search (bot/library/_kernel/), where it was built.

A "for me" search at 100k stories is some forty numpy calls over a few thousand candidates.
In the running bot it took about 0.8 ms of `/recommend for_me`'s round trip, twice its
time in a tight loop in process: each call's own cost, paid from cold caches after the
other interactions (benchmarks/PERFORMANCE.md, stops 41 and 49). The extension runs the
same search in one call: the same steps, the same arithmetic in the same order and the
same tie rules, so the same page with every score bit-equal
(tests/library/test_profile_kernel.py holds the two to it on many libraries). It takes
every plan but those with include tags or a list of story ids (a channel's view); those
go to the numpy search in profile_search.py, which stays the reference.

What it reads of each row it looks at is laid out side by side for it (`row_records`), and
it numbers its candidates in a small hash table rather than in a slot per library row: in
the running bot these reads come from cold caches, and one cache line a row instead of six
or seven took a fifth off its time there (0.31 -> 0.25 ms for the benchmark's reader at
100k, in process with the caches emptied between searches; 0.10 when warm).

The extension is optional: an install without a C compiler leaves it out, and
STORYBOT_COMPILED_SEARCH=0 turns it off (to compare the two).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from bot.library.index_gathers import author_table, bulk_postings, own_postings
from bot.library.recommend_search import MAX_PER_AUTHOR, MAX_PER_SERIES, Pick, Plan, code_mask
from bot.library.tag_index import LENGTH_FREE_TAGS, TagIndex

_search: Callable[..., Any] | None
try:
    from bot.library import _profile_kernel  # type: ignore[attr-defined]
    _search = _profile_kernel.search
except ImportError:  # built without a compiler: the numpy search runs
    _search = None

ENABLED = os.environ.get("STORYBOT_COMPILED_SEARCH", "1") != "0"

# kernel.h's RowRecord: what the search reads of each row it bounds or scores, in one
# cache line instead of six arrays'. 32 bytes, laid out from a 64-byte boundary.
ROW_RECORD = np.dtype({
    "names": ["factor", "tag_start", "tag_count", "guild", "rating", "live"],
    "formats": [np.float64, np.int64, np.int32, np.int32, np.int16, np.uint8],
    "offsets": [0, 8, 16, 20, 24, 26], "itemsize": 32})
_LINE = 64


def built() -> bool:
    """Whether the extension was built with this install."""
    return _search is not None


def available() -> bool:
    """Whether profile searches run compiled here (built, and not turned off)."""
    return _search is not None and ENABLED


def row_records(index: TagIndex) -> np.ndarray:
    """Every row's RowRecord, as bytes. Kept with the index until a row is added or
    removed (either moves a count in the key) or the columns are replaced (a new array):
    then laid out again from the columns (3.2 MB and 0.3 ms at 100k rows, on the first
    search after a change)."""
    columns = index.columns()
    key = (index.row_count, len(index), columns.story_id)
    kept = index.kernel_rows
    if kept is not None and kept[0][:2] == key[:2] and kept[0][2] is key[2]:
        return kept[1]
    rows = key[0]
    size = rows * ROW_RECORD.itemsize
    memory = np.zeros(size + _LINE, dtype=np.uint8)
    start = -memory.ctypes.data % _LINE
    laid = memory[start:start + size]
    records = laid.view(ROW_RECORD)
    tag_start, tag_count, _ = index.row_tag_table()
    records["factor"], records["tag_start"], records["tag_count"] = (
        columns.factor, tag_start, tag_count)
    records["guild"], records["rating"], records["live"] = (
        columns.guild, columns.rating, columns.live)
    index.kernel_rows = (key, laid)
    return laid


def compiled_page(index: TagIndex, plan: Plan, codes: np.ndarray, ends: np.ndarray | None,
                  weights: np.ndarray, term_of: np.ndarray, code_ordered: bool,
                  settings: tuple[int, ...], slack: float, grow_unprovable: bool
                  ) -> tuple[list[Pick], bool, int, int] | None:
    """The page of a search with these terms, whether it is exact, how many candidates and
    how many scored; None when the plan is not one the compiled search takes.
    `codes`: every term's tag codes in plan order (a server tag's members), laid end to end;
    `ends`: where each term's end in them (None: one code each); `weights`: each term's;
    `term_of`: the index's code scratch, each code's term; `code_ordered`: plan order is
    code order, one code each. `settings`: the page size, the budget, the largest budget,
    the candidates scored before giving up a proof, scored first, scored at most, and the
    budget's growth."""
    if _search is None or not ENABLED or plan.include_weights or plan.visible is not None:
        return None
    columns = index.columns()
    _, _, row_tags = index.row_tag_table()
    author_start, author_count, row_authors = author_table(index)
    shared, shared_start, shared_count = bulk_postings(index)
    banned = sorted(code for tag in plan.banned if (code := index.code_of(tag)) is not None)
    ratings = None if plan.allowed_ratings is None else code_mask(
        index.rating_code, index.rating_code_count, plan.allowed_ratings)
    guilds = None if plan.visible_guilds is None else code_mask(
        index.guild_code, index.guild_code_count, plan.visible_guilds)
    rows, scores, by_author, in_series, exact, candidates, scored = _search(
        (codes, ends, weights, term_of, shared, shared_start, shared_count,
         own_postings(index, codes.tolist()), row_records(index),
         row_tags, author_start, author_count, row_authors, columns.series,
         index.tie_ranks(), ratings, guilds, np.array(banned, dtype=np.int64),
         plan.left_out_rows(index)),
        (*settings, MAX_PER_AUTHOR, MAX_PER_SERIES, slack, float(LENGTH_FREE_TAGS),
         grow_unprovable, code_ordered))
    story_ids = columns.story_id.take(rows).tolist()
    picks = [Pick(story_id, score, more_by_author, more_in_series)
             for story_id, score, more_by_author, more_in_series
             in zip(story_ids, scores, by_author, in_series, strict=True)]
    return picks, exact, candidates, scored
