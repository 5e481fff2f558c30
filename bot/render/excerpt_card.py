"""The excerpt card: a passage with its story's essentials, and the buttons under it."""

from __future__ import annotations

import discord

from bot.library.guild_settings import WarningStyle
from bot.library.models import Passage, Story, TagKind
from bot.library.segmentation import display_text
from bot.library.vocabulary import NO_FANDOM
from bot.render.limits import fit_embed
from bot.render.story_cards import RATING_COLOURS, warnings_text
from bot.render.text import EMBED_TITLE_LIMIT, join_limited, truncate

# Short fields keep the whole card well inside Discord's 6000-character embed total.
_SHORT_FIELD = 300
_TAGS_SHOWN = 6


def position_text(passage: Passage) -> str:
    return (f"Passage {passage.seq + 1} of {passage.story_passage_count} · "
            f"Chapter {passage.chapter}")


def excerpt_embed(
    story: Story, passage: Passage, warning_style: WarningStyle = WarningStyle.PLAIN
) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(story.title, EMBED_TITLE_LIMIT),
        url=story.source if story.source and story.source.startswith("http") else None,
        description=display_text(passage),
        colour=RATING_COLOURS[story.rating],
    )
    embed.set_author(name=truncate("by " + (", ".join(story.authors) or "unknown"), 256))
    embed.add_field(name="Fandom",
                    value=join_limited(story.fandoms, _SHORT_FIELD) or NO_FANDOM)
    embed.add_field(name="Rating", value=story.rating.value)
    embed.add_field(name="Length", value=f"{story.words:,} words · {story.chapter_count} "
                                         f"chapter{'s' if story.chapter_count != 1 else ''}")
    embed.add_field(name="Archive warnings", value=warnings_text(story, warning_style),
                    inline=False)
    tags = (story.tag_names(TagKind.RELATIONSHIP) + story.tag_names(TagKind.FREEFORM))
    if tags:
        shown = tags[:_TAGS_SHOWN] + ([f"+{len(tags) - _TAGS_SHOWN} more"]
                                      if len(tags) > _TAGS_SHOWN else [])
        embed.add_field(name="Tags", value=join_limited(shown, _SHORT_FIELD), inline=False)
    embed.set_footer(text=position_text(passage))
    return fit_embed(embed)


def spoiler_line(passage: Passage) -> str:
    return (f"Discussion up to passage {passage.seq + 1} of {passage.story_passage_count} — "
            "mark anything later in the story as ||spoiler||.")


def thread_name(story: Story, passage: Passage) -> str:
    return truncate(f"{story.title} · passage {passage.seq + 1}", 100)
