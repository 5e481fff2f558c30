"""What a button or a command needs to know about its interaction: the bot's services,
the server, and whether the channel is age-restricted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.bootstrap import Services
    from bot.library.gate import Gate


def services_of(interaction: discord.Interaction[Any]) -> Services:
    services: Services = interaction.client.services
    return services


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("This command works in a server, not in DMs.")
    return interaction.guild_id


def channel_is_age_restricted(interaction: discord.Interaction[Any]) -> bool:
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    return bool(getattr(channel, "nsfw", False))


async def gate_of(interaction: discord.Interaction[Any], *, own_view: bool = False) -> Gate:
    """What this channel may show (bot/library/gate.py); `own_view`: an answer only the
    person who asked sees, so their own blocked tags apply too."""
    return await services_of(interaction).gates.for_channel(
        guild_id_of(interaction), channel_is_age_restricted(interaction),
        interaction.user.id if own_view else None)
