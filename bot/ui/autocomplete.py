"""Autocompletes and choices several commands share (a cog never imports another cog)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord
from discord import app_commands

from bot.library.models import Rating, TagKind
from bot.library.rating_change import RatingChange
from bot.render.text import truncate
from bot.ui.context import gate_of, services_of

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction: TypeAlias = "discord.Interaction[StoryBot]"
Choices = list[app_commands.Choice[str]]
MAX_CHOICES = 25  # Discord's limit for one autocomplete answer
RATING_CHOICES = [app_commands.Choice(name=r.value, value=r.value) for r in Rating]
TAG_KIND_CHOICES = [app_commands.Choice(name=k.value, value=k.value) for k in TagKind]
RATING_CHANGE_CHOICES = [
    app_commands.Choice(name="only if the file has none", value=RatingChange.FILL.value),
    app_commands.Choice(name="replace the file rating (stricter only)",
                        value=RatingChange.OVERRIDE.value),
    app_commands.Choice(name="replace the file rating (even lower)",
                        value=RatingChange.LOWER.value),
]


async def story_autocomplete(interaction: Interaction, current: str) -> Choices:
    if interaction.guild_id is None:
        return []
    # Only the person typing sees these: the channel's gate and their own blocked tags.
    gate = await gate_of(interaction, own_view=True)
    found = await services_of(interaction).catalog.story_choices(current, gate)
    return [app_commands.Choice(name=truncate(title, 100), value=str(sid))
            for sid, title in found][:MAX_CHOICES]


async def _tag_names(interaction: Interaction, query: str) -> list[str]:
    """Tag names as this server knows them (its own names too)."""
    services = services_of(interaction)
    overlay = (await services.gates.overlay(interaction.guild_id)
               if interaction.guild_id is not None else None)
    return await services.catalog.tag_choices(query, overlay=overlay)


async def tag_autocomplete(interaction: Interaction, current: str) -> Choices:
    names = await _tag_names(interaction, current)
    return [app_commands.Choice(name=truncate(name, 100), value=name[:100])
            for name in names][:MAX_CHOICES]


async def tag_list_autocomplete(interaction: Interaction, current: str) -> Choices:
    """Completes the last tag of a comma-separated list, keeping the ones before it."""
    *before, last = current.split(",")
    done = ", ".join(part.strip() for part in before if part.strip())
    prefix = f"{done}, " if done else ""
    names = await _tag_names(interaction, last.strip())
    choices: Choices = []
    for name in names:
        value = prefix + name
        if len(value) <= 100:
            choices.append(app_commands.Choice(name=truncate(value, 100), value=value))
    return choices[:MAX_CHOICES]
