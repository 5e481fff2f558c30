"""/me forget's confirm button and /me bookmarks' pages: buttons only their owner may use."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.library.errors import PermissionDenied
from bot.render.stats import bookmarks_embed, forget_summary
from bot.ui.context import guild_id_of, services_of
from bot.ui.persistent import PersistentButton, sent_view

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


def _only_for(interaction: Interaction, user_id: int) -> None:
    if interaction.user.id != user_id:
        raise PermissionDenied("These buttons belong to someone else's command.")


class ForgetButton(PersistentButton, action="forget", fields=("user_id",)):
    label, style = "Delete my data", discord.ButtonStyle.danger

    async def act(self, interaction: Interaction) -> None:
        user_id = self.values["user_id"]
        _only_for(interaction, user_id)
        touched = await services_of(interaction).feedback.forget(user_id)
        await interaction.response.edit_message(content=forget_summary(touched), view=None)


class BookmarksPageButton(PersistentButton, action="bookmarks", fields=("user_id", "page")):
    async def act(self, interaction: Interaction) -> None:
        _only_for(interaction, self.values["user_id"])
        embed, view = await bookmarks_message(interaction, self.values["page"])
        await interaction.response.edit_message(embed=embed, view=view)


def forget_view(user_id: int) -> discord.ui.View:
    return sent_view(ForgetButton.button(user_id))


async def bookmarks_message(interaction: Interaction, page: int
                            ) -> tuple[discord.Embed, discord.ui.View]:
    user_id = interaction.user.id
    rows, page, pages = await services_of(interaction).feedback.bookmarks_page(
        user_id, guild_id_of(interaction), page)
    turns = BookmarksPageButton.page_turns(user_id, page=page, pages=pages)
    return bookmarks_embed(rows, page, pages), sent_view(*turns)
