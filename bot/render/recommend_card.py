"""Recommendations and tag lists as Discord embeds."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.importers.text_rules import escape_markdown
from bot.library.models import ListedStory, TagKind
from bot.library.recommend import RecommendationPage, TagUse
from bot.library.vocabulary import fandom_label, folded_note
from bot.render.limits import fit_embed
from bot.render.text import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_TITLE_LIMIT,
    truncate,
)

RECOMMEND_COLOUR = 0x5865F2
_LIST_ROOM = EMBED_DESCRIPTION_LIMIT - 60


def _byline(story: ListedStory) -> str:
    authors = ", ".join(story.authors) or "unknown"
    return (f"by {authors} · {fandom_label(story.fandoms)} · {story.rating.value} · "
            f"{story.words:,} words")


def recommendation_embed(page: RecommendationPage) -> discord.Embed:
    """One field per story: title, who and what, then why it was picked."""
    embed = discord.Embed(
        title=truncate(f"Recommended: {page.asked}", EMBED_TITLE_LIMIT),
        colour=RECOMMEND_COLOUR,
    )
    if not page.results:
        embed.description = (
            "Nothing in the library matches that here. Try fewer tags, or ask in an "
            "age-restricted channel for Mature and Explicit stories."
        )
        return fit_embed(embed)
    for number, found in enumerate(page.results, start=1):
        reasons = escape_markdown(", ".join(found.reasons)) or "what you asked for"
        value = f"{_byline(found.story)}\n**Why:** shares {reasons}"
        folded = folded_note(found.more_by_author, found.more_in_series)
        if folded:
            value += f"\n*{folded}*"
        embed.add_field(
            name=truncate(f"{number}. {found.story.title}", 256),
            value=truncate(value, EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(text="Reasons are the tags that weighed most. "
                          "Buttons post an excerpt of a result.")
    return fit_embed(embed)


TAGS_PER_PAGE = 25  # a page reads at a glance; Discord would allow more


def _tag_line(use: TagUse, kind: TagKind | None) -> str:
    also = f" (also: {truncate(', '.join(use.synonyms), 120)})" if use.synonyms else ""
    label = "" if kind else f" · {use.kind.value}"
    return truncate(f"**{use.stories}** {escape_markdown(use.name)}{label}"
                    f"{escape_markdown(also)}", 300)


def tag_page_starts(uses: Sequence[TagUse], kind: TagKind | None) -> list[int]:
    """Where each page of the tag list starts: at most TAGS_PER_PAGE lines and one
    description's room a page. Only offsets, so a cached list of them stays small."""
    starts, size = [0], 0
    for number, use in enumerate(uses):
        length = len(_tag_line(use, kind)) + 1
        if number - starts[-1] >= TAGS_PER_PAGE or size + length > _LIST_ROOM:
            starts.append(number)
            size = 0
        size += length
    return starts


def tag_list_pages(uses: Sequence[TagUse], kind: TagKind | None) -> list[list[str]]:
    """Every tag on some page (see tag_page_starts)."""
    starts = tag_page_starts(uses, kind)
    return [[_tag_line(use, kind) for use in uses[begin:end]]
            for begin, end in zip(starts, [*starts[1:], len(uses)], strict=True)]


def tag_list_embed(uses: Sequence[TagUse], kind: TagKind | None,
                   page: int = 0, starts: Sequence[int] | None = None) -> discord.Embed:
    """Canonical tags, most used first, with their story counts and synonyms: one page.
    `starts`: tag_page_starts of these uses, when the caller kept them (only the shown
    page's lines are then written)."""
    heading = f"Tags: {kind.value}" if kind else "Tags"
    if not uses:
        return fit_embed(discord.Embed(title=heading,
                                       description="No story carries such a tag yet."))
    starts = tag_page_starts(uses, kind) if starts is None else starts
    page = min(max(page, 0), len(starts) - 1)
    end = starts[page + 1] if page + 1 < len(starts) else len(uses)
    lines = [_tag_line(use, kind) for use in uses[starts[page]:end]]
    embed = discord.Embed(title=heading, description="\n".join(lines))
    if len(starts) > 1:
        embed.set_footer(text=f"Page {page + 1} of {len(starts)} · {len(uses)} tags")
    return fit_embed(embed)
