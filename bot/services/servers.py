"""Servers the bot was removed from: their data is kept 30 days (the bot may be added back),
then deleted — stories the server added, settings, tag overlay, schedules and feedback."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.library.changes import Change
from bot.library.clock import Clock
from bot.services.gates import GateService
from bot.store.protocol import Store

log = logging.getLogger("storybot.servers")
KEPT_AFTER_REMOVAL = timedelta(days=30)


class ServerDataService:
    def __init__(self, store: Store, catalog: Catalog, gates: GateService, clock: Clock) -> None:
        self.data = store.guild_data
        self.changes = store.changes
        self.catalog = catalog
        self.gates = gates
        self.clock = clock

    async def removed(self, guild_id: int) -> datetime:
        """The bot left the server (not an outage): its data goes after KEPT_AFTER_REMOVAL."""
        now = self.clock.now()
        await self.data.schedule_removal(guild_id, now, now + KEPT_AFTER_REMOVAL)
        due = await self.data.scheduled_removal(guild_id)
        log.info("removed from server %s: its data is deleted after %s", guild_id, due)
        return due or now + KEPT_AFTER_REMOVAL

    async def returned(self, guild_id: int) -> bool:
        """The bot is in the server (again): nothing of it is to be deleted."""
        return await self.data.cancel_removal(guild_id)

    async def purge_due(self) -> list[int]:
        """Delete every server whose time is up; returns their ids."""
        due = await self.data.removal_due(self.clock.now())
        for guild_id in due:
            await self.purge(guild_id)
        return due

    async def purge(self, guild_id: int) -> dict[str, int]:
        """Delete one server's data now (also the operator's `storybot purge-server`)."""
        stories = [sid for sid, _ in (await self.catalog.own_titles(guild_id)).items()]
        deleted = await self.data.purge(guild_id)
        await self.catalog.forget_stories(stories)  # other processes hear of each one
        self.gates.forget(guild_id)
        await self.changes.publish(Change.guild(guild_id))
        log.info("deleted the data of server %s: %s", guild_id, deleted)
        return deleted
