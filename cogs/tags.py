"""/tags: the tags in use here, and AO3-style wrangling by curators (merge, rename)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only
from bot.library.models import TagKind
from bot.services.tag_lookup import shown
from bot.ui.autocomplete import TAG_KIND_CHOICES, tag_autocomplete
from bot.ui.story_buttons import tag_list_message

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
TagName = app_commands.Range[str, 1, 100]


def _kind(choice: app_commands.Choice[str] | None) -> TagKind | None:
    return TagKind(choice.value) if choice else None


class TagsCog(commands.Cog):
    tags = app_commands.Group(name="tags", description="The library's tags", guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @tags.command(name="list", description="Tags in use here, with how many stories carry them")
    @app_commands.describe(kind="Only tags of this kind")
    @app_commands.choices(kind=TAG_KIND_CHOICES)
    async def list_(self, interaction: Interaction,
                    kind: app_commands.Choice[str] | None = None) -> None:
        embed, view = await tag_list_message(interaction, _kind(kind), 0)
        await interaction.response.send_message(embed=embed, view=view)

    @tags.command(name="merge", description="Make one tag a synonym of another (nothing is lost)")
    @app_commands.describe(from_="The tag that becomes a synonym", into="The tag to keep",
                           kind="Kind of both tags, when a name is used by several kinds")
    @app_commands.rename(from_="from")
    @app_commands.autocomplete(from_=tag_autocomplete, into=tag_autocomplete)
    @app_commands.choices(kind=TAG_KIND_CHOICES)
    @curator_only()
    async def merge(self, interaction: Interaction, from_: TagName, into: TagName,
                    kind: app_commands.Choice[str] | None = None) -> None:
        service = await self.bot.services.recommendations.ready()
        source, target, stories = await service.merge_tags(from_, into, _kind(kind))
        await interaction.response.send_message(
            f"Merged “{shown(source.name)}” into “{shown(target.name)}” ({target.kind.value}): "
            f"{stories} stor{'y' if stories == 1 else 'ies'} now count as "
            f"“{shown(target.name)}”; the old name is kept as a synonym.",
            ephemeral=True,
        )

    @tags.command(name="rename", description="Change a tag's display name")
    @app_commands.describe(tag="The tag to rename", new_name="Its new name",
                           kind="Kind of the tag, when a name is used by several kinds")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @app_commands.choices(kind=TAG_KIND_CHOICES)
    @curator_only()
    async def rename(self, interaction: Interaction, tag: TagName, new_name: TagName,
                     kind: app_commands.Choice[str] | None = None) -> None:
        service = await self.bot.services.recommendations.ready()
        renamed, stories = await service.rename_tag(tag, new_name, _kind(kind))
        await interaction.response.send_message(
            f"Renamed the {renamed.kind.value} tag to “{shown(renamed.name)}” "
            f"({stories} stor{'y' if stories == 1 else 'ies'}).",
            ephemeral=True,
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(TagsCog(bot))
