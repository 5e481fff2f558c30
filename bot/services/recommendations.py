"""Recommendations for the bot and the command line: the tag index kept in step with the
library, tag names resolved, the filters that always apply, and tag wrangling.

The index (bot.library.tag_index) is built once at start from one streamed query
(bot.store.sqlite.recommend_index.index_rows) and then updated story by story through the catalog's
change listeners, and after tag merges and renames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence, Set

from bot.catalog import Catalog
from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.models import Story, TagKind
from bot.library.recommend import (
    MAX_QUERY_TAGS,
    RecommendationPage,
    RecommendedStory,
    RecommendQuery,
    TagUse,
    recommend,
)
from bot.library.records import IndexRow, TagRow
from bot.library.tag_index import IndexedStory, TagIndex, TagRef
from bot.library.visibility import ALL_GUILDS, Visibility
from bot.services.tag_lookup import TagLookup, shown
from bot.store.protocol import Store

log = logging.getLogger("storybot.recommendations")

# (guild_id, user_id) -> (liked story id -> weight, story ids to leave out e.g. kudos'd).
ProfileSource = Callable[[int, int], Awaitable[tuple[dict[int, float], set[int]]]]

DEFAULT_LIMIT = 5
MAX_LIMIT = 25
NO_TASTE_YET = "I don't know your taste yet: give kudos or feedback on a few stories first"
EMPTY_LIBRARY = "the library is empty: a curator can add stories with /story add"








class _Union(Set[int]):
    """Two disjoint id sets seen as one, without copying either (guild + demo stories)."""

    def __init__(self, first: Set[int], second: Set[int]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second

    def __iter__(self) -> Iterator[int]:
        yield from self.first
        yield from self.second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)


class RecommendationService:
    def __init__(self, store: Store, catalog: Catalog, *,
                 profile_source: ProfileSource | None = None) -> None:
        self.catalog = catalog
        self.index = TagIndex()
        self.tags = store.tags
        self.lookup = TagLookup(store.tags)
        self.reader_blocks = store.reader_blocks
        self.guild_settings = store.guild_settings
        self.guild_blocks = store.blocked_tags
        self.index_rows = store.recommend_index
        # Feedback's reader profiles; None: "for me" cannot answer.
        self.profile_source = profile_source
        self._ready = asyncio.Event()
        self._indexing: asyncio.Task[None] | None = None
        self._changed_while_building: set[int] = set()
        self._guild_of: dict[int, int | None] = {}
        self._by_guild: dict[int | None, set[int]] = {}
        self._tags: dict[int, TagRef] = {}  # any tag id -> its canonical tag
        self._names: dict[TagRef, str] = {}
        self._started = False

    # -- keeping the index in step ---------------------------------------------------

    async def start(self) -> None:
        """Build the index and follow the catalog's changes (idempotent)."""
        if not self._started:
            # Follow changes from the start: a story added while the index builds is
            # re-read after the build (refresh waits for it).
            self.catalog.change_listeners.append(self.refresh)
            self._started = True
        await self.rebuild()
        self._ready.set()
        while self._changed_while_building:
            await self.refresh(self._changed_while_building.pop())

    def start_in_background(self) -> None:
        """Index a large library without holding up start-up; `ready()` waits for it."""
        if self._indexing is None:
            self._indexing = asyncio.create_task(self.start(), name="recommend-index")

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    async def ready(self) -> RecommendationService:
        """This service once its index is built (building it now if nobody started it)."""
        if self._indexing is None and not self._ready.is_set():
            self.start_in_background()
        if self._indexing is not None and not self._ready.is_set():
            await asyncio.shield(self._indexing)
        return self

    async def stop(self) -> None:
        if self._indexing is not None and not self._indexing.done():
            self._indexing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._indexing
        if self.refresh in self.catalog.change_listeners:
            self.catalog.change_listeners.remove(self.refresh)

    async def rebuild(self) -> None:
        self.index = TagIndex()
        self._guild_of.clear()
        self._by_guild.clear()
        await self._load_vocabulary()
        async for row in self.index_rows.rows():
            self._add(row)

    async def refresh(self, story_id: int) -> None:
        """Re-read one story (added, edited or removed). A catalog change listener: it must
        not raise, so a failure is logged and the story left out until the next change."""
        if not self._ready.is_set():  # re-read once the build in progress is done
            self._changed_while_building.add(story_id)
            return
        try:
            await self._refresh(story_id)
        except Exception:
            log.exception("could not re-index story %s for recommendations", story_id)

    async def _refresh(self, story_id: int) -> None:
        self._forget(story_id)
        row = await self.index_rows.row(story_id)
        if row is None:
            return
        new = [tag_id for tag_id in row.tag_ids if tag_id not in self._tags]
        if new:  # the story brought tags never seen before
            await self._load_vocabulary(new)
        self._add(row)

    async def _load_vocabulary(self, ids: list[int] | None = None) -> None:
        """Tag id -> its canonical TagRef, one shared tuple per canonical tag (also saves
        memory); all of them, or only `ids`."""
        vocabulary = await self.index_rows.vocabulary(ids)
        if ids is None:
            self._tags, self._names = {}, {}
        for tag_id, entry in vocabulary.items():
            self._tags[tag_id] = (entry.kind, entry.key)
            self._names[(entry.kind, entry.key)] = entry.name

    def _add(self, row: IndexRow) -> None:
        refs = self._tags
        tags = tuple(dict.fromkeys(refs[tag_id] for tag_id in row.tag_ids if tag_id in refs))
        self.index.add(IndexedStory(row.story_id, tags, row.rating, row.authors, row.series))
        self._guild_of[row.story_id] = row.guild_id
        self._by_guild.setdefault(row.guild_id, set()).add(row.story_id)

    def _forget(self, story_id: int) -> None:
        self.index.remove(story_id)
        if story_id in self._guild_of:
            self._by_guild[self._guild_of.pop(story_id)].discard(story_id)

    def visible(self, guild_id: int | None) -> Set[int] | None:
        """Story ids a guild sees (its own and the demo library); None = every story."""
        if guild_id is None:
            return None
        demo = self._by_guild.get(None, set())
        own = self._by_guild.get(guild_id, set())
        if len(demo) + len(own) == len(self.index):
            return None
        return _Union(demo, own)

    def tag_name(self, tag: TagRef) -> str:
        return self._names.get(tag, tag[1])

    # -- recommending ----------------------------------------------------------------

    async def recommend_for(
        self,
        guild_id: int | None,
        user_id: int | None,
        channel_nsfw: bool,
        *,
        like: str | None = None,
        tags: Sequence[str] = (),
        exclude: Sequence[str] = (),
        for_me: bool = False,
        limit: int = DEFAULT_LIMIT,
    ) -> RecommendationPage:
        """A ranked page with reasons. guild_id None = the operator's view (every story,
        every rating, no blocks)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"ask for 1 to {MAX_LIMIT} recommendations")
        if len(tags) + len(exclude) > MAX_QUERY_TAGS:
            raise InvalidInput(
                f"at most {MAX_QUERY_TAGS} tags in one search (got {len(tags) + len(exclude)})"
            )
        visible = self.visible(guild_id)
        if not len(self.index) or (visible is not None and not len(visible)):
            raise InvalidInput(EMPTY_LIBRARY)
        if not (like or tags or for_me):
            raise InvalidInput("say what to look for: tags, a story it should be like, or for_me")
        include = await self.lookup.many(tags, every_kind=False)
        excluded = await self.lookup.many(exclude, every_kind=True)
        both = {row.id for row in include} & {row.id for row in excluded}
        if both:
            name = next(row.name for row in include if row.id in both)
            raise InvalidInput(f"'{shown(name)}' is both included and excluded")
        query = RecommendQuery(
            include={_ref(row) for row in include},
            exclude={_ref(row) for row in excluded},
            visible_story_ids=visible,
            limit=limit,
        )
        liked: Story | None = None
        if like:
            liked = await self._liked_story(like, guild_id)
            query.like_story_id = liked.id
        if for_me:
            await self._add_taste(query, guild_id, user_id)
        if guild_id is not None:
            settings = await self.guild_settings.get(guild_id)
            query.allowed_ratings = {r.value for r in settings.allowed_ratings(channel_nsfw)}
            query.blocked = await self.blocked_tags(guild_id, user_id)
        results = [
            RecommendedStory(
                await self.catalog.get(found.story_id, _view(guild_id)),
                found.score,
                [self.tag_name(reason.tag) for reason in found.reasons],
                found.more_by_author, found.more_in_series,
            )
            for found in recommend(self.index, query)
        ]
        return RecommendationPage(_asked(liked, include, excluded, for_me), results)

    async def _liked_story(self, like: str, guild_id: int | None) -> Story:
        text = like.strip()
        visible = self.visible(guild_id)
        if text.isdigit():
            story_id = int(text)
            if story_id not in self.index or (visible is not None and story_id not in visible):
                raise StoryNotFound(story_id)
            return await self.catalog.get(story_id, _view(guild_id))
        story = await self.catalog.resolve(text, _view(guild_id))
        if story.id not in self.index:
            raise StoryNotFound(story.id)
        return story

    async def _add_taste(
        self, query: RecommendQuery, guild_id: int | None, user_id: int | None
    ) -> None:
        if self.profile_source is None or guild_id is None or user_id is None:
            raise InvalidInput(NO_TASTE_YET)
        profile, left_out = await self.profile_source(guild_id, user_id)
        knows_taste = any(w > 0 and sid in self.index for sid, w in profile.items())
        if not knows_taste and query.like_story_id is None and not query.include:
            raise InvalidInput(NO_TASTE_YET)
        query.profile = profile
        query.exclude_story_ids |= left_out

    async def blocked_tags(self, guild_id: int, user_id: int | None) -> set[TagRef]:
        """The server's blocked tags and the reader's own, as canonical tags."""
        rows = list(await self.reader_blocks.list(user_id)) if user_id is not None else []
        for row in await self.guild_blocks.list(guild_id):
            # stored canonical, but a later merge may have made it a synonym
            rows.append(row if row.canonical_id is None
                        else await self.tags.canonical_of(row.id))
        return {_ref(row) for row in rows}

    # -- tags: counts, wrangling, a reader's blocks ------------------------------------

    def tag_uses(
        self, guild_id: int | None, kind: TagKind | None = None
    ) -> list[tuple[TagRef, int]]:
        """Canonical tags on the stories a guild sees, most used first."""
        visible = self.visible(guild_id)
        if visible is None:
            counts = self.index.tag_counts(kind)
        else:
            counts = {}
            for sid in visible:
                story = self.index.get(sid)
                for tag in story.tags if story else ():
                    if kind is None or tag[0] is kind:
                        counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items(),
                      key=lambda item: (-item[1], self.tag_name(item[0]).casefold()))

    async def tag_list(self, guild_id: int | None, kind: TagKind | None = None) -> list[TagUse]:
        """Canonical tags in use here with story counts and their known synonyms."""
        rows = await self.tags.all()
        by_id = {row.id: row for row in rows}
        synonyms: dict[TagRef, list[str]] = {}
        for row in rows:
            if row.canonical_id is not None and row.canonical_id in by_id:
                synonyms.setdefault(_ref(by_id[row.canonical_id]), []).append(row.name)
        return [
            TagUse(self.tag_name(tag), tag[0], count,
                   tuple(sorted(synonyms.get(tag, []), key=str.casefold)))
            for tag, count in self.tag_uses(guild_id, kind)
        ]

    async def merge_tags(
        self, source_name: str, target_name: str, kind: TagKind | None = None
    ) -> tuple[TagRow, TagRow, int]:
        """Fold `source` (and its synonyms) into `target`; returns both and the story count."""
        sources = await self.lookup.canonical_matches(source_name, kind)
        targets = await self.lookup.canonical_matches(target_name, kind)
        pairs = [(s, t) for s in sources for t in targets if s.kind is t.kind]
        source, target = pairs[0] if pairs else (sources[0], targets[0])
        affected = await self.tags.merge(source, target)
        await self._load_vocabulary()
        for story_id in affected:
            await self.refresh(story_id)
        return source, target, len(affected)

    async def rename_tag(
        self, name: str, new_name: str, kind: TagKind | None = None
    ) -> tuple[TagRow, int]:
        """Rename a canonical tag; returns the renamed tag and how many stories carry it."""
        tag = await self.lookup.best(name, kind)
        affected = await self.tags.rename(tag, new_name)
        await self._load_vocabulary()
        for story_id in affected:
            await self.refresh(story_id)
        return await self.tags.canonical_of(tag.id), len(affected)

    async def block(self, user_id: int, name: str) -> list[TagRow]:
        """Block every canonical tag `name` means; returns those newly blocked."""
        newly = []
        for row in await self.lookup.canonical_matches(name):
            if await self.reader_blocks.block(user_id, row.id):
                newly.append(row)
        return newly

    async def unblock(self, user_id: int, name: str) -> list[TagRow]:
        unblocked = []
        for row in await self.lookup.canonical_matches(name):
            if await self.reader_blocks.unblock(user_id, row.id):
                unblocked.append(row)
        return unblocked

    async def blocks(self, user_id: int) -> list[TagRow]:
        return await self.reader_blocks.list(user_id)


def _view(guild_id: int | None) -> Visibility:
    """A guild's view, or the operator's view of every story (guild_id None)."""
    return ALL_GUILDS if guild_id is None else guild_id


def _ref(row: TagRow) -> TagRef:
    return (row.kind, row.key)


def _asked(
    liked: Story | None, include: list[TagRow], excluded: list[TagRow], for_me: bool
) -> str:
    parts: list[str] = []
    if for_me:
        parts.append("for you")
    if liked is not None:
        parts.append(f"like “{shown(liked.title)}”")
    if include:
        parts.append("tagged " + ", ".join(shown(row.name) for row in include))
    if excluded:
        parts.append("without " + ", ".join(shown(row.name) for row in excluded))
    return "; ".join(parts)
