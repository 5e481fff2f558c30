"""/recommend: stories like one you loved, by tags, or for you, each with its reasons.

The RecommendationService lives on this cog (`bot.get_cog("RecommendCog").service`, or
`await recommendation_service(client)`); /tags and /me use it from there.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import channel_is_age_restricted, guild_id_of
from bot.errors import handle_interaction_error
from bot.importers.uploads import parse_tag_list
from bot.library.errors import InvalidInput
from bot.render.recommend_card import recommendation_embed
from bot.render.story_cards import story_embed
from bot.render.text import truncate
from bot.services.recommendations import RecommendationService
from cogs.library import story_autocomplete

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
Choices = list[app_commands.Choice[str]]
COG_NAME = "RecommendCog"
EXCERPT_ACTION = "rec-excerpt"


async def recommendation_service(client: discord.Client) -> RecommendationService:
    """The bot's RecommendationService (built at start; on first use if the cog was loaded
    before the catalog opened)."""
    cog = client.get_cog(COG_NAME) if isinstance(client, commands.Bot) else None
    # Duck-typed: load_extension re-executes this module after /me and /tags imported it,
    # so the loaded cog's class is not this module's RecommendCog.
    ready = getattr(cog, "ready_service", None)
    if ready is None:
        raise InvalidInput("recommendations are not available right now")
    service: RecommendationService = await ready()
    return service


async def tag_list_autocomplete(interaction: Interaction, current: str) -> Choices:
    """Completes the last tag of a comma-separated list, keeping the ones before it."""
    *before, last = current.split(",")
    done = ", ".join(part.strip() for part in before if part.strip())
    prefix = f"{done}, " if done else ""
    names = await interaction.client.catalog.tag_choices(last.strip())
    choices: Choices = []
    for name in names:
        value = prefix + name
        if len(value) <= 100:
            choices.append(app_commands.Choice(name=truncate(value, 100), value=value))
    return choices[:25]


async def post_excerpt(interaction: Interaction, story_id: int) -> None:
    """Post a passage of the story here through /excerpt's machinery (which checks the
    channel's rating ceiling and blocked tags and records the post); the story's card when
    excerpts are not installed."""
    guild_id = guild_id_of(interaction)
    story = await interaction.client.catalog.get(story_id, guild_id)
    try:
        from cogs.excerpts import excerpt_service, send_card
    except ImportError:  # the excerpts feature is not part of this build
        excerpt_service = send_card = None  # type: ignore[assignment]
    if excerpt_service is not None and interaction.client.get_cog("Excerpts") is not None:
        excerpt = await excerpt_service(interaction.client).choose(
            guild_id, channel_is_age_restricted(interaction), story
        )
        await send_card(interaction, excerpt, ephemeral=False)
        return
    settings = await interaction.client.catalog.settings.get(guild_id)
    if story.rating not in settings.allowed_ratings(channel_is_age_restricted(interaction)):
        raise InvalidInput(f"“{truncate(story.title, 100)}” is rated {story.rating.value}: "
                           "it can only be shown in an age-restricted channel")
    await interaction.response.send_message(embed=story_embed(story, settings.warning_style))


class RecommendedExcerptButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"sb:{EXCERPT_ACTION}:(?P<story_id>\d+)",
):
    """"Excerpt of #n" under a recommendation card; keeps working after a restart."""

    def __init__(self, story_id: int, number: int | None = None) -> None:
        label = f"Excerpt of #{number}" if number is not None else "Excerpt"
        super().__init__(discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary,
            custom_id=f"sb:{EXCERPT_ACTION}:{story_id}",
        ))
        self.story_id = story_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> RecommendedExcerptButton:
        return cls(int(match["story_id"]))

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        await post_excerpt(interaction, self.story_id)

    async def on_error(self, interaction: Interaction, error: Exception,  # type: ignore[override]
                       item: discord.ui.Item[Any]) -> None:
        await handle_interaction_error(interaction, error)


class RecommendCog(commands.Cog, name=COG_NAME):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        # Other cogs: `await recommendation_service(bot)`; `service` is None until built.
        self.service: RecommendationService | None = None
        self._building = asyncio.Lock()
        self._warm_up: asyncio.Task[RecommendationService] | None = None

    async def ready_service(self) -> RecommendationService:
        async with self._building:
            if self.service is None:
                service = RecommendationService(self.bot.catalog)
                await service.start()
                self.service = service
        return self.service

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RecommendedExcerptButton)
        if hasattr(self.bot, "catalog"):
            # Index the library in the background: a big library takes seconds, and the bot
            # should be online meanwhile; commands that need the index wait for it.
            self._warm_up = asyncio.create_task(self.ready_service(), name="recommend-index")

    async def cog_unload(self) -> None:
        if self._warm_up is not None and not self._warm_up.done():
            self._warm_up.cancel()
        self.bot.remove_dynamic_items(RecommendedExcerptButton)
        if self.service is not None and self.service.refresh in self.bot.catalog.change_listeners:
            self.bot.catalog.change_listeners.remove(self.service.refresh)

    @app_commands.command(name="recommend", description="Stories picked by their tags, "
                                                        "each with the reason why")
    @app_commands.describe(
        like="A story the results should be like",
        tags="Tags every result must carry, separated by commas",
        exclude="Tags no result may carry, separated by commas",
        for_me="Pick from what you gave kudos and feedback to (shown only to you)",
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
        if self.service is None:  # still indexing a large library just after start-up
            await interaction.response.defer(ephemeral=for_me, thinking=True)
        service = await self.ready_service()
        page = await service.recommend_for(
            guild_id_of(interaction), interaction.user.id, channel_is_age_restricted(interaction),
            like=like, tags=parse_tag_list(tags), exclude=parse_tag_list(exclude),
            for_me=for_me,
        )
        view = discord.ui.View(timeout=None)
        for number, found in enumerate(page.results, start=1):
            view.add_item(RecommendedExcerptButton(found.story.id, number))
        send = (interaction.followup.send if interaction.response.is_done()
                else interaction.response.send_message)
        await send(embed=recommendation_embed(page), view=view, ephemeral=for_me)
        view.stop()  # the dynamic items answer the clicks, not this view


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(RecommendCog(bot))
