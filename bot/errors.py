"""The one place where errors become replies: the command tree's `on_error`."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.library.errors import StoryBotError
from bot.ui.option_bounds import check_declared_bounds

log = logging.getLogger("storybot.errors")

GENERIC_FAILURE = "Something went wrong on our side; it has been logged. Please try again."


def friendly_message(error: BaseException) -> str | None:
    """The one line a person sees for an error we expect, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError):
        error = error.__cause__ or getattr(error, "original", None) or error
    if isinstance(error, StoryBotError):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, discord.Forbidden):
        return "I don't have permission to do that in this channel."
    return None


async def reply_privately(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer the person who clicked or typed, ephemerally, whatever state the reply is in."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id)


async def handle_interaction_error(
    interaction: discord.Interaction[Any], error: BaseException
) -> None:
    message = friendly_message(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "error in %s (interaction %s, user %s, guild %s, channel %s)",
            command, interaction.id, interaction.user.id, interaction.guild_id,
            interaction.channel_id, exc_info=error,
        )
        message = GENERIC_FAILURE
    await reply_privately(interaction, message)


class StoryCommandTree(app_commands.CommandTree[Any]):
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        check_declared_bounds(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await handle_interaction_error(interaction, error)
