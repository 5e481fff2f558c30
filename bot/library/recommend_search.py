"""Ranking for bot.library.recommend.

An include-only search (`/recommend tags:`) looks only at the stories carrying the include
tags: they all score the include weight times their length factor, so their order is the
index's tie order. A rare tag's carriers are ranked; a common tag's (thousands at 100k)
are read off the tie order until the page is full, so its cost follows how many stories
the page needs, not the library. `search_every_row` ranks a profile
(like a story, for me) exactly by adding each term's weight to its posting rows in a
scratch array over all rows: its cost is the total length of those lists, which grows with
the library. The bot ranks profiles with bot.library.profile_search instead (bounded);
this pass is its reference in the benchmark and the tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from bot.library.index_arrays import Columns, distinct_sorted
from bot.library.tag_index import KIND_WEIGHTS, IndexedStory, TagIndex, TagRef

MAX_PER_AUTHOR = 2
MAX_PER_SERIES = 2


class TagView(Protocol):
    """A server's view of the shared tags (bot.library.overlay.TagOverlay): which of the
    index's canonical tags count as one here. Include, exclude and reasons name the
    server's tags; a server tag with members matches a story carrying any of them."""

    def fold_ref(self, tag: TagRef) -> TagRef: ...
    def ref_members(self, tag: TagRef) -> tuple[TagRef, ...]: ...
    def has_members(self, tag: TagRef) -> bool: ...


@dataclass
class Pick:
    story_id: int
    score: float
    more_by_author: int = 0
    more_in_series: int = 0


@dataclass
class Plan:
    """A validated query turned into weights and filters."""

    terms: dict[TagRef, float]  # profile tag -> query weight (include tags not repeated)
    include_weights: dict[TagRef, float]  # include tag -> query weight
    banned: frozenset[TagRef]  # blocked and excluded tags
    left_out: frozenset[int]  # story ids never shown
    allowed_ratings: Set[str] | None
    visible: Set[int] | None
    limit: int
    view: TagView | None = None
    visible_guilds: frozenset[int | None] | None = None
    # Each term's tag weight (tag_weight), worked out once when planning.
    tag_weights: dict[TagRef, float] = field(default_factory=dict)
    # Each term's tag code, in the order of `terms` (ascending), when planned without a
    # server view (a server tag may stand for several codes).
    term_codes: list[int] | None = None
    # With term_codes: each term's query weight x tag weight, in the same order.
    term_weights: np.ndarray | None = None
    _left_out_rows: np.ndarray | None = field(default=None, init=False, repr=False,
                                              compare=False)

    def left_out_rows(self, index: TagIndex) -> np.ndarray:
        """The indexed rows of `left_out`, ascending, worked out once per plan: a search
        filters several batches, and a reader's kudos (all left out) may be hundreds."""
        if self._left_out_rows is None:
            self._left_out_rows = index.rows_of(self.left_out)
        return self._left_out_rows

    def fold(self, tags: Iterable[TagRef]) -> Iterable[TagRef]:
        view = self.view
        return tags if view is None else dict.fromkeys(view.fold_ref(tag) for tag in tags)

    def accepts(self, story: IndexedStory) -> bool:
        """The hard filters, one story at a time (the reference path)."""
        if story.story_id in self.left_out:
            return False
        if self.visible is not None and story.story_id not in self.visible:
            return False
        if self.visible_guilds is not None and story.guild_id not in self.visible_guilds:
            return False
        if self.allowed_ratings is not None and story.rating not in self.allowed_ratings:
            return False
        if any(tag in self.banned for tag in story.tags):
            return False
        folded = set(self.fold(story.tags))
        return all(tag in folded for tag in self.include_weights)


def tag_weight(index: TagIndex, view: TagView | None, tag: TagRef) -> float:
    """TagIndex.weight in a server's view: a server tag with members is as rare as their
    stories together (a story carrying two of them counted twice: rare, and cheap)."""
    if view is None or not view.has_members(tag):
        return index.weight(tag)
    kind_weight = KIND_WEIGHTS[tag[0]]
    if kind_weight == 0.0:
        return 0.0
    df = sum(index.document_frequency(member) for member in view.ref_members(tag))
    return kind_weight * math.log1p(len(index) / max(df, 1))


def tag_rows(index: TagIndex, view: TagView | None, tag: TagRef) -> np.ndarray:
    """Rows carrying a tag in a server's view, ascending and distinct."""
    if view is None or not view.has_members(tag):
        return index.rows(tag)
    return distinct_sorted(np.concatenate([index.rows(member) for member in view.ref_members(tag)]))


def include_weight(index: TagIndex, plan: Plan) -> float:
    return sum(q * tag_weight(index, plan.view, tag) for tag, q in plan.include_weights.items())


def member_of(values: np.ndarray, sorted_rows: np.ndarray) -> np.ndarray:
    """Which of `values` occur in the ascending array `sorted_rows`."""
    if not len(sorted_rows) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(sorted_rows.searchsorted(values), len(sorted_rows) - 1)
    return sorted_rows[at] == values


# Include tags alone carried by more stories than this: the page walks the index's tie
# order instead of ranking every carrier (`search_included`).
WALK_FROM = 2_048
FIRST_WALKED = 256  # rows of the tie order looked at first; each next chunk is 4x


def search(index: TagIndex, plan: Plan) -> list[Pick]:
    if not len(index):
        return []
    if not plan.terms:
        return search_included(index, plan) if plan.include_weights else []
    return search_every_row(index, plan)


def search_included(index: TagIndex, plan: Plan, walk_from: int = WALK_FROM) -> list[Pick]:
    """Include tags alone: every story carrying them scores the same include weight times
    its length factor, so only those stories are looked at. A common tag's carriers (a
    tenth of a 100k library) are not all ranked: see `_carriers_in_tie_order`."""
    rows = carrying_all(index, plan)
    weight = include_weight(index, plan)
    if len(rows) > walk_from:
        return diversify(_carriers_in_tie_order(index, plan, rows, weight), index, plan)
    rows = np.compress(allowed_rows(index, plan, rows), rows)  # see profile_search.py
    scores = _included_scores(index.columns(), rows, weight)
    return diversify(best_first(index, rows, scores), index, plan)


def _carriers_in_tie_order(index: TagIndex, plan: Plan, rows: np.ndarray, weight: float
                           ) -> Iterator[tuple[int, float]]:
    """What best_first gives for `rows` (ascending) scored `weight` times their length
    factor, without ranking them all. The tie order puts the larger factor first, then
    the more popular story, then the lower id: it is best_first's order for equal weights.
    So the allowed carriers are read off the tie order, a chunk at a time, for as long as
    the page builder asks. Once the walk has read as many rows as there are carriers (a
    channel that may see few of them), the carriers not reached yet are ranked instead."""
    order = index.tie_order()
    columns = index.columns()
    start, size = 0, FIRST_WALKED
    while start < len(order):
        if start >= len(rows):
            ranks = index.tie_ranks().take(rows)
            left = ranks >= start
            rows, ranks = rows.compress(left), ranks.compress(left)
            rows = rows.take(ranks.argsort(kind="stable"))
            yield from _scored(columns, rows.compress(allowed_rows(index, plan, rows)), weight)
            return
        chunk = order[start:start + size]
        chunk = chunk.compress(member_of(chunk, rows))
        yield from _scored(columns, chunk.compress(allowed_rows(index, plan, chunk)), weight)
        start += size
        size *= 4


def _included_scores(columns: Columns, rows: np.ndarray, weight: float) -> np.ndarray:
    """The include weight times each row's length factor (both paths: the same bits)."""
    return np.full(len(rows), weight, dtype=np.float64) * columns.factor.take(rows)


def _scored(columns: Columns, rows: np.ndarray, weight: float) -> Iterator[tuple[int, float]]:
    scores = _included_scores(columns, rows, weight)
    return zip(columns.story_id.take(rows).tolist(), scores.tolist(), strict=True)


def search_every_row(index: TagIndex, plan: Plan) -> list[Pick]:
    """Profile terms: each adds its weight to its posting rows in a scratch array over all
    rows, in plan order as the reference sums (then the include weight, then x length
    factor), so both paths give bit-identical scores. Filters are masks over all rows."""
    n = index.row_count
    columns = index.columns()
    raw = np.zeros(n, dtype=np.float64)
    for tag, q in plan.terms.items():
        raw[tag_rows(index, plan.view, tag)] += q * tag_weight(index, plan.view, tag)
    allowed = allowed_mask(index, plan)
    if plan.include_weights:
        carrying = np.zeros(n, dtype=bool)
        carrying[carrying_all(index, plan)] = True
        raw[carrying] += include_weight(index, plan)
        eligible = carrying & allowed
    else:
        eligible = (raw > 0.0) & allowed
    rows = np.flatnonzero(eligible)
    scores = raw[rows] * columns.factor[rows]
    return diversify(best_first(index, rows, scores), index, plan)


def allowed_mask(index: TagIndex, plan: Plan) -> np.ndarray:
    """The filters that always apply, as a mask over all rows (see _allowed)."""
    columns = index.columns()
    allowed = columns.live.copy()
    if plan.allowed_ratings is not None:
        allowed &= code_mask(index.rating_code, index.rating_code_count,
                             plan.allowed_ratings)[columns.rating]
    if plan.visible_guilds is not None:
        allowed &= code_mask(index.guild_code, index.guild_code_count,
                             plan.visible_guilds)[columns.guild]
    for tag in plan.banned:
        allowed[index.rows(tag)] = False
    allowed[[row for row in map(index.row_of, plan.left_out) if row is not None]] = False
    if plan.visible is not None:
        visible = np.zeros(len(allowed), dtype=bool)
        visible[[row for row in map(index.row_of, plan.visible) if row is not None]] = True
        allowed &= visible
    return allowed


def code_mask(code_of: Callable[[Any], int | None], count: int,
              wanted: Iterable[Any]) -> np.ndarray:
    """A mask over `count` codes: True at the codes of the wanted values."""
    mask = np.zeros(count, dtype=bool)
    for value in wanted:
        if (code := code_of(value)) is not None:
            mask[code] = True
    return mask


def carrying_all(index: TagIndex, plan: Plan) -> np.ndarray:
    """Rows carrying every include tag, ascending: the rarest tag's rows, kept when the
    others carry them too."""
    lists = sorted((tag_rows(index, plan.view, tag) for tag in plan.include_weights), key=len)
    rows = lists[0]
    for other in lists[1:]:
        rows = np.compress(member_of(rows, other), rows)  # see profile_search.py
    return rows


def allowed_rows(index: TagIndex, plan: Plan, rows: np.ndarray) -> np.ndarray:
    """The filters that always apply, for candidate rows: alive, rating allowed, seen from
    here, no banned tag, not left out."""
    columns = index.columns()
    allowed = columns.live.take(rows)
    if plan.allowed_ratings is not None:
        allowed &= code_mask(index.rating_code, index.rating_code_count,
                             plan.allowed_ratings).take(columns.rating.take(rows))
    if plan.visible_guilds is not None:
        allowed &= code_mask(index.guild_code, index.guild_code_count,
                             plan.visible_guilds).take(columns.guild.take(rows))
    for tag in plan.banned:
        allowed &= ~member_of(rows, index.rows(tag))
    if plan.left_out:
        allowed &= ~member_of(rows, plan.left_out_rows(index))
    if plan.visible is not None:
        visible = plan.visible
        allowed &= np.fromiter((sid in visible for sid in columns.story_id[rows].tolist()),
                               dtype=bool, count=len(rows))
    return allowed


def best_first(index: TagIndex, rows: np.ndarray,
                scores: np.ndarray) -> Iterator[tuple[int, float]]:
    """(story, score) best first, equal scores by tie rank; sorts only what is read.

    Takes the best `size` candidates with a partition (linear), breaks ties at the
    boundary with the index's tie ranks, and sorts only those; grows `size` when the page
    builder asks for more (the diversity cap can skip many).
    """
    ranks = index.tie_ranks().take(rows)
    story_ids = index.columns().story_id.take(rows)
    n = len(scores)
    yielded = 0
    size = 32
    while yielded < n:
        size = min(size, n)
        partitioned = scores.copy()
        partitioned.partition(n - size)
        kth = partitioned[n - size]
        above = (scores > kth).nonzero()[0]
        ties = (scores == kth).nonzero()[0]
        wanted = size - len(above)
        if len(ties) > wanted:
            ties = ties[ranks[ties].argpartition(wanted - 1)[:wanted]]
        pool = np.concatenate((above, ties))
        pool = pool[np.lexsort((ranks[pool], -scores[pool]))]
        chosen = pool[yielded:]
        yield from zip(story_ids[chosen].tolist(), scores[chosen].tolist(), strict=True)
        yielded = len(pool)
        size *= 4


def diversify(ranked: Iterable[tuple[int, float]], index: TagIndex, plan: Plan) -> list[Pick]:
    """Greedy page: best first, at most two stories per author and per series.

    A story left out is counted on the latest pick by the same author (or in the same
    series), so the page can say "2 more by the same author" instead of hiding them."""
    by_author: dict[int, list[Pick]] = {}
    by_series: dict[int, list[Pick]] = {}
    picks: list[Pick] = []
    series_of = index.columns().series
    for sid, score in ranked:
        row = index.row_of(sid)
        assert row is not None
        authors = index.row_author_codes(row).tolist()
        series = int(series_of[row])
        full = [by_author[a][-1] for a in authors if len(by_author.get(a, ())) >= MAX_PER_AUTHOR]
        if full:
            full[0].more_by_author += 1
            continue
        if series >= 0 and len(by_series.get(series, ())) >= MAX_PER_SERIES:
            by_series[series][-1].more_in_series += 1
            continue
        pick = Pick(sid, score)
        picks.append(pick)
        for author in authors:
            by_author.setdefault(author, []).append(pick)
        if series >= 0:
            by_series.setdefault(series, []).append(pick)
        if len(picks) == plan.limit:
            break
    return picks
