"""The bounds every slash option declares, checked again on our side before any handler runs.

Discord's client refuses what breaks a declared constraint (lengths, ranges, choices), but
an interaction can come from anywhere: the same declared bounds are checked here for every
command, so a handler never sees a value its declaration rules out.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType

_NUMBERS = (AppCommandOptionType.integer, AppCommandOptionType.number)

# The declared bounds of the options several commands share.
StoryOption = app_commands.Range[str, 1, 256]  # a title (Discord's embed title limit) or id
TagOption = app_commands.Range[str, 1, 100]  # MAX_TAG_LENGTH
TagListOption = app_commands.Range[str, 1, 2000]  # comma-separated tags


def option_problem(command: app_commands.Command[Any, ..., Any],
                   values: dict[str, Any]) -> str | None:
    """One line naming the first option whose value breaks its declared bounds."""
    for parameter in command.parameters:
        value = values.get(parameter.display_name)
        if value is None:
            if parameter.required:
                return f"the option {parameter.display_name} is required"
            continue
        name = parameter.display_name
        if parameter.choices and not any(value == c.value for c in parameter.choices):
            shown = ", ".join(c.name for c in parameter.choices[:10])
            return f"{name} must be one of: {shown}"
        low, high = parameter.min_value, parameter.max_value
        if parameter.type is AppCommandOptionType.string and isinstance(value, str):
            if low is not None and len(value) < low:
                return f"{name} must be at least {low} characters"
            if high is not None and len(value) > high:
                return f"{name} must be at most {high} characters"
        elif parameter.type in _NUMBERS and isinstance(value, int | float):
            if low is not None and value < low:
                return f"{name} must be at least {low:g}"
            if high is not None and value > high:
                return f"{name} must be at most {high:g}"
    return None


def check_declared_bounds(interaction: discord.Interaction[Any]) -> None:
    """Raise a CheckFailure (one private line) when a command's option is out of bounds."""
    if interaction.type is not discord.InteractionType.application_command:
        return
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return
    values = dict(interaction.namespace.__dict__)
    problem = option_problem(command, values)
    if problem is not None:
        raise app_commands.CheckFailure(problem[0].upper() + problem[1:] + ".")
