"""The author's notes on a story card, and the words /story add answers with about ratings."""

from __future__ import annotations

from collections.abc import Set

import discord

from bot.library.models import Rating, Story
from bot.render.limits import fit_embed
from bot.render.text import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, truncate

# Notes longer than this (or than a few lines) would push the card's facts off screen,
# so the card shows their first line and a Notes button opens them in full.
NOTES_SHOWN_CHARS = 300
NOTES_SHOWN_LINES = 4
COLLAPSED_LINE_CHARS = 120


def notes_text(story: Story) -> str:
    """The author's notes and end notes as one text ("" when the file had none)."""
    parts = []
    if story.notes.strip():
        parts.append(story.notes.strip())
    if story.end_notes.strip():
        parts.append(f"End notes:\n{story.end_notes.strip()}")
    return "\n\n".join(parts)


def notes_are_long(story: Story) -> bool:
    text = notes_text(story)
    return len(text) > NOTES_SHOWN_CHARS or text.count("\n") >= NOTES_SHOWN_LINES


def add_notes_field(embed: discord.Embed, story: Story) -> bool:
    """Put the notes on the card; True when they were collapsed to one line (then the
    message needs a Notes button to open them)."""
    text = notes_text(story)
    if not text:
        return False
    if not notes_are_long(story):
        embed.add_field(name="Notes", value=text, inline=False)
        fit_embed(embed)
        return False
    first_line = next(line for line in text.splitlines() if line.strip())
    embed.add_field(name="Notes", value=truncate(first_line, COLLAPSED_LINE_CHARS)
                    + "\n*(the Notes button shows them all)*", inline=False)
    fit_embed(embed)
    return True


def notes_embed(story: Story) -> discord.Embed:
    text = notes_text(story) or "The author left no notes on this story."
    return fit_embed(discord.Embed(title=truncate(f"Notes: {story.title}", EMBED_TITLE_LIMIT),
                                   description=truncate(text, EMBED_DESCRIPTION_LIMIT)))


def rating_notice(story: Story, age_restricted: Set[Rating]) -> str:
    """What a curator should know after adding a story: where its rating lets it be shown."""
    lines = []
    if story.rating is Rating.NOT_RATED:
        lines.append("⚠️ The file carries no rating and none was given, so the story is "
                     "Not Rated. Set one with `/story edit rating:`.")
    if story.rating in age_restricted:
        lines.append(f"⚠️ {story.rating.value} stories are shown only in age-restricted "
                     "channels: excerpts, daily posts and recommendations elsewhere leave "
                     "this one out.")
    return "\n".join(lines)
