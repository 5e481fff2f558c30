"""The bounded profile search (like a story, for me) against the every-row ranking.

Budgets here are tiny so that a 400-story library takes every path a 100k library takes:
a page proven at the first budget, one proven after growing, and one built from the
candidates alone. A proven page must be the every-row page; any page must hold exact
scores, best first.
"""

from __future__ import annotations

import random

from bot.library.models import TagKind
from bot.library.overlay import TagOverlay
from bot.library.profile_search import search_profile
from bot.library.recommend import RecommendQuery, plan_query
from bot.library.recommend_search import Plan, search
from bot.library.records import TagRow
from bot.library.tag_index import IndexedStory, TagIndex, TagRef

K = TagKind


def library(rng: random.Random) -> tuple[TagIndex, list[TagRef]]:
    """A few common tags on most stories, many rare ones on few."""
    common = [(kind, f"{kind.value} common {n}") for kind in K for n in range(3)]
    rare = [(kind, f"{kind.value} rare {n}") for kind in K for n in range(40)]
    stories = [
        IndexedStory(
            story_id=sid,
            tags=frozenset(rng.sample(common, rng.randint(2, 8)) + rng.sample(rare, 3)),
            rating=rng.choice(["general", "teen", "mature"]),
            authors=(f"author {rng.randrange(60)}",),
            series=rng.choice([None, None, None, "s1", "s2"]),
            popularity=float(rng.randrange(5)),
        )
        for sid in range(1, 401)
    ]
    index = TagIndex(stories)
    for sid in range(3, 401, 11):  # dead rows stay on the posting lists
        index.remove(sid)
    return index, common + rare


def exact_score(index: TagIndex, plan: Plan, story_id: int) -> float:
    """The reference formula: the story's shared term weights in plan order (then the
    include weight), times its length factor."""
    tags = set(index.tags_of(story_id))
    raw = 0.0
    for tag, q in plan.terms.items():
        if tag in tags:
            raw += q * index.weight(tag)
    if plan.include_weights:
        raw += sum(q * index.weight(tag) for tag, q in plan.include_weights.items())
    return raw * index.factor(story_id)


def random_query(rng: random.Random, index: TagIndex, vocabulary: list[TagRef]
                 ) -> RecommendQuery:
    live = sorted(index.stories_by_id)
    query = RecommendQuery(
        blocked=set(rng.sample(vocabulary, rng.choice([0, 1]))),
        allowed_ratings=rng.choice([None, {"general", "teen"}]),
        limit=rng.choice([3, 10]),
    )
    if rng.random() < 0.5:
        query.like_story_id = rng.choice(live)
    else:
        query.profile = {rng.choice(live): rng.choice([0.5, 1.0, 3.0]) for _ in range(6)}
        query.exclude_story_ids = set(rng.sample(live, 3))
    if rng.random() < 0.25:
        query.include = {rng.choice(vocabulary[:21])}  # a common tag: many carry it
    query.blocked -= query.include
    return query


def test_proven_pages_are_the_every_row_pages_and_every_page_scores_exactly() -> None:
    rng = random.Random(13)
    index, vocabulary = library(rng)
    proven = unproven = 0
    for n in range(240):
        query = random_query(rng, index, vocabulary)
        plan = plan_query(index, query)
        assert plan is not None
        budget, max_budget = [(8, 8), (8, 128), (64, 4096)][n % 3]
        page = search_profile(index, plan, budget, max_budget)
        if page.exact:
            proven += 1
            assert page.picks == search(index, plan)
        else:
            unproven += 1
        scores = [pick.score for pick in page.picks]
        assert scores == sorted(scores, reverse=True)
        for pick in page.picks:
            assert pick.score == exact_score(index, plan, pick.story_id)
            assert pick.story_id in index and pick.story_id not in plan.left_out
    assert proven > 100 and unproven > 10  # both kinds of page were exercised


def test_a_budget_large_enough_always_proves_the_page() -> None:
    rng = random.Random(17)
    index, vocabulary = library(rng)
    for _ in range(60):
        plan = plan_query(index, random_query(rng, index, vocabulary))
        assert plan is not None
        page = search_profile(index, plan, budget=10_000, max_budget=10_000)
        assert page.exact and page.picks == search(index, plan)


def test_a_servers_merged_tags_count_once_at_any_budget() -> None:
    """In a server's view several shared tags count as one: a story carrying two of them
    shares that tag once, on the bounded path as on the every-row one."""
    rng = random.Random(19)
    index, vocabulary = library(rng)
    rows = [TagRow(n + 1, kind, key, key, None) for n, (kind, key) in enumerate(vocabulary)]
    # Each common tag absorbs a rare one of its kind, and two common freeform tags merge.
    merges = {rows[at].id: rows[kind * 3].id
              for kind in range(len(K)) for at in (21 + kind * 40, 22 + kind * 40)}
    merges[rows[4].id] = rows[3].id
    view = TagOverlay(1, merged_into=merges, rows=rows)
    proven = 0
    for n in range(120):
        query = random_query(rng, index, vocabulary)
        query.view = view
        query.include = {view.fold_ref(tag) for tag in query.include}
        query.blocked -= query.include
        plan = plan_query(index, query)
        assert plan is not None
        budget, max_budget = [(8, 8), (16, 512), (4096, 4096)][n % 3]
        page = search_profile(index, plan, budget, max_budget)
        if page.exact:
            proven += 1
            assert page.picks == search(index, plan)
    assert proven > 40


def test_a_page_that_cannot_be_proven_stops_after_the_best_candidates_by_floor() -> None:
    """With more candidates than `unproven_scored` and bounds too loose to prune, the best
    that many by their gathered terms are scored first; when their page cannot beat what a
    story off the lists could score, the rest are left unscored. The page still holds exact
    scores, best first, and a page proven with the cap is still the every-row page."""
    rng = random.Random(23)
    index, vocabulary = library(rng)
    given_up = proven = 0
    for n in range(240):
        plan = plan_query(index, random_query(rng, index, vocabulary))
        assert plan is not None
        budget, max_budget = [(8, 8), (64, 64), (64, 4096)][n % 3]
        page = search_profile(index, plan, budget, max_budget, unproven_scored=24)
        uncapped = search_profile(index, plan, budget, max_budget, unproven_scored=10_000)
        assert page.scored <= page.candidates
        if page.exact:
            proven += 1
            assert page.picks == search(index, plan)
        elif page.scored == 24 < uncapped.scored:
            given_up += 1
        scores = [pick.score for pick in page.picks]
        assert scores == sorted(scores, reverse=True)
        for pick in page.picks:
            assert pick.score == exact_score(index, plan, pick.story_id)
    assert given_up > 10 and proven > 60  # both paths were exercised
