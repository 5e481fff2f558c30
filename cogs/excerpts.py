"""/excerpt: post a passage with its card (the card's buttons live in bot/ui)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import channel_is_age_restricted, guild_id_of
from bot.ui.autocomplete import story_autocomplete
from bot.ui.excerpt_buttons import send_card

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


class ExcerptsCog(commands.Cog, name="Excerpts"):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="excerpt", description="Post a passage from the library")
    @app_commands.describe(story="A story to read from (default: any)",
                           private="Show it only to you")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def excerpt(self, interaction: Interaction,
                      story: app_commands.Range[str, 1, 256] | None = None,
                      private: bool = False) -> None:
        services = self.bot.services
        guild_id = guild_id_of(interaction)
        chosen_story = None
        if story:
            # The same gate as every surface: a story this channel may not name is not found.
            gate = await services.gates.for_channel(
                guild_id, channel_is_age_restricted(interaction),
                interaction.user.id if private else None)
            chosen_story = await services.catalog.resolve(story, gate)
        excerpt = await services.excerpts.choose(guild_id, channel_is_age_restricted(interaction),
                                                 chosen_story)
        await send_card(interaction, excerpt, ephemeral=private)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(ExcerptsCog(bot))
