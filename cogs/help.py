"""/help: the commands this member can use, grouped, one line each."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import member_is_curator, needs_curator
from bot.render.help_card import CommandLine, help_embed

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]


class HelpCog(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What storybot can do for you")
    async def help(self, interaction: Interaction) -> None:
        curator = interaction.guild_id is not None and await member_is_curator(interaction)
        lines = [
            CommandLine(
                group=(command.parent.name if command.parent else "general"),
                usage=f"/{command.qualified_name}",
                description=command.description,
                curator_only=needs_curator(command),
            )
            for command in self.bot.tree.walk_commands()
            if isinstance(command, app_commands.Command)
        ]
        visible = [line for line in lines if curator or not line.curator_only]
        await interaction.response.send_message(embed=help_embed(visible, curator), ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(HelpCog(bot))
