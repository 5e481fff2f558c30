"""A server's settings as an embed."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.library.guild_settings import GuildSettings
from bot.render.limits import fit_embed
from bot.render.text import EMBED_FIELD_VALUE_LIMIT, join_limited


def settings_embed(settings: GuildSettings, blocked_tags: Sequence[str] = ()) -> discord.Embed:
    embed = discord.Embed(title="Server settings")
    role = f"<@&{settings.curator_role_id}>" if settings.curator_role_id else "not set"
    embed.add_field(name="Curator role", value=f"{role} (Manage Server always curates)",
                    inline=False)
    embed.add_field(name="Archive warnings", value=settings.warning_style.value)
    embed.add_field(name="Spoiler-safe excerpts",
                    value=f"first {settings.spoiler_fraction:.0%} of a story")
    restricted = ", ".join(sorted(r.value for r in settings.age_restricted_ratings)) or "none"
    embed.add_field(name="Only in age-restricted channels", value=restricted, inline=False)
    elsewhere = ("hidden" if settings.restricted_stories.value == "hide"
                 else "title, rating and warnings only")
    embed.add_field(name="Those stories elsewhere", value=elsewhere)
    embed.add_field(name="Demo library", value="shown" if settings.demo_library else "hidden")
    blocked = join_limited(list(blocked_tags), EMBED_FIELD_VALUE_LIMIT) or "none"
    embed.add_field(name="Blocked tags", value=blocked, inline=False)
    return fit_embed(embed)
