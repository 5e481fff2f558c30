"""Every slash option declares its bounds, and the same bounds are checked on our side for
an interaction that breaks them (Discord's client would never send it; anyone else might)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from discord import app_commands
from discord.enums import AppCommandOptionType
from discord.ext import commands

import cogs
from bot.ui.option_bounds import option_problem


def every_command() -> list[app_commands.Command[Any, ..., Any]]:
    found = []
    for module in pkgutil.iter_modules(cogs.__path__):
        loaded = importlib.import_module(f"cogs.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, commands.Cog) \
                    and value.__module__ == loaded.__name__:
                cog = value(None)  # type: ignore[call-arg]
                found += [c for c in cog.walk_app_commands()
                          if isinstance(c, app_commands.Command)]
    return found


def by_name(name: str) -> app_commands.Command[Any, ..., Any]:
    return next(c for c in every_command() if c.qualified_name == name)


def test_every_option_declares_its_bounds() -> None:
    unbounded = []
    for command in every_command():
        for parameter in command.parameters:
            if parameter.choices:
                continue
            if parameter.type is AppCommandOptionType.string and parameter.max_value is None:
                unbounded.append(f"/{command.qualified_name} {parameter.display_name}")
            if parameter.type in (AppCommandOptionType.integer, AppCommandOptionType.number) \
                    and (parameter.min_value is None or parameter.max_value is None):
                unbounded.append(f"/{command.qualified_name} {parameter.display_name}")
    assert unbounded == []
    assert len(every_command()) > 20


def test_a_percentage_out_of_range_is_refused_in_one_line() -> None:
    spoiler_safe = by_name("config spoiler-safe")
    assert option_problem(spoiler_safe, {"percent": 150}) == "percent must be at most 100"
    assert option_problem(spoiler_safe, {"percent": 0}) == "percent must be at least 1"
    assert option_problem(spoiler_safe, {"percent": 60}) is None


def test_lengths_choices_and_required_options_are_checked() -> None:
    info = by_name("story info")
    assert option_problem(info, {"story": "x" * 257}) == "story must be at most 256 characters"
    assert option_problem(info, {}) == "the option story is required"
    listing = by_name("story list")
    assert option_problem(listing, {"sort": "by-mood"}) is not None
    assert option_problem(listing, {"sort": "newest"}) is None
