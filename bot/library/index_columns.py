"""The whole library as the recommendation index needs it, in columns, for a fast start.

Reading 100k stories row by row (an object per story, a Python call per tag link) took
seconds; the store instead hands over a handful of flat arrays: one entry per story, one
per (story, tag) link and one per (story, author) link. TagIndex.from_columns turns them
into its own arrays with a few vectorised sorts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class IndexColumns:
    """Stories in ascending id order, then their links. Tag ids are the store's own rows
    (synonyms not yet folded); author ids index `author_names`."""

    story_ids: np.ndarray  # int64, ascending
    guild_ids: list[int | None]
    ratings: list[str]
    series: list[str | None]
    tag_story: np.ndarray  # int64: story id of each (story, tag) link
    tag_ids: np.ndarray  # int64: tag id of each link
    author_story: np.ndarray  # int64: story id of each (story, author) link
    author_ids: np.ndarray  # int64: author id of each link
    author_position: np.ndarray  # int64: the author's place in the story's byline
    author_names: dict[int, str]

    @property
    def size(self) -> int:
        return len(self.story_ids)


def parse_ids(joined: str | None) -> np.ndarray:
    """A comma-joined list of integers (SQL group_concat) as an int64 array, parsed in C."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")  # type: ignore[call-overload,no-any-return]


@dataclass(frozen=True)
class StoredSnapshot:
    """The saved index as the store holds it, with the library's change counter now.
    `arrays` is read only when usable: built at the current counter, in the asked format."""

    format_version: int
    built_at: int  # the change counter the snapshot was built at
    counter_now: int
    arrays: bytes | None
