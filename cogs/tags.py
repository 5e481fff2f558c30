"""/tags: the tags in use here, and AO3-style wrangling by curators (merge, rename)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.library.models import TagKind
from bot.services.tag_lookup import shown
from bot.services.wrangling import Wrangled
from bot.ui.autocomplete import TAG_KIND_CHOICES, tag_autocomplete
from bot.ui.story_buttons import tag_list_message

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
TagName = app_commands.Range[str, 1, 100]


def _kind(choice: app_commands.Choice[str] | None) -> TagKind | None:
    return TagKind(choice.value) if choice else None


def _stories(count: int) -> str:
    return f"{count} stor{'y' if count == 1 else 'ies'}"


def merged_line(done: Wrangled) -> str:
    return (f"Merged “{shown(done.source)}” into “{shown(done.target)}” ({done.kind.value}) "
            f"in this server: {_stories(done.stories)} here now count as "
            f"“{shown(done.target)}”; the old name is kept as a synonym. Other servers are "
            "not affected.")


class TagsCog(commands.Cog):
    """Curators wrangle their own server's view of the shared tags; the shared vocabulary
    itself is the operator's (`storybot tags rename|merge`)."""

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
        done = await service.wrangling.merge_here(guild_id_of(interaction), from_, into,
                                                  _kind(kind))
        await interaction.response.send_message(merged_line(done), ephemeral=True)

    @tags.command(name="rename", description="Change a tag's name in this server")
    @app_commands.describe(tag="The tag to rename", new_name="Its new name",
                           kind="Kind of the tag, when a name is used by several kinds")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @app_commands.choices(kind=TAG_KIND_CHOICES)
    @curator_only()
    async def rename(self, interaction: Interaction, tag: TagName, new_name: TagName,
                     kind: app_commands.Choice[str] | None = None) -> None:
        service = await self.bot.services.recommendations.ready()
        done = await service.wrangling.rename_here(guild_id_of(interaction), tag, new_name,
                                                   _kind(kind))
        text = (f"Renamed the {done.kind.value} tag “{shown(done.source)}” to "
                f"“{shown(done.target)}” in this server ({_stories(done.stories)}); "
                "other servers keep its name.")
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(TagsCog(bot))
