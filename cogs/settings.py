"""/config: the server's settings (curator role for now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.render.settings_card import settings_embed

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]


class SettingsCog(commands.Cog):
    config = app_commands.Group(name="config", description="This server's storybot settings",
                                guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @config.command(name="show", description="Show this server's settings")
    async def show(self, interaction: Interaction) -> None:
        settings = await self.bot.catalog.settings.get(guild_id_of(interaction))
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)

    @config.command(name="curator-role", description="Choose the role whose members curate")
    @app_commands.describe(role="Members with this role can add, edit and remove stories")
    @curator_only()
    async def curator_role(self, interaction: Interaction, role: discord.Role) -> None:
        settings = await self.bot.catalog.settings.get(guild_id_of(interaction))
        settings.curator_role_id = role.id
        await self.bot.catalog.settings.save(settings)
        await interaction.response.send_message(
            f"Curators are now members with {role.mention} (and anyone with Manage Server).",
            ephemeral=True,
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(SettingsCog(bot))
