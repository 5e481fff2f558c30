"""The in-memory inverted index recommendations run on.

Each story is held as its canonical tags (synonyms already folded by the caller into
`(kind, key)` pairs) and gets a *row*: a position in a few dense numpy columns (story id,
length factor, popularity, rating code, alive). A posting list maps a tag to the rows of the
stories carrying it, as a growable int32 array, so that a query can add a tag's weight to
every story carrying it in one vectorised step.

Adding a story appends one row and one entry per tag: O(tags of that story). Removing one
marks its row dead and lowers the tag counts, also O(tags); dead rows stay in posting lists
(queries mask them out) until there are more dead rows than live ones, when the index is
rebuilt once. Rarity (IDF) comes from live tag counts at query time, so it never goes stale.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from bot.library.models import TagKind

TagRef = tuple[TagKind, str]

# How much one shared tag of each kind says about two stories being alike. Ratings and
# warnings are filters only: sharing "No Archive Warnings Apply" makes nothing similar.
KIND_WEIGHTS: dict[TagKind, float] = {
    TagKind.RELATIONSHIP: 3.0,
    TagKind.FANDOM: 2.5,
    TagKind.CHARACTER: 1.75,
    TagKind.FREEFORM: 1.0,
    TagKind.CATEGORY: 0.4,
    TagKind.RATING: 0.0,
    TagKind.WARNING: 0.0,
}

# Stories with more weighted tags than this are damped (score x sqrt(LENGTH_FREE_TAGS / n)),
# so a story with fifty freeform tags does not resemble everything.
LENGTH_FREE_TAGS = 12
_MIN_DEAD_FOR_REBUILD = 1024


@dataclass(frozen=True)
class IndexedStory:
    """What the recommender knows of a story. `rating` is a rating key (any consistent
    spelling the caller chooses; `allowed_ratings` in queries uses the same spelling)."""

    story_id: int
    # Distinct tags. Any collection: a tuple takes a third of a frozenset's memory, which
    # counts with 100k stories, and membership over ~16 tags is as quick either way.
    tags: Collection[TagRef]
    rating: str
    authors: tuple[str, ...] = ()
    series: str | None = None
    # Tie-breaker among equally good matches (e.g. kudos count); higher comes first.
    popularity: float = 0.0

    @property
    def weighted_tags(self) -> list[TagRef]:
        return [tag for tag in self.tags if KIND_WEIGHTS[tag[0]] > 0.0]


def length_factor(story: IndexedStory) -> float:
    weighted = sum(1 for tag in story.tags if KIND_WEIGHTS[tag[0]] > 0.0)
    if weighted <= LENGTH_FREE_TAGS:
        return 1.0
    return math.sqrt(LENGTH_FREE_TAGS / weighted)


class _Rows:
    """A growable int32 array (amortised O(1) append). Views handed out stay valid."""

    __slots__ = ("data", "size")

    def __init__(self) -> None:
        self.data = np.empty(4, dtype=np.int32)
        self.size = 0

    def append(self, row: int) -> None:
        if self.size == len(self.data):
            grown = np.empty(2 * len(self.data), dtype=np.int32)
            grown[: self.size] = self.data
            self.data = grown
        self.data[self.size] = row
        self.size += 1

    def view(self) -> np.ndarray:
        return self.data[: self.size]


@dataclass(frozen=True)
class Columns:
    """Dense per-row columns for one query (views: do not keep across index changes)."""

    story_id: np.ndarray  # int64
    factor: np.ndarray  # float64, length factor
    popularity: np.ndarray  # float64
    rating: np.ndarray  # int16 rating code
    live: np.ndarray  # bool, False for removed stories


class TagIndex:
    """Stories by tag. Not thread-safe; the bot mutates it from its single event loop."""

    def __init__(self, stories: Iterable[IndexedStory] = ()) -> None:
        self._reset()
        for story in stories:
            self.add(story)

    def _reset(self) -> None:
        self._stories: dict[int, IndexedStory] = {}
        self._row_of: dict[int, int] = {}
        self._postings: dict[TagRef, _Rows] = {}
        self._df: dict[TagRef, int] = {}
        self._rating_codes: dict[str, int] = {}
        self._rows = 0
        self._dead = 0
        capacity = 1024
        self._sid = np.zeros(capacity, dtype=np.int64)
        self._factor = np.zeros(capacity, dtype=np.float64)
        self._popularity = np.zeros(capacity, dtype=np.float64)
        self._rating = np.zeros(capacity, dtype=np.int16)
        self._live = np.zeros(capacity, dtype=bool)
        self._tie_ranks: np.ndarray | None = None

    # -- mutation ---------------------------------------------------------------------

    def add(self, story: IndexedStory) -> None:
        """Add a story, or replace its entry when the id is already indexed."""
        if story.story_id in self._stories:
            self.remove(story.story_id)
        if self._rows == len(self._sid):
            self._grow_columns()
        row = self._rows
        self._rows += 1
        sid = story.story_id
        self._stories[sid] = story
        self._row_of[sid] = row
        self._sid[row] = sid
        self._factor[row] = length_factor(story)
        self._popularity[row] = story.popularity
        code = self._rating_codes.setdefault(story.rating, len(self._rating_codes))
        self._rating[row] = code
        self._live[row] = True
        self._tie_ranks = None
        for tag in story.tags:
            rows = self._postings.get(tag)
            if rows is None:
                self._postings[tag] = rows = _Rows()
            rows.append(row)
            self._df[tag] = self._df.get(tag, 0) + 1

    def remove(self, story_id: int) -> None:
        """Forget a story; unknown ids are ignored (removal is idempotent)."""
        story = self._stories.pop(story_id, None)
        if story is None:
            return
        row = self._row_of.pop(story_id)
        self._live[row] = False
        self._dead += 1
        self._tie_ranks = None
        for tag in story.tags:
            left = self._df[tag] - 1
            if left:
                self._df[tag] = left
            else:  # only dead rows remain in this list
                del self._df[tag]
                del self._postings[tag]
        if self._dead > max(_MIN_DEAD_FOR_REBUILD, len(self._stories)):
            stories = list(self._stories.values())
            self._reset()
            for kept in stories:
                self.add(kept)

    def _grow_columns(self) -> None:
        capacity = 2 * len(self._sid)
        for name in ("_sid", "_factor", "_popularity", "_rating", "_live"):
            old = getattr(self, name)
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._stories)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._stories

    def get(self, story_id: int) -> IndexedStory | None:
        return self._stories.get(story_id)

    @property
    def stories_by_id(self) -> Mapping[int, IndexedStory]:
        return self._stories

    def stories(self) -> Iterable[IndexedStory]:
        return self._stories.values()

    def known_tags(self) -> Iterable[TagRef]:
        return self._df.keys()

    def document_frequency(self, tag: TagRef) -> int:
        return self._df.get(tag, 0)

    def tag_counts(self, kind: TagKind | None = None) -> dict[TagRef, int]:
        """How many stories carry each known tag, optionally of one kind only."""
        return {tag: df for tag, df in self._df.items() if kind is None or tag[0] is kind}

    def idf(self, tag: TagRef) -> float:
        """Rarity of a tag: log(1 + N / df). A tag no story carries gets the rarest value."""
        return math.log1p(len(self._stories) / max(self._df.get(tag, 0), 1))

    def weight(self, tag: TagRef) -> float:
        """What sharing `tag` is worth: kind weight x rarity (0 for ratings and warnings)."""
        kind_weight = KIND_WEIGHTS[tag[0]]
        return kind_weight * self.idf(tag) if kind_weight > 0.0 else 0.0

    def tie_key(self, story_id: int) -> tuple[float, float, int]:
        """Order among equal scores: more focused (fewer tags), more popular, lower id."""
        row = self._row_of[story_id]
        return (-float(self._factor[row]), -float(self._popularity[row]), story_id)

    def factor(self, story_id: int) -> float:
        return float(self._factor[self._row_of[story_id]])

    # -- vectorised access for the ranking code ---------------------------------------

    @property
    def row_count(self) -> int:
        """Rows in use, dead ones included: the length of every column."""
        return self._rows

    def row_of(self, story_id: int) -> int | None:
        return self._row_of.get(story_id)

    def rows(self, tag: TagRef) -> np.ndarray:
        """Rows carrying `tag` (may include dead rows; mask them with Columns.live)."""
        postings = self._postings.get(tag)
        return postings.view() if postings is not None else _NO_ROWS

    def rating_code(self, rating: str) -> int | None:
        return self._rating_codes.get(rating)

    @property
    def rating_code_count(self) -> int:
        return len(self._rating_codes)

    def tie_ranks(self) -> np.ndarray:
        """Each row's place in tie_key order (0 first). Rebuilt lazily after changes: one
        O(n log n) sort on the first query after a batch of adds or removes."""
        if self._tie_ranks is None:
            n = self._rows
            order = np.lexsort((self._sid[:n], -self._popularity[:n], -self._factor[:n]))
            ranks = np.empty(n, dtype=np.int64)
            ranks[order] = np.arange(n, dtype=np.int64)
            self._tie_ranks = ranks
        return self._tie_ranks

    def columns(self) -> Columns:
        n = self._rows
        return Columns(
            story_id=self._sid[:n],
            factor=self._factor[:n],
            popularity=self._popularity[:n],
            rating=self._rating[:n],
            live=self._live[:n],
        )


_NO_ROWS = np.empty(0, dtype=np.int32)
