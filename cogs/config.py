"""/config: the server's settings (curators, spoilers, warnings, blocked tags, ratings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.library.errors import InvalidInput
from bot.library.guild_settings import RestrictedStories, WarningStyle
from bot.library.models import Rating
from bot.library.records import TagRow
from bot.render.guild_settings_card import settings_embed
from bot.services.gates import GateService
from bot.ui.autocomplete import RATING_CHOICES, tag_autocomplete
from bot.ui.link_settings import set_review_channel, set_updates_channel
from bot.ui.option_bounds import TagOption

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
WARNING_CHOICES = [app_commands.Choice(name="plain", value=WarningStyle.PLAIN.value),
                   app_commands.Choice(name="behind spoilers", value=WarningStyle.SPOILER.value)]
ON_OFF = [app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
RESTRICTED_CHOICES = [
    app_commands.Choice(name="title, rating and warnings only", value=RestrictedStories.CARD.value),
    app_commands.Choice(name="hide them", value=RestrictedStories.HIDE.value),
]


async def canonical_tags(gates: GateService, guild_id: int, name: str) -> list[TagRow]:
    """The tags a typed name (a tag, a synonym or this server's own name, of any kind) stands
    for in this server."""
    try:
        return await gates.tags_named(guild_id, name)
    except InvalidInput:
        raise InvalidInput(f"no tag called “{name.strip()[:100]}” in the library") from None


class ConfigCog(commands.Cog):
    config = app_commands.Group(name="config", description="This server's storybot settings",
                                guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @config.command(name="show", description="Show this server's settings")
    async def show(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        settings = await self.bot.services.guild_settings.get(guild_id)
        blocked = [row.name for row in await self.bot.services.guild_blocks.list(guild_id)]
        await interaction.response.send_message(embed=settings_embed(settings, blocked),
                                                ephemeral=True)

    @config.command(name="curator-role", description="Choose the role whose members curate")
    @app_commands.describe(role="Members with this role can add, edit and remove stories")
    @curator_only()
    async def curator_role(self, interaction: Interaction, role: discord.Role) -> None:
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        settings.curator_role_id = role.id
        await self.bot.services.guild_settings.save(settings)
        await interaction.response.send_message(
            f"Curators are now members with {role.mention} (and anyone with Manage Server).",
            ephemeral=True,
        )

    @config.command(name="spoiler-safe", description="How much of a story excerpts may come from")
    @app_commands.describe(percent="Excerpts come from the first this-many percent (default 60)")
    @curator_only()
    async def spoiler_safe(self, interaction: Interaction,
                           percent: app_commands.Range[int, 1, 100]) -> None:
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        settings.spoiler_fraction = percent / 100
        await self.bot.services.guild_settings.save(settings)
        await interaction.response.send_message(
            f"Excerpts now come from the first {percent}% of a story.", ephemeral=True)

    @config.command(name="warnings", description="Show archive warnings plainly or as spoilers")
    @app_commands.choices(style=WARNING_CHOICES)
    @curator_only()
    async def warnings(self, interaction: Interaction, style: app_commands.Choice[str]) -> None:
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        settings.warning_style = WarningStyle(style.value)
        await self.bot.services.guild_settings.save(settings)
        await interaction.response.send_message(f"Archive warnings are now shown {style.name}.",
                                                ephemeral=True)

    @config.command(name="age-restricted",
                    description="Choose whether a rating is only shown in age-restricted channels")
    @app_commands.describe(rating="The rating", restricted="True: only in age-restricted channels")
    @app_commands.choices(rating=RATING_CHOICES)
    @curator_only()
    async def age_restricted(self, interaction: Interaction, rating: app_commands.Choice[str],
                             restricted: bool) -> None:
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        chosen = Rating(rating.value)
        ratings = set(settings.age_restricted_ratings)
        ratings = ratings | {chosen} if restricted else ratings - {chosen}
        settings.age_restricted_ratings = frozenset(ratings)
        await self.bot.services.guild_settings.save(settings)
        where = "only in age-restricted channels" if restricted else "in every channel"
        await interaction.response.send_message(f"{chosen.value} stories are now shown {where}.",
                                                ephemeral=True)

    @config.command(name="updates-channel",
                    description="Where new chapters of stories added by link are announced")
    @app_commands.describe(channel="The channel (leave out to stop announcing)",
                           role="A role to ping with each announcement")
    @curator_only()
    async def updates_channel(self, interaction: Interaction,
                              channel: discord.TextChannel | None = None,
                              role: discord.Role | None = None) -> None:
        line = await set_updates_channel(interaction, channel, role)
        await interaction.response.send_message(line, ephemeral=True)

    @config.command(name="review-channel",
                    description="Where readers' suggestions wait for the curators")
    @app_commands.describe(channel="The channel (leave out: suggestions only in /story queue)")
    @curator_only()
    async def review_channel(self, interaction: Interaction,
                             channel: discord.TextChannel | None = None) -> None:
        line = await set_review_channel(interaction, channel)
        await interaction.response.send_message(line, ephemeral=True)

    @config.command(name="block-tag", description="Never show stories with this tag here")
    @app_commands.describe(tag="A tag; its synonyms are blocked with it")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @curator_only()
    async def block_tag(self, interaction: Interaction, tag: TagOption) -> None:
        guild_id = guild_id_of(interaction)
        gates = self.bot.services.gates
        rows = await canonical_tags(gates, guild_id, tag)
        await gates.block(guild_id, rows)
        overlay = await gates.overlay(guild_id)
        names = ", ".join(overlay.name_of(row) for row in rows)
        await interaction.response.send_message(
            f"Blocked {names}: stories with it (or a synonym) are no longer shown here.",
            ephemeral=True)

    @config.command(name="unblock-tag", description="Allow a blocked tag again")
    @app_commands.describe(tag="A blocked tag")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @curator_only()
    async def unblock_tag(self, interaction: Interaction, tag: TagOption) -> None:
        guild_id = guild_id_of(interaction)
        gates = self.bot.services.gates
        rows = await canonical_tags(gates, guild_id, tag)
        overlay = await gates.overlay(guild_id)
        removed = [overlay.name_of(row) for row in await gates.unblock(guild_id, rows)]
        text = (f"Unblocked {', '.join(removed)}." if removed
                else f"“{tag.strip()[:100]}” was not blocked.")
        await interaction.response.send_message(text, ephemeral=True)

    @config.command(name="demo-library",
                    description="Include the bundled demo stories in this server's library")
    @app_commands.describe(state="off: only the stories this server added")
    @app_commands.choices(state=ON_OFF)
    @curator_only()
    async def demo_library(self, interaction: Interaction,
                           state: app_commands.Choice[str]) -> None:
        guild_id = guild_id_of(interaction)
        settings = await self.bot.services.guild_settings.get(guild_id)
        settings.demo_library = state.value == "on"
        await self.bot.services.guild_settings.save(settings)
        text = ("The demo library is part of this server's library again." if settings.demo_library
                else "The demo library is hidden here: only this server's own stories are "
                     "shown (nothing was deleted; turn it back on any time).")
        await interaction.response.send_message(text, ephemeral=True)

    @config.command(name="restricted-stories",
                    description="How age-restricted stories appear outside age-restricted "
                                "channels")
    @app_commands.describe(show="A card with title, rating and warnings only, or not at all")
    @app_commands.choices(show=RESTRICTED_CHOICES)
    @curator_only()
    async def restricted_stories(self, interaction: Interaction,
                                 show: app_commands.Choice[str]) -> None:
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        settings.restricted_stories = RestrictedStories(show.value)
        await self.bot.services.guild_settings.save(settings)
        text = ("Outside age-restricted channels, such stories are now hidden entirely."
                if settings.restricted_stories is RestrictedStories.HIDE
                else "Outside age-restricted channels, such stories now show their title, "
                     "rating and warnings only.")
        await interaction.response.send_message(text, ephemeral=True)

    @config.command(name="blocked-tags", description="List the tags this server blocks")
    async def blocked_tags(self, interaction: Interaction) -> None:
        rows = await self.bot.services.guild_blocks.list(guild_id_of(interaction))
        text = ("Blocked tags: " + ", ".join(row.name for row in rows)) if rows else (
            "No tags are blocked here.")
        await interaction.response.send_message(text[:2000], ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(ConfigCog(bot))
