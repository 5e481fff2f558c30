"""Keeping this process's caches true when several processes share one library.

Every cache of the services was written as if its process were the only writer: each
drops what a change touches when it makes the change. This module adds the other half:
- telling: the store's change feed (`store.changes`, bot/store/protocol.py) hears of every
  story this process adds, edits or removes (a catalog change listener), of each server
  whose settings, blocked tags or tag overlay changed (the services publish where they
  drop their own copies; settings through `AnnouncedSettings.save`), and of every change
  of the shared tag vocabulary (bot/services/wrangling.py);
- hearing: another process's change runs the same local invalidation here, without
  telling anyone again.

What each cache is and where it follows changes:
- Catalog: the title rows and prefix index (autocomplete, resolve) and the tag rows
  (tag autocomplete) -> `Catalog.reread_titles`; its list lines -> the same, and
  `Catalog.vocabulary_changed`;
- GateService: server overlays and blocked-tag sets -> `forget` / `forget_all`, and the
  blocked stories on any story change (a catalog listener);
- GuildSettingsStore: each server's settings -> `forget` / `forget_all`;
- RecommendationService: the tag index and the vocabulary's names -> `refresh` per story
  (a catalog listener), `reindex_tags` after the vocabulary changed, `rebuild` after
  changes were missed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.catalog import Catalog
from bot.library.changes import Change, ChangeKind
from bot.library.guild_settings import GuildSettings
from bot.services.gates import GateService
from bot.services.recommendations import RecommendationService
from bot.store.protocol import ChangeFeed, GuildSettingsStore, Store

log = logging.getLogger("storybot.changes")


class AnnouncedSettings:
    """The servers' settings as the services change them: saved, then told to the other
    processes (a save by the cogs is a server's change like any other)."""

    def __init__(self, settings: GuildSettingsStore, changes: ChangeFeed) -> None:
        self._settings = settings
        self._changes = changes

    async def get(self, guild_id: int) -> GuildSettings:
        return await self._settings.get(guild_id)

    async def save(self, settings: GuildSettings) -> None:
        await self._settings.save(settings)
        await self._changes.publish(Change.guild(settings.guild_id))

    def forget(self, guild_id: int) -> None:
        self._settings.forget(guild_id)

    def forget_all(self) -> None:
        self._settings.forget_all()


class ChangeFollower:
    """Wires one process's caches to the store's change feed (see the module's doc)."""

    def __init__(self, store: Store, catalog: Catalog, gates: GateService,
                 recommendations: RecommendationService) -> None:
        self.changes = store.changes
        self.settings = store.guild_settings
        self.catalog = catalog
        self.gates = gates
        self.recommendations = recommendations
        self.applied = 0  # changes from other processes followed here (for the figures)

    async def start(self) -> None:
        self.catalog.change_listeners.append(self._tell_others)
        await self.changes.listen(self.apply)

    def stop(self) -> None:
        if self._tell_others in self.catalog.change_listeners:
            self.catalog.change_listeners.remove(self._tell_others)

    async def _tell_others(self, story_id: int) -> None:
        await self.changes.publish(Change.stories([story_id]))

    # -- another process's change ----------------------------------------------------------

    async def apply(self, change: Change) -> None:
        """Drop or re-read what `change` touched; tells nobody (it came from elsewhere)."""
        if change.kind is ChangeKind.STORY:
            await self._stories_changed(change.ids)
        elif change.kind is ChangeKind.GUILD:
            for guild_id in change.ids:
                self.gates.forget(guild_id)  # its overlay, blocks and settings
        elif change.kind is ChangeKind.READER:
            for reader_id in change.ids:
                self.gates.forget_reader(reader_id)
        elif change.kind is ChangeKind.TAGS:
            await self._vocabulary_changed(change.ids)
        else:
            await self._everything_changed()
        self.applied += 1

    async def _stories_changed(self, story_ids: Sequence[int]) -> None:
        # The catalog's other listeners (recommendations, gates) do here what they did in
        # the process that made the change; our own would tell it back.
        listeners = [listener for listener in self.catalog.change_listeners
                     if listener != self._tell_others]
        for story_id in story_ids:
            for listener in listeners:
                await listener(story_id)
        # Titles last: a story one can name (autocomplete) is already recommendable.
        await self.catalog.reread_titles(story_ids)

    async def _vocabulary_changed(self, touched: Sequence[int]) -> None:
        self.catalog.vocabulary_changed()
        if self.recommendations.is_ready:
            await self.recommendations.reindex_tags(list(touched))  # forgets the overlays
        else:  # an index not built yet reads the new vocabulary when it is
            self.gates.forget_all()
        await self.catalog.reread_titles(())  # the tag rows (autocomplete) last

    async def _everything_changed(self) -> None:
        log.info("changes by other processes may have been missed: dropping every cache")
        await self.catalog.reread_titles(None)
        self.settings.forget_all()
        self.gates.forget_all()
        if self.recommendations.is_ready:
            await self.recommendations.rebuild()
