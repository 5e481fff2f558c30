"""The index built in bulk from columns is the index built story by story."""

from __future__ import annotations

import math
import random

import numpy as np

from bot.library.index_build import build_index
from bot.library.index_columns import IndexColumns
from bot.library.index_gathers import codes_rows
from bot.library.models import TagKind
from bot.library.recommend import RecommendQuery, recommend, recommend_exhaustive
from bot.library.tag_index import KIND_WEIGHTS, IndexedStory, TagIndex, TagRef

K = TagKind
VOCABULARY: list[TagRef] = [(kind, f"{kind.value} {n}") for kind in K for n in range(15)]


def random_library(rng: random.Random, size: int) -> list[IndexedStory]:
    return [
        IndexedStory(sid, tuple(rng.sample(VOCABULARY, rng.randint(0, 22))),
                     rng.choice(["general", "teen", "mature"]),
                     tuple(f"author {a}" for a in rng.sample(range(30), rng.choice([1, 1, 2]))),
                     rng.choice([None, None, "s1", "s2"]),
                     guild_id=rng.choice([None, 1, 2]))
        for sid in range(3, 3 + 2 * size, 2)  # ids with gaps
    ]


def as_columns(stories: list[IndexedStory]) -> tuple[IndexColumns, np.ndarray, list[TagRef]]:
    """The columns a store would hand over: tag ids 100 + code, and a synonym id (500 +
    code) linked beside its canonical tag on some stories, which must fold into one."""
    code = {tag: n for n, tag in enumerate(VOCABULARY)}
    code_of_id = np.full(700, -1, dtype=np.int64)
    code_of_id[100:100 + len(VOCABULARY)] = np.arange(len(VOCABULARY))
    code_of_id[500:500 + len(VOCABULARY)] = np.arange(len(VOCABULARY))
    tag_story, tag_ids, author_story, author_ids, positions = [], [], [], [], []
    names: dict[int, str] = {}
    for story in stories:
        for n, tag in enumerate(story.tags):
            tag_story.append(story.story_id)
            tag_ids.append(100 + code[tag])
            if n % 3 == 0:
                tag_story.append(story.story_id)
                tag_ids.append(500 + code[tag])
        for position, author in enumerate(story.authors):
            author_id = int(author.split()[1])
            names[author_id] = author
            author_story.append(story.story_id)
            author_ids.append(author_id)
            positions.append(position)
    columns = IndexColumns(
        story_ids=np.array([s.story_id for s in stories], dtype=np.int64),
        guild_ids=[s.guild_id for s in stories], ratings=[s.rating for s in stories],
        series=[s.series for s in stories],
        tag_story=np.array(tag_story, dtype=np.int64), tag_ids=np.array(tag_ids, dtype=np.int64),
        author_story=np.array(author_story[::-1], dtype=np.int64),  # any order
        author_ids=np.array(author_ids[::-1], dtype=np.int64),
        author_position=np.array(positions[::-1], dtype=np.int64), author_names=names)
    return columns, code_of_id, VOCABULARY


def test_bulk_build_holds_the_same_stories_and_counts() -> None:
    stories = random_library(random.Random(1), 200)
    bulk, one_by_one = build_index(*as_columns(stories)), TagIndex(stories)
    assert len(bulk) == len(one_by_one) == 200
    assert bulk.tag_counts() == one_by_one.tag_counts()
    for story in stories:
        built = bulk.get(story.story_id)
        assert built is not None and set(built.tags) == set(story.tags)
        assert built == IndexedStory(story.story_id, built.tags, story.rating, story.authors,
                                     story.series, guild_id=story.guild_id)
        assert bulk.factor(story.story_id) == one_by_one.factor(story.story_id)
    assert bulk.stories_in(1) == sum(1 for s in stories if s.guild_id == 1)
    assert bulk.story_ids_in({None}) == {s.story_id for s in stories if s.guild_id is None}


def test_bulk_built_index_answers_like_the_reference_and_keeps_changing() -> None:
    rng = random.Random(2)
    stories = random_library(rng, 300)
    index = build_index(*as_columns(stories))
    for story in stories[::9]:  # removals, then additions on top of the bulk lists
        index.remove(story.story_id)
    for extra in random_library(random.Random(3), 40):
        index.add(IndexedStory(extra.story_id + 1000, extra.tags, extra.rating,
                               extra.authors, extra.series, guild_id=extra.guild_id))
    live = [s.story_id for s in index.stories()]
    for _ in range(120):
        query = RecommendQuery(
            include=set(rng.sample(VOCABULARY, rng.choice([0, 0, 1, 2]))),
            blocked=set(rng.sample(VOCABULARY, rng.choice([0, 1]))),
            allowed_ratings=rng.choice([None, {"general", "teen"}]),
            visible_guilds=rng.choice([None, frozenset({None, 1}), frozenset({2})]),
            limit=rng.choice([1, 3, 10, 25]))
        if not query.include or rng.random() < 0.5:
            query.like_story_id = rng.choice(live)
        assert recommend(index, query) == recommend_exhaustive(index, query)


def test_codes_rows_is_each_codes_rows_end_to_end() -> None:
    """A profile search gathers many posting lists at once: from the bulk-built lists in
    one gather, and list by list once a code has changed since the build."""
    rng = random.Random(4)
    index = build_index(*as_columns(random_library(rng, 200)))

    def one_by_one(codes: list[int]) -> np.ndarray:
        return np.concatenate([index.code_rows(code) for code in codes])

    codes = sorted(rng.sample(range(index.tag_code_count), 12))
    gathered = codes_rows(index, np.array(codes))
    assert len(gathered) > 12 and np.array_equal(gathered, one_by_one(codes))
    index.add(IndexedStory(9_999, tuple(VOCABULARY[:3]), "teen"))  # own lists for these
    codes = [index.code_of(VOCABULARY[0]), *codes]
    assert np.array_equal(codes_rows(index, np.array(codes)), one_by_one(codes))
    assert len(codes_rows(index, np.array([], dtype=np.int64))) == 0


def test_an_empty_library_builds_an_empty_index() -> None:
    index = build_index(*as_columns([]))
    assert len(index) == 0 and index.tag_counts() == {}
    assert recommend(index, RecommendQuery(include={VOCABULARY[0]})) == []


def test_a_tags_weight_follows_every_add_and_remove() -> None:
    """weight() is kept per tag between queries: each change must show in the next one."""
    fluff = (TagKind.FREEFORM, "fluff")
    index = TagIndex([IndexedStory(1, (fluff,), "teen"), IndexedStory(2, (), "teen")])

    def fresh() -> float:
        return KIND_WEIGHTS[TagKind.FREEFORM] * math.log1p(
            len(index) / index.document_frequency(fluff))

    assert index.weight(fluff) == fresh()
    index.add(IndexedStory(3, (fluff,), "teen"))
    assert index.weight(fluff) == fresh()
    index.add(IndexedStory(4, (), "teen"))
    assert index.weight(fluff) == fresh()
    index.remove(1)
    assert index.weight(fluff) == fresh() == KIND_WEIGHTS[TagKind.FREEFORM] * math.log1p(3)
