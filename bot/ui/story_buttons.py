"""Buttons on /story and /tags replies: a story's full notes, the confirmation that
removes a story, and the pages of the tag list. All persistent (see persistent.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.library.errors import PermissionDenied
from bot.library.models import Story, TagKind
from bot.library.recommend import TagUse
from bot.render.recommend_card import tag_list_embed, tag_page_starts
from bot.render.story_notes import notes_embed
from bot.render.text import truncate
from bot.ui.context import guild_id_of, services_of
from bot.ui.persistent import PersistentButton, sent_view

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"

# A tag kind in a custom id: 0 for every kind, else its place in TagKind plus one.
_KINDS: list[TagKind | None] = [None, *TagKind]


class NotesButton(PersistentButton, action="notes", fields=("story_id",)):
    """Opens a story's notes in full, privately, for whoever clicks."""
    label, emoji = "Notes", "📝"

    async def act(self, interaction: Interaction) -> None:
        story = await services_of(interaction).catalog.get(self.values["story_id"],
                                                           guild_id_of(interaction))
        await interaction.response.send_message(embed=notes_embed(story), ephemeral=True)


class RemoveStoryButton(PersistentButton, action="remove-story", fields=("story_id", "user_id")):
    """The second step of /story remove: only the curator who asked may confirm."""
    label, style = "Remove it", discord.ButtonStyle.danger

    async def act(self, interaction: Interaction) -> None:
        from bot.checks import NotCurator, member_is_curator  # bot.checks imports bot.ui

        if interaction.user.id != self.values["user_id"]:
            raise PermissionDenied("This confirmation belongs to someone else's command.")
        if not await member_is_curator(interaction):
            raise NotCurator()
        removed = await services_of(interaction).catalog.remove(self.values["story_id"],
                                                               guild_id_of(interaction))
        await interaction.response.edit_message(
            content=f"Removed story {removed.id}: {truncate(removed.title, 200)}", view=None)


def notes_view(story: Story) -> discord.ui.View:
    return sent_view(NotesButton.button(story.id))


def remove_view(story: Story, user_id: int) -> discord.ui.View:
    return sent_view(RemoveStoryButton.button(story.id, user_id))


class TagsPageButton(PersistentButton, action="tags", fields=("user_id", "kind", "page")):
    """Turns the page of /tags list: in place for whoever ran it, privately for others
    (so one reader's paging never moves the list under everyone else)."""

    async def act(self, interaction: Interaction) -> None:
        kind_code = self.values["kind"]
        kind = _KINDS[kind_code] if kind_code < len(_KINDS) else None
        embed, view = await tag_list_message(interaction, kind, self.values["page"])
        if interaction.user.id == self.values["user_id"]:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


async def tag_list_message(interaction: Interaction, kind: TagKind | None, page: int
                           ) -> tuple[discord.Embed, discord.ui.View]:
    service = await services_of(interaction).recommendations.ready()
    uses = await service.tag_list(guild_id_of(interaction), kind)
    starts = _page_starts(uses, kind)
    pages = len(starts)
    page = min(max(page, 0), pages - 1)
    turns = TagsPageButton.page_turns(interaction.user.id, _KINDS.index(kind), page=page,
                                      pages=pages)
    return tag_list_embed(uses, kind, page, starts), sent_view(*turns)


# The page starts of the last tag lists, by the list itself (the service hands out the same
# list until it changes): a page button then writes only its own page's lines.
_STARTS_KEPT = 4
_kept_starts: list[tuple[list[TagUse], TagKind | None, list[int]]] = []


def _page_starts(uses: list[TagUse], kind: TagKind | None) -> list[int]:
    for kept_uses, kept_kind, starts in _kept_starts:
        if kept_uses is uses and kept_kind is kind:
            return starts
    starts = tag_page_starts(uses, kind)
    _kept_starts.insert(0, (uses, kind, starts))
    del _kept_starts[_STARTS_KEPT:]
    return starts
