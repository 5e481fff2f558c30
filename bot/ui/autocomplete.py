"""Autocompletes and choices several commands share (a cog never imports another cog)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import discord
from discord import app_commands

from bot.library.models import Rating, TagKind
from bot.library.rating_change import RatingChange
from bot.render.text import truncate
from bot.ui.context import services_of

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
    found = await services_of(interaction).catalog.story_choices(current, interaction.guild_id)
    return [app_commands.Choice(name=truncate(title, 100), value=str(sid))
            for sid, title in found][:MAX_CHOICES]


async def tag_autocomplete(interaction: Interaction, current: str) -> Choices:
    names = await services_of(interaction).catalog.tag_choices(current)
    return [app_commands.Choice(name=truncate(name, 100), value=name[:100])
            for name in names][:MAX_CHOICES]


async def tag_list_autocomplete(interaction: Interaction, current: str) -> Choices:
    """Completes the last tag of a comma-separated list, keeping the ones before it."""
    *before, last = current.split(",")
    done = ", ".join(part.strip() for part in before if part.strip())
    prefix = f"{done}, " if done else ""
    names = await services_of(interaction).catalog.tag_choices(last.strip())
    choices: Choices = []
    for name in names:
        value = prefix + name
        if len(value) <= 100:
            choices.append(app_commands.Choice(name=truncate(value, 100), value=value))
    return choices[:MAX_CHOICES]
