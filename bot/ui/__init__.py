"""Persistent buttons, modals and views: everything a click reaches after a restart."""

from __future__ import annotations

from typing import Any

import discord

from bot.ui import (  # noqa: F401 - importing registers actions
    excerpt_buttons,
    link_buttons,
    me_buttons,
    story_buttons,
    suggestion_buttons,
)
from bot.ui.persistent import ACTIONS, expired_button_class


def persistent_items() -> list[type[discord.ui.DynamicItem[Any]]]:
    """Every registered action's class, and the answer for ids none of them knows."""
    return [*ACTIONS.values(), expired_button_class()]
