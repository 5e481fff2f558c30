"""Recommendations for the bot and the command line: the tag index kept in step with the
library, tag names resolved, the filters that always apply, and tag wrangling.

The index (bot.library.tag_index) is loaded once at start from the snapshot saved with the
library, or built from the library read in columns when the library changed since
(bot.services.index_start), and then updated story by story through the catalog's change
listeners, and after tag merges and renames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence, Set

from bot.catalog import Catalog
from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.gate import Gate
from bot.library.models import TagKind
from bot.library.overlay import TagOverlay, lines_seen_through
from bot.library.recommend import (
    MAX_QUERY_TAGS,
    RecommendationPage,
    RecommendedStory,
    RecommendQuery,
    TagUse,
    recommend,
)
from bot.library.records import IndexRow, TagRow, TitleRow
from bot.library.tag_index import IndexedStory, TagIndex, TagRef
from bot.library.visibility import ALL_GUILDS, OwnLibrary, Visibility
from bot.services.gates import GateService
from bot.services.index_start import IndexStart, vocabulary_maps
from bot.services.tag_lookup import TagLookup, shown
from bot.services.wrangling import TagWrangling
from bot.store.protocol import Store

log = logging.getLogger("storybot.recommendations")

# (guild_id, user_id) -> (liked story id -> weight, story ids to leave out e.g. kudos'd).
ProfileSource = Callable[[int, int], Awaitable[tuple[dict[int, float], set[int]]]]

DEFAULT_LIMIT = 5
MAX_LIMIT = 25
NO_TASTE_YET = "I don't know your taste yet: give kudos or feedback on a few stories first"
EMPTY_LIBRARY = "the library is empty: a curator can add stories with /story add"


class RecommendationService:
    def __init__(self, store: Store, catalog: Catalog, gates: GateService | None = None, *,
                 profile_source: ProfileSource | None = None) -> None:
        self.catalog = catalog
        self.index = TagIndex()
        self.tags = store.tags
        self.lookup = TagLookup(store.tags)
        self.gates = gates or GateService(store, catalog, self.lookup)
        # Tag counts and wrangling, per server (overlay) and shared (the operator's).
        self.wrangling = TagWrangling(self, store)
        self.reader_blocks = store.reader_blocks
        self.guild_settings = store.guild_settings
        self.guild_blocks = store.blocked_tags
        self.index_rows = store.recommend_index
        # Feedback's reader profiles; None: "for me" cannot answer.
        self.profile_source = profile_source
        self._ready = asyncio.Event()
        self._indexing: asyncio.Task[None] | None = None
        self.index_start = IndexStart(store.recommend_index)
        # While a new index is made: the stories changed meanwhile, re-read into it after.
        self._changed_while_building: set[int] | None = None
        self._rebuilding = asyncio.Lock()
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
        await self.index_start.stop()
        if self.refresh in self.catalog.change_listeners:
            self.catalog.change_listeners.remove(self.refresh)

    async def rebuild(self) -> None:
        """A new index (the saved snapshot when the library is unchanged, else built from
        the library) made beside the one in use, which keeps answering and following
        changes meanwhile, then swapped in; stories changed during the build are re-read
        into the new one."""
        async with self._rebuilding:  # one at a time, each with its own changes
            changed: set[int] = set()
            self._changed_while_building = changed
            try:
                state = await self.index_start.state()
            finally:
                self._changed_while_building = None
            self.index, self._tags, self._names = state.index, state.tags, state.names
            self._ready.set()
            for story_id in sorted(changed):
                await self.refresh(story_id)

    async def refresh(self, story_id: int) -> None:
        """Re-read one story (added, edited or removed). A catalog change listener: it must
        not raise, so a failure is logged and the story left out until the next change."""
        if self._changed_while_building is not None:  # re-read into the index being made
            self._changed_while_building.add(story_id)
        if not self._ready.is_set():
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
        """Tag id -> its canonical TagRef, and names; all of them, or only `ids`."""
        tags, names = vocabulary_maps(await self.index_rows.vocabulary(ids))
        if ids is None:
            self._tags, self._names = tags, names
        else:
            self._tags.update(tags)
            self._names.update(names)

    def _add(self, row: IndexRow) -> None:
        refs = self._tags
        tags = tuple(dict.fromkeys(refs[tag_id] for tag_id in row.tag_ids if tag_id in refs))
        self.index.add(IndexedStory(row.story_id, tags, row.rating, row.authors, row.series,
                                    guild_id=row.guild_id))

    def _forget(self, story_id: int) -> None:
        self.index.remove(story_id)

    def visible_guilds(self, view: Visibility) -> frozenset[int | None] | None:
        """The libraries a view sees (a guild's own and the demo library, or its own
        alone); None = every story."""
        if view is None or view == ALL_GUILDS:
            return None
        if isinstance(view, OwnLibrary):
            return frozenset({view.guild_id})
        guilds = frozenset({None, view})
        if sum(self.index.stories_in(guild) for guild in guilds) == len(self.index):
            return None
        return guilds

    def visible(self, view: Visibility) -> Set[int] | None:
        """Story ids a view sees; None = every story. (Read from the index's columns: for
        counting and listing, not for each recommendation.)"""
        guilds = self.visible_guilds(view)
        return None if guilds is None else self.index.story_ids_in(guilds)

    def tag_name(self, tag: TagRef, overlay: TagOverlay | None = None) -> str:
        shared = self._names.get(tag, tag[1])
        return shared if overlay is None else overlay.ref_name(tag, shared)

    def ref_of(self, tag_id: int) -> TagRef | None:
        """The canonical (kind, key) the index knows a tag id by."""
        return self._tags.get(tag_id)

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
        gate = (None if guild_id is None
                else await self.gates.for_channel(guild_id, channel_nsfw, user_id))
        visible = self.visible_guilds(_view(guild_id) if gate is None else gate.visibility)
        if not len(self.index) or (visible is not None
                                   and not sum(map(self.index.stories_in, visible))):
            raise InvalidInput(EMPTY_LIBRARY)
        if not (like or tags or for_me):
            raise InvalidInput("say what to look for: tags, a story it should be like, or for_me")
        overlay = gate.overlay if gate is not None else TagOverlay.empty()
        include = await self._named(overlay, tags, every_kind=False)
        excluded = await self._named(overlay, exclude, every_kind=True)
        both = {row.id for row in include} & {row.id for row in excluded}
        if both:
            name = next(overlay.name_of(row) for row in include if row.id in both)
            raise InvalidInput(f"'{shown(name)}' is both included and excluded")
        query = RecommendQuery(
            include={_ref(row) for row in include},
            exclude={_ref(row) for row in excluded},
            visible_guilds=visible,
            limit=limit,
            view=overlay if len(overlay) else None,
        )
        liked: TitleRow | None = None
        if like:
            liked = await self._liked_story(like, guild_id, gate)
            query.like_story_id = liked.story_id
        if for_me:
            await self._add_taste(query, guild_id, user_id)
        if gate is not None:
            query.allowed_ratings = {r.value for r in gate.full_ratings}
            query.blocked = {tag for tag_id in gate.blocked_tag_ids
                             if (tag := self.ref_of(tag_id)) is not None}
        page = recommend(self.index, query)
        # A result shows what a list line shows: no summaries or whole tag lists to read.
        stories = {story.id: story for story in lines_seen_through(await self.catalog.lines_of(
            [found.story_id for found in page], _view(guild_id)), overlay)}
        results = [
            RecommendedStory(
                stories[found.story_id],
                found.score,
                [self.tag_name(reason.tag, overlay) for reason in found.reasons],
                found.more_by_author, found.more_in_series,
            )
            for found in page if found.story_id in stories
        ]
        return RecommendationPage(_asked(liked, include, excluded, for_me, overlay), results)

    async def _named(self, overlay: TagOverlay, names: Sequence[str], *,
                     every_kind: bool) -> list[TagRow]:
        """Server canonical tags for several names (`every_kind`: all kinds a name matches,
        as excluding wants; otherwise the best one)."""
        rows: dict[int, TagRow] = {}
        for text in names:
            matches = await self.lookup.in_view(overlay, text)
            for row in matches if every_kind else matches[:1]:
                rows.setdefault(row.id, row)
        return list(rows.values())

    async def _liked_story(self, like: str, guild_id: int | None, gate: Gate | None
                           ) -> TitleRow:
        # Only its id and title are needed: the title rows in memory have them.
        story = await self.catalog.resolve_title(like, _view(guild_id) if gate is None else gate)
        if story.story_id not in self.index:
            raise StoryNotFound(story.story_id)
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

    # -- tags: counts here, the operator's shared wrangling (bot/services/wrangling.py) --

    async def tag_list(self, guild_id: int | None, kind: TagKind | None = None) -> list[TagUse]:
        return await self.wrangling.tag_list(guild_id, kind)

    async def merge_tags(self, source_name: str, target_name: str,
                         kind: TagKind | None = None) -> tuple[TagRow, TagRow, int]:
        """The shared vocabulary (the operator's): fold `source` into `target` everywhere."""
        return await self.wrangling.merge_shared(source_name, target_name, kind)

    async def rename_tag(self, name: str, new_name: str,
                         kind: TagKind | None = None) -> tuple[TagRow, int]:
        """The shared vocabulary (the operator's): a canonical tag's name everywhere."""
        return await self.wrangling.rename_shared(name, new_name, kind)

    async def reindex_tags(self, affected: list[int]) -> None:
        """After the shared vocabulary changed: new names, and the stories it touched."""
        await self._load_vocabulary()
        for story_id in affected:
            await self.refresh(story_id)
        self.gates.forget_all()
        # Kept /tags list answers carry the old names (here or in another process's change).
        self.wrangling.listings.invalidate()

    # -- a reader's blocks --------------------------------------------------------------

    async def block(self, user_id: int, name: str) -> list[TagRow]:
        """Block every canonical tag `name` means; returns those newly blocked."""
        newly = []
        for row in await self.lookup.canonical_matches(name):
            if await self.reader_blocks.block(user_id, row.id):
                newly.append(row)
        if newly:
            await self.gates.reader_blocks_changed(user_id)
        return newly

    async def unblock(self, user_id: int, name: str) -> list[TagRow]:
        unblocked = []
        for row in await self.lookup.canonical_matches(name):
            if await self.reader_blocks.unblock(user_id, row.id):
                unblocked.append(row)
        if unblocked:
            await self.gates.reader_blocks_changed(user_id)
        return unblocked

    async def blocks(self, user_id: int) -> list[TagRow]:
        return await self.reader_blocks.list(user_id)


def _view(guild_id: int | None) -> Visibility:
    """A guild's view, or the operator's view of every story (guild_id None)."""
    return ALL_GUILDS if guild_id is None else guild_id


def _ref(row: TagRow) -> TagRef:
    return (row.kind, row.key)


def _asked(
    liked: TitleRow | None, include: list[TagRow], excluded: list[TagRow], for_me: bool,
    overlay: TagOverlay,
) -> str:
    parts: list[str] = []
    if for_me:
        parts.append("for you")
    if liked is not None:
        parts.append(f"like “{shown(liked.title)}”")
    if include:
        parts.append("tagged " + ", ".join(shown(overlay.name_of(row)) for row in include))
    if excluded:
        parts.append("without " + ", ".join(shown(overlay.name_of(row)) for row in excluded))
    return "; ".join(parts)
