"""The composition root: the store and every service, built once and wired by their
constructors, for the bot (setup_hook) and the command line alike.

Nothing else builds a service or looks one up: cogs and buttons read
`interaction.client.services`, the CLI gets the same object from `open_services`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord

from bot.catalog import Catalog
from bot.importers.base import ImportLimits
from bot.library.clock import Clock, SystemClock
from bot.services.change_feed import AnnouncedSettings, ChangeFollower
from bot.services.charts import ChartDrawer
from bot.services.daily import DailyService
from bot.services.excerpts import ExcerptService
from bot.services.feedback import FeedbackService
from bot.services.gates import GateService
from bot.services.recommendations import RecommendationService
from bot.services.servers import ServerDataService
from bot.services.story_links import StoryLinks
from bot.services.suggestions import SuggestionService
from bot.services.tag_lookup import TagLookup
from bot.sources import StorySources
from bot.store.open import open_store
from bot.store.protocol import BotStateStore, GuildBlockedTagsStore, GuildSettingsStore, Store

log = logging.getLogger("storybot")


@dataclass
class Services:
    clock: Clock
    store: Store
    catalog: Catalog
    tag_lookup: TagLookup
    gates: GateService
    feedback: FeedbackService
    excerpts: ExcerptService
    recommendations: RecommendationService
    # Stories from links: one polite fetcher for the whole process (its pacing, cache and
    # daily caps hold across every server), and the library's side of it.
    sources: StorySources
    story_links: StoryLinks
    suggestions: SuggestionService
    # Only a running bot posts daily: it needs the Discord client.
    daily: DailyService | None
    servers: ServerDataService
    # Other processes on the same library hear of this one's changes, and it of theirs.
    changes: ChangeFollower
    # /stats charts, drawn in a worker process (matplotlib would hold the loop's GIL).
    charts: ChartDrawer

    @property
    def guild_settings(self) -> GuildSettingsStore:
        return AnnouncedSettings(self.store.guild_settings, self.store.changes)

    @property
    def guild_blocks(self) -> GuildBlockedTagsStore:
        return self.store.blocked_tags

    @property
    def bot_state(self) -> BotStateStore:
        return self.store.bot_state

    async def close(self) -> None:
        """Stop background work, then close the store (the feedback writer commits first)."""
        self.changes.stop()
        self.charts.close()
        await self.recommendations.stop()
        await self.store.close()


async def build_services(
    db: Path | str,
    *,
    clock: Clock | None = None,
    limits: ImportLimits | None = None,
    client: discord.Client | None = None,
    demo_stories: Path | None = None,
) -> Services:
    """Open the store and build every service. The recommendation index is not built here:
    call `services.recommendations.start_in_background()` (the bot) or await `ready()`."""
    clock = clock or SystemClock()
    store = await open_store(db)
    try:
        catalog = Catalog(store, limits, clock)
        tag_lookup = TagLookup(store.tags)
        gates = GateService(store, catalog, tag_lookup)
        feedback = FeedbackService(store, clock, on_forget=gates.reader_blocks_changed)
        await feedback.load_known_posts()
        excerpts = ExcerptService(store, catalog, clock, gates=gates,
                                  passage_weights=feedback.passage_weights,
                                  on_post=feedback.note_post)
        recommendations = RecommendationService(store, catalog, gates,
                                                profile_source=feedback.reader_profile)
        daily = DailyService(client, store, excerpts, clock) if client is not None else None
        sources = StorySources()
        story_links = StoryLinks(store, catalog, sources, clock)
        suggestions = SuggestionService(store, story_links, clock)
        changes = ChangeFollower(store, catalog, gates, recommendations)
        await changes.start()
        # After the feed is wired: processes already running hear of the demo stories.
        if demo_stories is not None:
            report = await catalog.ensure_demo_library(demo_stories)
            if report is not None:
                log.info("built the demo library: %d stories, %d rejected",
                         len(report.imported), len(report.rejected))
    except BaseException:
        await store.close()
        raise
    return Services(
        clock=clock, store=store, catalog=catalog, tag_lookup=tag_lookup, gates=gates,
        feedback=feedback, excerpts=excerpts, recommendations=recommendations,
        sources=sources, story_links=story_links, suggestions=suggestions, daily=daily,
        servers=ServerDataService(store, catalog, gates, clock), changes=changes,
        charts=ChartDrawer())


@contextlib.asynccontextmanager
async def open_services(db: Path | str) -> AsyncIterator[Services]:
    """The command line's services for one piece of work, closed afterwards."""
    services = await build_services(db)
    try:
        yield services
    finally:
        await services.close()
