"""Reactions, feedback buttons, /feedback, /stats and /export feedback."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, TypeAlias

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.library.feedback import emoji_key, is_author
from bot.render.stats import (
    CHART_FILENAME,
    guild_stats_embed,
    story_stats_embed,
)
from bot.ui.autocomplete import story_autocomplete
from bot.ui.context import gate_of
from bot.ui.feedback_modal import FeedbackModal
from bot.ui.option_bounds import StoryOption

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger("storybot.feedback")
Interaction: TypeAlias = "discord.Interaction[StoryBot]"


def member_names(user: discord.User | discord.Member) -> list[str | None]:
    return [user.display_name, user.global_name, user.name]


class FeedbackCog(commands.Cog):
    export = app_commands.Group(name="export", description="Download the server's data",
                                guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    # ----- raw reactions (work for messages in no cache)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        if payload.emoji.name is None and payload.emoji.id is None:
            return
        await self.bot.services.feedback.reaction(
            payload.message_id, payload.user_id, emoji_key(payload.emoji.name, payload.emoji.id),
            added=added, message_author_id=payload.message_author_id,
            bot_user_id=self.bot.user.id if self.bot.user else None)

    # ----- commands

    @app_commands.command(name="feedback", description="Rate a story and leave a comment")
    @app_commands.describe(story="Start typing a title")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def feedback(self, interaction: Interaction, story: StoryOption) -> None:
        found = await self.bot.services.catalog.resolve(story, await gate_of(interaction))
        await interaction.response.send_modal(
            await FeedbackModal.for_reader(interaction, found.id, None))

    @app_commands.command(name="stats", description="How a story (or the server) is received")
    @app_commands.describe(story="A story; leave empty for the server's most-loved")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def stats(self, interaction: Interaction,
                    story: StoryOption | None = None) -> None:
        guild_id = guild_id_of(interaction)
        if story is None:
            await self._guild_stats(interaction, guild_id)
            return
        found = await self.bot.services.catalog.resolve(story, await gate_of(interaction))
        author = is_author(member_names(interaction.user), found.authors)
        # Comments are for the author's eyes only, so their answer is private.
        await interaction.response.defer(ephemeral=author, thinking=True)
        stats = await self.bot.services.feedback.story_stats(guild_id, found.id,
                                                             with_comments=author)
        embed = story_stats_embed(found.title, stats, is_author=author)
        await self._send_with_chart(interaction, embed, stats.days, found.title)

    async def _guild_stats(self, interaction: Interaction, guild_id: int) -> None:
        await interaction.response.defer(thinking=True)
        # the stories this channel may name (bot/library/gate.py)
        titles = await self.bot.services.catalog.shown_titles(await gate_of(interaction))
        stats = await self.bot.services.feedback.guild_stats(guild_id, titles)
        await self._send_with_chart(interaction, guild_stats_embed(stats, titles), stats.days,
                                    "Reactions in this server")

    async def _send_with_chart(self, interaction: Interaction, embed: discord.Embed,
                               days: list[tuple[str, int]], title: str) -> None:
        if not days:
            await interaction.followup.send(embed=embed)
            return
        png = await self.bot.services.charts.reactions(days, title)
        await interaction.followup.send(
            embed=embed, file=discord.File(fp=io.BytesIO(png), filename=CHART_FILENAME))

    @export.command(name="feedback", description="CSV of the server's feedback and reactions")
    @curator_only()
    async def export_feedback(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.bot.services.feedback.export_csv(guild_id)
        await interaction.followup.send(
            "The server's feedback, reactions and kudos (one row each).", ephemeral=True,
            file=discord.File(fp=io.BytesIO(data), filename=f"feedback-{guild_id}.csv"))


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(FeedbackCog(bot))
