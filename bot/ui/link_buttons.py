"""Stories from links on Discord: the deferred reply that follows a fetch through the queue,
the new-chapter post, and their persistent buttons (Refresh, Read the new chapter)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, TypeAlias

import discord

from bot.checks import NotCurator, member_is_curator
from bot.library.errors import DuplicateStory, InvalidInput, StoryBotError
from bot.library.models import Story
from bot.render.source_cards import (
    backing_off_line,
    new_chapters_embed,
    queued_line,
    started_line,
)
from bot.render.story_cards import story_embed
from bot.render.text import truncate
from bot.services.story_links import Added, RefreshOutcome
from bot.sources import BackingOff, Queued, Started
from bot.ui.context import channel_is_age_restricted, guild_id_of, services_of
from bot.ui.excerpt_buttons import send_card
from bot.ui.persistent import PersistentButton, sent_view

if TYPE_CHECKING:
    from bot.app import StoryBot
    from bot.bootstrap import Services

Interaction: TypeAlias = "discord.Interaction[StoryBot]"
log = logging.getLogger("storybot.links")


class RefreshStoryButton(PersistentButton, action="refresh", fields=("story_id",)):
    """Under "already in the library as …": ask the story's site for new chapters."""

    label, emoji = "Refresh", "\N{ANTICLOCKWISE DOWNWARDS AND UPWARDS OPEN CIRCLE ARROWS}"

    async def act(self, interaction: Interaction) -> None:
        if not await member_is_curator(interaction):
            raise NotCurator()
        await refresh_story(interaction, self.values["story_id"])


class ReadNewChapterButton(PersistentButton, action="read-new", fields=("passage_id",)):
    """Under a new-chapter post: the excerpt card of the chapter's first passage."""

    label, style = "Read the new chapter", discord.ButtonStyle.primary

    async def act(self, interaction: Interaction) -> None:
        services = services_of(interaction)
        guild_id = guild_id_of(interaction)
        excerpt = await services.excerpts.excerpt(self.values["passage_id"], guild_id)
        settings = await services.guild_settings.get(guild_id)
        allowed = settings.allowed_ratings(channel_is_age_restricted(interaction))
        if excerpt.story.rating not in allowed:
            raise InvalidInput(f"{excerpt.story.rating.value} stories are only shown in "
                               "age-restricted channels here")
        await send_card(interaction, excerpt, ephemeral=True)


def refresh_view(story_id: int) -> discord.ui.View:
    return sent_view(RefreshStoryButton.button(story_id))


async def add_from_link(interaction: Interaction, url: str, *, allow_adult: bool,
                        added_by: int | None) -> Story | None:
    """Defer, then keep one private reply up to date as the fetch moves up the queue; it
    ends as the added story, or as one line saying why not (a duplicate offers Refresh)."""
    services = services_of(interaction)
    guild_id = guild_id_of(interaction)
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)

    async def show(text: str, **extra: Any) -> None:
        await interaction.edit_original_response(content=text, **extra)

    try:
        async for event in services.story_links.add_events(
                url, guild_id=guild_id, added_by=added_by, allow_adult=allow_adult):
            if isinstance(event, Queued):
                await show(queued_line(url, event.position, event.estimated_wait))
            elif isinstance(event, Started):
                await show(started_line(url))
            elif isinstance(event, BackingOff):
                await show(backing_off_line(url, event.wait))
            elif isinstance(event, Added):
                settings = await services.guild_settings.get(guild_id)
                await show(f"Added story {event.story.id}: {truncate(event.story.title, 200)}",
                           embed=story_embed(event.story, settings.warning_style))
                return event.story
    except DuplicateStory as duplicate:
        await show(f"<{truncate(url, 300)}> is {duplicate}.",
                   view=refresh_view(duplicate.existing_id))
    except StoryBotError as problem:
        await show(f"Could not add <{truncate(url, 300)}>: {problem}")
    return None


async def refresh_story(interaction: Interaction, story_id: int) -> None:
    """A curator's refresh: ask the site, append what is new, announce it once."""
    services = services_of(interaction)
    guild_id = guild_id_of(interaction)
    story = await services.catalog.get(story_id, guild_id)
    if story.guild_id != guild_id:
        raise InvalidInput("demo stories are not followed for new chapters")
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await services.story_links.refresh(story.id)
    where = await announce_new_chapters(interaction.client, services, outcome)
    line = f"{truncate(outcome.story.title, 200)}: {outcome.summary()}."
    if where:
        line += f" Announced in <#{where}>."
    await interaction.edit_original_response(content=line)


async def announce_new_chapters(client: discord.Client, services: Services,
                                outcome: RefreshOutcome) -> int | None:
    """Post new chapters in the server's updates channel, if it set one and the story's
    rating may be shown there; returns the channel's id when posted."""
    story = outcome.story
    if not outcome.new_passage_ids or outcome.update is None or story.guild_id is None:
        return None
    channels = await services.store.story_sources.channels(story.guild_id)
    channel = client.get_channel(channels.updates_channel_id or 0)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return None
    settings = await services.guild_settings.get(story.guild_id)
    parent = channel.parent if isinstance(channel, discord.Thread) else channel
    if story.rating not in settings.allowed_ratings(bool(getattr(parent, "nsfw", False))):
        log.info("story %s not announced: %s is not age-restricted", story.id, channel.id)
        return None
    view = sent_view(ReadNewChapterButton.button(outcome.new_passage_ids[0]))
    role = channels.updates_role_id
    try:
        await channel.send(
            content=f"<@&{role}>" if role else None,
            embed=new_chapters_embed(story, outcome.update.new_chapters), view=view,
            allowed_mentions=discord.AllowedMentions(
                roles=[discord.Object(role)] if role else False, users=False,
                everyone=False))
    except discord.HTTPException as problem:
        log.warning("could not announce story %s in %s: %s", story.id, channel.id, problem)
        return None
    return channel.id
