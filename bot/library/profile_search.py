"""Profile searches (like a story, for me) in work bounded by a budget, not the library.

A story scores only through the profile terms it carries, so a story on none of the
gathered terms' posting lists scores at most the other terms' weights added up (its
length factor is at most 1), plus the include weight. The search gathers terms in order of
weight per posting row (rare and heavy tags first) until their lists hold BUDGET rows; the
stories on those lists are the candidates, scored exactly from their own tag slices (every
term counts, gathered or not). When the page's last pick scores more than that bound, the
page is the exhaustive one. Otherwise the budget grows fourfold, up to MAX_BUDGET; past
that the page is built from the candidates alone: each score and reason on it is exact,
but a story sharing only common, light tags with the profile may be missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.library.recommend_search import (
    Pick,
    Plan,
    allowed_rows,
    best_first,
    carrying_all,
    diversify,
    include_weight,
    member_of,
    tag_weight,
)
from bot.library.tag_index import TagIndex, distinct_sorted

BUDGET = 4_096  # posting rows gathered before the first look at the page
MAX_BUDGET = 16_384  # past this, the page is built from the candidates alone
GROWTH = 4
# Float sums in another order than the scores' may differ in the last bits.
SLACK = 1.0 + 1e-9
FIRST_SCORED = 64  # candidates scored exactly before the first look at the page


@dataclass(frozen=True)
class ProfilePage:
    picks: list[Pick]
    exact: bool  # proven the same page as scoring every story
    candidates: int  # stories scored


@dataclass(frozen=True)
class _Terms:
    """The plan's profile terms in plan order, with what the search needs of each."""

    weights: np.ndarray  # query weight x tag weight
    lengths: np.ndarray  # posting rows (members' added up in a server view)
    codes: np.ndarray  # tag codes that count as a term, ascending
    position: np.ndarray  # the term each of `codes` counts as
    merged: bool  # some term has several codes: a row may carry one term twice
    postings: list[list[np.ndarray]]  # per term, its codes' posting lists


def _terms(index: TagIndex, plan: Plan) -> _Terms:
    view = plan.view
    weights, codes, position = [], [], []
    postings: list[list[np.ndarray]] = []
    for at, (tag, q) in enumerate(plan.terms.items()):
        known = plan.tag_weights.get(tag)
        weights.append(q * (tag_weight(index, view, tag) if known is None else known))
        members = view.ref_members(tag) if view is not None and view.has_members(tag) else (tag,)
        lists = []
        for member in members:
            if (code := index.code_of(member)) is not None:
                lists.append(index.code_rows(code))
                codes.append(code)
                position.append(at)
        postings.append(lists)
    order = np.argsort(np.array(codes, dtype=np.int64), kind="stable")
    return _Terms(weights=np.array(weights, dtype=np.float64),
                  lengths=np.array([sum(map(len, lists)) for lists in postings], dtype=np.int64),
                  codes=np.array(codes, dtype=np.int64)[order],
                  position=np.array(position, dtype=np.int64)[order],
                  merged=any(len(lists) > 1 for lists in postings), postings=postings)


def search_profile(index: TagIndex, plan: Plan, budget: int = BUDGET,
                   max_budget: int = MAX_BUDGET) -> ProfilePage:
    terms = _terms(index, plan)
    base = include_weight(index, plan) if plan.include_weights else 0.0
    carrying = carrying_all(index, plan) if plan.include_weights else None
    if carrying is not None and len(carrying) <= max_budget:
        # Every eligible story carries the include tags: they are all the candidates.
        rows = carrying[allowed_rows(index, plan, carrying)]
        upper = np.full(len(rows), np.inf)
        return ProfilePage(_settled_page(index, plan, terms, rows, upper), True, len(rows))
    order = np.argsort(-(terms.weights / np.maximum(terms.lengths, 1)), kind="stable")
    reach = np.cumsum(terms.lengths[order])
    while True:
        taken = max(1, int(np.searchsorted(reach, budget, side="right")))
        rows, partial = _gathered(index, terms, order[:taken])
        if carrying is not None:
            kept = member_of(rows, carrying)
            rows, partial = rows[kept], partial[kept]
        kept = allowed_rows(index, plan, rows)
        rows, partial = rows[kept], partial[kept]
        rest = float(terms.weights[order[taken:]].sum())
        # What a story can score at most: the terms it carries of those gathered, every
        # other term, the include weight, times its length factor.
        factor = index.columns().factor[rows]
        upper = (partial + rest + base) * factor * SLACK
        complete = carrying is None and taken == len(order)  # every term gathered
        outside = (base + rest) * SLACK  # the most a story not gathered can score
        can_grow = budget < max_budget and taken < len(order)
        if can_grow:
            # The page's last pick scores at most the limit-th best bound: when that cannot
            # beat `outside`, this budget cannot prove the page; skip to the next one when
            # that one could.
            kth = _kth_largest(upper, plan.limit)
            later = (base + _left_out(terms, order, reach, budget * GROWTH)) * SLACK
            if kth <= outside and later < kth:
                budget *= GROWTH
                continue
        picks = _settled_page(index, plan, terms, rows, upper)
        full = len(picks) == plan.limit
        if complete or (full and picks[-1].score > outside):
            return ProfilePage(picks, True, len(rows))
        if not can_grow:
            return ProfilePage(picks, False, len(rows))
        # Grow only when the terms the bigger budget would still leave out could not reach
        # this page: otherwise it could not be proven either, only cost more.
        later = (base + _left_out(terms, order, reach, budget * GROWTH)) * SLACK
        if full and later >= picks[-1].score:
            return ProfilePage(picks, False, len(rows))
        budget *= GROWTH


def _kth_largest(values: np.ndarray, k: int) -> float:
    if len(values) < k:
        return -np.inf
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _left_out(terms: _Terms, order: np.ndarray, reach: np.ndarray, budget: int) -> float:
    """The weights of the terms a budget leaves out, added up."""
    taken = max(1, int(np.searchsorted(reach, budget, side="right")))
    return float(terms.weights[order[taken:]].sum())


def _gathered(index: TagIndex, terms: _Terms, gathered: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows on the gathered terms' posting lists, ascending, and each row's
    sum of those terms' weights (a member of a server tag counted once per member: only
    ever too high, which an upper bound allows)."""
    lists = [rows for term in gathered.tolist() for rows in terms.postings[term]]
    if not lists:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
    every = np.concatenate(lists)
    weights = np.repeat(terms.weights[gathered], [terms.lengths[term] for term in gathered])
    rows = distinct_sorted(every)
    partial = np.bincount(np.searchsorted(rows, every), weights=weights, minlength=len(rows))
    return rows, partial


def _settled_page(index: TagIndex, plan: Plan, terms: _Terms, rows: np.ndarray,
                  upper: np.ndarray) -> list[Pick]:
    """The page among `rows`, scoring exactly only what can reach it: the best
    FIRST_SCORED by upper bound, then every other whose bound reaches the page's last
    pick (again, as long as the page moves)."""
    order = np.argsort(-upper, kind="stable")
    descending = -upper[order]  # ascending, for searchsorted
    include = include_weight(index, plan) if plan.include_weights else 0.0
    factor = index.columns().factor
    chosen, scores = np.empty(0, dtype=rows.dtype), np.empty(0, dtype=np.float64)
    done, scored = 0, min(len(rows), max(FIRST_SCORED, 4 * plan.limit))
    while True:
        batch = rows[order[done:scored]]
        raw = _raw_scores(index, terms, batch)
        if plan.include_weights:
            raw += include
        else:
            keep = raw > 0.0
            batch, raw = batch[keep], raw[keep]
        chosen = np.concatenate((chosen, batch))
        scores = np.concatenate((scores, raw * factor[batch]))
        picks = diversify(best_first(index, chosen, scores), index, plan)
        if scored == len(rows):
            return picks
        if len(picks) < plan.limit:
            done, scored = scored, min(len(rows), scored * GROWTH)
            continue
        if picks[-1].score > upper[order[scored]]:
            return picks
        reaching = int(np.searchsorted(descending, -picks[-1].score, side="right"))
        done, scored = scored, max(scored + 1, min(len(rows), reaching))


def _raw_scores(index: TagIndex, terms: _Terms, rows: np.ndarray) -> np.ndarray:
    """Each row's sum of the term weights it carries, added in plan order (as the reference
    does, so equal tag sets give bit-equal scores and ties go by tie rank)."""
    if not len(terms.codes) or not len(rows):
        return np.zeros(len(rows), dtype=np.float64)
    starts, counts, flat = index.row_tag_table()
    per_row = counts[rows].astype(np.int64)
    owner = np.repeat(np.arange(len(rows)), per_row)
    block_start = np.cumsum(per_row) - per_row
    at = np.arange(len(owner)) + np.repeat(starts[rows] - block_start, per_row)
    term_of = np.full(index.tag_code_count, -1, dtype=np.int32)  # the vocabulary, not stories
    term_of[terms.codes] = terms.position
    position = term_of[flat[at]]
    hit = position >= 0
    owner, position = owner[hit], position[hit]
    # In plan order (then by row); a row carrying two members of one server tag counts
    # that tag once.
    key = position.astype(np.int64) * len(rows) + owner
    key = distinct_sorted(key) if terms.merged else np.sort(key)
    return np.bincount(key % len(rows), weights=terms.weights[key // len(rows)],
                       minlength=len(rows)).astype(np.float64, copy=False)
