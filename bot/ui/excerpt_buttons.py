"""The excerpt card's buttons (Kudos, Bookmark, Feedback, Next passage, Discuss), the
recommendation card's "Excerpt" buttons, and sending a card as an interaction's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.library.errors import InvalidInput
from bot.library.models import Passage
from bot.render.excerpt_card import excerpt_embed
from bot.render.text import truncate
from bot.services.discussion import open_discussion
from bot.services.excerpts import Excerpt
from bot.ui.context import channel_is_age_restricted, guild_id_of, services_of
from bot.ui.feedback_modal import FeedbackModal
from bot.ui.persistent import PersistentButton, sent_view

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


class KudosButton(PersistentButton, action="kudos", fields=("passage_id",)):
    label, emoji, style = "Kudos", "\N{HEAVY BLACK HEART}", discord.ButtonStyle.success

    async def act(self, interaction: Interaction) -> None:
        services = services_of(interaction)
        story_id = await services.feedback.story_of_passage(self.values["passage_id"])
        title = await _story_title(interaction, story_id)
        given = await services.feedback.toggle_kudos(interaction.guild_id, interaction.user.id,
                                                     story_id)
        line = f"You left kudos on {title}." if given else f"You took back your kudos on {title}."
        await interaction.response.send_message(line, ephemeral=True)


class BookmarkButton(PersistentButton, action="bookmark", fields=("passage_id",)):
    label, emoji = "Bookmark", "\N{BOOKMARK}"

    async def act(self, interaction: Interaction) -> None:
        services = services_of(interaction)
        passage_id = self.values["passage_id"]
        story_id = await services.feedback.story_of_passage(passage_id)
        title = await _story_title(interaction, story_id)
        kept = await services.feedback.toggle_bookmark(interaction.guild_id,
                                                       interaction.user.id, passage_id)
        line = (f"Bookmarked this passage of {title} (see /me bookmarks)." if kept
                else f"Removed your bookmark on this passage of {title}.")
        await interaction.response.send_message(line, ephemeral=True)


class FeedbackButton(PersistentButton, action="feedback", fields=("passage_id",)):
    label, emoji = "Feedback", "\N{MEMO}"

    async def act(self, interaction: Interaction) -> None:
        passage_id = self.values["passage_id"]
        story_id = await services_of(interaction).feedback.story_of_passage(passage_id)
        await interaction.response.send_modal(
            await FeedbackModal.for_reader(interaction, story_id, passage_id))


class NextPassageButton(PersistentButton, action="next", fields=("passage_id",)):
    label, style = "Next passage", discord.ButtonStyle.primary

    async def act(self, interaction: Interaction) -> None:
        following = await services_of(interaction).excerpts.following(
            self.values["passage_id"], guild_id_of(interaction),
            channel_is_age_restricted(interaction))
        await send_card(interaction, following, ephemeral=True)


class DiscussButton(PersistentButton, action="discuss", fields=("passage_id",)):
    label = "Discuss"

    async def act(self, interaction: Interaction) -> None:
        message = interaction.message
        if message is None or message.flags.ephemeral:
            raise InvalidInput("only a card posted in the channel can be discussed")
        services = services_of(interaction)
        guild_id = guild_id_of(interaction)
        excerpt = await services.excerpts.excerpt(self.values["passage_id"], guild_id)
        if await services.store.posts.get(message.id) is None:  # a card from before posts
            await services.excerpts.record_post(message_id=message.id, guild_id=guild_id,
                                                channel_id=message.channel.id, excerpt=excerpt)
        thread, created = await open_discussion(message, excerpt, services.store.posts,
                                                services.store.daily)
        verb = "Opened a discussion" if created else "The discussion is"
        await interaction.response.send_message(f"{verb} here: <#{thread.id}>", ephemeral=True)


class RecommendedExcerptButton(PersistentButton, action="rec-excerpt", fields=("story_id",)):
    """"Excerpt of #n" under a recommendation card: posts a passage of that story here,
    through the same gate as /excerpt (ratings, blocked tags)."""

    label = "Excerpt"

    async def act(self, interaction: Interaction) -> None:
        services = services_of(interaction)
        guild_id = guild_id_of(interaction)
        story = await services.catalog.get(self.values["story_id"], guild_id)
        excerpt = await services.excerpts.choose(guild_id, channel_is_age_restricted(interaction),
                                                 story)
        await send_card(interaction, excerpt, ephemeral=False)


def excerpt_view(passage: Passage, *, discuss: bool = True) -> discord.ui.View:
    """The card's buttons (their clicks are answered by the registered actions)."""
    pid = passage.id
    buttons = [KudosButton.button(pid), BookmarkButton.button(pid), FeedbackButton.button(pid)]
    if passage.seq + 1 < passage.story_passage_count:
        buttons.append(NextPassageButton.button(pid))
    if discuss:
        buttons.append(DiscussButton.button(pid))
    return sent_view(*buttons)


def recommendation_view(story_ids: list[int]) -> discord.ui.View:
    return sent_view(*(RecommendedExcerptButton.button(story_id, label=f"Excerpt of #{number}")
                       for number, story_id in enumerate(story_ids, start=1)))


async def send_card(interaction: Interaction, excerpt: Excerpt, *, ephemeral: bool) -> None:
    """Answer with the card and record the message it became."""
    view = excerpt_view(excerpt.passage, discuss=not ephemeral)
    embed = excerpt_embed(excerpt.story, excerpt.passage, excerpt.settings.warning_style)
    if interaction.response.is_done():
        message = await interaction.followup.send(embed=embed, view=view, ephemeral=ephemeral,
                                                  wait=True)
        message_id: int | None = message.id
    else:
        callback = await interaction.response.send_message(embed=embed, view=view,
                                                           ephemeral=ephemeral)
        message_id = callback.message_id
    if message_id is None:  # pragma: no cover - a message callback names its message
        return
    await services_of(interaction).excerpts.record_post(
        message_id=message_id, guild_id=interaction.guild_id,
        channel_id=interaction.channel_id or 0, excerpt=excerpt, posted_by=interaction.user.id)


async def _story_title(interaction: Interaction, story_id: int) -> str:
    story = await services_of(interaction).catalog.get(story_id, guild_id_of(interaction))
    return truncate(story.title, 100)
