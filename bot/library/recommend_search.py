"""Ranking for bot.library.recommend: the best page without scoring the whole library.

A query's cost follows the stories it could show, not the library: nothing here makes an
array as long as the index. Candidates come from posting lists, and a *max-score* bound
keeps them few. Profile terms are taken heaviest first; the stories carrying one of the
first j terms (the "essential" ones) are scored exactly, and a story carrying none of them
can score at most the include weight plus the remaining terms' weights (length factors are
at most 1). Once a full page's last pick scores above that bound, no story outside the
candidates could have ranked on the page or above its last pick, so the page, and its
"more by the same author" counts, are exactly those of scoring every story. Otherwise j
doubles; with every term essential the candidates are all stories that can score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.library.tag_index import KIND_WEIGHTS, IndexedStory, TagIndex, TagRef, distinct_sorted

MAX_PER_AUTHOR = 2
MAX_PER_SERIES = 2
# Float sums over the same weights in another order differ in the last bits; a bound this
# much above the exact sum is safely above every story's real score.
_BOUND_SLACK = 1e-9


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


def _member(values: np.ndarray, sorted_rows: np.ndarray) -> np.ndarray:
    """Which of `values` occur in the ascending array `sorted_rows`."""
    if not len(sorted_rows) or not len(values):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_rows, values), len(sorted_rows) - 1)
    return sorted_rows[at] == values


def search(index: TagIndex, plan: Plan) -> list[Pick]:
    if not len(index):
        return []
    included = _carrying_all(index, plan) if plan.include_weights else None
    base = include_weight(index, plan) if plan.include_weights else 0.0
    terms = [(tag_rows(index, plan.view, tag), q * tag_weight(index, plan.view, tag))
             for tag, q in plan.terms.items()]  # plan order: sums run in it
    heaviest = sorted(range(len(terms)), key=lambda i: -terms[i][1])
    essential = 1
    while True:
        if essential >= len(terms):
            exact = True
            if included is not None:
                rows = included
            elif terms:
                rows = distinct_sorted(np.concatenate([term_rows for term_rows, _ in terms]))
            else:
                return []
        else:
            exact = False
            rows = distinct_sorted(np.concatenate([terms[i][0] for i in heaviest[:essential]]))
            if included is not None:
                rows = rows[_member(rows, included)]
        rows = rows[_allowed(index, plan, rows)]
        raw = np.zeros(len(rows), dtype=np.float64)
        for term_rows, weight in terms:
            raw += np.where(_member(rows, term_rows), weight, 0.0)
        if included is not None:
            raw += base
        else:
            rows, raw = rows[raw > 0.0], raw[raw > 0.0]
        scores = raw * index.columns().factor[rows]
        picks = diversify(_best_first(index, rows, scores), index, plan)
        if exact:
            return picks
        bound = base + math.fsum(terms[i][1] for i in heaviest[essential:])
        if len(picks) == plan.limit and picks[-1].score > bound * (1.0 + _BOUND_SLACK):
            return picks
        essential *= 2


def _carrying_all(index: TagIndex, plan: Plan) -> np.ndarray:
    """Rows carrying every include tag, ascending: the rarest tag's rows, kept when the
    others carry them too."""
    lists = sorted((tag_rows(index, plan.view, tag) for tag in plan.include_weights), key=len)
    rows = lists[0]
    for other in lists[1:]:
        rows = rows[_member(rows, other)]
    return rows


def _allowed(index: TagIndex, plan: Plan, rows: np.ndarray) -> np.ndarray:
    """The filters that always apply, for candidate rows: alive, rating allowed, seen from
    here, no banned tag, not left out."""
    columns = index.columns()
    allowed = columns.live[rows]
    if plan.allowed_ratings is not None:
        rating_ok = np.zeros(index.rating_code_count, dtype=bool)
        for rating in plan.allowed_ratings:
            if (code := index.rating_code(rating)) is not None:
                rating_ok[code] = True
        allowed &= rating_ok[columns.rating[rows]]
    if plan.visible_guilds is not None:
        guild_ok = np.zeros(index.guild_code_count, dtype=bool)
        for guild in plan.visible_guilds:
            if (code := index.guild_code(guild)) is not None:
                guild_ok[code] = True
        allowed &= guild_ok[columns.guild[rows]]
    for tag in plan.banned:
        allowed &= ~_member(rows, index.rows(tag))
    if plan.left_out:
        left_out = [row for row in map(index.row_of, plan.left_out) if row is not None]
        allowed &= ~np.isin(rows, left_out)
    if plan.visible is not None:
        visible = plan.visible
        allowed &= np.fromiter((sid in visible for sid in columns.story_id[rows].tolist()),
                               dtype=bool, count=len(rows))
    return allowed


def _best_first(index: TagIndex, rows: np.ndarray,
                scores: np.ndarray) -> Iterator[tuple[int, float]]:
    """(story, score) best first, equal scores by tie rank; sorts only what is read.

    Takes the best `size` candidates with a partition (linear), breaks ties at the
    boundary with the index's tie ranks, and sorts only those; grows `size` when the page
    builder asks for more (the diversity cap can skip many).
    """
    ranks = index.tie_ranks()[rows]
    story_ids = index.columns().story_id[rows]
    n = len(scores)
    yielded = 0
    size = 32
    while yielded < n:
        size = min(size, n)
        kth = np.partition(scores, n - size)[n - size]
        above = np.flatnonzero(scores > kth)
        ties = np.flatnonzero(scores == kth)
        wanted = size - len(above)
        if len(ties) > wanted:
            ties = ties[np.argpartition(ranks[ties], wanted - 1)[:wanted]]
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
