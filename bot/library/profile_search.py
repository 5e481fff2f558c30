"""Profile searches (like a story, for me) in work bounded by budgets, not the library.

A story scores only through the profile terms it carries. The search gathers terms in
order of weight per posting row (rare, heavy tags first) until their posting lists hold
BUDGET rows: the stories on them are the candidates. Each candidate gets an upper bound
(the gathered terms it carries, plus the heaviest other terms, as many as it has tags
left, times its length factor); the best by that bound are scored exactly from their own
tag slices (every term counts, gathered or not), more while an unscored one could still
reach the page, at most MAX_SCORED. A story on none of the gathered lists scores at most
the heaviest m other terms times min(1, sqrt(12 / m)) (its length factor with m weighted
tags). When the page's last pick beats that, the page is the exhaustive one (`exact`).
Otherwise the budget grows fourfold up to MAX_BUDGET, as long as the terms the bigger
budget would leave out could not reach the page; else the page is built from the
candidates alone: each score and reason on it is still exact, but a story sharing only
common tags with the profile may be missing (benchmarks/bench_recommend counts how
often the page differs from the every-row ranking).

Of more than UNPROVEN_SCORED candidates, the best UNPROVEN_SCORED by what they score on
the gathered terms alone are scored first. When even their page cannot beat what a story
off the lists could score, the page is not going to be proven: it is built from them, and
the rest are not scored. A profile spread over many fandoms (most "for me" ones at 100k)
has bounds too loose to prune anything, so without this rule every candidate was scored
(~3,300 at 100k for ~1,000 at 1k), the search's one cost that grew with the library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.library.index_arrays import distinct_sorted
from bot.library.index_gathers import code_row_counts, codes_rows
from bot.library.profile_kernel import compiled_page
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
from bot.library.tag_index import LENGTH_FREE_TAGS, TagIndex

BUDGET = 4_096  # posting rows gathered before the first look at the page
MAX_BUDGET = 16_384  # past this, the page is built from the candidates alone
GROWTH = 4
# Float sums in another order than the scores' may differ in the last bits.
SLACK = 1.0 + 1e-9
_INT16_MAX = int(np.iinfo(np.int16).max)
FIRST_SCORED = 64  # candidates scored exactly before the first look at the page
MAX_SCORED = 4_096  # candidates scored exactly at most
# Candidates scored before deciding a page cannot be proven (see the module docstring):
# at 100k, for the bench_recommend "for me" pages, 1,024 kept the overlap with the
# every-row page at 0.94 (0.95 scoring them all) and none fewer proven.
UNPROVEN_SCORED = 1_024
# Filters below use a.compress(mask), not a[mask]: numpy's boolean indexing branches
# on every element, and on masks of no pattern (which rows are allowed, which carry a term)
# it took 3-4x as long (55k elements: 190 µs against 68, numpy 2.4). The same elements
# come out in the same order. The array methods (a.take, a.compress, a.repeat) rather than
# np.take and the like: a search makes some thirty such calls, and the functions pass each
# through two Python-level wrappers first.

# Grow the budget also when the bigger one could not prove the page either: for me pages
# at 100k then match the every-row page more often (overlap@page 0.99 instead of 0.93),
# but a profile spread over many fandoms costs ~2x (10 ms instead of 5, in-process).
GROW_UNPROVABLE = False


@dataclass(frozen=True)
class ProfilePage:
    picks: list[Pick]
    exact: bool  # proven the same page as scoring every story
    candidates: int  # stories gathered
    scored: int  # of those, looked at: filtered, and scored exactly if allowed


@dataclass(frozen=True)
class ProfileTerms:
    """The plan's profile terms in plan order, with what the search needs of each."""

    weights: np.ndarray  # query weight x tag weight
    lengths: np.ndarray  # posting rows (members' added up in a server view)
    codes: np.ndarray  # tag codes that count as a term, ascending
    merged: bool  # some term has several codes: a row may carry one term twice
    # Plan order is ascending code order (as recommend._terms_by_code plans it), the order
    # of every story's tags in the index: a story's terms add up in plan order as read.
    code_ordered: bool
    # Per term, its codes: posting lists are sliced only for the terms gathered (a profile
    # has about a hundred terms; a budget gathers the rarest few). Empty when
    # one_code_each: term i is then the code codes[i].
    term_codes: list[list[int]]
    # Per tag code of the vocabulary (not per story), the term it counts as (-1: none):
    # the index's scratch array (TagIndex.code_scratch), valid until the next search.
    term_of: np.ndarray
    # Term i is the tag code codes[i] (planned by code, no server view).
    one_code_each: bool = False


def profile_terms(index: TagIndex, plan: Plan) -> ProfileTerms:
    """The plan's terms as the search reads them (its term_of valid until the next
    search's terms are made)."""
    if plan.term_codes is not None and plan.term_weights is not None:
        return _coded_terms(index, plan.term_codes, plan.term_weights)
    view = plan.view
    weights, codes, position, lengths = [], [], [], []
    term_codes: list[list[int]] = []
    # About a hundred terms per "for me" query: the lookups are bound once.
    code_of, row_count, known_weights = index.code_of, index.code_row_count, plan.tag_weights
    for at, (tag, q) in enumerate(plan.terms.items()):
        known = known_weights.get(tag)
        weights.append(q * (tag_weight(index, view, tag) if known is None else known))
        members = view.ref_members(tag) if view is not None and view.has_members(tag) else (tag,)
        own: list[int] = []
        length = 0
        for member in members:
            if (code := code_of(member)) is not None:
                own.append(code)
                length += row_count(code)
                codes.append(code)
                position.append(at)
        term_codes.append(own)
        lengths.append(length)
    return _sorted_by_code(index, weights, lengths, codes, position, term_codes)


def _coded_terms(index: TagIndex, codes: list[int], weights: np.ndarray) -> ProfileTerms:
    """Terms planned with their codes (no server view): one code each, ascending
    (recommend._terms_by_code), so plan order is code order."""
    ascending = np.array(codes, dtype=np.int64)
    return ProfileTerms(weights=weights, lengths=code_row_counts(index, codes),
                        codes=ascending, merged=False, code_ordered=True, term_codes=[],
                        term_of=index.code_scratch(ascending, np.arange(len(codes))),
                        one_code_each=True)


def _sorted_by_code(index: TagIndex, weights: list[float], lengths: list[int],
                    codes: list[int], position: list[int], term_codes: list[list[int]]
                    ) -> ProfileTerms:
    """Terms in a server's view: `codes` (each with its term's `position`) in any order."""
    order = np.argsort(np.array(codes, dtype=np.int64), kind="stable")
    sorted_codes = np.array(codes, dtype=np.int64)[order]
    sorted_position = np.array(position, dtype=np.int64)[order]
    merged = any(len(own) > 1 for own in term_codes)
    return ProfileTerms(weights=np.array(weights, dtype=np.float64),
                        lengths=np.array(lengths, dtype=np.int64),
                        codes=sorted_codes, merged=merged,
                        code_ordered=not merged and bool(np.all(np.diff(sorted_position) > 0)),
                        term_codes=term_codes,
                        term_of=index.code_scratch(sorted_codes, sorted_position))


def search_profile(index: TagIndex, plan: Plan, budget: int = BUDGET,
                   max_budget: int = MAX_BUDGET, unproven_scored: int = UNPROVEN_SCORED,
                   terms: ProfileTerms | None = None) -> ProfilePage:
    """`terms`: profile_terms of this plan, when the caller keeps them (to explain the
    page by them)."""
    terms = profile_terms(index, plan) if terms is None else terms
    compiled = compiled_page(
        index, plan, *_members(terms), terms.weights, terms.term_of, terms.code_ordered,
        (plan.limit, budget, max_budget, unproven_scored, FIRST_SCORED, MAX_SCORED, GROWTH),
        SLACK, GROW_UNPROVABLE)
    if compiled is not None:
        return ProfilePage(*compiled)
    base = include_weight(index, plan) if plan.include_weights else 0.0
    carrying = carrying_all(index, plan) if plan.include_weights else None
    if carrying is not None and len(carrying) <= max_budget:
        # Every eligible story carries the include tags: they are all the candidates, each
        # bounded by the heaviest terms, as many as it has tags.
        best = _best_sums(terms.weights)
        _, tag_counts, _ = index.row_tag_table()
        carried = np.minimum(tag_counts.take(carrying), len(best) - 1)
        upper = (best[carried] + base) * index.columns().factor[carrying] * SLACK
        picks, settled, scored = _settled_page(index, plan, terms, carrying, upper)
        return ProfilePage(picks, settled, len(carrying), scored)
    order = np.argsort(-(terms.weights / np.maximum(terms.lengths, 1)), kind="stable")
    reach = terms.lengths[order].cumsum()
    while True:
        taken = _terms_within(reach, budget)
        rows, partial, hits = _gathered(index, terms, order[:taken])
        if carrying is not None:
            kept = member_of(rows, carrying)
            rows, partial, hits = (rows.compress(kept), partial.compress(kept),
                                   hits.compress(kept))
        best_rest = _best_sums(terms.weights[order[taken:]])
        # What a story can score at most: the gathered terms it carries, plus the heaviest
        # other terms, as many as it has tags besides those, the include weight, times its
        # length factor.
        _, tag_counts, _ = index.row_tag_table()
        # hits counts links of the row's own: never more than its tags
        others = np.minimum(tag_counts.take(rows) - hits, len(best_rest) - 1)
        row_factor = index.columns().factor.take(rows)
        upper = (partial + best_rest[others] + base) * row_factor * SLACK
        complete = carrying is None and taken == len(order)  # every term gathered
        outside = _outside(best_rest, base)  # the most a story not gathered can score
        can_grow = budget < max_budget and taken < len(order)
        # The page's last pick scores at most the limit-th best bound: when that cannot
        # beat `outside`, this budget cannot prove the page: go on to the next one.
        if can_grow and not complete and _kth_largest(upper, plan.limit) <= outside:
            budget = min(budget * GROWTH, max_budget)
            continue
        picks, settled, scored = _settled_page(
            index, plan, terms, rows, upper,
            _Floors(partial * row_factor, outside, unproven_scored))
        full = len(picks) == plan.limit
        if settled and (complete or (full and picks[-1].score > outside)):
            return ProfilePage(picks, True, len(rows), scored)
        if not can_grow:
            return ProfilePage(picks, False, len(rows), scored)
        budget = min(budget * GROWTH, max_budget)
        # Grow only when the bigger budget could prove this page: when what it would still
        # leave out could reach the page, that one could not be proven either (a profile
        # spread over many fandoms), only cost four times more.
        if full and not GROW_UNPROVABLE and _outside(
                _best_sums(_left_out(terms, order, reach, budget)), base) >= picks[-1].score:
            return ProfilePage(picks, False, len(rows), scored)


def _members(terms: ProfileTerms) -> tuple[np.ndarray, np.ndarray | None]:
    """Every term's codes in plan order, laid end to end, and where each term's end (None:
    one code each, term i the code codes[i])."""
    if terms.one_code_each:
        return terms.codes, None
    counts = [len(own) for own in terms.term_codes]
    laid = [code for own in terms.term_codes for code in own]
    return np.array(laid, dtype=np.int64), np.cumsum(counts, dtype=np.int64)


def _left_out(terms: ProfileTerms, order: np.ndarray, reach: np.ndarray, budget: int
              ) -> np.ndarray:
    """The weights of the terms a budget leaves out."""
    return terms.weights[order[_terms_within(reach, budget):]]


def _terms_within(reach: np.ndarray, budget: int) -> int:
    """How many terms (in gathering order) a budget takes: at least one."""
    return max(1, int(reach.searchsorted(budget, side="right")))


def _kth_largest(values: np.ndarray, k: int) -> float:
    if len(values) < k:
        return -np.inf
    partitioned = values.copy()
    partitioned.partition(len(values) - k)
    return float(partitioned[len(values) - k])


def _best_sums(weights: np.ndarray) -> np.ndarray:
    """[0, the heaviest, the two heaviest added up, ...]."""
    ascending = weights.copy()
    ascending.sort()
    return np.concatenate(([0.0], ascending[::-1].cumsum()))


def _outside(best_sums: np.ndarray, base: float) -> float:
    """The most a story on none of the gathered lists can score: carrying m of the other
    terms it has at least m weighted tags, so its length factor is at most
    min(1, sqrt(LENGTH_FREE_TAGS / m))."""
    carried = np.arange(len(best_sums))
    factor = np.sqrt(LENGTH_FREE_TAGS / np.maximum(carried, LENGTH_FREE_TAGS))
    return float(((best_sums + base) * factor).max()) * SLACK


def _gathered(index: TagIndex, terms: ProfileTerms, gathered: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows on the gathered terms' posting lists, ascending, each row's sum
    of those terms' weights (a member of a server tag counted once per member: only ever
    too high, which an upper bound allows) and how many of its tags are on those lists."""
    if terms.one_code_each:
        every = codes_rows(index, terms.codes[gathered])
    else:
        lists = [index.code_rows(code) for term in gathered.tolist()
                 for code in terms.term_codes[term]]
        every = np.concatenate(lists) if lists else np.empty(0, dtype=np.int32)
    if not len(every):
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64), np.empty(0, np.int64)
    weights = terms.weights[gathered].repeat(terms.lengths[gathered])
    rows = distinct_sorted(every)
    slots = index.row_slots()  # each row's place in `rows` (4x cheaper than searchsorted)
    slots[rows] = np.arange(len(rows), dtype=np.int32)
    at = slots.take(every)
    partial = np.bincount(at, weights=weights, minlength=len(rows))
    return rows, partial, np.bincount(at, minlength=len(rows))


@dataclass(frozen=True)
class _Floors:
    """What the gathered posting lists tell `_settled_page` besides the bounds."""

    scores: np.ndarray  # what each row scores on the gathered terms alone
    outside: float  # the most a story on none of the gathered lists can score
    unproven_scored: int  # rows scored before giving up proving the page


def _settled_page(index: TagIndex, plan: Plan, terms: ProfileTerms, rows: np.ndarray,
                  upper: np.ndarray, floors: _Floors | None = None
                  ) -> tuple[list[Pick], bool, int]:
    """The page among `rows`, scoring exactly (and filtering) only what can reach it: the
    best FIRST_SCORED by upper bound, then every other whose bound reaches the page's last
    pick (again, as long as the page moves), at most MAX_SCORED in all. Also whether it is
    settled (no story left unscored could have changed it) and how many rows were scored.

    With `floors`, when at least half the rows' bounds reach the limit-th best floor score
    (a guess at the page's last score), the bounds would prune little: every row is scored
    in one batch, saving a second round of filtering and ranking (the page is the same: it
    only ever depends on the rows that can reach it, and those are scored either way).
    Unless there are more than `unproven_scored` rows: then the best that many by floor
    come first, and when their page's last pick cannot beat `outside`, the page is given
    up as unprovable there (see the module docstring)."""
    include = include_weight(index, plan) if plan.include_weights else 0.0
    factor = index.columns().factor
    chosen, scores = np.empty(0, dtype=rows.dtype), np.empty(0, dtype=np.float64)
    unscored = np.ones(len(rows), dtype=bool)
    loose = floors is not None and 2 * np.count_nonzero(
        upper >= _kth_largest(floors.scores, plan.limit)) >= len(rows)
    give_up_at: float | None = None  # the first batch's page gives up at or under this
    if floors is not None and loose and len(rows) > floors.unproven_scored:
        batch = _best_unscored(floors.scores, unscored, floors.unproven_scored)
        give_up_at = floors.outside
    elif loose and len(rows) <= MAX_SCORED:
        batch = np.arange(len(rows))
    else:
        batch = _best_unscored(upper, unscored, max(FIRST_SCORED, 4 * plan.limit))
    while True:
        unscored[batch] = False
        picked = rows.take(batch)
        picked = picked.compress(allowed_rows(index, plan, picked))
        raw = _raw_scores(index, terms, picked)
        if plan.include_weights:
            raw += include
        else:
            keep = raw > 0.0
            picked, raw = picked.compress(keep), raw.compress(keep)
        chosen = np.concatenate((chosen, picked))
        scores = np.concatenate((scores, raw * factor.take(picked)))
        picks = diversify(best_first(index, chosen, scores), index, plan)
        left = unscored.nonzero()[0]
        scored = len(rows) - len(left)
        if not len(left):
            return picks, True, scored
        if give_up_at is not None:
            if len(picks) == plan.limit and picks[-1].score <= give_up_at:
                return picks, False, scored
            give_up_at = None
        room = MAX_SCORED - scored
        if room <= 0:
            return picks, False, scored
        if len(picks) < plan.limit:
            batch = _best_unscored(upper, unscored, min(room, GROWTH * scored))
        else:
            batch = left.compress(upper[left] >= picks[-1].score)
            if not len(batch):
                return picks, True, scored
            if len(batch) > room:
                batch = _best_unscored(upper, unscored, room)


def _best_unscored(upper: np.ndarray, unscored: np.ndarray, count: int) -> np.ndarray:
    """Up to `count` of the unscored positions, highest `upper` first; of those tied at
    the cut, the first (the lower rows). The compiled search keeps the same ones: an
    argpartition would choose among the tied by its own algorithm."""
    left = unscored.nonzero()[0]
    if len(left) <= count:
        return left
    if count <= 0:
        return left[:0]
    values = upper.take(left)
    cut = _kth_largest(values, count)
    above = left.compress(values > cut)
    return np.concatenate((above, left.compress(values == cut)[:count - len(above)]))


def _raw_scores(index: TagIndex, terms: ProfileTerms, rows: np.ndarray) -> np.ndarray:
    """Each row's sum of the term weights it carries, added in plan order (as the reference
    does, so equal tag sets give bit-equal scores and ties go by tie rank)."""
    if not len(terms.codes) or not len(rows):
        return np.zeros(len(rows), dtype=np.float64)
    starts, counts, flat = index.row_tag_table()
    per_row = counts.take(rows)
    # Every candidate's tag slice laid end to end: `at` is each tag's place in `flat`.
    at = (starts.take(rows) - (per_row.cumsum() - per_row)).repeat(per_row)
    at += np.arange(len(at))
    # take, not fancy indexing: a third cheaper on these ~30k-element gathers.
    position = terms.term_of.take(flat.take(at))
    hits = (position >= 0).nonzero()[0]
    owner = np.arange(len(rows)).repeat(per_row).take(hits)
    position = position.take(hits)
    if terms.code_ordered:
        # Each row's hits come in its tag order, which is plan order here; bincount adds
        # in input order, so every row's sum is added up term by term in plan order.
        return np.bincount(owner, weights=terms.weights.take(position),
                           minlength=len(rows)).astype(np.float64, copy=False)
    # In plan order (then by row); a row carrying two members of one server tag counts
    # that tag once.
    if terms.merged or len(terms.weights) > _INT16_MAX:
        key = position.astype(np.int64) * len(rows) + owner
        key = distinct_sorted(key) if terms.merged else np.sort(key)
        return np.bincount(key % len(rows), weights=terms.weights[key // len(rows)],
                           minlength=len(rows)).astype(np.float64, copy=False)
    # The same order, cheaper: a stable sort of the term positions alone (small integers,
    # which numpy sorts by radix) keeps each term's rows ascending. bincount adds in input
    # order, so every row's sum is added up term by term in plan order, as above.
    order = np.argsort(position.astype(np.int16), kind="stable")
    return np.bincount(owner[order], weights=terms.weights[position[order]],
                       minlength=len(rows)).astype(np.float64, copy=False)
