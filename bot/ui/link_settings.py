"""The /config choices of stories from links: where new chapters are announced and
where readers' suggestions wait for the curators."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.library.errors import InvalidInput
from bot.ui.context import guild_id_of, services_of

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"


async def set_updates_channel(interaction: Interaction, channel: discord.TextChannel | None,
                              role: discord.Role | None) -> str:
    """Save the updates channel (None stops the announcements); the answer's one line."""
    store = services_of(interaction).store.story_sources
    channels = await store.channels(guild_id_of(interaction))
    if channel is None:
        if role is not None:
            raise InvalidInput("choose a channel for the announcements that ping a role")
        channels.updates_channel_id = channels.updates_role_id = None
        await store.save_channels(channels)
        return "New chapters are no longer announced."
    if not channel.permissions_for(channel.guild.me).send_messages:
        raise InvalidInput(f"I can't post in {channel.mention}; choose another channel")
    channels.updates_channel_id, channels.updates_role_id = channel.id, role.id if role else None
    await store.save_channels(channels)
    ping = f", pinging {role.mention}" if role else ""
    return f"New chapters of stories added by link are announced in {channel.mention}{ping}."


async def set_review_channel(interaction: Interaction, channel: discord.TextChannel | None
                             ) -> str:
    store = services_of(interaction).store.story_sources
    channels = await store.channels(guild_id_of(interaction))
    if channel is not None and not channel.permissions_for(channel.guild.me).send_messages:
        raise InvalidInput(f"I can't post in {channel.mention}; choose another channel")
    channels.review_channel_id = channel.id if channel else None
    await store.save_channels(channels)
    if channel is None:
        return "Suggestions now wait in /story queue only."
    return f"Readers' suggestions now get a review card in {channel.mention}."
