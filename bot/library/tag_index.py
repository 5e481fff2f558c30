"""The in-memory inverted index recommendations run on, held in flat numpy arrays.

Each story is held as its canonical tags (synonyms already folded by the caller into
`(kind, key)` pairs) and gets a *row*: a position in dense numpy columns (story id, length
factor, popularity, rating code, series code, guild code, alive). Tags, authors, series and
guilds are interned to small integer codes, and a row's tags (ascending by code) and
authors are slices of two flat code arrays, so 100k stories cost a few arrays rather than
100k Python objects (which a full garbage collection would also have to walk). `get`
builds an IndexedStory on demand.

A posting list maps a tag to the rows carrying it in ascending row order. Built in bulk
(bot.library.index_build), all lists share one array; a list that later grows is copied into its
own growable array first. Adding a story appends one row: O(tags of that story). Removing
one marks its row dead and lowers the tag counts, also O(tags); dead rows stay in posting
lists (queries mask them out) until there are more dead rows than live ones, when the
index is rebuilt once. Rarity (IDF) comes from live tag counts at query time.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Mapping

import numpy as np

from bot.library.index_arrays import ROW_COLUMN_TYPES, Columns, GrowArray, Interned
from bot.library.index_scratch import QueryScratch
from bot.library.indexed_story import (
    KIND_WEIGHTS,
    LENGTH_FREE_TAGS,
    NO_SERIES,
    IndexedStory,
    TagRef,
    length_factor,
    weighted,
)
from bot.library.models import TagKind

# The story model's names, for the modules that import them from here.
__all__ = ["KIND_WEIGHTS", "LENGTH_FREE_TAGS", "NO_SERIES", "IndexedStory", "TagIndex",
           "TagRef", "length_factor", "weighted"]

_MIN_DEAD_FOR_REBUILD = 1024


class TagIndex:
    """Stories by tag. Not thread-safe; the bot mutates it from its single event loop."""

    def __init__(self, stories: Iterable[IndexedStory] = ()) -> None:
        self._reset()
        for story in stories:
            self.add(story)

    def _reset(self) -> None:
        self._tags = Interned()  # TagRef <-> tag code
        self._names = Interned()  # author and series names <-> codes
        self._guilds = Interned()
        self._guild_live = GrowArray(np.int64)  # live stories per guild code
        self._ratings = Interned()
        self._kind_weight = GrowArray(np.float64)  # per tag code
        self._df = GrowArray(np.int64)  # live stories per tag code
        # Posting lists: tag code -> rows. Bulk-built lists are slices of `_shared`; a list
        # that changed since lives in `_own`.
        self._shared = np.empty(0, dtype=np.int32)
        self._shared_start = np.empty(0, dtype=np.int64)
        self._shared_count = np.empty(0, dtype=np.int64)
        self._own: dict[int, GrowArray] = {}
        self._row_of: dict[int, int] = {}
        self._rows = 0
        self._dead = 0
        self._col = {name: GrowArray(dtype) for name, dtype in ROW_COLUMN_TYPES.items()}
        self._row_tags = GrowArray(np.int32)  # every row's tag codes, one slice per row
        self._row_authors = GrowArray(np.int32)
        self._tie: tuple[np.ndarray, np.ndarray] | None = None  # see tie_ranks()
        # columns(): for how many rows, over which sid array, and the views
        self._columns: tuple[int, np.ndarray, Columns] | None = None
        self._scratch = QueryScratch()  # row_slots, code_scratch
        # The compiled search's row records and what they were laid out from (see
        # profile_kernel.row_records, which keeps them).
        self.kernel_rows: tuple[tuple[int, int, np.ndarray], np.ndarray] | None = None
        # weight() per tag, as asked: every query weighs each of its tags (a "for me"
        # profile has about a hundred). Any change moves N or a df, so it clears them all.
        self._weights: dict[TagRef, float] = {}
        self._code_weights = np.empty(0)  # the same, by tag code (NaN: not yet worked out)
        self._code_weights_stale = False  # a change since: every code to work out again

    # -- mutation ---------------------------------------------------------------------

    def tag_code(self, tag: TagRef) -> int:
        """The code of a tag, interning it when new."""
        code = self._tags.code.get(tag)
        if code is None:
            code = self._tags.of(tag)
            self._kind_weight.append(KIND_WEIGHTS[tag[0]])
            self._df.append(0)
        return code

    def add(self, story: IndexedStory) -> None:
        """Add a story, or replace its entry when the id is already indexed."""
        if story.story_id in self._row_of:
            self.remove(story.story_id)
        row = self._rows
        self._rows += 1
        self._row_of[story.story_id] = row
        # Ascending, as a bulk build lays them out: searches rely on it (see
        # recommend._terms_by_code).
        codes = sorted({self.tag_code(tag) for tag in story.tags})
        authors = [self._names.of(author) for author in story.authors]
        series = NO_SERIES if story.series is None else self._names.of(story.series)
        guild = self._guilds.of(story.guild_id)
        if guild == self._guild_live.size:
            self._guild_live.append(0)
        self._guild_live.data[guild] += 1
        values = (story.story_id, length_factor(story), story.popularity,
                  self._ratings.of(story.rating), True, series,
                  guild, self._row_tags.size, len(codes),
                  self._row_authors.size, len(authors))
        for column, value in zip(self._col.values(), values, strict=True):
            column.append(value)
        self._row_tags.extend(codes)
        self._row_authors.extend(authors)
        self._tie = None
        self._weights.clear()
        self._code_weights_stale = True
        df = self._df.data
        for code in codes:
            self._own_postings(code).append(row)
            df[code] += 1

    def _own_postings(self, code: int) -> GrowArray:
        own = self._own.get(code)
        if own is None:
            own = self._own[code] = GrowArray(np.int32, self._shared_rows(code).copy())
        return own

    def remove(self, story_id: int) -> None:
        """Forget a story; unknown ids are ignored (removal is idempotent)."""
        row = self._row_of.pop(story_id, None)
        if row is None:
            return
        self._col["live"].data[row] = False
        self._guild_live.data[self._col["guild"].data[row]] -= 1
        self._dead += 1
        self._tie = None
        self._weights.clear()
        self._code_weights_stale = True
        df = self._df.data
        for code in self.row_tag_codes(row).tolist():
            df[code] -= 1
            if not df[code]:  # only dead rows remain in this list
                self._own.pop(code, None)
                if code < len(self._shared_count):
                    self._shared_count[code] = 0
        if self._dead > max(_MIN_DEAD_FOR_REBUILD, len(self._row_of)):
            stories = list(self.stories())
            self._reset()
            for kept in stories:
                self.add(kept)

    # -- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._row_of

    def get(self, story_id: int) -> IndexedStory | None:
        row = self._row_of.get(story_id)
        return None if row is None else self.story_at(row)

    def weighted_tags_of(self, story_id: int) -> list[TagRef]:
        """`get(story_id).weighted_tags` without building the whole story (a "for me"
        profile reads them for every liked story)."""
        return weighted(self.tags_of(story_id))

    def tag_refs(self, codes: Iterable[int]) -> list[TagRef]:
        refs = self._tags.values
        return [refs[code] for code in codes]  # type: ignore[misc]

    def tags_of(self, story_id: int) -> list[TagRef]:
        """A story's tags (cheaper than `get` when only they are wanted)."""
        refs = self._tags.values
        return [refs[code] for code in self.row_tag_codes(self._row_of[story_id]).tolist()]  # type: ignore[misc]

    def story_at(self, row: int) -> IndexedStory:
        col = {name: column.data[row] for name, column in self._col.items()}
        refs, names = self._tags.values, self._names.values
        series = int(col["series"])
        return IndexedStory(
            story_id=int(col["sid"]),
            tags=tuple(refs[code] for code in self.row_tag_codes(row).tolist()),  # type: ignore[misc]
            rating=str(self._ratings.values[int(col["rating"])]),
            authors=tuple(str(names[code]) for code in self.row_author_codes(row).tolist()),
            series=None if series == NO_SERIES else str(names[series]),
            popularity=float(col["popularity"]),
            guild_id=self._guilds.values[int(col["guild"])],  # type: ignore[arg-type]
        )

    @property
    def stories_by_id(self) -> Mapping[int, IndexedStory]:
        return _StoriesById(self)

    def stories(self) -> Iterable[IndexedStory]:
        return (self.story_at(row) for row in self._row_of.values())

    def known_tags(self) -> Iterable[TagRef]:
        return self.tag_counts().keys()

    def code_of(self, tag: TagRef) -> int | None:
        return self._tags.code.get(tag)

    def document_frequency(self, tag: TagRef) -> int:
        code = self._tags.code.get(tag)
        return 0 if code is None else int(self._df.data[code])

    def tag_counts(self, kind: TagKind | None = None) -> dict[TagRef, int]:
        """How many stories carry each known tag, optionally of one kind only."""
        refs = self._tags.values
        return {refs[code]: int(df)  # type: ignore[misc]
                for code, df in zip(np.flatnonzero(self._df.view()).tolist(),
                                    self._df.view()[self._df.view() > 0].tolist(), strict=True)
                if kind is None or refs[code][0] is kind}  # type: ignore[index]

    def idf(self, tag: TagRef) -> float:
        """Rarity of a tag: log(1 + N / df). A tag no story carries gets the rarest value."""
        return math.log1p(len(self._row_of) / max(self.document_frequency(tag), 1))

    def weight(self, tag: TagRef) -> float:
        """What sharing `tag` is worth: kind weight x rarity (0 for ratings and warnings)."""
        known = self._weights.get(tag)
        if known is None:
            kind_weight = KIND_WEIGHTS[tag[0]]
            known = kind_weight * self.idf(tag) if kind_weight > 0.0 else 0.0
            self._weights[tag] = known
        return known

    def code_weights(self, codes: np.ndarray) -> np.ndarray:
        """weight() of each code's tag. Kept per code between queries (a "for me" profile
        weighs about a hundred) and worked out again, one by one, after any change."""
        known = self._code_weights
        if len(known) < self.tag_code_count:
            known = self._code_weights = np.full(max(self.tag_code_count, 2 * len(known)),
                                                 np.nan)
        elif self._code_weights_stale:
            known.fill(np.nan)
        self._code_weights_stale = False
        found = known[codes]
        missing = np.flatnonzero(np.isnan(found)).tolist()
        if missing:
            refs, weight = self._tags.values, self.weight
            for at in missing:
                code = int(codes[at])
                found[at] = known[code] = weight(refs[code])  # type: ignore[arg-type]
        return found

    def tie_key(self, story_id: int) -> tuple[float, float, int]:
        """Order among equal scores: more focused (fewer tags), more popular, lower id."""
        row = self._row_of[story_id]
        return (-float(self._col["factor"].data[row]),
                -float(self._col["popularity"].data[row]), story_id)

    def factor(self, story_id: int) -> float:
        return float(self._col["factor"].data[self._row_of[story_id]])

    # -- vectorised access for the ranking code ---------------------------------------

    @property
    def row_count(self) -> int:
        """Rows in use, dead ones included: the length of every column."""
        return self._rows

    def row_of(self, story_id: int) -> int | None:
        return self._row_of.get(story_id)

    def rows_of(self, story_ids: Iterable[int]) -> np.ndarray:
        """The rows of those of these stories that are indexed, ascending (one dict lookup
        each, without a Python call each: a reader's kudos may be hundreds)."""
        found = map(self._row_of.get, story_ids)
        return np.sort(np.fromiter((row for row in found if row is not None), dtype=np.int64))

    def _shared_rows(self, code: int) -> np.ndarray:
        if code >= len(self._shared_start):
            return _NO_ROWS
        start = self._shared_start[code]
        return self._shared[start: start + self._shared_count[code]]

    def rows(self, tag: TagRef) -> np.ndarray:
        """Rows carrying `tag`, ascending (may include dead rows; mask them with
        Columns.live)."""
        code = self._tags.code.get(tag)
        return _NO_ROWS if code is None else self.code_rows(code)

    def code_rows(self, code: int) -> np.ndarray:
        own = self._own.get(code)
        return own.view() if own is not None else self._shared_rows(code)

    def code_row_count(self, code: int) -> int:
        """len(code_rows(code)), without the slice."""
        own = self._own.get(code)
        if own is not None:
            return own.size
        return int(self._shared_count[code]) if code < len(self._shared_count) else 0

    def row_tag_codes(self, row: int) -> np.ndarray:
        start = self._col["tag_start"].data[row]
        return self._row_tags.data[start: start + self._col["tag_count"].data[row]]

    def row_tag_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every row's tag slice as (start, count) columns over the flat code array."""
        col = self._col
        return col["tag_start"].view(), col["tag_count"].view(), self._row_tags.view()

    def row_slots(self) -> np.ndarray:
        """A slot per row for a search to number its candidates in (QueryScratch)."""
        return self._scratch.row_slots(self._rows)

    def code_scratch(self, codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        """An array over the tag codes: `values` at `codes`, -1 elsewhere (QueryScratch);
        read it before the next call."""
        return self._scratch.code_scratch(codes, values, self.tag_code_count)

    @property
    def tag_code_count(self) -> int:
        return len(self._tags.values)

    def row_author_codes(self, row: int) -> np.ndarray:
        start = self._col["author_start"].data[row]
        return self._row_authors.data[start: start + self._col["author_count"].data[row]]

    def rating_code(self, rating: str) -> int | None:
        return self._ratings.code.get(rating)

    @property
    def rating_code_count(self) -> int:
        return len(self._ratings.values)

    def guild_code(self, guild_id: int | None) -> int | None:
        return self._guilds.code.get(guild_id)

    @property
    def guild_code_count(self) -> int:
        return len(self._guilds.values)

    def stories_in(self, guild_id: int | None) -> int:
        """How many stories a guild's own library holds (None: the demo library)."""
        code = self._guilds.code.get(guild_id)
        return 0 if code is None else int(self._guild_live.data[code])

    def story_ids_in(self, guild_ids: Collection[int | None]) -> set[int]:
        """The ids of the stories in these libraries (one pass over the columns)."""
        wanted = np.zeros(len(self._guilds.values), dtype=bool)
        for guild_id in guild_ids:
            if (code := self._guilds.code.get(guild_id)) is not None:
                wanted[code] = True
        columns = self.columns()
        if not len(wanted):
            return set()
        return set(columns.story_id[columns.live & wanted[columns.guild]].tolist())

    def tie_ranks(self) -> np.ndarray:
        """Each row's place in tie_key order (0 first). Rebuilt lazily after changes: one
        O(n log n) sort on the first query after a batch of adds or removes."""
        return self._tie_order_and_ranks()[0]

    def tie_order(self) -> np.ndarray:
        """The rows in tie_key order (dead ones too), built with tie_ranks."""
        return self._tie_order_and_ranks()[1]

    def _tie_order_and_ranks(self) -> tuple[np.ndarray, np.ndarray]:
        if self._tie is None:
            col = self.columns()
            order = np.lexsort((col.story_id, -col.popularity, -col.factor))
            ranks = np.empty(self._rows, dtype=np.int64)
            ranks[order] = np.arange(self._rows, dtype=np.int64)
            self._tie = (ranks, order.astype(np.int32))
        return self._tie

    def columns(self) -> Columns:
        """The per-row columns as views, made again only when a row was added or the
        columns were replaced (a search asks five times; a removal writes in place)."""
        col = self._col
        kept = self._columns
        if kept is not None and kept[0] == self._rows and kept[1] is col["sid"].data:
            return kept[2]
        columns = Columns(story_id=col["sid"].view(), factor=col["factor"].view(),
                          popularity=col["popularity"].view(), rating=col["rating"].view(),
                          live=col["live"].view(), series=col["series"].view(),
                          guild=col["guild"].view())
        self._columns = (self._rows, col["sid"].data, columns)
        return columns


class _StoriesById(Mapping[int, IndexedStory]):
    """The indexed stories by id, built on demand."""

    def __init__(self, index: TagIndex) -> None:
        self.index = index

    def __getitem__(self, story_id: int) -> IndexedStory:
        story = self.index.get(story_id)
        if story is None:
            raise KeyError(story_id)
        return story

    def __iter__(self) -> Iterator[int]:
        return iter(list(self.index._row_of))

    def __len__(self) -> int:
        return len(self.index)


_NO_ROWS = np.empty(0, dtype=np.int32)
