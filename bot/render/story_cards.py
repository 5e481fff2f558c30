"""Stories as Discord embeds: the info card, the restricted card and list pages.

A *restricted* story (an age-restricted rating outside an age-restricted channel, see
bot/library/gate.py) is shown by title, rating and archive warnings only: never its
summary, notes, tags or text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import discord

from bot.library.guild_settings import WarningStyle
from bot.library.models import ListedStory, Rating, Story, TagKind
from bot.library.vocabulary import NO_FANDOM, fandom_label, language_name
from bot.render.limits import fit_embed
from bot.render.text import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    join_limited,
    spoiler,
    truncate,
)

RATING_COLOURS: dict[Rating, int] = {
    Rating.GENERAL: 0x77A50E,
    Rating.TEEN: 0xE8D405,
    Rating.MATURE: 0xE07C00,
    Rating.EXPLICIT: 0x990000,
    Rating.NOT_RATED: 0x7F7F7F,
}


def warnings_text(story: Story, style: WarningStyle) -> str:
    """Archive warnings are always shown; a server may ask for them behind spoilers."""
    warnings = story.warnings or ["No Archive Warnings given"]
    text = join_limited(warnings, EMBED_FIELD_VALUE_LIMIT - 4)
    return spoiler(text) if style is WarningStyle.SPOILER else text


def status_text(story: Story) -> str:
    if story.complete is None:
        return f"{story.chapter_count} chapter{'s' if story.chapter_count != 1 else ''}"
    state = "complete" if story.complete else "in progress"
    return f"{story.chapter_count} chapter{'s' if story.chapter_count != 1 else ''}, {state}"


def story_embed(story: Story, warning_style: WarningStyle = WarningStyle.PLAIN) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(story.title, EMBED_TITLE_LIMIT),
        url=story.source if story.source and story.source.startswith("http") else None,
        description=truncate(story.summary, EMBED_DESCRIPTION_LIMIT // 2) or None,
        colour=RATING_COLOURS[story.rating],
    )
    embed.add_field(name="By", value=truncate(", ".join(story.authors) or "unknown",
                                              EMBED_FIELD_VALUE_LIMIT))
    embed.add_field(name="Rating", value=story.rating.value)
    embed.add_field(name="Archive warnings", value=warnings_text(story, warning_style),
                    inline=False)
    for kind, label in ((TagKind.FANDOM, "Fandoms"), (TagKind.RELATIONSHIP, "Relationships"),
                        (TagKind.CHARACTER, "Characters"), (TagKind.FREEFORM, "Tags")):
        names = story.tag_names(kind) or ([NO_FANDOM] if kind is TagKind.FANDOM else [])
        if names:
            embed.add_field(name=label, value=join_limited(names, EMBED_FIELD_VALUE_LIMIT),
                            inline=kind is not TagKind.FREEFORM)
    embed.add_field(name="Length", value=f"{story.words:,} words · {status_text(story)}")
    language = language_name(story.language)
    embed.set_footer(text=f"Story {story.id}" + (f" · {language}" if language else ""))
    return fit_embed(embed)


RESTRICTED_NOTE = "Shown in full only in age-restricted channels."


def restricted_embed(story: Story,
                     warning_style: WarningStyle = WarningStyle.PLAIN) -> discord.Embed:
    """Title, rating and warnings: all a channel that is not age-restricted may see."""
    embed = discord.Embed(title=truncate(story.title, EMBED_TITLE_LIMIT),
                          description=RESTRICTED_NOTE, colour=RATING_COLOURS[story.rating])
    embed.add_field(name="Rating", value=story.rating.value)
    embed.add_field(name="Archive warnings", value=warnings_text(story, warning_style),
                    inline=False)
    embed.set_footer(text=f"Story {story.id}")
    return embed


def restricted_line(story: Story | ListedStory) -> str:
    warnings = ", ".join(story.warnings) or "No Archive Warnings given"
    return truncate(f"`{story.id:>4}` **{story.title}** · {story.rating.value} · {warnings}",
                    300)


def story_line(story: Story | ListedStory) -> str:
    authors = ", ".join(story.authors) or "unknown"
    return truncate(
        f"`{story.id:>4}` **{story.title}** by {authors} · {fandom_label(story.fandoms)} · "
        f"{story.rating.value} · {story.words:,} words",
        300,
    )


# Room kept below the description's limit for the closing line.
_CLOSING_ROOM = 120


def story_list_embed(stories: Sequence[Story | ListedStory], heading: str, empty: str,
                     restricted: Collection[int] = (), *, more_note: str | None = None
                     ) -> discord.Embed:
    """One line per story; those whose ids are in `restricted` by title, rating and
    warnings only. `more_note`: the read stopped at its limit, so how many more stories
    there are is not known: the list ends with this line instead of a count."""
    if not stories:
        return fit_embed(discord.Embed(title=heading, description=empty))
    lines: list[str] = []
    size = 0
    for story in stories:
        line = restricted_line(story) if story.id in restricted else story_line(story)
        if size + len(line) + 1 > EMBED_DESCRIPTION_LIMIT - _CLOSING_ROOM:
            break
        lines.append(line)
        size += len(line) + 1
    if more_note is not None:
        lines.append(truncate(more_note, _CLOSING_ROOM - 2))
    elif len(lines) < len(stories):
        lines.append(f"… and {len(stories) - len(lines)} more")
    return fit_embed(discord.Embed(title=truncate(heading, EMBED_TITLE_LIMIT),
                                   description="\n".join(lines)))
