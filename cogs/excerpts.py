"""/excerpt and the card's own buttons: Next passage and Discuss (they survive restarts)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import channel_is_age_restricted, guild_id_of
from bot.errors import handle_interaction_error
from bot.library.errors import InvalidInput
from bot.render.excerpt_card import discuss_id, excerpt_embed, excerpt_view, next_id, sent
from bot.services.discussion import open_discussion
from bot.services.excerpts import Excerpt, ExcerptService
from bot.store.daily import DailyRepository
from cogs.library import story_autocomplete

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
COG_NAME = "Excerpts"


def excerpt_service(client: discord.Client) -> ExcerptService:
    """The one ExcerptService, kept by the loaded excerpts cog. Found by name, not by class:
    loading an extension re-imports its module, so the class seen here may be another copy."""
    cog = client.get_cog(COG_NAME) if isinstance(client, commands.Bot) else None
    service = getattr(cog, "service", None)
    if not isinstance(service, ExcerptService):
        raise InvalidInput("excerpts are not available right now")
    return service


async def send_card(interaction: Interaction, excerpt: Excerpt, *, ephemeral: bool) -> None:
    """Answer with the card and record the message it became."""
    view = excerpt_view(excerpt.passage, discuss=not ephemeral)
    callback = await interaction.response.send_message(
        embed=excerpt_embed(excerpt.story, excerpt.passage, excerpt.settings.warning_style),
        view=view, ephemeral=ephemeral,
    )
    sent(view)
    if callback.message_id is None:  # pragma: no cover - a message callback names its message
        return
    await excerpt_service(interaction.client).record_post(
        message_id=callback.message_id, guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0, excerpt=excerpt, posted_by=interaction.user.id,
    )


class _PassageButton:
    """What the card's buttons share (a mixin: each DynamicItem subclass gives its own
    template). discord.py only logs a DynamicItem callback's exception, so errors are
    turned into the one private line here."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.act(interaction)
        except Exception as error:
            await handle_interaction_error(interaction, error)

    async def act(self, interaction: Interaction) -> None:
        raise NotImplementedError


class NextPassageButton(_PassageButton, discord.ui.DynamicItem[discord.ui.Button[Any]],
                        template=r"sb:next:(?P<pid>\d+)"):
    def __init__(self, passage_id: int) -> None:
        super().__init__(discord.ui.Button(label="Next passage", custom_id=next_id(passage_id)))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> NextPassageButton:
        return cls(int(match["pid"]))

    async def act(self, interaction: Interaction) -> None:
        following = await excerpt_service(interaction.client).following(
            self.passage_id, guild_id_of(interaction), channel_is_age_restricted(interaction)
        )
        await send_card(interaction, following, ephemeral=True)


class DiscussButton(_PassageButton, discord.ui.DynamicItem[discord.ui.Button[Any]],
                    template=r"sb:discuss:(?P<pid>\d+)"):
    def __init__(self, passage_id: int) -> None:
        super().__init__(discord.ui.Button(label="Discuss", custom_id=discuss_id(passage_id)))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DiscussButton:
        return cls(int(match["pid"]))

    async def act(self, interaction: Interaction) -> None:
        message = interaction.message
        if message is None or message.flags.ephemeral:
            raise InvalidInput("only a card posted in the channel can be discussed")
        service = excerpt_service(interaction.client)
        guild_id = guild_id_of(interaction)
        excerpt = await service.excerpt(self.passage_id, guild_id)
        if await service.posts.get(message.id) is None:  # a card from before posts were kept
            await service.record_post(message_id=message.id, guild_id=guild_id,
                                      channel_id=message.channel.id, excerpt=excerpt)
        thread, created = await open_discussion(
            message, excerpt, service.posts, DailyRepository(service.catalog.conn)
        )
        verb = "Opened a discussion" if created else "The discussion is"
        await interaction.response.send_message(f"{verb} here: <#{thread.id}>", ephemeral=True)


class ExcerptsCog(commands.Cog, name=COG_NAME):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self._service: ExcerptService | None = None

    @property
    def service(self) -> ExcerptService:
        """Built on first use: the catalog opens in setup_hook, before cogs load."""
        if self._service is None:
            self._service = ExcerptService(self.bot.catalog, self.bot.clock)
        return self._service

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(NextPassageButton, DiscussButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NextPassageButton, DiscussButton)

    @app_commands.command(name="excerpt", description="Post a passage from the library")
    @app_commands.describe(story="A story to read from (default: any)",
                           private="Show it only to you")
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.guild_only()
    async def excerpt(self, interaction: Interaction, story: str | None = None,
                      private: bool = False) -> None:
        guild_id = guild_id_of(interaction)
        chosen_story = await self.bot.catalog.resolve(story, guild_id) if story else None
        excerpt = await self.service.choose(guild_id, channel_is_age_restricted(interaction),
                                            chosen_story)
        await send_card(interaction, excerpt, ephemeral=private)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(ExcerptsCog(bot))
