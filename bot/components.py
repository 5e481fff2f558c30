"""Buttons that keep working across restarts, and the answer for ones that no longer do."""

from __future__ import annotations

import re
from typing import Any

import discord

# Every button storybot makes has a custom_id "sb:<action>:..."; the actions registered
# below are the ones this version understands.
CUSTOM_ID_PREFIX = "sb:"
KNOWN_ACTIONS: tuple[str, ...] = (
    "next", "discuss", "rec-excerpt", "kudos", "bookmark", "feedback", "forget", "bookmarks",
)


def _unknown_pattern() -> str:
    known = "|".join(re.escape(action) for action in KNOWN_ACTIONS)
    return rf"(?!{re.escape(CUSTOM_ID_PREFIX)}(?:{known}):).*" if known else r".*"


class ExpiredButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_unknown_pattern()):
    """Any button whose custom_id this version does not handle (an old or foreign one)."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="expired", custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> ExpiredButton:
        return cls(item.custom_id or "")  # type: ignore[attr-defined]

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(
            "This button no longer works (it is from an older post). "
            "Run the command again for a fresh one.",
            ephemeral=True,
        )
