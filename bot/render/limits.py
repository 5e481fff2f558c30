"""One budget for every embed: Discord's limits on each part and on the whole message.

Each renderer builds what it would like to show and hands the embed to `fit_embed`, which
cuts or drops the least important parts first: long field values are shortened from the
last field back, then trailing fields are dropped (the last one kept says how many), then
the description is shortened. Nothing is cut mid-word without "…".
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.render.text import (
    ELLIPSIS,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_MAX,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    truncate,
)

EMBED_AUTHOR_LIMIT = 256
# A field value is never cut shorter than this while other parts can give way.
_FIELD_FLOOR = 80
# Room kept for the line that says fields were left out.
_LEFT_OUT_FIELD = ("…", "{count} more not shown")


def embed_size(embed: discord.Embed) -> int:
    """What Discord counts towards the 6,000 characters of a message's embeds."""
    size = len(embed.title or "") + len(embed.description or "")
    size += len(embed.footer.text or "") + len(embed.author.name or "")
    size += sum(len(field.name or "") + len(field.value or "") for field in embed.fields)
    return size


def embed_problems(embeds: Sequence[discord.Embed]) -> list[str]:
    """Every Discord limit the embeds break (empty when they may be sent)."""
    problems: list[str] = []
    for number, embed in enumerate(embeds, start=1):
        checks = [("title", embed.title, EMBED_TITLE_LIMIT),
                  ("description", embed.description, EMBED_DESCRIPTION_LIMIT),
                  ("footer", embed.footer.text, EMBED_FOOTER_LIMIT),
                  ("author", embed.author.name, EMBED_AUTHOR_LIMIT)]
        checks += [(f"field {i} name", f.name, EMBED_FIELD_NAME_LIMIT)
                   for i, f in enumerate(embed.fields, start=1)]
        checks += [(f"field {i} value", f.value, EMBED_FIELD_VALUE_LIMIT)
                   for i, f in enumerate(embed.fields, start=1)]
        problems += [f"embed {number} {part}: {len(text)} > {limit}"
                     for part, text, limit in checks if text and len(text) > limit]
        problems += [f"embed {number} field {i} is empty"
                     for i, f in enumerate(embed.fields, start=1) if not f.name or not f.value]
        if len(embed.fields) > EMBED_FIELDS_MAX:
            problems.append(f"embed {number}: {len(embed.fields)} fields > {EMBED_FIELDS_MAX}")
    total = sum(embed_size(embed) for embed in embeds)
    if total > EMBED_TOTAL_LIMIT:
        problems.append(f"embeds total {total} > {EMBED_TOTAL_LIMIT}")
    return problems


def fit_embed(embed: discord.Embed, budget: int = EMBED_TOTAL_LIMIT) -> discord.Embed:
    """The embed cut to Discord's limits and to `budget` characters in all (in place)."""
    if embed.title:
        embed.title = truncate(embed.title, EMBED_TITLE_LIMIT)
    if embed.description:
        embed.description = truncate(embed.description, EMBED_DESCRIPTION_LIMIT)
    if embed.author.name:
        embed.set_author(name=truncate(embed.author.name, EMBED_AUTHOR_LIMIT),
                         url=embed.author.url, icon_url=embed.author.icon_url)
    if embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, EMBED_FOOTER_LIMIT),
                         icon_url=embed.footer.icon_url)
    fields = [(truncate(f.name or ELLIPSIS, EMBED_FIELD_NAME_LIMIT),
               truncate(f.value or ELLIPSIS, EMBED_FIELD_VALUE_LIMIT), f.inline)
              for f in embed.fields]
    left_out = max(0, len(fields) - EMBED_FIELDS_MAX)
    if left_out:
        fields = fields[:EMBED_FIELDS_MAX - 1]
    _set_fields(embed, fields, left_out)
    excess = embed_size(embed) - budget
    # 1. Shorten long field values, the last field first.
    for index in range(len(fields) - 1, -1, -1):
        if excess <= 0:
            break
        name, value, inline = fields[index]
        room = max(_FIELD_FLOOR, len(value) - excess)
        if room < len(value):
            fields[index] = (name, truncate(value, room), inline)
            _set_fields(embed, fields, left_out)
            excess = embed_size(embed) - budget
    # 2. Drop trailing fields, saying how many went.
    while excess > 0 and fields:
        fields.pop()
        left_out += 1
        _set_fields(embed, fields, left_out)
        excess = embed_size(embed) - budget
    # 3. Shorten the description, then the footer.
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess))
        excess = embed_size(embed) - budget
    if excess > 0 and embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, max(1, len(embed.footer.text) - excess)))
    return embed


def _set_fields(embed: discord.Embed, fields: Sequence[tuple[str, str, bool | None]],
                left_out: int) -> None:
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=bool(inline))
    if left_out:
        name, value = _LEFT_OUT_FIELD
        embed.add_field(name=name, value=value.format(count=left_out), inline=False)
