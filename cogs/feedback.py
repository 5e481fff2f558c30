"""Reactions, feedback buttons, /feedback, /stats and /export feedback."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.library.feedback import emoji_key, is_author
from bot.render.feedback_ui import (
    BookmarkButton,
    FeedbackButton,
    FeedbackModal,
    KudosButton,
)
from bot.render.me_ui import BookmarksPageButton, ForgetButton
from bot.render.stats import (
    CHART_FILENAME,
    guild_stats_embed,
    render_chart,
    story_stats_embed,
)
from bot.services.feedback import FeedbackService
from bot.services.reaction_writer import FeedbackWriter
from bot.store.database import connect
from cogs.library import story_autocomplete

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger("storybot.feedback")
Interaction = discord.Interaction["StoryBot"]
DYNAMIC_ITEMS = (KudosButton, BookmarkButton, FeedbackButton, ForgetButton, BookmarksPageButton)


def member_names(user: discord.User | discord.Member) -> list[str | None]:
    return [user.display_name, user.global_name, user.name]


class FeedbackCog(commands.Cog):
    export = app_commands.Group(name="export", description="Download the server's data",
                                guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self._service: FeedbackService | None = None

    @property
    def service(self) -> FeedbackService:
        if self._service is None:
            raise RuntimeError("feedback is not running (the bot has no library open)")
        return self._service

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        if not hasattr(self.bot, "catalog"):  # cogs loaded without a library (a test): no data
            return
        db = self.bot.settings.storybot_db
        if str(db) == ":memory:":  # one in-memory database: share the catalog's connection
            writer = FeedbackWriter(self.bot.catalog.conn)
        else:  # its own connection (own thread), so batches never interleave other writes
            writer = FeedbackWriter(await connect(db), owns_connection=True)
        writer.start()
        service = FeedbackService(self.bot.catalog.conn, writer, self.bot.clock)
        try:
            await service.load_known_posts()
        except BaseException:
            await writer.close()  # never leave the writer's thread behind
            raise
        self._service = service
        self.wire_into_other_services()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        if self._service is not None:
            await self._service.writer.close()  # everything queued is committed first
            self._service = None

    def wire_into_other_services(self) -> None:
        """Give the excerpt and recommendation services our data, if they are loaded (their
        cogs may load after this one, so on_ready does it again)."""
        if self._service is None:
            return
        hooks = {"passage_weights": self._service.passage_weights,
                 "profile_source": self._service.reader_profile}
        for cog in self.bot.cogs.values():
            if cog is self:
                continue
            try:
                exposed = getattr(cog, "service", None)
            except Exception:  # noqa: BLE001 - another cog's lazy service may not be ready
                exposed = None
            for value in (exposed, *vars(cog).values()):
                if value is None or not type(value).__module__.startswith("bot.services"):
                    continue
                for attribute, hook in hooks.items():
                    if hasattr(value, attribute):
                        setattr(value, attribute, hook)
                        log.info("feedback feeds %s.%s", type(value).__name__, attribute)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self.wire_into_other_services()

    # ----- raw reactions (work for messages in no cache)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        if self._service is None or (payload.emoji.name is None and payload.emoji.id is None):
            return
        await self.service.reaction(
            payload.message_id, payload.user_id, emoji_key(payload.emoji.name, payload.emoji.id),
            added=added, message_author_id=payload.message_author_id,
            bot_user_id=self.bot.user.id if self.bot.user else None)

    # ----- commands

    @app_commands.command(name="feedback", description="Rate a story and leave a comment")
    @app_commands.describe(story="Start typing a title")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def feedback(self, interaction: Interaction, story: str) -> None:
        found = await self.bot.catalog.resolve(story, guild_id_of(interaction))
        await interaction.response.send_modal(
            await FeedbackModal.for_reader(interaction, found.id, None))

    @app_commands.command(name="stats", description="How a story (or the server) is received")
    @app_commands.describe(story="A story; leave empty for the server's most-loved")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def stats(self, interaction: Interaction, story: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        if story is None:
            await self._guild_stats(interaction, guild_id)
            return
        found = await self.bot.catalog.resolve(story, guild_id)
        author = is_author(member_names(interaction.user), found.authors)
        # Comments are for the author's eyes only, so their answer is private.
        await interaction.response.defer(ephemeral=author, thinking=True)
        stats = await self.service.story_stats(guild_id, found.id, with_comments=author)
        embed = story_stats_embed(found.title, stats, is_author=author)
        await self._send_with_chart(interaction, embed, stats.days, found.title)

    async def _guild_stats(self, interaction: Interaction, guild_id: int) -> None:
        await interaction.response.defer(thinking=True)
        titles = await self.bot.catalog.titles(guild_id)
        stats = await self.service.guild_stats(guild_id, titles)
        await self._send_with_chart(interaction, guild_stats_embed(stats, titles), stats.days,
                                    "Reactions in this server")

    async def _send_with_chart(self, interaction: Interaction, embed: discord.Embed,
                               days: list[tuple[str, int]], title: str) -> None:
        if not days:
            await interaction.followup.send(embed=embed)
            return
        png = await asyncio.to_thread(render_chart, days, title)  # matplotlib is blocking
        await interaction.followup.send(
            embed=embed, file=discord.File(fp=io.BytesIO(png), filename=CHART_FILENAME))

    @export.command(name="feedback", description="CSV of the server's feedback and reactions")
    @curator_only()
    async def export_feedback(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.service.export_csv(guild_id)
        await interaction.followup.send(
            "The server's feedback, reactions and kudos (one row each).", ephemeral=True,
            file=discord.File(fp=io.BytesIO(data), filename=f"feedback-{guild_id}.csv"))


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(FeedbackCog(bot))
