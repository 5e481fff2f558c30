"""The stars-and-comment modal, about one passage or (passage_id None) a whole story."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import discord

from bot.errors import handle_interaction_error
from bot.library.feedback import MAX_COMMENT_LENGTH, MAX_STARS, MIN_STARS
from bot.render.text import truncate
from bot.ui.context import guild_id_of, services_of

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


class FeedbackModal(discord.ui.Modal):
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
        services = services_of(interaction)
        earlier = await services.feedback.feedback_of(interaction.user.id, story_id, passage_id)
        story = await services.catalog.get(story_id, guild_id_of(interaction))
        return cls(story_id, passage_id, truncate(story.title, 100),
                   earlier.stars if earlier else None, earlier.comment if earlier else "")

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        entry = await services_of(interaction).feedback.save_feedback(
            interaction.guild_id, interaction.user.id, self.story_id, self.passage_id,
            self.stars.value, self.comment.value)
        about = "this passage" if self.passage_id else "this story"
        note = " and your comment" if entry.comment else ""
        await interaction.response.send_message(
            f"Thanks! Saved {entry.stars}★{note} for {about}.", ephemeral=True)

    async def on_error(self, interaction: Interaction, error: Exception  # type: ignore[override]
                       ) -> None:
        await handle_interaction_error(interaction, error)
