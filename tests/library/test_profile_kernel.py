"""The compiled profile search (bot/library/_profile_kernel.c) against the numpy one.

Both run on the same bulk-built libraries, changed after the build (stories added with new
tags, others removed: lists of their own, dead rows), with every filter a channel and a
reader bring, in a server's view of merged and renamed tags or none, and budgets tiny
enough to take every path: a page proven at once, one proven
after growing, one built from the candidates alone, one given up after the best floors.
Every page must be the same, with bit-equal scores and the same counts.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.library import profile_kernel
from bot.library.index_build import build_index
from bot.library.index_columns import IndexColumns
from bot.library.models import TagKind
from bot.library.overlay import TagOverlay
from bot.library.profile_search import ProfilePage, search_profile
from bot.library.recommend import RecommendQuery, plan_query, recommend, recommend_exhaustive
from bot.library.records import TagRow
from bot.library.tag_index import IndexedStory, TagIndex, TagRef

pytestmark = pytest.mark.skipif(
    not profile_kernel.built(),
    reason="the compiled search was not built here (no C compiler at install)")

K = TagKind
COMMON: list[TagRef] = [(kind, f"{kind.value} common {n}") for kind in K for n in range(3)]
RARE: list[TagRef] = [(kind, f"{kind.value} rare {n}") for kind in K for n in range(40)]
VOCABULARY = COMMON + RARE


def story(rng: random.Random, story_id: int, vocabulary: list[TagRef]) -> IndexedStory:
    authors = [f"author {rng.randrange(40)}" for _ in range(rng.choice([1, 1, 1, 2, 3]))]
    return IndexedStory(
        story_id,
        tuple(rng.sample(COMMON, rng.randint(1, 8)) + rng.sample(vocabulary, rng.randint(0, 6))),
        rng.choice(["general", "teen", "mature", "explicit"]),
        tuple(dict.fromkeys(authors)),
        rng.choice([None, None, None, "s1", "s2", "s3"]),
        popularity=float(rng.randrange(4)),  # many ties: the tie ranks decide
        guild_id=rng.choice([None, 1, 2]))


def bulk_built(stories: list[IndexedStory]) -> TagIndex:
    """The index as the bot builds it at start: from the store's columns."""
    code = {tag: n for n, tag in enumerate(VOCABULARY)}
    names = {n: f"author {n}" for n in range(40)}
    links = [(s.story_id, code[t]) for s in stories for t in s.tags]
    bylines = [(s.story_id, int(a.split()[1]), n) for s in stories for n, a in enumerate(s.authors)]
    link, byline = np.array(links).reshape(-1, 2), np.array(bylines).reshape(-1, 3)
    columns = IndexColumns(
        story_ids=np.array([s.story_id for s in stories], dtype=np.int64),
        guild_ids=[s.guild_id for s in stories], ratings=[s.rating for s in stories],
        series=[s.series for s in stories],
        tag_story=link[:, 0], tag_ids=link[:, 1],
        author_story=byline[:, 0], author_ids=byline[:, 1], author_position=byline[:, 2],
        author_names=names)
    return build_index(columns, np.arange(len(VOCABULARY), dtype=np.int64), VOCABULARY)


def changed_library(seed: int) -> TagIndex:
    rng = random.Random(seed)
    index = bulk_built([story(rng, sid, RARE) for sid in range(1, 601)])
    newer = [(K.FREEFORM, f"newer {n}") for n in range(10)]  # tags the build never saw
    for sid in range(601, 661):
        index.add(story(rng, sid, RARE + newer))
    for sid in rng.sample(range(1, 661), 50):
        index.remove(sid)
    for sid in rng.sample(range(1, 601), 10):  # a story edited: its tags change
        if sid in index:
            index.add(story(rng, sid, RARE))
    return index


def random_query(rng: random.Random, index: TagIndex) -> RecommendQuery:
    live = sorted(index.stories_by_id)
    query = RecommendQuery(
        blocked=set(rng.sample(VOCABULARY, rng.choice([0, 0, 1, 2]))),
        allowed_ratings=rng.choice([None, {"general", "teen"}, {"general"}]),
        visible_guilds=rng.choice([None, frozenset({None, 1}), frozenset({2})]),
        limit=rng.choice([1, 3, 10]))
    if rng.random() < 0.4:
        query.like_story_id = rng.choice(live)
    else:
        query.profile = {sid: rng.choice([0.5, 1.0, 3.0])
                         for sid in rng.sample(live, rng.randint(1, 30))}
        query.exclude_story_ids = set(rng.sample(live, rng.randint(0, 20)))
    return query


def both_pages(index: TagIndex, query: RecommendQuery, **budgets: int
               ) -> tuple[ProfilePage, ProfilePage] | None:
    plan = plan_query(index, query)
    if plan is None or not plan.terms:
        return None
    profile_kernel.ENABLED = True
    try:
        compiled = search_profile(index, plan, **budgets)
        profile_kernel.ENABLED = False
        reference = search_profile(index, plan, **budgets)
    finally:
        profile_kernel.ENABLED = True
    return compiled, reference


def as_tuples(page: ProfilePage) -> tuple[object, ...]:
    return (page.exact, page.candidates, page.scored,
            [(p.story_id, p.score.hex(), p.more_by_author, p.more_in_series)
             for p in page.picks])


@pytest.mark.parametrize("budgets", [
    {},  # the bot's: every candidate gathered at once here
    {"budget": 16, "max_budget": 256, "unproven_scored": 40},
    {"budget": 4, "max_budget": 16, "unproven_scored": 8},
    {"budget": 64, "max_budget": 64, "unproven_scored": 1_000},
])
def test_the_compiled_search_gives_the_numpy_searchs_pages(budgets: dict[str, int]) -> None:
    exact = unproven = picks = 0
    for seed in range(4):
        index = changed_library(seed)
        rng = random.Random(100 + seed)
        for _ in range(60):
            pages = both_pages(index, random_query(rng, index), **budgets)
            if pages is None:
                continue
            compiled, reference = pages
            assert as_tuples(compiled) == as_tuples(reference)
            exact += compiled.exact
            unproven += not compiled.exact
            picks += len(compiled.picks)
    assert picks > 400
    if budgets:  # tiny budgets: both kinds of page were compared
        assert exact and unproven


def test_a_term_whose_list_changed_since_the_build_is_read_from_its_own_list() -> None:
    index = changed_library(7)
    fresh = (K.FREEFORM, "newer 3")
    carriers = [s.story_id for s in index.stories() if fresh in s.tags]
    assert carriers
    query = RecommendQuery(like_story_id=carriers[0], limit=10)
    pages = both_pages(index, query)
    assert pages is not None
    compiled, reference = pages
    assert as_tuples(compiled) == as_tuples(reference)
    shown = {pick.story_id for pick in compiled.picks}
    assert shown & set(carriers[1:]) or len(carriers) == 1


def test_the_row_records_follow_the_index_between_searches() -> None:
    """The records the compiled search reads are kept from one search to the next: each
    page after an addition, a removal or an edit is still the numpy search's."""
    rng = random.Random(11)
    index = changed_library(11)
    before = profile_kernel.row_records(index)
    assert profile_kernel.row_records(index) is before  # kept while nothing changed
    changes = [lambda: index.add(story(rng, 700, RARE)),  # a new row
               lambda: index.remove(rng.choice(sorted(index.stories_by_id))),  # a dead one
               lambda: index.add(story(rng, rng.choice(sorted(index.stories_by_id)), RARE))]
    compared = 0
    for change in changes * 3:
        for _ in range(5):
            pages = both_pages(index, random_query(rng, index))
            if pages is not None:
                assert as_tuples(pages[0]) == as_tuples(pages[1])
                compared += 1
        kept = profile_kernel.row_records(index)
        change()
        assert profile_kernel.row_records(index) is not kept
    assert compared > 20
    records = profile_kernel.row_records(index).view(profile_kernel.ROW_RECORD)
    columns = index.columns()
    assert records["live"].tolist() == columns.live.astype(np.uint8).tolist()
    assert records["factor"].tolist() == columns.factor.tolist()
    assert records.ctypes.data % 64 == 0


def server_view() -> TagOverlay:
    """A server's view: each common tag absorbs two rare ones of its kind, two common
    freeform tags are one, a few tags renamed."""
    rows = [TagRow(n + 1, kind, key, key, None) for n, (kind, key) in enumerate(VOCABULARY)]
    merges = {rows[len(COMMON) + at].id: rows[kind * 3].id
              for kind in range(len(K)) for at in (kind * 40, kind * 40 + 1)}
    merges[rows[4].id] = rows[3].id
    renamed = {rows[n].id: f"renamed {n}" for n in (0, 7, 30)}
    return TagOverlay(1, merged_into=merges, renamed=renamed, rows=rows)


@pytest.mark.parametrize("budgets", [{}, {"budget": 8, "max_budget": 512,
                                          "unproven_scored": 16}])
def test_in_a_servers_view_merged_tags_count_once_on_both_paths(budgets: dict[str, int]
                                                                  ) -> None:
    view = server_view()
    merged = code_ordered = 0
    for seed in range(3):
        index = changed_library(seed)
        rng = random.Random(200 + seed)
        for _ in range(60):
            query = random_query(rng, index)
            query.view = view
            query.blocked = {view.fold_ref(tag) for tag in query.blocked}
            plan = plan_query(index, query)
            if plan is None or not plan.terms:
                continue
            assert plan.view is view and plan.term_codes is None  # planned through the view
            pages = both_pages(index, query, **budgets)
            assert pages is not None
            assert as_tuples(pages[0]) == as_tuples(pages[1])
            members = [view.ref_members(tag) for tag in plan.terms if view.has_members(tag)]
            merged += any(len(own) > 1 for own in members)
            code_ordered += not members
    assert merged > 20 and code_ordered  # both ways of adding up a story's terms


@pytest.mark.parametrize("compiled", [True, False])
def test_reasons_read_by_term_are_the_references_in_a_view_and_without(compiled: bool) -> None:
    """recommend explains a like/for me page by the search's terms; the reference folds
    and weighs each tag of each pick. Same pages, same reasons, in a server's view (where a
    pick may carry two members of one server tag) and without one."""
    view = server_view()
    reasons = merged_reasons = 0
    profile_kernel.ENABLED = compiled
    try:
        for seed in range(3):
            index = changed_library(seed)
            rng = random.Random(300 + seed)
            for _ in range(40):
                query = random_query(rng, index)
                if rng.random() < 0.5:
                    query.view = view
                    query.blocked = {view.fold_ref(tag) for tag in query.blocked}
                found = recommend(index, query)
                assert found == recommend_exhaustive(index, query)
                reasons += sum(len(r.reasons) for r in found)
                merged_reasons += sum(view.has_members(reason.tag) for r in found
                                      for reason in r.reasons if query.view is view)
    finally:
        profile_kernel.ENABLED = True
    assert reasons > 500 and merged_reasons > 50


def test_plans_it_does_not_take_go_to_the_numpy_search() -> None:
    index = changed_library(3)
    live = sorted(index.stories_by_id)
    plans = [plan_query(index, RecommendQuery(like_story_id=live[0], include={COMMON[0]})),
             plan_query(index, RecommendQuery(like_story_id=live[0],
                                              visible_story_ids=set(live[:300])))]
    for plan in plans:
        assert plan is not None and plan.term_codes is not None
        codes = np.array(plan.term_codes)
        assert profile_kernel.compiled_page(
            index, plan, codes, None, plan.term_weights,
            index.code_scratch(codes, np.arange(len(codes))), True,
            (10, 4_096, 16_384, 1_024, 64, 4_096, 4), 1.0, False) is None
        assert search_profile(index, plan).picks  # answered all the same
