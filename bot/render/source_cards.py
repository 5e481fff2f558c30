"""Stories from links as Discord text: the fetch's progress line and the new-chapter post."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot.library.models import Chapter, Story
from bot.render.story_cards import RATING_COLOURS
from bot.render.text import EMBED_DESCRIPTION_LIMIT, EMBED_TITLE_LIMIT, join_limited, truncate


def _seconds(wait: timedelta) -> str:
    seconds = max(1, round(wait.total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"


def queued_line(url: str, position: int, wait: timedelta) -> str:
    return (f"Waiting to fetch <{truncate(url, 300)}>: number {position} in the queue, "
            f"about {_seconds(wait)} to go.")


def started_line(url: str) -> str:
    return f"Fetching <{truncate(url, 300)}> from its site…"


def backing_off_line(url: str, wait: timedelta) -> str:
    return (f"The site asked us to slow down; fetching <{truncate(url, 300)}> goes on in "
            f"{_seconds(wait)}.")


def new_chapters_embed(story: Story, chapters: list[Chapter]) -> discord.Embed:
    """The post in a server's updates channel when a followed story grows."""
    count = len(chapters)
    heading = f"New chapter{'s' * (count != 1)}: {story.title}"
    names = [f"Chapter {c.number}" + (f": {c.title}" if c.title else "") for c in chapters]
    by = join_limited(story.authors, 200) if story.authors else "an unknown author"
    state = "complete" if story.complete else "in progress"
    description = (f"by {by} · now {story.chapter_count} chapters, {state}\n"
                   + "\n".join(names))
    embed = discord.Embed(title=truncate(heading, EMBED_TITLE_LIMIT),
                          description=truncate(description, EMBED_DESCRIPTION_LIMIT),
                          colour=RATING_COLOURS.get(story.rating))
    if story.source:
        embed.url = story.source
    embed.set_footer(text=f"Story {story.id} · {story.rating.value}")
    return embed
