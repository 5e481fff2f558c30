"""Recommendations by shared canonical tags.

A query becomes a *profile*: tag -> query weight (1 for each tag of a "like this" story; for
"for me", the share of the reader's liked-story weight that falls on stories carrying the
tag). A candidate story scores

    length_factor(story) x sum over shared tags of (query weight x kind weight x IDF)

(see tag_index.KIND_WEIGHTS: ratings and warnings weigh 0, they only filter). Include tags
are a hard filter and also add their weight, so an include-only search ranks the stories most
focused on those tags first. Equal scores are ordered by TagIndex.tie_key, ending in story id.

`recommend` scores the whole index at once with numpy: every profile tag adds its weight to
its posting rows, so the cost is the total length of the profile's posting lists plus a few
passes over a dense array, with no Python loop per story. `recommend_exhaustive` is the plain
reference (every story, set intersection, Python sums); both return the same page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process

from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.models import Story, TagKind
from bot.library.tag_index import KIND_WEIGHTS, Columns, IndexedStory, TagIndex, TagRef

MAX_QUERY_TAGS = 25


class TagView(Protocol):
    """A server's view of the shared tags (bot.library.overlay.TagOverlay): which of the
    index's canonical tags count as one here. Include, exclude and reasons name the
    server's tags; a server tag with members matches a story carrying any of them."""

    def fold_ref(self, tag: TagRef) -> TagRef: ...
    def ref_members(self, tag: TagRef) -> tuple[TagRef, ...]: ...
    def has_members(self, tag: TagRef) -> bool: ...
MAX_PER_AUTHOR = 2
MAX_PER_SERIES = 2
REASONS_SHOWN = 3


@dataclass(frozen=True)
class Reason:
    tag: TagRef
    weight: float  # this tag's share of the score


@dataclass(frozen=True)
class Recommendation:
    story_id: int
    score: float
    reasons: list[Reason]
    # Stories that ranked above the page's last result but were left out by the diversity
    # rule because this one (with the one before it) already stands for their author/series.
    more_by_author: int = 0
    more_in_series: int = 0


@dataclass
class _Pick:
    story_id: int
    score: float
    more_by_author: int = 0
    more_in_series: int = 0


@dataclass
class RecommendQuery:
    """What a reader asked for plus the filters that always apply.

    `profile` (for "for me") maps liked story ids to weights the caller computed from kudos,
    bookmarks, feedback and reactions; None means this is not a "for me" query.
    `exclude_story_ids`: stories never to show (e.g. those the reader gave kudos to).
    `blocked`: the reader's and the server's blocked tags. `allowed_ratings`: None = all.
    `visible_story_ids`, when given, restricts results to those stories (guild visibility).
    """

    include: set[TagRef] = field(default_factory=set)
    exclude: set[TagRef] = field(default_factory=set)
    like_story_id: int | None = None
    profile: dict[int, float] | None = None
    exclude_story_ids: set[int] = field(default_factory=set)
    blocked: set[TagRef] = field(default_factory=set)
    allowed_ratings: set[str] | None = None
    visible_story_ids: Set[int] | None = None
    limit: int = 10
    view: TagView | None = None  # None: the shared vocabulary as it is


@dataclass
class _Plan:
    """A validated query turned into weights and filters."""

    terms: dict[TagRef, float]  # profile tag -> query weight (include tags not repeated)
    include_weights: dict[TagRef, float]  # include tag -> query weight
    banned: frozenset[TagRef]  # blocked and excluded tags
    left_out: frozenset[int]  # story ids never shown
    allowed_ratings: Set[str] | None
    visible: Set[int] | None
    limit: int
    view: TagView | None = None

    def fold(self, tags: Iterable[TagRef]) -> Iterable[TagRef]:
        view = self.view
        return tags if view is None else dict.fromkeys(view.fold_ref(tag) for tag in tags)

    def accepts(self, story: IndexedStory) -> bool:
        """The hard filters, one story at a time (the reference path)."""
        if story.story_id in self.left_out:
            return False
        if self.visible is not None and story.story_id not in self.visible:
            return False
        if self.allowed_ratings is not None and story.rating not in self.allowed_ratings:
            return False
        if any(tag in self.banned for tag in story.tags):
            return False
        folded = set(self.fold(story.tags))
        return all(tag in folded for tag in self.include_weights)


def recommend(index: TagIndex, query: RecommendQuery) -> list[Recommendation]:
    plan = _plan(index, query)
    if plan is None:
        return []
    return [_explain(index, plan, pick) for pick in _search(index, plan)]


def recommend_exhaustive(index: TagIndex, query: RecommendQuery) -> list[Recommendation]:
    """The naive reference: score every story by intersecting its tags with the profile."""
    plan = _plan(index, query)
    if plan is None:
        return []
    weights = {tag: q * tag_weight(index, plan.view, tag) for tag, q in plan.terms.items()}
    position = {tag: n for n, tag in enumerate(plan.terms)}
    include_weight = _include_weight(index, plan) if plan.include_weights else None
    scored: list[tuple[float, tuple[float, float, int], float]] = []
    for story in index.stories():
        shared = sorted((tag for tag in plan.fold(story.tags) if tag in position),
                        key=position.__getitem__)
        if not shared and include_weight is None:
            continue
        if not plan.accepts(story):
            continue
        raw = 0.0
        for tag in shared:
            raw += weights[tag]
        if include_weight is not None:
            raw += include_weight
        score = raw * index.factor(story.story_id)
        if score > 0.0 or include_weight is not None:
            scored.append((-score, index.tie_key(story.story_id), score))
    scored.sort()
    ranked = ((tie[2], score) for _, tie, score in scored)
    return [_explain(index, plan, pick) for pick in _diversify(ranked, index, plan)]


def suggest_tags(index: TagIndex, text: str, limit: int = 5) -> list[TagRef]:
    """Known tags whose key is closest to `text` (for "did you mean ...?")."""
    tags = sorted(index.known_tags())
    matches = process.extract(
        text.casefold(), [key for _, key in tags], scorer=fuzz.WRatio, limit=limit
    )
    return [tags[position] for _, _, position in matches]


# -- planning -----------------------------------------------------------------------------


def _plan(index: TagIndex, query: RecommendQuery) -> _Plan | None:
    both = query.include & query.exclude
    if both:
        raise InvalidInput(f"'{min(both)[1]}' is both included and excluded")
    tag_count = len(query.include) + len(query.exclude)
    if tag_count > MAX_QUERY_TAGS:
        raise InvalidInput(f"at most {MAX_QUERY_TAGS} tags in one search (got {tag_count})")
    if query.limit < 1:
        raise InvalidInput("ask for at least one recommendation")
    if query.like_story_id is None and query.profile is None and not query.include:
        raise InvalidInput("say what to look for: tags, a story it should be like, or 'for me'")

    terms: dict[TagRef, float] = {}
    left_out = set(query.exclude_story_ids)
    view = query.view
    if query.like_story_id is not None:
        liked = index.get(query.like_story_id)
        if liked is None:
            raise StoryNotFound(query.like_story_id)
        left_out.add(liked.story_id)
        for tag in liked.weighted_tags:
            terms[tag if view is None else view.fold_ref(tag)] = 1.0
    if query.profile is not None:
        _add_profile(index, query.profile, terms, view)
        if not terms and not query.include and query.like_story_id is None:
            return None  # a reader with no history yet: nothing to go on

    include_weights = {tag: max(1.0, terms.pop(tag, 0.0)) for tag in sorted(query.include)}
    excluded = (query.exclude if view is None
                else {member for tag in query.exclude for member in view.ref_members(tag)})
    return _Plan(
        terms={tag: q for tag, q in terms.items() if tag_weight(index, view, tag) > 0.0},
        include_weights=include_weights,
        banned=frozenset(query.blocked | excluded),
        left_out=frozenset(left_out),
        allowed_ratings=query.allowed_ratings,
        visible=query.visible_story_ids,
        limit=query.limit,
        view=view,
    )


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
    """Rows carrying a tag in a server's view. A row carrying two of its members appears
    twice, which is harmless and saves a sort: `a[rows] += x` reads every row, adds, and
    writes back one and the same value per row, so each row gains x once."""
    if view is None or not view.has_members(tag):
        return index.rows(tag)
    return np.concatenate([index.rows(member) for member in view.ref_members(tag)])


def _add_profile(index: TagIndex, profile: dict[int, float], terms: dict[TagRef, float],
                 view: TagView | None = None) -> None:
    """Each tag weighs the share of the reader's liking that falls on stories carrying it."""
    liked = [
        (story, weight)
        for sid, weight in sorted(profile.items())
        if weight > 0 and (story := index.get(sid)) is not None  # removed since liked: skip
    ]
    total = sum(weight for _, weight in liked)
    for story, weight in liked:
        tags = story.weighted_tags
        for tag in tags if view is None else dict.fromkeys(view.fold_ref(t) for t in tags):
            terms[tag] = terms.get(tag, 0.0) + weight / total


# -- ranking ------------------------------------------------------------------------------


def _search(index: TagIndex, plan: _Plan) -> list[_Pick]:
    """Score every story at once: each profile tag adds its weight to its posting rows.

    Sums run in plan order (terms, then the include weight, then x length factor) exactly as
    `recommend_exhaustive` does, so both paths produce bit-identical scores and equal ties.
    """
    n = index.row_count
    if n == 0:
        return []
    columns = index.columns()
    raw = np.zeros(n, dtype=np.float64)
    for tag, q in plan.terms.items():
        rows = tag_rows(index, plan.view, tag)
        if len(rows):
            raw[rows] += q * tag_weight(index, plan.view, tag)  # rows unique in one list
    allowed = _allowed_rows(index, plan, columns)
    if plan.include_weights:
        carrying_all = _carrying_all(index, plan, n)
        raw[carrying_all] += _include_weight(index, plan)
        eligible = carrying_all & allowed
    else:
        eligible = (raw > 0.0) & allowed
    # Ineligible rows score -1 (below every real score, which is >= 0); multiplying by the
    # mask and subtracting its negation avoids a slow masked assignment.
    scores = raw * columns.factor
    scores *= eligible
    scores -= ~eligible
    ranked = _best_first(index, scores, int(np.count_nonzero(eligible)))
    return _diversify(ranked, index, plan)


def _include_weight(index: TagIndex, plan: _Plan) -> float:
    return sum(q * tag_weight(index, plan.view, tag) for tag, q in plan.include_weights.items())


def _carrying_all(index: TagIndex, plan: _Plan, n: int) -> np.ndarray:
    """Rows carrying every include tag (dead rows are removed by the live mask later)."""
    counts = np.zeros(n, dtype=np.int16)
    for tag in plan.include_weights:
        counts[tag_rows(index, plan.view, tag)] += 1
    return counts == len(plan.include_weights)


def _allowed_rows(index: TagIndex, plan: _Plan, columns: Columns) -> np.ndarray:
    """The filters that always apply: alive, rating allowed, no banned tag, not left out."""
    allowed = columns.live.copy()
    if plan.allowed_ratings is not None:
        codes = [index.rating_code(rating) for rating in plan.allowed_ratings]
        rating_ok = np.zeros(index.rating_code_count, dtype=bool)
        rating_ok[[code for code in codes if code is not None]] = True
        allowed &= rating_ok[columns.rating]
    for tag in plan.banned:
        allowed[index.rows(tag)] = False
    left_out = [row for row in map(index.row_of, plan.left_out) if row is not None]
    allowed[left_out] = False
    if plan.visible is not None:
        visible = np.zeros(len(allowed), dtype=bool)
        visible[[row for row in map(index.row_of, plan.visible) if row is not None]] = True
        allowed &= visible
    return allowed


def _best_first(index: TagIndex, scores: np.ndarray, eligible: int) -> Iterator[tuple[int, float]]:
    """Eligible (story, score) best first, equal scores by tie rank; sorts only what is read.

    Takes the best `size` rows with a partition (O(n)), breaks ties at the boundary with the
    index's precomputed tie ranks, and sorts only those rows; grows `size` if the page
    builder asks for more (the diversity cap can skip many).
    """
    ranks = index.tie_ranks()
    story_ids = index.columns().story_id
    n = len(scores)
    yielded = 0
    size = 32
    while yielded < eligible:
        size = min(size, eligible)
        kth = np.partition(scores, n - size)[n - size]
        above = np.flatnonzero(scores > kth)
        ties = np.flatnonzero(scores == kth)
        wanted = size - len(above)
        if len(ties) > wanted:
            ties = ties[np.argpartition(ranks[ties], wanted - 1)[:wanted]]
        pool = np.concatenate((above, ties))
        pool = pool[np.lexsort((ranks[pool], -scores[pool]))]
        rows = pool[yielded:]
        yield from zip(story_ids[rows].tolist(), scores[rows].tolist(), strict=True)
        yielded = len(pool)
        size *= 4


def _diversify(
    ranked: Iterable[tuple[int, float]], index: TagIndex, plan: _Plan
) -> list[_Pick]:
    """Greedy page: best first, at most two stories per author and per series.

    A story left out is counted on the latest pick by the same author (or in the same
    series), so the page can say "2 more by the same author" instead of hiding them."""
    by_author: dict[str, list[_Pick]] = {}
    by_series: dict[str, list[_Pick]] = {}
    picks: list[_Pick] = []
    for sid, score in ranked:
        story = index.stories_by_id[sid]
        full = [by_author[a][-1] for a in story.authors
                if len(by_author.get(a, ())) >= MAX_PER_AUTHOR]
        if full:
            full[0].more_by_author += 1
            continue
        if story.series is not None and len(by_series.get(story.series, ())) >= MAX_PER_SERIES:
            by_series[story.series][-1].more_in_series += 1
            continue
        pick = _Pick(sid, score)
        picks.append(pick)
        for author in story.authors:
            by_author.setdefault(author, []).append(pick)
        if story.series is not None:
            by_series.setdefault(story.series, []).append(pick)
        if len(picks) == plan.limit:
            break
    return picks


def _explain(index: TagIndex, plan: _Plan, pick: _Pick) -> Recommendation:
    sid, score = pick.story_id, pick.score
    story: IndexedStory | None = index.get(sid)
    assert story is not None
    factor = index.factor(sid)
    contributions: list[tuple[float, TagRef]] = []
    for tag in plan.fold(story.tags):
        q = plan.terms.get(tag) or plan.include_weights.get(tag)
        if q:
            weight = q * tag_weight(index, plan.view, tag) * factor
            if weight > 0.0:
                contributions.append((weight, tag))
    contributions.sort(key=lambda item: (-item[0], item[1]))
    reasons = [Reason(tag, round(weight, 4)) for weight, tag in contributions[:REASONS_SHOWN]]
    return Recommendation(story_id=sid, score=round(score, 6), reasons=reasons,
                          more_by_author=pick.more_by_author,
                          more_in_series=pick.more_in_series)


@dataclass(frozen=True)
class RecommendedStory:
    story: Story
    score: float
    reasons: list[str]  # display names of the top shared tags
    more_by_author: int = 0  # left out by the diversity rule (see Recommendation)
    more_in_series: int = 0


@dataclass(frozen=True)
class RecommendationPage:
    asked: str  # what was asked for, in words
    results: list[RecommendedStory]


@dataclass(frozen=True)
class TagUse:
    name: str
    kind: TagKind
    stories: int
    synonyms: tuple[str, ...]
