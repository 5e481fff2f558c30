"""Readers' suggestions as Discord text: the curators' review card and the reader's list."""

from __future__ import annotations

import discord

from bot.library.source_records import FILE_KEY_PREFIX, SuggestedWork, SuggestionRecord
from bot.render.text import EMBED_DESCRIPTION_LIMIT, truncate

WAITING_COLOUR = 0x3B88C3


def suggested_by(count: int) -> str:
    return f"suggested by {count} reader{'s' * (count != 1)}"


def review_embed(work: SuggestedWork) -> discord.Embed:
    """The card curators approve or reject; one per work, however many readers asked."""
    lines = [work.label, f"{suggested_by(work.count).capitalize()}:"]
    for suggestion in work.suggesters[:10]:
        note = f": “{truncate(suggestion.note, 200)}”" if suggestion.note else ""
        lines.append(f"• <@{suggestion.user_id}>{note}")
    embed = discord.Embed(title="Suggested for the library",
                          description=truncate("\n".join(lines), EMBED_DESCRIPTION_LIMIT),
                          colour=WAITING_COLOUR)
    embed.set_footer(text="Approve imports it crediting the first reader; reject says why.")
    return embed


def decided_line(work: SuggestedWork, outcome: str) -> str:
    """What the card says once a curator decided (its buttons are removed)."""
    return truncate(f"{work.label} ({suggested_by(work.count)}): {outcome}", 2000)


def suggestion_line(suggestion: SuggestionRecord) -> str:
    outcome = {"waiting": "waiting for a curator",
               "approved": f"approved, story {suggestion.story_id}",
               "rejected": "rejected" + (f": {suggestion.reason}" if suggestion.reason else "")}
    return f"{truncate(suggestion.label, 300)}: {outcome.get(suggestion.status, '?')}"


def waiting_line(work_key: str, count: int) -> str:
    shown = "a suggested file" if work_key.startswith(FILE_KEY_PREFIX) else (
        f"<{truncate(work_key, 300)}>")
    return f"{shown}: {suggested_by(count)}"


def lines_text(heading: str, lines: list[str], empty: str) -> str:
    return truncate("\n".join([heading, *lines]) if lines else empty, 2000)
