"""The feedback buttons (persistent dynamic items), the stars-and-comment modal, and the
/me forget and /me bookmarks buttons. Each answers the clicker privately in one line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeAlias

import discord

from bot.errors import handle_interaction_error
from bot.library.feedback import MAX_COMMENT_LENGTH, MAX_STARS, MIN_STARS
from bot.render.text import truncate
from bot.services.feedback import FeedbackService

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"
FEEDBACK_COG = "FeedbackCog"


def service_of(interaction: Interaction) -> FeedbackService:
    cog: Any = interaction.client.get_cog(FEEDBACK_COG)
    if cog is None:
        raise RuntimeError("the feedback cog is not loaded")
    service: FeedbackService = cog.service
    return service


async def story_title(interaction: Interaction, story_id: int) -> str:
    story = await interaction.client.catalog.get(story_id, interaction.guild_id)
    return truncate(story.title, 100)


class _GuardedItem(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """Runs `act` and turns any error into the one private line the error handler chooses."""

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        try:
            await self.act(interaction)
        except Exception as error:  # noqa: BLE001 - shown as one line, bugs are logged
            await handle_interaction_error(interaction, error)

    async def act(self, interaction: Interaction) -> None:
        raise NotImplementedError


class KudosButton(_GuardedItem, template=r"sb:kudos:(?P<passage_id>\d+)"):
    def __init__(self, passage_id: int) -> None:
        super().__init__(discord.ui.Button(label="Kudos", emoji="\N{HEAVY BLACK HEART}",
                                           custom_id=f"sb:kudos:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> KudosButton:
        return cls(int(match["passage_id"]))

    async def act(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        story_id = await service.story_of_passage(self.passage_id)
        title = await story_title(interaction, story_id)
        given = await service.toggle_kudos(interaction.guild_id, interaction.user.id, story_id)
        line = f"You left kudos on {title}." if given else f"You took back your kudos on {title}."
        await interaction.response.send_message(line, ephemeral=True)


class BookmarkButton(_GuardedItem, template=r"sb:bookmark:(?P<passage_id>\d+)"):
    def __init__(self, passage_id: int) -> None:
        super().__init__(discord.ui.Button(label="Bookmark", emoji="\N{BOOKMARK}",
                                           custom_id=f"sb:bookmark:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> BookmarkButton:
        return cls(int(match["passage_id"]))

    async def act(self, interaction: Interaction) -> None:
        service = service_of(interaction)
        story_id = await service.story_of_passage(self.passage_id)
        title = await story_title(interaction, story_id)
        kept = await service.toggle_bookmark(interaction.guild_id, interaction.user.id,
                                             self.passage_id)
        line = (f"Bookmarked this passage of {title} (see /me bookmarks)." if kept
                else f"Removed your bookmark on this passage of {title}.")
        await interaction.response.send_message(line, ephemeral=True)


class FeedbackModal(discord.ui.Modal):
    """Stars and an optional comment, about one passage or (passage_id None) a whole story."""

    def __init__(self, story_id: int, passage_id: int | None, title: str,
                 stars: int | None = None, comment: str = "") -> None:
        super().__init__(title=truncate(f"Feedback: {title}", 45),
                         custom_id=f"sb-modal:feedback:{story_id}:{passage_id or 0}")
        self.story_id = story_id
        self.passage_id = passage_id
        self.stars: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=f"Stars ({MIN_STARS}-{MAX_STARS})", custom_id="stars", max_length=1,
            placeholder="5", default=str(stars) if stars else None)
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Comment (optional)", custom_id="comment", style=discord.TextStyle.paragraph,
            required=False, max_length=MAX_COMMENT_LENGTH, default=comment or None)
        self.add_item(self.stars)
        self.add_item(self.comment)

    @classmethod
    async def for_reader(cls, interaction: Interaction, story_id: int,
                         passage_id: int | None) -> FeedbackModal:
        """The modal, filled in with what this reader said before (feedback is editable)."""
        earlier = await service_of(interaction).feedback_of(interaction.user.id, story_id,
                                                            passage_id)
        title = await story_title(interaction, story_id)
        return cls(story_id, passage_id, title, earlier.stars if earlier else None,
                   earlier.comment if earlier else "")

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        entry = await service_of(interaction).save_feedback(
            interaction.guild_id, interaction.user.id, self.story_id, self.passage_id,
            self.stars.value, self.comment.value)
        about = "this passage" if self.passage_id else "this story"
        note = " and your comment" if entry.comment else ""
        await interaction.response.send_message(
            f"Thanks! Saved {entry.stars}★{note} for {about}.", ephemeral=True)

    async def on_error(self, interaction: Interaction, error: Exception  # type: ignore[override]
                       ) -> None:
        await handle_interaction_error(interaction, error)


class FeedbackButton(_GuardedItem, template=r"sb:feedback:(?P<passage_id>\d+)"):
    def __init__(self, passage_id: int) -> None:
        super().__init__(discord.ui.Button(label="Feedback", emoji="\N{MEMO}",
                                           custom_id=f"sb:feedback:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> FeedbackButton:
        return cls(int(match["passage_id"]))

    async def act(self, interaction: Interaction) -> None:
        story_id = await service_of(interaction).story_of_passage(self.passage_id)
        await interaction.response.send_modal(
            await FeedbackModal.for_reader(interaction, story_id, self.passage_id))


def feedback_buttons(passage_id: int) -> list[discord.ui.Item[Any]]:
    """The three feedback buttons for an excerpt card."""
    return [KudosButton(passage_id), BookmarkButton(passage_id), FeedbackButton(passage_id)]
