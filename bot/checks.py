"""What cogs need to know about the person and place of an interaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.library.guild_settings import is_curator
from bot.ui.context import channel_is_age_restricted, guild_id_of

__all__ = ["channel_is_age_restricted", "curator_only", "guild_id_of", "needs_curator"]

if TYPE_CHECKING:
    from bot.app import StoryBot


async def member_is_curator(interaction: discord.Interaction[StoryBot]) -> bool:
    member = interaction.user
    if not isinstance(member, discord.Member):
        return False
    settings = await interaction.client.services.guild_settings.get(guild_id_of(interaction))
    return is_curator(
        settings,
        role_ids={role.id for role in member.roles},
        manages_server=member.guild_permissions.manage_guild,
    )


class NotCurator(app_commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(
            "Only curators can do that: members with Manage Server or the curator role."
        )


def curator_only() -> Any:
    """Checked on our side for every curator command, whatever the client shows."""

    async def predicate(interaction: discord.Interaction[StoryBot]) -> bool:
        if not await member_is_curator(interaction):
            raise NotCurator()
        return True

    predicate.curator_only = True  # type: ignore[attr-defined]  # read by /help
    return app_commands.check(predicate)


def needs_curator(command: app_commands.Command[Any, ..., Any]) -> bool:
    return any(getattr(check, "curator_only", False) for check in command.checks)
