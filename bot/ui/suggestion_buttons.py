"""Suggestions on Discord: the review card in the curators' channel, its Approve and
Reject buttons (persistent: they answer after a restart) and the reason modal."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.checks import NotCurator, member_is_curator
from bot.importers.uploads import check_upload
from bot.library.errors import DuplicateStory, InvalidInput
from bot.library.source_records import SuggestedWork
from bot.render.suggestion_cards import (
    decided_line,
    lines_text,
    review_embed,
    suggested_by,
    suggestion_line,
    waiting_line,
)
from bot.render.text import truncate
from bot.ui.context import guild_id_of, services_of
from bot.ui.persistent import PersistentButton, sent_view

if TYPE_CHECKING:
    from bot.app import StoryBot
    from bot.bootstrap import Services

Interaction: TypeAlias = "discord.Interaction[StoryBot]"
log = logging.getLogger("storybot.suggestions")


async def _curator(interaction: Interaction) -> None:
    if not await member_is_curator(interaction):
        raise NotCurator()


class ApproveSuggestionButton(PersistentButton, action="suggest-ok", fields=("card_id",)):
    label, style = "Approve", discord.ButtonStyle.success

    async def act(self, interaction: Interaction) -> None:
        await _curator(interaction)
        services = services_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        work, story = await services.suggestions.approve(self.values["card_id"])
        outcome = (f"approved by {interaction.user.mention}: added as story {story.id}, "
                   f"{truncate(story.title, 150)}")
        await _close_card(interaction, work, outcome)
        await interaction.edit_original_response(
            content=f"Added story {story.id}: {truncate(story.title, 200)} "
                    f"(credited to <@{work.suggesters[0].user_id}>).")


class RejectSuggestionButton(PersistentButton, action="suggest-no", fields=("card_id",)):
    label, style = "Reject", discord.ButtonStyle.danger

    async def act(self, interaction: Interaction) -> None:
        await _curator(interaction)
        work = await services_of(interaction).suggestions.work_of_card(self.values["card_id"])
        await interaction.response.send_modal(RejectReasonModal(self.values["card_id"], work))


class RejectReasonModal(discord.ui.Modal, title="Reject the suggestion"):
    reason: discord.ui.TextInput[RejectReasonModal] = discord.ui.TextInput(
        label="Why (the readers who suggested it see this)", max_length=300,
        required=False, custom_id="reason")

    def __init__(self, card_id: int, work: SuggestedWork) -> None:
        super().__init__(custom_id=f"suggest-reject:{card_id}")
        self.card_id = card_id
        self.work = work

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        await _curator(interaction)
        work = await services_of(interaction).suggestions.reject(self.card_id,
                                                                 self.reason.value or "")
        why = f": {self.reason.value}" if self.reason.value else ""
        await _close_card(interaction, work, f"rejected by {interaction.user.mention}{why}")
        await interaction.response.send_message("Rejected; the readers see why in "
                                                "/me suggestions.", ephemeral=True)

    async def on_error(self, interaction: Interaction,  # type: ignore[override]
                       error: Exception) -> None:
        from bot.errors import handle_interaction_error

        await handle_interaction_error(interaction, error)


def review_view(card_id: int) -> discord.ui.View:
    return sent_view(ApproveSuggestionButton.button(card_id),
                     RejectSuggestionButton.button(card_id))


async def _close_card(interaction: Interaction, work: SuggestedWork, outcome: str) -> None:
    """The card says what was decided and loses its buttons."""
    if work.channel_id is None or work.message_id is None:
        return
    channel = interaction.client.get_channel(work.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    try:
        await channel.get_partial_message(work.message_id).edit(
            content=decided_line(work, outcome), embed=None, view=None,
            allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as problem:
        log.warning("could not close suggestion card %s: %s", work.message_id, problem)


async def suggest_work(interaction: Interaction, *, url: str | None = None,
                       file: discord.Attachment | None = None, note: str = "") -> None:
    """A reader's suggestion of a link or a file: recorded, then one card per work in the
    review channel (posted the first time, updated when another reader suggests it)."""
    services = services_of(interaction)
    guild_id = guild_id_of(interaction)
    if (file is None) == (url is None):
        raise InvalidInput("give either a file or a url (one of them)")
    if file is not None:
        check_upload(file.filename, file.size, services.catalog.limits.max_bytes)
    await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        if file is not None:
            work, _ = await services.suggestions.suggest_file(
                await file.read(), file.filename, guild_id=guild_id,
                user_id=interaction.user.id, note=note)
        else:
            assert url is not None
            work, _ = await services.suggestions.suggest(
                url, guild_id=guild_id, user_id=interaction.user.id, note=note)
    except DuplicateStory as duplicate:
        raise InvalidInput(f"that work is {duplicate}") from None
    posted = await show_card(interaction.client, services, work)
    where = (f"The curators will see it in <#{posted}>." if posted
             else "The curators will see it in /story queue.")
    others = f" It is now {suggested_by(work.count)}." if work.count > 1 else ""
    shown = truncate(work.label, 300)
    await interaction.edit_original_response(
        content=f"Thanks: you suggested {shown}.{others} {where}")


async def show_card(client: discord.Client, services: Services,
                    work: SuggestedWork) -> int | None:
    """Post the work's review card, or edit it in place; returns the channel's id."""
    channels = await services.store.story_sources.channels(work.guild_id)
    assert work.card_id is not None
    channel_id = work.channel_id or channels.review_channel_id
    channel = client.get_channel(channel_id or 0)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return None
    embed, view = review_embed(work), review_view(work.card_id)
    if work.message_id is not None:
        try:
            await channel.get_partial_message(work.message_id).edit(embed=embed, view=view)
            return channel.id
        except discord.NotFound:
            pass  # the card was deleted: post a new one
    message = await channel.send(embed=embed, view=view,
                                 allowed_mentions=discord.AllowedMentions.none())
    await services.store.suggestions.set_card_message(work.card_id, channel.id, message.id)
    return channel.id


async def suggestions_text(interaction: Interaction) -> str:
    """/me suggestions: a reader's suggestions here and what became of them."""
    found = await services_of(interaction).suggestions.of_user(guild_id_of(interaction),
                                                              interaction.user.id)
    return lines_text("Your suggestions:", [suggestion_line(s) for s in found],
                      "You have not suggested anything here yet (/story suggest).")


async def queue_text(interaction: Interaction) -> str:
    """/story queue: the works waiting for a curator, oldest first."""
    waiting = await services_of(interaction).suggestions.waiting(guild_id_of(interaction))
    return lines_text("Waiting for a curator:",
                      [waiting_line(key, count) for key, count in waiting],
                      "No suggestions are waiting.")
