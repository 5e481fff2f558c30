"""What the store hands out and takes in: plain records, the same for every backend.

Nothing here knows SQL; a PostgreSQL store returns the very same types as the SQLite one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NamedTuple, Protocol, TypeVar

from bot.library.models import ListedStory, Rating, Story, TagKind
from bot.library.schedule import DailySchedule
from bot.library.selection import SerialPosition


@dataclass(frozen=True)
class VocabularyEntry:
    kind: TagKind
    key: str
    name: str


class IndexRow(NamedTuple):  # a tuple: 100k of them are made at start
    story_id: int
    guild_id: int | None
    rating: str
    series: str | None
    tag_ids: tuple[int, ...]  # the story's own tag rows (synonyms not yet folded)
    authors: tuple[str, ...]


class ReactionChange(NamedTuple):
    """One raw reaction event: added (True) or removed (False)."""

    message_id: int
    user_id: int
    emoji: str
    added: bool
    at: str


@dataclass(frozen=True)
class FeedbackEntry:
    guild_id: int | None
    story_id: int
    passage_id: int | None  # None: about the whole story
    user_id: int
    stars: int
    comment: str
    at: str


@dataclass(frozen=True)
class StoryTotals:
    kudos: int
    bookmarks: int
    reactions: dict[str, int]
    stars_average: float | None
    ratings: int
    comments: int


@dataclass(frozen=True)
class Ranked:
    """A story or passage with its figures, for "most loved" lists."""

    id: int
    story_id: int
    reactions: int
    kudos: int
    bookmarks: int
    stars_total: int
    stars_count: int


@dataclass(frozen=True)
class BookmarkRow:
    passage_id: int
    story_id: int
    title: str
    seq: int
    chapter: int
    at: str


@dataclass(frozen=True)
class PostRecord:
    message_id: int
    guild_id: int | None
    channel_id: int
    story_id: int
    passage_id: int | None
    kind: str
    thread_id: int | None
    posted_by: int | None
    posted_at: datetime


@dataclass(frozen=True)
class ScheduleRecord:
    guild_id: int
    schedule: DailySchedule
    serial_position: SerialPosition | None
    last_error: str | None
    last_error_at: datetime | None
    # When the schedule was last set: a post whose moment came before it is not owed.
    saved_at: datetime


@dataclass(frozen=True)
class DailyPostRow:
    guild_id: int
    local_date: date
    claimed_at: datetime
    message_id: int | None
    channel_id: int | None
    passage_id: int | None
    error: str | None
    nonce: str | None = None


@dataclass(frozen=True)
class TagRow:
    id: int
    kind: TagKind
    name: str
    key: str
    canonical_id: int | None


@dataclass(frozen=True)
class TagCount:
    """A canonical tag with the number of stories carrying it or one of its synonyms."""

    tag: TagRow
    stories: int
    synonyms: tuple[str, ...]


SortOrder = Literal["title", "newest", "words"]


class TitleRow(NamedTuple):
    """What autocomplete and title lookups keep of every story."""

    story_id: int
    guild_id: int | None
    title: str
    rating: Rating


@dataclass(frozen=True)
class StoryFilter:
    """What a channel may list (bot/library/gate.py): ratings (None: any) and stories
    carrying none of these shared canonical tags (synonyms included); `tag_groups`: the
    story must carry a tag of every group (a server's tag and its local synonyms)."""

    ratings: frozenset[Rating] | None = None
    without_tag_ids: frozenset[int] = frozenset()
    tag_groups: tuple[frozenset[int], ...] = ()


Hit = TypeVar("Hit", bound=Story | ListedStory | int)


class SearchHits(list[Hit]):
    """A search's best matches (stories, lines of them or their ids), best first.
    `newest_only`: more stories matched than a search ranks (SEARCH_RANKED), so these are
    the best of the newest that matched."""

    def __init__(self, stories: Iterable[Hit] = (), *, newest_only: bool = False) -> None:
        super().__init__(stories)
        self.newest_only = newest_only


# A search ranks at most this many of the stories matching it, the newest: ranking is the
# part of a search that reads every match, and a word most stories carry (any library's
# "the", a big fandom's name) would otherwise be ranked across the whole library. Beyond
# it another word narrows the search better than any ranking would. (At 100k stories a
# search for a word in most of them took 0.7 ms in process ranking 200, 1.8 ms ranking
# 1,000: a round trip is to stay within three times a bare bot's.)
SEARCH_RANKED = 200
# A query word this long or longer matches words it begins ("apple": "apples"); a
# shorter one only itself. A one- or two-letter prefix ("2": 2, 20, 2011...) matches so
# many words that merging them costs more than the rest of a search put together.
SHORTEST_PREFIX = 3


class PassageLike(Protocol):
    """A passage to store: the library's PassageDraft, or anything shaped like it."""

    @property
    def seq(self) -> int: ...
    @property
    def chapter(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def words(self) -> int: ...
