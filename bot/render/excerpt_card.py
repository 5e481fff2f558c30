"""The excerpt card: a passage with its story's essentials, and the buttons under it."""

from __future__ import annotations

from typing import Any

import discord

from bot.library.guild_settings import WarningStyle
from bot.library.models import Story, TagKind
from bot.library.segmentation import display_text
from bot.render.story_cards import RATING_COLOURS, warnings_text
from bot.render.text import EMBED_TITLE_LIMIT, join_limited, truncate
from bot.store.excerpt_history import StoredPassage

# Short fields keep the whole card well inside Discord's 6000-character embed total.
_SHORT_FIELD = 300
_TAGS_SHOWN = 6


def kudos_id(passage_id: int) -> str:
    return f"sb:kudos:{passage_id}"


def bookmark_id(passage_id: int) -> str:
    return f"sb:bookmark:{passage_id}"


def feedback_id(passage_id: int) -> str:
    return f"sb:feedback:{passage_id}"


def next_id(passage_id: int) -> str:
    return f"sb:next:{passage_id}"


def discuss_id(passage_id: int) -> str:
    return f"sb:discuss:{passage_id}"


def position_text(passage: StoredPassage) -> str:
    return (f"Passage {passage.seq + 1} of {passage.story_passage_count} · "
            f"Chapter {passage.chapter}")


def excerpt_embed(
    story: Story, passage: StoredPassage, warning_style: WarningStyle = WarningStyle.PLAIN
) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(story.title, EMBED_TITLE_LIMIT),
        url=story.source if story.source and story.source.startswith("http") else None,
        description=display_text(passage.draft()),
        colour=RATING_COLOURS[story.rating],
    )
    embed.set_author(name=truncate("by " + (", ".join(story.authors) or "unknown"), 256))
    embed.add_field(name="Fandom",
                    value=join_limited(story.fandoms, _SHORT_FIELD) or "Original work")
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
    return embed


def excerpt_view(passage: StoredPassage, *, discuss: bool = True) -> discord.ui.View:
    """The card's buttons. Their clicks are handled by DynamicItems matched on custom_id,
    so the view itself needs no callbacks and stops right after sending (see `sent`)."""
    view = discord.ui.View(timeout=None)
    pid = passage.id
    buttons: list[tuple[str, str, discord.ButtonStyle]] = [
        ("Kudos", kudos_id(pid), discord.ButtonStyle.success),
        ("Bookmark", bookmark_id(pid), discord.ButtonStyle.secondary),
        ("Feedback", feedback_id(pid), discord.ButtonStyle.secondary),
    ]
    if passage.seq + 1 < passage.story_passage_count:
        buttons.append(("Next passage", next_id(pid), discord.ButtonStyle.primary))
    if discuss:
        buttons.append(("Discuss", discuss_id(pid), discord.ButtonStyle.secondary))
    for label, custom_id, style in buttons:
        view.add_item(discord.ui.Button(label=label, custom_id=custom_id, style=style))
    return view


def sent(view: discord.ui.View) -> None:
    """Forget a sent card view: DynamicItems answer its buttons, before and after restarts."""
    view.stop()


def spoiler_line(passage: StoredPassage) -> str:
    return (f"Discussion up to passage {passage.seq + 1} of {passage.story_passage_count} — "
            "mark anything later in the story as ||spoiler||.")


def thread_name(story: Story, passage: StoredPassage) -> str:
    return truncate(f"{story.title} · passage {passage.seq + 1}", 100)


def card_kwargs(
    story: Story, passage: StoredPassage, style: WarningStyle, *, discuss: bool = True
) -> dict[str, Any]:
    return {"embed": excerpt_embed(story, passage, style),
            "view": excerpt_view(passage, discuss=discuss)}
