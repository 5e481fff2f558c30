"""Stories from links in the library: adding a work by its URL, and following works in
progress for new chapters (appended, so readers' reactions stay on their passages).

Discord-free: the cogs turn progress events and outcomes into replies and posts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from bot.catalog import Catalog
from bot.library.clock import Clock
from bot.library.errors import DuplicateStory, StoryBotError
from bot.library.models import Story
from bot.library.segmentation import segment_chapters
from bot.library.shards import ShardPlan
from bot.library.visibility import ALL_GUILDS
from bot.sources import (
    FetchProgress,
    Finished,
    SourceError,
    StorySources,
    StoryUpdate,
    UpdateKind,
)
from bot.store.protocol import Store


@dataclass
class Added:
    """The last event of `add_events`: the stored story."""

    story: Story


@dataclass
class RefreshOutcome:
    story: Story
    update: StoryUpdate | None = None
    # Ids of the passages added, in reading order (the first opens the new chapter).
    new_passage_ids: list[int] = field(default_factory=list)
    # Why the site could not be asked (a one-line error), when it could not.
    error: str | None = None

    @property
    def new_chapters(self) -> int:
        return len(self.update.new_chapters) if self.update and self.new_passage_ids else 0

    def summary(self) -> str:
        if self.error:
            return self.error
        return self.update.summary() if self.update else "no new chapters"


class StoryLinks:
    def __init__(self, store: Store, catalog: Catalog, sources: StorySources,
                 clock: Clock) -> None:
        self.store = store
        self.catalog = catalog
        self.sources = sources
        self.clock = clock
        # One refresh of a story at a time (a curator's /story refresh and the background
        # check must not both append the same chapters).
        self._refreshing: dict[int, asyncio.Lock] = {}

    async def existing(self, url: str, guild_id: int | None) -> Story | None:
        """The story this server already has from the work `url` names (no network)."""
        link = await self.sources.resolve(url)
        story_id = await self.store.story_sources.find_by_source(link.url, guild_id)
        if story_id is None and link.url != url.strip():
            story_id = await self.store.story_sources.find_by_source(url.strip(), guild_id)
        return None if story_id is None else await self.store.stories.get(story_id, ALL_GUILDS)

    async def add_events(
        self, url: str, *, guild_id: int, added_by: int | None, allow_adult: bool,
    ) -> AsyncIterator[FetchProgress | Added]:
        """Fetch progress (Queued, Started, BackingOff), then Added(story). A work the
        server already has raises DuplicateStory before anything is fetched."""
        found = await self.existing(url, guild_id)
        if found is not None:
            raise DuplicateStory(found.id, found.title)
        async for event in self.sources.fetch_events(url, guild_id=guild_id,
                                                     allow_adult=allow_adult):
            if isinstance(event, Finished):
                draft = event.work.draft
                assert draft is not None  # a full fetch always carries the text
                story = await self.catalog.add_draft(draft, guild_id=guild_id,
                                                     added_by=added_by)
                yield Added(story)
                return
            yield event

    async def add(self, url: str, *, guild_id: int, added_by: int | None,
                  allow_adult: bool) -> Story:
        async for event in self.add_events(url, guild_id=guild_id, added_by=added_by,
                                           allow_adult=allow_adult):
            if isinstance(event, Added):
                return event.story
        raise StoryBotError("the fetch ended without a story")  # pragma: no cover

    async def refresh(self, story_id: int) -> RefreshOutcome:
        """Ask the story's site for new chapters; append them if they only follow ours.
        A work gone from its site keeps our copy and is marked gone."""
        lock = self._refreshing.setdefault(story_id, asyncio.Lock())
        async with lock:
            return await self._refresh(story_id)

    async def _refresh(self, story_id: int) -> RefreshOutcome:
        story = await self.store.stories.get(story_id, ALL_GUILDS, with_chapters=True)
        if not story.source:
            return RefreshOutcome(story, error="this story was not added from a link")
        now = self.clock.now()
        try:
            update = await self.sources.check_update(story.source, story.chapters,
                                                     was_complete=story.complete)
        except SourceError as problem:
            await self.store.story_sources.mark_checked(story_id, now)
            return RefreshOutcome(story, error=str(problem))
        meta = update.meta
        complete = update.complete
        if update.kind is UpdateKind.GONE:
            await self.store.story_sources.mark_checked(story_id, now, gone=True)
            return RefreshOutcome(await self._reload(story_id), update)
        new_ids: list[int] = []
        if update.kind is UpdateKind.NEW_CHAPTERS:
            chapters = update.new_chapters
            passages = await asyncio.to_thread(segment_chapters, chapters)
            new_ids = await self.store.story_sources.append_chapters(story_id, chapters,
                                                                     passages)
            await self.catalog.chapters_appended(story_id)
        elif update.kind is UpdateKind.CHANGED:
            complete = None  # our copy is kept; a curator decides
        await self.store.story_sources.mark_checked(
            story_id, now, complete=complete, updated=meta.updated if meta else None)
        return RefreshOutcome(await self._reload(story_id), update, new_ids)

    async def _reload(self, story_id: int) -> Story:
        return await self.store.stories.get(story_id, ALL_GUILDS)

    async def due(self, limit: int, *, not_checked_for: timedelta | None = None,
                  shards: ShardPlan | None = None) -> list[int]:
        """Stories to check next: followed, longest unchecked first (and, with
        `not_checked_for`, only those nobody asked about for that long). With `shards`,
        only the servers of this process's shards: a process can announce new chapters
        only in channels it has, and no two processes check the same story."""
        before = None if not_checked_for is None else self.clock.now() - not_checked_for
        return await self.store.story_sources.to_check(limit, before, shards=shards)
