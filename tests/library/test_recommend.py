"""Recommendation quality on a small hand-labelled library, filters, updates and errors.

The expected top results below were written down from the tags before the weights were
tuned; each comment says why that story should come where it does.
"""

from __future__ import annotations

import random

import pytest

from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.models import TagKind
from bot.library.recommend import (
    RecommendQuery,
    plan_query,
    recommend,
    recommend_exhaustive,
    suggest_tags,
)
from bot.library.recommend_search import search_included
from bot.library.tag_index import IndexedStory, TagIndex, TagRef

K = TagKind
ACD = (K.FANDOM, "sherlock holmes - arthur conan doyle")
HP = (K.FANDOM, "harry potter - j. k. rowling")
GO = (K.FANDOM, "good omens (tv)")
SW = (K.FANDOM, "star wars: the mandalorian (tv)")
ATLA = (K.FANDOM, "avatar: the last airbender")
WITCHER = (K.FANDOM, "the witcher (tv)")
JOHNLOCK = (K.RELATIONSHIP, "john watson/sherlock holmes")
HOLMES_WATSON_GEN = (K.RELATIONSHIP, "sherlock holmes & john watson")
MORSTAN = (K.RELATIONSHIP, "john watson/mary morstan")
DRARRY = (K.RELATIONSHIP, "draco malfoy/harry potter")
INEFFABLE = (K.RELATIONSHIP, "aziraphale/crowley")
DIN_GROGU = (K.RELATIONSHIP, "din djarin & grogu")
SHERLOCK, WATSON = (K.CHARACTER, "sherlock holmes"), (K.CHARACTER, "john watson")
HUDSON, MYCROFT = (K.CHARACTER, "mrs. hudson"), (K.CHARACTER, "mycroft holmes")
MARY = (K.CHARACTER, "mary morstan")
HARRY, DRACO = (K.CHARACTER, "harry potter"), (K.CHARACTER, "draco malfoy")
HERMIONE, RON = (K.CHARACTER, "hermione granger"), (K.CHARACTER, "ron weasley")
AZIRAPHALE, CROWLEY = (K.CHARACTER, "aziraphale"), (K.CHARACTER, "crowley")
DIN, GROGU = (K.CHARACTER, "din djarin"), (K.CHARACTER, "grogu")
ZUKO, GERALT = (K.CHARACTER, "zuko"), (K.CHARACTER, "geralt z rivii")
CASE_FIC, SLOW_BURN = (K.FREEFORM, "case fic"), (K.FREEFORM, "slow burn")
PINING, FLUFF = (K.FREEFORM, "pining"), (K.FREEFORM, "fluff")
FOUND_FAMILY = (K.FREEFORM, "found family")
HURT_COMFORT = (K.FREEFORM, "hurt/comfort")
ESTABLISHED = (K.FREEFORM, "established relationship")
FIRST_TIME, DOMESTIC = (K.FREEFORM, "first time"), (K.FREEFORM, "domestic")
ENEMIES, EIGHTH_YEAR = (K.FREEFORM, "enemies to lovers"), (K.FREEFORM, "eighth year")
ANGST, CROSSOVER = (K.FREEFORM, "angst"), (K.FREEFORM, "crossover")
REDEMPTION, MONSTERS = (K.FREEFORM, "redemption"), (K.FREEFORM, "monster hunting")
MM, FM, GEN = (K.CATEGORY, "m/m"), (K.CATEGORY, "f/m"), (K.CATEGORY, "gen")
NO_WARNINGS = (K.WARNING, "no archive warnings apply")
VIOLENCE = (K.WARNING, "graphic depictions of violence")
MCD = (K.WARNING, "major character death")


def story(
    sid: int,
    rating: str,
    author: str,
    *tags: TagRef,
    series: str | None = None,
    popularity: float = 0.0,
    authors: tuple[str, ...] | None = None,
) -> IndexedStory:
    return IndexedStory(
        story_id=sid,
        tags=frozenset(tags) | {(K.RATING, rating)},
        rating=rating,
        authors=authors or (author,),
        series=series,
        popularity=popularity,
    )


CYCLE = "the baker street cycle"
LIBRARY = [
    story(1, "teen", "alice", ACD, JOHNLOCK, SHERLOCK, WATSON, CASE_FIC, SLOW_BURN, PINING,
          MM, NO_WARNINGS),
    story(2, "teen", "bea", ACD, JOHNLOCK, SHERLOCK, WATSON, HUDSON, PINING, ESTABLISHED,
          FLUFF, MM, NO_WARNINGS),
    story(3, "general", "cara", ACD, HOLMES_WATSON_GEN, SHERLOCK, WATSON, MYCROFT, CASE_FIC,
          FOUND_FAMILY, GEN, NO_WARNINGS),
    story(4, "general", "dan", ACD, MORSTAN, WATSON, MARY, DOMESTIC, FLUFF, FM, NO_WARNINGS),
    story(5, "explicit", "eve", ACD, JOHNLOCK, SHERLOCK, WATSON, FIRST_TIME, PINING, MM,
          NO_WARNINGS),
    story(6, "teen", "fay", HP, DRARRY, HARRY, DRACO, ENEMIES, EIGHTH_YEAR, SLOW_BURN, MM,
          NO_WARNINGS),
    story(7, "mature", "fay", HP, DRARRY, HARRY, DRACO, FOUND_FAMILY, HURT_COMFORT, MM,
          NO_WARNINGS),
    story(8, "general", "gus", HP, HARRY, HERMIONE, RON, FOUND_FAMILY, HURT_COMFORT, FLUFF,
          GEN, NO_WARNINGS, popularity=20),
    story(9, "teen", "hal", GO, INEFFABLE, AZIRAPHALE, CROWLEY, PINING, SLOW_BURN, FLUFF, MM,
          NO_WARNINGS),
    story(10, "general", "hal", GO, INEFFABLE, AZIRAPHALE, CROWLEY, FOUND_FAMILY, DOMESTIC,
          FLUFF, MM, NO_WARNINGS),
    story(11, "mature", "hal", GO, INEFFABLE, AZIRAPHALE, CROWLEY, ANGST, MM, MCD),
    story(12, "teen", "ivy", SW, DIN_GROGU, DIN, GROGU, FOUND_FAMILY, HURT_COMFORT, GEN,
          VIOLENCE),
    story(13, "general", "ivy", SW, DIN_GROGU, DIN, GROGU, FOUND_FAMILY, HURT_COMFORT, FLUFF,
          GEN, NO_WARNINGS, popularity=50),
    story(14, "teen", "jo", ACD, HP, SHERLOCK, HARRY, CROSSOVER, CASE_FIC, GEN, NO_WARNINGS),
    story(15, "mature", "kim", ATLA, ZUKO, REDEMPTION, GEN, VIOLENCE),
    story(16, "teen", "mo", ACD, JOHNLOCK, SHERLOCK, WATSON, CASE_FIC, SLOW_BURN, MM,
          NO_WARNINGS, series=CYCLE),
    story(17, "teen", "mo", ACD, JOHNLOCK, SHERLOCK, WATSON, CASE_FIC, SLOW_BURN, MM,
          NO_WARNINGS, series=CYCLE),
    story(18, "teen", "nia", ACD, JOHNLOCK, SHERLOCK, WATSON, CASE_FIC, SLOW_BURN, MM,
          NO_WARNINGS, series=CYCLE),
    story(19, "teen", "hal", GO, INEFFABLE, AZIRAPHALE, CROWLEY, FLUFF, MM, NO_WARNINGS),
    story(20, "mature", "lee", WITCHER, GERALT, MONSTERS, GEN, VIOLENCE),
]  # fmt: skip

# Like story 1 (Johnlock case fic, slow burn, pining): the Baker Street Cycle shares ship,
# fandom, both leads, Case Fic and Slow Burn, so it leads -- but only two parts of one series
# fit on a page; then 2 and 5 (ship, fandom, leads, Pining; equal, so by id); then 3 (same
# fandom and leads, a gen relationship, Case Fic) before the crossover 14.
EXPECTED_LIKE_1 = [16, 17, 2, 5, 3, 14]
# For a reader who gave kudos to Good Omens stories 9 and 10 and bookmarked Mandalorian 13:
# the remaining Aziraphale/Crowley stories first (19 is closer to 9 and 10 than angsty 11).
EXPECTED_FOR_ME_TOP = [19, 11]
# Include Found Family only: every Found Family story, most popular first, then by id.
EXPECTED_FOUND_FAMILY = [13, 8, 3, 7, 10, 12]


@pytest.fixture
def index() -> TagIndex:
    return TagIndex(LIBRARY)


def ids(index: TagIndex, query: RecommendQuery) -> list[int]:
    fast = recommend(index, query)
    # Every query here also checks the fast path against the naive reference.
    assert fast == recommend_exhaustive(index, query)
    return [result.story_id for result in fast]


def test_like_this_puts_same_ship_same_fandom_first(index: TagIndex) -> None:
    assert ids(index, RecommendQuery(like_story_id=1))[:6] == EXPECTED_LIKE_1


def test_like_this_leaves_the_story_itself_out(index: TagIndex) -> None:
    assert 1 not in ids(index, RecommendQuery(like_story_id=1, limit=20))


def test_reasons_name_the_heaviest_shared_tags(index: TagIndex) -> None:
    top = recommend(index, RecommendQuery(like_story_id=1))[0]
    assert [reason.tag for reason in top.reasons] == [JOHNLOCK, ACD, WATSON]
    assert top.reasons[0].weight > top.reasons[1].weight >= top.reasons[2].weight > 0
    assert sum(reason.weight for reason in top.reasons) <= top.score + 1e-3


def test_relationship_overlap_beats_freeform_only_overlap() -> None:
    # Both shared tags are carried by exactly two stories, so only their kind differs.
    query_story = story(1, "teen", "a", DRARRY, PINING)
    same_ship = story(2, "teen", "b", DRARRY)
    same_trope = story(3, "teen", "c", PINING)
    index = TagIndex([query_story, same_ship, same_trope])
    assert ids(index, RecommendQuery(like_story_id=1)) == [2, 3]


def test_freeform_only_match_ranks_below_fandom_and_ship_matches(index: TagIndex) -> None:
    # Like 6 (Drarry, Enemies to Lovers, Eighth Year, Slow Burn): 7 shares ship, fandom and
    # leads; 8 shares fandom and Harry; Good Omens 9 shares only Slow Burn (and M/M).
    ranked = ids(index, RecommendQuery(like_story_id=6, limit=20))
    assert ranked[:2] == [7, 8]
    assert ranked.index(9) > ranked.index(8)


def test_warnings_and_ratings_never_make_stories_similar(index: TagIndex) -> None:
    # 15 and 20 share only "Graphic Depictions Of Violence", "Mature" and the Gen category.
    results = recommend(index, RecommendQuery(like_story_id=15, limit=20))
    assert 20 in [r.story_id for r in results]
    twenty = next(r for r in results if r.story_id == 20)
    assert [reason.tag for reason in twenty.reasons] == [GEN]
    # Without the category nothing is shared that counts: 20 is not a recommendation.
    index.add(story(15, "mature", "kim", ATLA, ZUKO, REDEMPTION, VIOLENCE))
    assert ids(index, RecommendQuery(like_story_id=15, limit=20)) == []


def test_include_is_a_hard_filter_ranked_by_focus_then_popularity(index: TagIndex) -> None:
    assert ids(index, RecommendQuery(include={FOUND_FAMILY})) == EXPECTED_FOUND_FAMILY


def test_include_and_exclude(index: TagIndex) -> None:
    query = RecommendQuery(include={FOUND_FAMILY}, exclude={HURT_COMFORT})
    assert ids(index, query) == [3, 10]
    both = RecommendQuery(include={FOUND_FAMILY, HURT_COMFORT}, exclude={FLUFF})
    assert ids(index, both) == [7, 12]


def test_include_with_like_ranks_the_filtered_set_by_similarity(index: TagIndex) -> None:
    # Found Family stories most like 9 (Good Omens): 10 shares ship, fandom and leads.
    assert ids(index, RecommendQuery(like_story_id=9, include={FOUND_FAMILY}))[0] == 10


def test_blocked_tags_are_never_shown(index: TagIndex) -> None:
    ranked = ids(index, RecommendQuery(like_story_id=1, blocked={PINING}, limit=20))
    assert 2 not in ranked and 5 not in ranked
    assert ranked[:3] == [16, 17, 3]
    assert 11 not in ids(index, RecommendQuery(like_story_id=9, blocked={MCD}, limit=20))


def test_allowed_ratings(index: TagIndex) -> None:
    query = RecommendQuery(like_story_id=1, allowed_ratings={"general", "teen"}, limit=20)
    ranked = ids(index, query)
    assert 5 not in ranked
    assert ranked[:4] == [16, 17, 2, 3]
    assert all(index.get(sid).rating in {"general", "teen"} for sid in ranked)  # type: ignore[union-attr]


def test_diversity_caps_authors_and_series(index: TagIndex) -> None:
    # 10, 11 and 19 by hal all share ship, fandom and leads with 9: only two fit a page.
    # 10 and 19 also share Fluff (and tie, so by id); angsty 11 is the one left out.
    by_hal = [sid for sid in ids(index, RecommendQuery(like_story_id=9, limit=20))
              if sid in (10, 11, 19)]  # fmt: skip
    assert by_hal == [10, 19]
    # 16, 17 and 18 of one series (18 by another author): two at most.
    ranked = ids(index, RecommendQuery(like_story_id=1, limit=20))
    assert 18 not in ranked and {16, 17} <= set(ranked)


def test_for_me_leaves_out_kudos_and_follows_the_profile(index: TagIndex) -> None:
    profile = {9: 2.0, 10: 2.0, 13: 1.0}
    ranked = ids(index, RecommendQuery(profile=profile, exclude_story_ids={9, 10, 13}))
    assert ranked[:2] == EXPECTED_FOR_ME_TOP
    assert not {9, 10, 13} & set(ranked)
    # Without the kudos exclusion the liked stories themselves match best.
    assert set(ids(index, RecommendQuery(profile=profile))[:2]) <= {9, 10}


def test_for_me_without_history_is_empty(index: TagIndex) -> None:
    assert recommend(index, RecommendQuery(profile={})) == []
    assert recommend(index, RecommendQuery(profile={999: 1.0})) == []


def test_index_updates_change_results(index: TagIndex) -> None:
    twin = story(21, "teen", "ola", ACD, JOHNLOCK, SHERLOCK, WATSON, CASE_FIC, SLOW_BURN,
                 PINING, MM, NO_WARNINGS)  # fmt: skip
    index.add(twin)
    assert ids(index, RecommendQuery(like_story_id=1))[0] == 21
    index.remove(21)
    index.remove(16)
    assert len(index) == 19
    ranked = ids(index, RecommendQuery(like_story_id=1))
    assert 21 not in ranked and 16 not in ranked
    assert ranked[:2] == [17, 18]  # the series cap no longer hides 18
    # Replacing a story's entry (its tags were edited) moves it.
    index.add(story(17, "teen", "mo", HP, HARRY, FLUFF, MM, series=CYCLE))
    assert ids(index, RecommendQuery(like_story_id=1))[0] == 18
    assert index.document_frequency(JOHNLOCK) == 4


def test_removing_the_last_story_of_a_tag_forgets_the_tag(index: TagIndex) -> None:
    index.remove(20)
    assert WITCHER not in index.tag_counts(K.FANDOM)
    index.remove(20)  # idempotent
    assert len(index) == 19


def test_results_are_deterministic_and_ties_go_by_story_id() -> None:
    clones = [story(sid, "teen", f"author {sid}", GO, INEFFABLE, FLUFF) for sid in (40, 41, 42)]
    query_story = story(1, "teen", "a", GO, INEFFABLE, FLUFF, PINING)
    forward = TagIndex([query_story, *clones])
    backward = TagIndex([*reversed(clones), query_story])
    query = RecommendQuery(like_story_id=1)
    assert ids(forward, query) == ids(backward, query) == [40, 41, 42]
    assert recommend(forward, query) == recommend(forward, query)


def test_shuffled_build_gives_the_same_pages(index: TagIndex) -> None:
    shuffled = LIBRARY[:]
    random.Random(3).shuffle(shuffled)
    other = TagIndex(shuffled)
    for sid in range(1, 21):
        query = RecommendQuery(like_story_id=sid, limit=20)
        assert recommend(other, query) == recommend(index, query)


def test_errors(index: TagIndex) -> None:
    with pytest.raises(InvalidInput, match="'found family' is both included and excluded"):
        recommend(index, RecommendQuery(include={FOUND_FAMILY}, exclude={FOUND_FAMILY}))
    too_many = {(K.FREEFORM, f"tag {n}") for n in range(26)}
    with pytest.raises(InvalidInput, match="at most 25 tags"):
        recommend(index, RecommendQuery(include=too_many))
    with pytest.raises(StoryNotFound):
        recommend(index, RecommendQuery(like_story_id=999))
    with pytest.raises(InvalidInput):
        recommend(index, RecommendQuery())


def test_visible_story_ids_restrict_results(index: TagIndex) -> None:
    query = RecommendQuery(like_story_id=1, visible_story_ids={2, 3, 4}, limit=20)
    assert ids(index, query) == [2, 3, 4]


def test_suggest_tags_finds_near_spellings(index: TagIndex) -> None:
    assert suggest_tags(index, "Found Famliy", limit=1) == [FOUND_FAMILY]


def test_fast_path_matches_the_reference_on_random_queries() -> None:
    rng = random.Random(5)
    vocabulary = [(kind, f"{kind.value} {n}") for kind in K for n in range(12)]
    ratings = ["general", "teen", "mature", "explicit"]
    stories = [
        story(sid, rng.choice(ratings), f"author {rng.randrange(40)}",
              *rng.sample(vocabulary, rng.randint(3, 20)),
              series=rng.choice([None, None, "s1", "s2"]), popularity=rng.randrange(4))
        for sid in range(1, 301)
    ]  # fmt: skip
    index = TagIndex(stories)
    for sid in range(1, 301, 7):  # removals leave dead rows the fast path must mask
        index.remove(sid)
    live = [s.story_id for s in index.stories()]
    for _ in range(150):
        query = RecommendQuery(
            include=set(rng.sample(vocabulary, rng.choice([0, 0, 1, 2]))),
            blocked=set(rng.sample(vocabulary, rng.choice([0, 1, 2]))),
            allowed_ratings=rng.choice([None, {"general", "teen"}]),
            limit=rng.choice([3, 10, 25]),
        )
        choice = rng.random()
        if choice < 0.4 or not query.include:
            query.like_story_id = rng.choice(live)
        elif choice < 0.7:
            query.profile = {rng.choice(live): rng.choice([0.5, 1.0, 3.0]) for _ in range(6)}
            query.exclude_story_ids = set(rng.sample(live, 3))
        query.exclude = set(rng.sample(vocabulary, rng.choice([0, 1]))) - query.include
        assert recommend(index, query) == recommend_exhaustive(index, query)


def test_index_rebuilds_itself_after_many_removals() -> None:
    stories = [story(sid, "teen", f"a{sid % 50}", GO, (K.FREEFORM, f"trope {sid % 30}"))
               for sid in range(1, 1201)]  # fmt: skip
    index = TagIndex(stories)
    for sid in range(1, 1101):
        index.remove(sid)
    # The rebuild ran when dead rows outnumbered live ones (at 1025 removed, 175 live).
    assert index.row_count == 175 and len(index) == 100
    query = RecommendQuery(like_story_id=1150, limit=10)
    ranked = ids(index, query)
    # 1120 and 1180 share "trope 10" with 1150; then the rest of the fandom, by id.
    assert ranked[:3] == [1120, 1180, 1101]


def test_a_common_include_tag_walks_the_tie_order_to_the_same_page() -> None:
    """A tag on more stories than WALK_FROM is not ranked carrier by carrier: its page is
    read off the index's tie order. Forced here on every query (walk_from=0), with few
    authors (the page builder skips many), ratings, blocks and removed stories filtering
    the walk, and a channel that sees few carriers of a rarer tag (the walk hands over to
    ranking the carriers it has not reached)."""
    rng = random.Random(13)
    common = [(K.FREEFORM, f"trope {n}") for n in range(3)]
    rare = [(K.CHARACTER, f"character {n}") for n in range(40)]
    ratings = ["general", "teen", "mature", "explicit"]
    stories = [
        story(sid, rng.choice(ratings), f"author {rng.randrange(12)}",
              *rng.sample(common, rng.randint(1, 3)), *rng.sample(rare, rng.randint(0, 14)),
              series=rng.choice([None, None, "s1", "s2"]), popularity=rng.randrange(5))
        for sid in range(1, 3001)
    ]  # fmt: skip
    index = TagIndex(stories)
    for sid in range(1, 3001, 11):
        index.remove(sid)
    walked_pages = 0
    for _ in range(60):
        query = RecommendQuery(
            include=set(rng.sample(common, rng.choice([1, 1, 2])) if rng.random() < 0.7
                        else rng.sample(rare, 1)),
            blocked=set(rng.sample(rare, rng.choice([0, 2, 8]))),
            allowed_ratings=rng.choice([None, {"general", "teen"}, {"explicit"}]),
            limit=rng.choice([5, 10, 25]),
        )
        if rng.random() < 0.2:  # a channel that may see a few stories only
            query.visible_story_ids = {s.story_id for s in rng.sample(stories, 40)}
        plan = plan_query(index, query)
        assert plan is not None
        walked = search_included(index, plan, walk_from=0)
        assert walked == search_included(index, plan, walk_from=len(index) + 1)
        reference = recommend_exhaustive(index, query)
        assert [(p.story_id, p.more_by_author, p.more_in_series) for p in walked] == [
            (r.story_id, r.more_by_author, r.more_in_series) for r in reference]
        assert recommend(index, query) == reference
        walked_pages += len(walked) == query.limit
    assert walked_pages > 20  # many pages were full, not only the few a channel sees
