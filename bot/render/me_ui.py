"""/me bookmarks (paged) and /me forget (with a confirm button): the reader's own data."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeAlias

import discord

from bot.checks import guild_id_of
from bot.library.errors import PermissionDenied
from bot.render.feedback_ui import _GuardedItem, service_of
from bot.render.stats import bookmarks_embed

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"

FORGET_WARNING = ("This deletes everything storybot keeps about you in every server: reactions, "
                  "kudos, bookmarks, feedback and tag blocks; stories and posts you added stay, "
                  "without your name. It cannot be undone.")


def _only_for(interaction: Interaction, user_id: int) -> None:
    if interaction.user.id != user_id:
        raise PermissionDenied("These buttons belong to someone else's command.")


class ForgetButton(_GuardedItem, template=r"sb:forget:(?P<user_id>\d+)"):
    def __init__(self, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="Delete my data", style=discord.ButtonStyle.danger,
                                           custom_id=f"sb:forget:{user_id}"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ForgetButton:
        return cls(int(match["user_id"]))

    async def act(self, interaction: Interaction) -> None:
        _only_for(interaction, self.user_id)
        touched = await service_of(interaction).forget(self.user_id)
        await interaction.response.edit_message(content=forget_summary(touched), view=None)


def forget_summary(touched: dict[str, int]) -> str:
    if not touched:
        return "Done: there was nothing about you to delete."
    total = sum(touched.values())
    parts = ", ".join(f"{table} {count}" for table, count in sorted(touched.items()))
    return f"Done: deleted or cleared {total} row{'s' if total != 1 else ''} ({parts})."


def forget_view(user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetButton(user_id))
    return view


class BookmarksPageButton(_GuardedItem,
                          template=r"sb:bookmarks:(?P<user_id>\d+):(?P<page>\d+):(?P<label>\w+)"):
    def __init__(self, user_id: int, page: int, label: str, *, disabled: bool = False) -> None:
        text = "Previous" if label == "prev" else "Next"
        super().__init__(discord.ui.Button(label=text, disabled=disabled,
                                           custom_id=f"sb:bookmarks:{user_id}:{page}:{label}"))
        self.user_id = user_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> BookmarksPageButton:
        return cls(int(match["user_id"]), int(match["page"]), match["label"])

    async def act(self, interaction: Interaction) -> None:
        _only_for(interaction, self.user_id)
        embed, view = await bookmarks_message(interaction, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


async def bookmarks_message(interaction: Interaction, page: int
                            ) -> tuple[discord.Embed, discord.ui.View]:
    user_id = interaction.user.id
    rows, page, pages = await service_of(interaction).bookmarks_page(
        user_id, guild_id_of(interaction), page)
    view = discord.ui.View(timeout=None)
    if pages > 1:
        view.add_item(BookmarksPageButton(user_id, max(0, page - 1), "prev", disabled=page == 0))
        view.add_item(BookmarksPageButton(user_id, min(pages - 1, page + 1), "next",
                                          disabled=page >= pages - 1))
    return bookmarks_embed(rows, page, pages), view
