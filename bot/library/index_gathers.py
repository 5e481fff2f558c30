"""Many slices of the recommendation index read in one gather (bot.library.tag_index).

A "for me" profile reads every liked story's tags and its search some sixty posting lists;
sliced one by one, each slice is a Python step, and a command pays for each one twice over
once the caches are cold between interactions. These lay the slices end to end instead.
They read the index's arrays directly, as its builders do (index_build, index_snapshot).
"""

from __future__ import annotations

import numpy as np

from bot.library.tag_index import TagIndex

_NO_ROWS = np.empty(0, dtype=np.int32)


def tag_links(index: TagIndex, story_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """These indexed stories' tag codes laid end to end (each story's ascending), and how
    many each story has."""
    rows = [index._row_of[story_id] for story_id in story_ids]
    counts = index._col["tag_count"].data.take(rows)
    ends = counts.cumsum()
    at = (index._col["tag_start"].data.take(rows) - (ends - counts)).repeat(counts)
    at += np.arange(len(at))
    return index._row_tags.data.take(at), counts


def weighted_code_sums(index: TagIndex, stories: list[tuple[int, float]]
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The weighted tag codes of these indexed stories, ascending, each with the weights of
    the stories carrying it added up in the order given."""
    if not stories:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    codes, counts = tag_links(index, [story_id for story_id, _ in stories])
    weights = np.array([weight for _, weight in stories]).repeat(counts)
    kept = index._kind_weight.data[codes] > 0.0
    codes, weights = codes.compress(kept), weights.compress(kept)
    # Numbered by distinct code (as np.unique would, with fewer steps): bincount adds in
    # input order, so each code's weights add up in the order of `stories`.
    order = codes.argsort(kind="stable")
    ordered = codes.take(order)
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    which = np.empty(len(ordered), dtype=np.int64)
    which[order] = starts.cumsum() - 1
    distinct = ordered.compress(starts)
    return distinct, np.bincount(which, weights=weights, minlength=len(distinct))


def codes_rows(index: TagIndex, codes: np.ndarray) -> np.ndarray:
    """index.code_rows of each code, laid end to end in the order given: from the
    bulk-built postings in one gather (a code changed since the build has its own list:
    then they are sliced one by one)."""
    if not len(codes) or not bulk_built(index, codes):
        found = [index.code_rows(code) for code in codes.tolist()]
        return np.concatenate(found) if found else _NO_ROWS
    counts = index._shared_count[codes]
    ends = counts.cumsum()
    at = (index._shared_start[codes] - (ends - counts)).repeat(counts)
    at += np.arange(len(at))
    return index._shared.take(at)


def code_row_counts(index: TagIndex, codes: list[int]) -> np.ndarray:
    """index.code_row_count of each code, the bulk-built counts read at once."""
    at = np.asarray(codes, dtype=np.int64)
    counts = np.zeros(len(at), dtype=np.int64)
    built = at < len(index._shared_count)
    counts[built] = index._shared_count[at[built]]
    if index._own:
        for n, code in enumerate(codes):
            if (own := index._own.get(code)) is not None:
                counts[n] = own.size
    return counts


def bulk_built(index: TagIndex, codes: np.ndarray) -> bool:
    """Whether every one of these codes' posting lists is still the bulk-built one (a
    slice of bulk_postings)."""
    listed = codes.tolist()
    return (not listed or max(listed) < len(index._shared_start)) and (
        not index._own or index._own.keys().isdisjoint(listed))


def bulk_postings(index: TagIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bulk-built posting lists: every list's rows end to end, and each code's start
    and length in them (a code changed since has a list of its own: own_postings)."""
    return index._shared, index._shared_start, index._shared_count


def own_postings(index: TagIndex, codes: list[int]) -> list[tuple[int, np.ndarray]]:
    """(place in `codes`, rows) for each of these codes whose list changed since the bulk
    build (or which is newer than it)."""
    own = index._own
    if not own:
        return []
    return [(at, own[code].view()) for at, code in enumerate(codes) if code in own]


def author_table(index: TagIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row's author codes as (start, count) columns over the flat code array, as
    TagIndex.row_tag_table lays out tags."""
    col = index._col
    return col["author_start"].view(), col["author_count"].view(), index._row_authors.view()
