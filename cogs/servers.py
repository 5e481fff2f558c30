"""Servers coming and going: a server that removes the bot keeps its data 30 days, then it
is deleted (bot/services/servers.py). An outage (an unavailable server) is not a removal:
discord.py calls on_guild_remove only when the bot left or was removed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger("storybot.servers")


class ServersCog(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        if self.bot.runs_library_chores:  # one process purges for every shard
            self.purge_due.start()

    async def cog_unload(self) -> None:
        self.purge_due.cancel()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.bot.services.servers.removed(guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.bot.services.servers.returned(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        # added back while the bot was offline: the pending deletion is off
        await self.bot.services.servers.returned(guild.id)

    @tasks.loop(hours=1)
    async def purge_due(self) -> None:
        try:
            await self.bot.services.servers.purge_due()
        except Exception:  # the next hour tries again
            log.exception("purging removed servers failed")


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(ServersCog(bot))
