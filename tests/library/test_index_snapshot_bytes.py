"""The index as bytes and back: the same index, and bytes that are damaged, of another
format or inconsistent refused with SnapshotUnusable rather than loaded."""

from __future__ import annotations

import io

import numpy as np
import pytest

from bot.library import index_snapshot
from bot.library.index_columns import IndexColumns
from bot.library.index_snapshot import IndexState, SnapshotUnusable
from bot.library.models import TagKind
from bot.library.recommend import RecommendQuery, recommend
from bot.library.tag_index import TagRef
from bot.services.index_start import build_state

FREEFORM = [(TagKind.FREEFORM, f"tag {n}") for n in range(8)]
FANDOM: TagRef = (TagKind.FANDOM, "star trek")


def small_state() -> IndexState:
    """Twelve stories in two libraries, 1-4 tags each, two authors on some, a series on
    some; tag ids 10.. with id 30 a synonym of tag 10's canonical tag."""
    tags = {10 + n: ref for n, ref in enumerate([*FREEFORM, FANDOM])}
    tags[30] = FREEFORM[0]
    names = {ref: ref[1].title() for ref in tags.values()}
    story_ids = np.arange(1, 13, dtype=np.int64) * 3
    tag_story, tag_ids = [], []
    for row, sid in enumerate(story_ids.tolist()):
        for tag in range(row % 4 + 1):
            tag_story.append(sid)
            tag_ids.append(10 + (row + tag) % 8)
        tag_story.append(sid)
        tag_ids.append(18 if row % 3 else 30)
    author_story = [sid for sid in story_ids.tolist() for _ in range(1 + sid % 2)]
    columns = IndexColumns(
        story_ids=story_ids,
        guild_ids=[None if n % 2 else 77 for n in range(12)],
        ratings=["General Audiences", "Mature"] * 6,
        series=[None, "Saga", None, "Ünïcode séries"] * 3,
        tag_story=np.array(tag_story, dtype=np.int64),
        tag_ids=np.array(tag_ids, dtype=np.int64),
        author_story=np.array(author_story, dtype=np.int64),
        author_ids=np.array([1 + n % 3 for n in range(len(author_story))], dtype=np.int64),
        author_position=np.arange(len(author_story), dtype=np.int64),
        author_names={1: "Ann", 2: "Bo, the Second", 3: ""},
    )
    return build_state(columns, tags, names)


def answers(state: IndexState) -> list[object]:
    index = state.index
    found: list[object] = [sorted((s.story_id, tuple(s.tags), s.rating, s.authors, s.series,
                                   s.guild_id) for s in index.stories())]
    for tag in [*FREEFORM, FANDOM]:
        found.append([(r.story_id, r.score) for r in
                      recommend(index, RecommendQuery(include={tag}, limit=20))])
    found.append([(r.story_id, r.score) for r in
                  recommend(index, RecommendQuery(like_story_id=9, limit=20))])
    return found


def test_loaded_bytes_answer_as_the_built_index_did() -> None:
    built = small_state()
    loaded = index_snapshot.load(index_snapshot.dump(built))
    assert answers(loaded) == answers(built)
    assert loaded.tags == built.tags and loaded.names == built.names
    assert loaded.tags[30] is loaded.tags[10]  # one tuple per canonical tag
    # The loaded index changes like any other.
    loaded.index.remove(3)
    built.index.remove(3)
    assert answers(loaded) == answers(built)


def test_an_empty_index_round_trips() -> None:
    empty = build_state(IndexColumns(
        story_ids=np.empty(0, dtype=np.int64), guild_ids=[], ratings=[], series=[],
        tag_story=np.empty(0, dtype=np.int64), tag_ids=np.empty(0, dtype=np.int64),
        author_story=np.empty(0, dtype=np.int64), author_ids=np.empty(0, dtype=np.int64),
        author_position=np.empty(0, dtype=np.int64), author_names={}), {}, {})
    loaded = index_snapshot.load(index_snapshot.dump(empty))
    assert len(loaded.index) == 0 and loaded.tags == {}


def test_only_a_freshly_built_index_is_saved() -> None:
    state = small_state()
    state.index.remove(6)
    with pytest.raises(ValueError, match="freshly built"):
        index_snapshot.dump(state)


def rewritten(data: bytes, **changes: np.ndarray) -> bytes:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays.update(changes)
    out = io.BytesIO()
    np.savez(out, **arrays)  # type: ignore[arg-type]
    return out.getvalue()


def test_damaged_or_foreign_bytes_are_refused() -> None:
    data = index_snapshot.dump(small_state())
    flipped = bytearray(data)
    flipped[len(flipped) // 3] ^= 0x55
    for bad in (b"", b"not a snapshot", data[: len(data) // 2], bytes(flipped)):
        with pytest.raises(SnapshotUnusable):
            index_snapshot.load(bad)
    with pytest.raises(SnapshotUnusable, match="format"):
        index_snapshot.load(rewritten(data, format=np.array(index_snapshot.FORMAT_VERSION + 1)))


@pytest.mark.parametrize(("name", "value", "why"), [
    ("row_tags", np.array([0, 99], dtype=np.int32), "tag slices"),
    ("shared", np.full(40, 1000, dtype=np.int32), "posting lists"),
    ("col_rating", np.full(12, 9, dtype=np.int16), "rating codes"),
    ("col_sid", np.arange(12, 0, -1, dtype=np.int64), "not ascending"),
    ("col_guild", np.zeros(5, dtype=np.int32), "columns"),
    ("vocab_codes", np.full(10, 500, dtype=np.int32), "vocabulary"),
    ("s_tag_keys", np.frombuffer(b"only one", dtype=np.uint8), "strings"),
])
def test_inconsistent_arrays_are_refused(name: str, value: np.ndarray, why: str) -> None:
    data = rewritten(index_snapshot.dump(small_state()), **{name: value})
    with pytest.raises(SnapshotUnusable, match=why):
        index_snapshot.load(data)


def test_a_name_holding_the_separator_is_not_saved() -> None:
    state = small_state()
    state.index._names.of("evil\0name")
    with pytest.raises(ValueError, match="NUL"):
        index_snapshot.dump(state)
