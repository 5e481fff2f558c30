"""/me: what storybot keeps about you, and your own tag blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.importers.text_rules import escape_markdown
from bot.render.stats import FORGET_WARNING
from bot.services.tag_lookup import shown
from bot.ui.autocomplete import tag_autocomplete
from bot.ui.me_buttons import bookmarks_message, forget_view
from bot.ui.suggestion_buttons import suggestions_text

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
TagName = app_commands.Range[str, 1, 100]


class MeCog(commands.Cog, name="Me"):
    me = app_commands.Group(name="me", description="Your own settings and data")

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    # -- tag blocks: never recommended to you, in any server ---------------------------

    @me.command(name="block", description="Never recommend me stories with this tag")
    @app_commands.describe(tag="A tag (synonyms count too)")
    @app_commands.autocomplete(tag=tag_autocomplete)
    async def block(self, interaction: Interaction, tag: TagName) -> None:
        service = await self.bot.services.recommendations.ready()
        blocked = await service.block(interaction.user.id, tag)
        if blocked:
            names = ", ".join(f"“{shown(row.name)}” ({row.kind.value})" for row in blocked)
            text = f"Blocked {names}: you won't be recommended stories with it."
        else:
            text = f"You had already blocked “{shown(tag)}”."
        await interaction.response.send_message(text, ephemeral=True)

    @me.command(name="unblock", description="Allow a tag you blocked again")
    @app_commands.describe(tag="A tag you blocked")
    @app_commands.autocomplete(tag=tag_autocomplete)
    async def unblock(self, interaction: Interaction, tag: TagName) -> None:
        service = await self.bot.services.recommendations.ready()
        unblocked = await service.unblock(interaction.user.id, tag)
        text = (f"Unblocked “{shown(unblocked[0].name)}”." if unblocked
                else f"You had not blocked “{shown(tag)}”.")
        await interaction.response.send_message(text, ephemeral=True)

    @me.command(name="blocks", description="The tags you blocked")
    async def blocks(self, interaction: Interaction) -> None:
        service = await self.bot.services.recommendations.ready()
        rows = await service.blocks(interaction.user.id)
        if not rows:
            text = "You have not blocked any tag. Use /me block to hide one from your results."
        else:
            lines = [f"- {escape_markdown(shown(row.name))} ({row.kind.value})" for row in rows]
            text = "Your blocked tags:\n" + "\n".join(lines)
        await interaction.response.send_message(text[:2000], ephemeral=True)

    # -- feedback data (the feedback engineer's; logic in bot/render/me_ui.py) -----------

    @me.command(name="bookmarks", description="The passages you bookmarked")
    async def bookmarks(self, interaction: Interaction) -> None:
        embed, view = await bookmarks_message(interaction, 0)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @me.command(name="suggestions", description="The works you suggested and their outcome")
    async def suggestions(self, interaction: Interaction) -> None:
        await interaction.response.send_message(await suggestions_text(interaction),
                                                ephemeral=True)

    @me.command(name="forget", description="Delete everything storybot keeps about you")
    async def forget(self, interaction: Interaction) -> None:
        await interaction.response.send_message(
            FORGET_WARNING, view=forget_view(interaction.user.id), ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(MeCog(bot))
