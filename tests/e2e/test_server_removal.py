"""GUILD_DELETE: a server that removed the bot keeps its data 30 days, an outage keeps it
for good. The gateway event goes through discord.py's own parser (the stand-in cannot
remove the bot from its guild), so the bot's listener sees what Discord would send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.library.clock import FakeClock
from sandbox.control import Sandbox
from sandbox.session import start_bot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_removal_schedules_deletion_and_an_outage_does_not(
    sandbox: Sandbox, settings: Settings
) -> None:
    clock = FakeClock(NOW)
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        services = running.bot.services
        guild_id = sandbox.guild_id
        renamed = await sandbox.slash(sandbox.users.curator, "tags rename",
                                      {"tag": "Fluff", "new_name": "Floof"})
        assert "Floof" in renamed.content
        state = running.bot._connection  # discord.py's gateway event parser
        state.parse_guild_delete({"id": str(guild_id), "unavailable": True})
        await asyncio.sleep(0.05)
        assert await services.store.guild_data.scheduled_removal(guild_id) is None

        state.parse_guild_delete({"id": str(guild_id)})
        for _ in range(50):
            if await services.store.guild_data.scheduled_removal(guild_id) is not None:
                break
            await asyncio.sleep(0.02)
        assert await services.store.guild_data.scheduled_removal(guild_id) == (
            NOW + timedelta(days=30))
        clock.advance(timedelta(days=30, seconds=1))
        assert await services.servers.purge_due() == [guild_id]
        assert await services.store.tag_overlays.load(guild_id) is not None
        assert len(await services.store.tag_overlays.load(guild_id)) == 0
    finally:
        await running.stop()
