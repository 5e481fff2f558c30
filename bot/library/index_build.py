"""build_index: a whole library's index from flat arrays, with a few sorts.

Per link there is no Python work at all: links are folded to canonical tag codes with one
array look-up, de-duplicated and grouped per story and per tag by sorting. Per story there
is one dictionary entry (story id -> row) and the interning of its rating, series and
guild, which are few distinct values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.library.index_arrays import GrowArray, Interned, distinct_sorted
from bot.library.index_columns import IndexColumns
from bot.library.tag_index import (
    KIND_WEIGHTS,
    LENGTH_FREE_TAGS,
    NO_SERIES,
    TagIndex,
    TagRef,
)


def build_index(columns: IndexColumns, tag_code_of_id: np.ndarray,
                tags: list[TagRef]) -> TagIndex:
    """The index of a whole library at once. `tags` lists the canonical tags;
    tag_code_of_id maps a store tag id to its canonical tag's place in `tags` (-1: unknown,
    the link is dropped)."""
    index = TagIndex()
    n = columns.size
    story_ids = np.asarray(columns.story_ids, dtype=np.int64)
    index._tags.values = list(tags)
    index._tags.code = {tag: code for code, tag in enumerate(tags)}
    index._kind_weight = GrowArray(np.float64, [KIND_WEIGHTS[kind] for kind, _ in tags])
    known_tags = len(tags)
    tag_count = max(known_tags, 1)  # the link key's multiplier

    # Links -> (row, tag code), unknown stories and tags dropped, duplicates (two synonyms
    # of one canonical tag on a story) folded; sorted by row, then code.
    rows = np.searchsorted(story_ids, columns.tag_story)
    known = rows < n
    known[known] &= story_ids[rows[known]] == columns.tag_story[known]
    ids = columns.tag_ids
    in_range = (ids >= 0) & (ids < len(tag_code_of_id))
    codes = np.full(len(ids), -1, dtype=np.int64)
    codes[in_range] = tag_code_of_id[ids[in_range]]
    keep = known & (codes >= 0)
    links = distinct_sorted(rows[keep] * tag_count + codes[keep])
    link_rows, link_codes = links // tag_count, (links % tag_count).astype(np.int32)

    per_row = np.bincount(link_rows, minlength=n)
    counts_in_score = (index._kind_weight.view()[link_codes] > 0.0).astype(np.float64)
    weighted = np.bincount(link_rows, weights=counts_in_score, minlength=n)
    factor = np.ones(n, dtype=np.float64)
    long = weighted > LENGTH_FREE_TAGS
    factor[long] = np.sqrt(LENGTH_FREE_TAGS / weighted[long])

    # Posting lists: the same links grouped by tag, rows ascending in each.
    df = np.bincount(link_codes, minlength=known_tags)
    by_tag = np.sort(link_codes.astype(np.int64) * max(n, 1) + link_rows)
    index._shared = (by_tag % max(n, 1)).astype(np.int32)
    index._shared_count = df.astype(np.int64)
    index._shared_start = _starts(df)
    index._df = GrowArray(np.int64, df)

    # Authors, in byline order.
    a_rows = np.searchsorted(story_ids, columns.author_story)
    a_known = a_rows < n
    a_known[a_known] &= story_ids[a_rows[a_known]] == columns.author_story[a_known]
    order = np.lexsort((columns.author_position[a_known], a_rows[a_known]))
    a_rows = a_rows[a_known][order]
    name_code = {author_id: index._names.of(name)
                 for author_id, name in columns.author_names.items()}
    author_codes = [name_code[a] for a in columns.author_ids[a_known][order].tolist()]
    per_row_authors = np.bincount(a_rows, minlength=n)

    names, guilds, ratings = index._names, index._guilds, index._ratings
    col = index._col
    col["sid"] = GrowArray(np.int64, story_ids)
    col["factor"] = GrowArray(np.float64, factor)
    col["popularity"] = GrowArray(np.float64, np.zeros(n))
    col["rating"] = GrowArray(np.int16, _intern_all(ratings, columns.ratings))
    col["live"] = GrowArray(np.bool_, np.ones(n, dtype=bool))
    series = _intern_all(names, [s for s in columns.series if s is not None])
    series_codes = np.full(n, NO_SERIES, dtype=np.int32)
    series_codes[[s is not None for s in columns.series]] = series
    col["series"] = GrowArray(np.int32, series_codes)
    guild_codes = _intern_all(guilds, columns.guild_ids)
    col["guild"] = GrowArray(np.int32, guild_codes)
    index._guild_live = GrowArray(np.int64, np.bincount(guild_codes, minlength=len(guilds.values)))
    col["tag_start"] = GrowArray(np.int64, _starts(per_row))
    col["tag_count"] = GrowArray(np.int32, per_row)
    col["author_start"] = GrowArray(np.int64, _starts(per_row_authors))
    col["author_count"] = GrowArray(np.int32, per_row_authors)
    index._row_tags = GrowArray(np.int32, link_codes)
    index._row_authors = GrowArray(np.int32, np.array(author_codes, dtype=np.int32))
    index._row_of = dict(zip(story_ids.tolist(), range(n), strict=True))
    index._rows = n
    index._tie = None
    return index


def _intern_all(table: Interned, values: Sequence[object]) -> np.ndarray:
    """Codes for many values, interning each distinct one once."""
    for value in dict.fromkeys(values):
        table.of(value)
    code = table.code
    return np.array([code[value] for value in values], dtype=np.int32)


def _starts(counts: np.ndarray) -> np.ndarray:
    """Where each group begins in an array holding the groups back to back."""
    counts = counts.astype(np.int64)
    return np.cumsum(counts) - counts
