"""Recommendations by shared canonical tags.

A query becomes a *profile*: tag -> query weight (1 for each tag of a "like this" story; for
"for me", the share of the reader's liked-story weight that falls on stories carrying the
tag). A candidate story scores

    length_factor(story) x sum over shared tags of (query weight x kind weight x IDF)

(see tag_index.KIND_WEIGHTS: ratings and warnings weigh 0, they only filter). Include tags
are a hard filter and also add their weight, so an include-only search ranks the stories most
focused on those tags first. Equal scores are ordered by TagIndex.tie_key, ending in story id.

`recommend` ranks through posting lists: an include-only search looks only at the stories
carrying the tags (bot.library.recommend_search); a profile search (like, for me) scores a
budgeted set of candidates from its rarest terms' lists (bot.library.profile_search), so
neither pass grows with the library. `recommend_exhaustive` is the plain reference (every
story, set intersection, Python sums). Both return the same page whenever the profile
search proves its page (always on small libraries; see profile_search for when it cannot).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from itertools import compress
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.index_gathers import tag_links, weighted_code_sums
from bot.library.models import ListedStory, TagKind
from bot.library.profile_search import ProfileTerms, profile_terms, search_profile
from bot.library.recommend_search import (
    MAX_PER_AUTHOR,
    MAX_PER_SERIES,
    Pick,
    Plan,
    TagView,
    diversify,
    include_weight,
    search,
    tag_rows,
    tag_weight,
)
from bot.library.tag_index import TagIndex, TagRef

__all__ = ["MAX_PER_AUTHOR", "MAX_PER_SERIES", "TagView", "tag_rows", "tag_weight"]

MAX_QUERY_TAGS = 25
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
    # Only stories of these libraries (a guild id, None for the demo library); None: all.
    visible_guilds: frozenset[int | None] | None = None
    limit: int = 10
    view: TagView | None = None  # None: the shared vocabulary as it is


def recommend(index: TagIndex, query: RecommendQuery) -> list[Recommendation]:
    plan = plan_query(index, query)
    if plan is None:
        return []
    if not (plan.terms and len(index)):
        return [_explain(index, plan, pick) for pick in search(index, plan)]
    terms = profile_terms(index, plan)
    picks = search_profile(index, plan, terms=terms).picks
    if plan.include_weights:
        return [_explain(index, plan, pick) for pick in picks]
    return _explain_by_term(index, terms, list(plan.terms), picks)


def recommend_exhaustive(index: TagIndex, query: RecommendQuery) -> list[Recommendation]:
    """The naive reference: score every story by intersecting its tags with the profile."""
    plan = plan_query(index, query)
    if plan is None:
        return []
    weights = {tag: q * tag_weight(index, plan.view, tag) for tag, q in plan.terms.items()}
    position = {tag: n for n, tag in enumerate(plan.terms)}
    included = include_weight(index, plan) if plan.include_weights else None
    scored: list[tuple[float, tuple[float, float, int], float]] = []
    for story in index.stories():
        shared = sorted((tag for tag in plan.fold(story.tags) if tag in position),
                        key=position.__getitem__)
        if not shared and included is None:
            continue
        if not plan.accepts(story):
            continue
        raw = 0.0
        for tag in shared:
            raw += weights[tag]
        if included is not None:
            raw += included
        score = raw * index.factor(story.story_id)
        if score > 0.0 or included is not None:
            scored.append((-score, index.tie_key(story.story_id), score))
    scored.sort()
    ranked = ((tie[2], score) for _, tie, score in scored)
    return [_explain(index, plan, pick) for pick in diversify(ranked, index, plan)]


def suggest_tags(index: TagIndex, text: str, limit: int = 5) -> list[TagRef]:
    """Known tags whose key is closest to `text` (for "did you mean ...?")."""
    tags = sorted(index.known_tags())
    matches = process.extract(
        text.casefold(), [key for _, key in tags], scorer=fuzz.WRatio, limit=limit
    )
    return [tags[position] for _, _, position in matches]


# -- planning -----------------------------------------------------------------------------


def plan_query(index: TagIndex, query: RecommendQuery) -> Plan | None:
    """The query validated and turned into weights and filters; None: nothing to go on."""
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

    left_out = set(query.exclude_story_ids)
    view = query.view
    if query.like_story_id is not None:
        if query.like_story_id not in index:
            raise StoryNotFound(query.like_story_id)
        left_out.add(query.like_story_id)
    if view is None:
        coded = _terms_by_code(index, query)
        weighted, terms, tag_weights = coded.weighted, coded.terms, coded.tag_weights
        include_weights, term_codes = coded.include_weights, coded.codes
        term_weights: np.ndarray | None = coded.weights
    else:
        terms = _terms_in_view(index, query, view)
        weighted, term_codes, term_weights = len(terms), None, None
        include_weights = {tag: max(1.0, terms.pop(tag, 0.0)) for tag in sorted(query.include)}
        tag_weights = {tag: tag_weight(index, view, tag) for tag in terms}
        terms = {tag: q for tag, q in terms.items() if tag_weights[tag] > 0.0}
    if query.profile is not None and not weighted and not query.include \
            and query.like_story_id is None:
        return None  # a reader with no history yet: nothing to go on
    excluded = (query.exclude if view is None
                else {member for tag in query.exclude for member in view.ref_members(tag)})
    return Plan(
        terms=terms,
        term_codes=term_codes,
        term_weights=term_weights,
        include_weights=include_weights,
        banned=frozenset(query.blocked | excluded),
        left_out=frozenset(left_out),
        allowed_ratings=query.allowed_ratings,
        visible=query.visible_story_ids,
        limit=query.limit,
        view=view,
        visible_guilds=query.visible_guilds,
        tag_weights=tag_weights,
    )


class _CodedTerms(NamedTuple):
    weighted: int  # weighted tags on the query's stories, include tags and all
    terms: dict[TagRef, float]  # the terms that weigh something, include tags apart
    tag_weights: dict[TagRef, float]  # their tag weights
    include_weights: dict[TagRef, float]
    codes: list[int]  # the terms' codes, in the order of `terms` (ascending)
    weights: np.ndarray  # each term's query weight x tag weight, in that order


def _terms_by_code(index: TagIndex, query: RecommendQuery) -> _CodedTerms:
    """The profile's terms (each with its tag code) in ascending code order: a story's tags
    are in that order in the index too, so a search can add up a story's terms as it reads
    them and still add them in the plan's order (see profile_search._raw_scores). A term's
    query weight adds up its stories' in order, from 0.0: the liked story's 1 first, then
    each liked story's share, by story id. About a hundred terms for "for me": weighed and
    kept as arrays, turned into tags once."""
    stories: list[tuple[int, float]] = []
    if query.like_story_id is not None:
        stories.append((query.like_story_id, 1.0))
    if query.profile is not None:
        stories.extend(_shares(index, query.profile))
    codes, shares = weighted_code_sums(index, stories)
    weights = index.code_weights(codes)
    refs = index.tag_refs(codes.tolist())
    kept = weights > 0.0
    include_weights: dict[TagRef, float] = {}
    if query.include:
        at = dict(zip(refs, range(len(refs)), strict=True))
        for tag in sorted(query.include):
            found = at.get(tag)
            include_weights[tag] = max(1.0, 0.0 if found is None else float(shares[found]))
            if found is not None:
                kept[found] = False
    kept_refs = list(compress(refs, kept.tolist()))
    shares, weights = np.compress(kept, shares), np.compress(kept, weights)
    return _CodedTerms(
        weighted=len(refs),
        terms=dict(zip(kept_refs, shares.tolist(), strict=True)),
        tag_weights=dict(zip(kept_refs, weights.tolist(), strict=True)),
        include_weights=include_weights,
        codes=np.compress(kept, codes).tolist(),
        weights=shares * weights)


def _terms_in_view(index: TagIndex, query: RecommendQuery, view: TagView) -> dict[TagRef, float]:
    """The profile's terms as a server names them (its tags fold the shared ones)."""
    terms: dict[TagRef, float] = {}
    if query.like_story_id is not None:
        for tag in index.weighted_tags_of(query.like_story_id):
            terms[view.fold_ref(tag)] = 1.0
    if query.profile is not None:
        for sid, share in _shares(index, query.profile):
            tags = index.weighted_tags_of(sid)
            for tag in dict.fromkeys(view.fold_ref(t) for t in tags):
                terms[tag] = terms.get(tag, 0.0) + share
    return terms


def _shares(index: TagIndex, profile: dict[int, float]) -> list[tuple[int, float]]:
    """Each liked story still indexed, with its share of the reader's liking: a tag weighs
    the shares of the liked stories carrying it."""
    liked = [(sid, weight) for sid, weight in sorted(profile.items())
             if weight > 0 and sid in index]  # removed since liked: skip
    total = sum(weight for _, weight in liked)
    return [(sid, weight / total) for sid, weight in liked]


def _explain(index: TagIndex, plan: Plan, pick: Pick) -> Recommendation:
    sid, score = pick.story_id, pick.score
    factor = index.factor(sid)
    contributions: list[tuple[float, TagRef]] = []
    terms, included, known = plan.terms, plan.include_weights, plan.tag_weights
    for tag in plan.fold(index.tags_of(sid)):
        q = terms.get(tag) or included.get(tag)
        if q:
            tag_weight_here = known.get(tag)
            if tag_weight_here is None:  # an include tag (terms are weighed when planning)
                tag_weight_here = tag_weight(index, plan.view, tag)
            weight = q * tag_weight_here * factor
            if weight > 0.0:
                contributions.append((weight, tag))
    contributions.sort(key=lambda item: (-item[0], item[1]))
    reasons = [Reason(tag, round(weight, 4)) for weight, tag in contributions[:REASONS_SHOWN]]
    return Recommendation(story_id=sid, score=round(score, 6), reasons=reasons,
                          more_by_author=pick.more_by_author,
                          more_in_series=pick.more_in_series)


def _explain_by_term(index: TagIndex, terms: ProfileTerms, term_tags: list[TagRef],
                     picks: list[Pick]) -> list[Recommendation]:
    """_explain for a profile plan with no include tags (like, for me; in a server's view
    or not), every pick at once, by the search's own terms: each of a pick's tag codes
    that counts as a term (`terms.term_of`; a term once, though the pick carry two of a
    server tag's members) gives that term's weight x the pick's length factor, and its
    reason is the term's tag as planned (`term_tags`, in plan order). The same products as
    _explain's, so the same reasons; but no tag of a pick is looked up, folded or hashed,
    which is what _explain spends its time on (per pick, from cold caches in the bot)."""
    if not picks:
        return []
    codes, counts = tag_links(index, [pick.story_id for pick in picks])
    term_at = terms.term_of.take(codes).tolist()  # -1: not a term
    weights = terms.weights.tolist()
    explained, start = [], 0
    for pick, count in zip(picks, counts.tolist(), strict=True):
        factor = index.factor(pick.story_id)
        # (-weight, tag) pairs sort as _explain's contributions do, heaviest first, then by
        # tag (no two terms share one), with no key function to call per pair.
        ranked = sorted((-weight, term_tags[term])
                        for term in set(term_at[start:start + count])
                        if term >= 0 and (weight := weights[term] * factor) > 0.0)
        start += count
        explained.append(Recommendation(
            story_id=pick.story_id, score=round(pick.score, 6),
            reasons=[Reason(tag, round(-negated, 4))
                     for negated, tag in ranked[:REASONS_SHOWN]],
            more_by_author=pick.more_by_author, more_in_series=pick.more_in_series))
    return explained


@dataclass(frozen=True)
class RecommendedStory:
    story: ListedStory
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
