"""/recommend: stories like one you loved, by tags, or for you, each with its reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import channel_is_age_restricted, guild_id_of
from bot.importers.uploads import parse_tag_list
from bot.render.recommend_card import recommendation_embed
from bot.ui.autocomplete import story_autocomplete, tag_list_autocomplete
from bot.ui.excerpt_buttons import recommendation_view

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


class RecommendCog(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="recommend", description="Stories picked by their tags, "
                                                        "each with the reason why")
    @app_commands.describe(
        like="A story the results should be like",
        tags="Tags every result must carry, separated by commas",
        exclude="Tags no result may carry, separated by commas",
        for_me="Pick by what you gave kudos and feedback to lately (shown only to you)",
    )
    @app_commands.autocomplete(like=story_autocomplete, tags=tag_list_autocomplete,
                               exclude=tag_list_autocomplete)
    @app_commands.guild_only()
    async def recommend(
        self, interaction: Interaction,
        like: app_commands.Range[str, 1, 256] | None = None,
        tags: app_commands.Range[str, 1, 2000] | None = None,
        exclude: app_commands.Range[str, 1, 2000] | None = None,
        for_me: bool = False,
    ) -> None:
        recommendations = self.bot.services.recommendations
        if not recommendations.is_ready:  # still indexing a large library after start-up
            await interaction.response.defer(ephemeral=for_me, thinking=True)
        service = await recommendations.ready()
        page = await service.recommend_for(
            guild_id_of(interaction), interaction.user.id, channel_is_age_restricted(interaction),
            like=like, tags=parse_tag_list(tags), exclude=parse_tag_list(exclude),
            for_me=for_me,
        )
        view = recommendation_view([found.story.id for found in page.results])
        send = (interaction.followup.send if interaction.response.is_done()
                else interaction.response.send_message)
        await send(embed=recommendation_embed(page), view=view, ephemeral=for_me)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(RecommendCog(bot))
