"""The /help card: commands grouped by what they are for."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import discord

from bot.render.limits import fit_embed
from bot.render.text import EMBED_FIELD_VALUE_LIMIT, EMBED_FIELDS_MAX, truncate

GROUP_TITLES = {
    "story": "Stories",
    "excerpt": "Excerpts",
    "daily": "Daily post",
    "recommend": "Recommendations",
    "tags": "Tags",
    "me": "You",
    "config": "Server settings",
    "general": "General",
}


@dataclass(frozen=True)
class CommandLine:
    group: str
    usage: str
    description: str
    curator_only: bool


def help_embed(lines: list[CommandLine], for_curator: bool) -> discord.Embed:
    embed = discord.Embed(
        title="storybot",
        description="Stories, excerpts and recommendations for this server."
        + (" Commands marked ★ are for curators." if for_curator else ""),
    )
    ordered = sorted(lines, key=lambda line: (line.group == "general", line.group, line.usage))
    for group, members in groupby(ordered, key=lambda line: line.group):
        text = "\n".join(
            f"`{line.usage}`{' ★' if line.curator_only else ''} — {line.description}"
            for line in members
        )
        if len(embed.fields) < EMBED_FIELDS_MAX:
            embed.add_field(name=GROUP_TITLES.get(group, group.title()),
                            value=truncate(text, EMBED_FIELD_VALUE_LIMIT), inline=False)
    return fit_embed(embed)
