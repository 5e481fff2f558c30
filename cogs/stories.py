"""/story: add, browse, fix and remove the server's stories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import curator_only, guild_id_of
from bot.importers.uploads import check_upload, metadata_from_options, parse_tag_list
from bot.library.errors import InvalidInput
from bot.library.gate import Gate, Shown
from bot.library.models import ListedStory, Rating, Story, Tag, TagKind
from bot.library.overlay import seen_through
from bot.library.rating_change import RatingChange
from bot.library.search_order import NEWEST_ONLY_NOTE
from bot.render.story_cards import restricted_embed, story_embed, story_list_embed
from bot.render.story_notes import add_notes_field, rating_notice
from bot.render.text import truncate
from bot.ui.autocomplete import (
    RATING_CHANGE_CHOICES,
    RATING_CHOICES,
    TAG_KIND_CHOICES,
    story_autocomplete,
    tag_autocomplete,
)
from bot.ui.context import gate_of
from bot.ui.link_buttons import add_from_link, refresh_story
from bot.ui.option_bounds import StoryOption, TagListOption, TagOption
from bot.ui.story_buttons import notes_view, remove_view
from bot.ui.suggestion_buttons import queue_text, suggest_work

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
Choices = list[app_commands.Choice[str]]


def restricted_ids(stories: Sequence[Story | ListedStory], gate: Gate) -> set[int]:
    return {story.id for story in stories
            if gate.shows(story.id, story.guild_id, story.rating) is Shown.RESTRICTED}


# Lines read for a list and hits for a search: more than an embed shows, so a full read
# means there are more than the answer can say how many.
LIST_LINES = 50
SEARCH_HITS = 25

SORT_CHOICES = [
    app_commands.Choice(name="title", value="title"),
    app_commands.Choice(name="newest first", value="newest"),
    app_commands.Choice(name="longest first", value="words"),
]


class StoriesCog(commands.Cog):
    story = app_commands.Group(name="story", description="The server's story library",
                               guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @story.command(name="add", description="Add a story from a file or a link (AO3, FFN, …)")
    @app_commands.describe(
        file="The story file, as downloaded from AO3, FanFicFare or pasted into a .txt",
        url="Or a link to the work on its site (AO3, FanFiction.net, Royal Road, …)",
        title="Title, for files that carry none", author="Author, for files that carry none",
        rating="AO3 rating, for files that carry none (see rating_change)",
        rating_change="Whether the rating option may replace a rating the file carries",
        fandom="Fandom to add", tags="Tags to add, separated by commas",
        relationships="Relationships to add, separated by commas (A/B, A & B)",
        characters="Characters to add, separated by commas",
    )
    @app_commands.choices(rating=RATING_CHOICES, rating_change=RATING_CHANGE_CHOICES)
    @curator_only()
    async def add(
        self, interaction: Interaction, file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
        title: app_commands.Range[str, 1, 256] | None = None,
        author: app_commands.Range[str, 1, 100] | None = None,
        rating: app_commands.Choice[str] | None = None,
        rating_change: app_commands.Choice[str] | None = None,
        fandom: app_commands.Range[str, 1, 100] | None = None,
        tags: TagListOption | None = None,
        relationships: TagListOption | None = None,
        characters: TagListOption | None = None,
    ) -> None:
        if (file is None) == (url is None):
            raise InvalidInput("give either a file or a url (one of them)")
        if url is not None:
            if any(option is not None for option in (title, author, rating, fandom, tags)):
                raise InvalidInput("title, author, rating, fandom and tags are for files; "
                                   "a link brings its site's own")
            # A curator may add an adult work; the rating gate keeps it to
            # age-restricted channels.
            await add_from_link(interaction, url, allow_adult=True,
                                added_by=interaction.user.id)
            return
        assert file is not None
        check_upload(file.filename, file.size, self.bot.services.catalog.limits.max_bytes)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        metadata = metadata_from_options(title=title, author=author,
                                         rating=rating.value if rating else None,
                                         fandom=fandom, tags=tags,
                                         relationships=relationships, characters=characters)
        change = RatingChange(rating_change.value) if rating_change else RatingChange.FILL
        story = await self.bot.services.catalog.import_bytes(
            data, file.filename, metadata=metadata, guild_id=guild_id_of(interaction),
            added_by=interaction.user.id, rating_change=change,
        )
        settings = await self.bot.services.guild_settings.get(guild_id_of(interaction))
        notice = rating_notice(story, settings.age_restricted_ratings)
        await interaction.followup.send(
            truncate(f"Added story {story.id}: {story.title}", 300)
            + (f"\n{notice}" if notice else ""),
            embed=story_embed(story, settings.warning_style), ephemeral=True,
        )

    @story.command(name="info", description="Show a story's card")
    @app_commands.describe(story="Start typing a title")
    @app_commands.autocomplete(story=story_autocomplete)
    async def info(self, interaction: Interaction, story: StoryOption) -> None:
        gate = await gate_of(interaction)
        found = await self.bot.services.catalog.resolve(story, gate)
        style = (await self.bot.services.guild_settings.get(gate.guild_id)).warning_style
        if gate.shows(found.id, found.guild_id, found.rating) is not Shown.FULL:
            # title, rating and warnings only outside age-restricted channels
            await interaction.response.send_message(embed=restricted_embed(found, style))
            return
        embed = story_embed(seen_through(found, gate.overlay), style)
        if add_notes_field(embed, found):  # long notes: one line here, in full on a click
            await interaction.response.send_message(embed=embed, view=notes_view(found))
        else:
            await interaction.response.send_message(embed=embed)

    @story.command(name="list", description="List the library's stories")
    @app_commands.describe(tag="Only stories with this tag", sort="Order of the list")
    @app_commands.autocomplete(tag=tag_autocomplete)
    @app_commands.choices(sort=SORT_CHOICES)
    async def list_(
        self, interaction: Interaction, tag: TagOption | None = None,
        sort: app_commands.Choice[str] | None = None,
    ) -> None:
        services = self.bot.services
        gate = await gate_of(interaction)
        groups = []
        if tag:  # the tag as this server names it, with its synonyms here
            rows = await services.gates.tags_named(gate.guild_id, tag)
            groups.append(frozenset(member for row in rows
                                    for member in gate.overlay.members(row.id)))
        stories = await services.catalog.list_shown(
            gate, tag_groups=groups, sort=sort.value if sort else "title",  # type: ignore[arg-type]
            limit=LIST_LINES,
        )
        heading = f"Stories tagged {tag}" if tag else "The library"
        empty = "No story here carries that tag yet." if tag else "The library is empty."
        more = (("… and more: `/story search` finds one by its title or words" if tag else
                 "… and more: `tag:` narrows the list, `/story search` finds a story")
                if len(stories) == LIST_LINES else None)
        await interaction.response.send_message(embed=story_list_embed(
            stories, heading, empty, restricted_ids(stories, gate), more_note=more))

    @story.command(name="search", description="Search titles, summaries, tags and text")
    @app_commands.describe(query="Words to look for")
    async def search(self, interaction: Interaction,
                     query: app_commands.Range[str, 1, 200]) -> None:
        gate = await gate_of(interaction)
        stories = await self.bot.services.catalog.search_shown(query, gate, limit=SEARCH_HITS)
        more = None
        if stories.newest_only:
            more = f"… and more: {NEWEST_ONLY_NOTE}"
        elif len(stories) == SEARCH_HITS:
            more = "… and more: another word narrows the search"
        await interaction.response.send_message(embed=story_list_embed(
            stories, f"Search: {query}", "Nothing matches that search.",
            restricted_ids(stories, gate), more_note=more))

    @story.command(name="edit", description="Fix a story's title, summary, rating or tags")
    @app_commands.describe(
        story="Start typing a title", title="New title", summary="New summary",
        rating="New rating", tag_kind="Kind of the tags below (default: freeform)",
        add_tags="Tags to add, separated by commas", remove_tags="Tags to remove",
    )
    @app_commands.autocomplete(story=story_autocomplete)
    @app_commands.choices(rating=RATING_CHOICES, tag_kind=TAG_KIND_CHOICES)
    @curator_only()
    async def edit(
        self, interaction: Interaction, story: StoryOption,
        title: app_commands.Range[str, 1, 256] | None = None,
        summary: app_commands.Range[str, 1, 2000] | None = None,
        rating: app_commands.Choice[str] | None = None,
        tag_kind: app_commands.Choice[str] | None = None,
        add_tags: TagListOption | None = None,
        remove_tags: TagListOption | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.bot.services.catalog.resolve(story, guild_id)
        if found.guild_id != guild_id:
            raise InvalidInput("demo stories belong to every server and can't be edited here")
        kind = TagKind(tag_kind.value) if tag_kind else TagKind.FREEFORM
        edited = await self.bot.services.catalog.edit(
            found.id, guild_id, title=title, summary=summary,
            rating=Rating(rating.value) if rating else None,
            add_tags=[Tag(kind, n) for n in parse_tag_list(add_tags)],
            remove_tags=[Tag(kind, n) for n in parse_tag_list(remove_tags)],
        )
        settings = await self.bot.services.guild_settings.get(guild_id)
        await interaction.response.send_message(
            f"Updated story {edited.id}.", embed=story_embed(edited, settings.warning_style),
            ephemeral=True,
        )

    @story.command(name="refresh", description="Look for new chapters on a story's site")
    @app_commands.describe(story="Start typing a title")
    @app_commands.autocomplete(story=story_autocomplete)
    @curator_only()
    async def refresh(self, interaction: Interaction, story: StoryOption) -> None:
        found = await self.bot.services.catalog.resolve(story, guild_id_of(interaction))
        await refresh_story(interaction, found.id)

    @story.command(name="suggest", description="Suggest a work for the library (link or file)")
    @app_commands.describe(url="A link to the work on its site (AO3, FanFiction.net, …)",
                           file="Or the story file",
                           note="Why the server should have it (the curators see this)")
    async def suggest(self, interaction: Interaction,
                      url: app_commands.Range[str, 1, 500] | None = None,
                      file: discord.Attachment | None = None,
                      note: app_commands.Range[str, 1, 300] | None = None) -> None:
        await suggest_work(interaction, url=url, file=file, note=note or "")

    @story.command(name="queue", description="Suggested works waiting for a curator")
    async def queue(self, interaction: Interaction) -> None:
        await interaction.response.send_message(await queue_text(interaction), ephemeral=True)

    @story.command(name="remove", description="Remove a story from the library")
    @app_commands.describe(story="Start typing a title")
    @app_commands.autocomplete(story=story_autocomplete)
    @curator_only()
    async def remove(self, interaction: Interaction, story: StoryOption) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.bot.services.catalog.resolve(story, guild_id)
        if found.guild_id != guild_id:
            raise InvalidInput("demo stories belong to every server and can't be removed here")
        # Removing deletes its passages, posts' links and feedback: a click confirms it.
        await interaction.response.send_message(
            f"Remove story {found.id}: {truncate(found.title, 200)} "
            f"by {truncate(', '.join(found.authors) or 'unknown', 100)}? Its passages and "
            "the feedback on it go too. Nothing changes unless you press the button.",
            view=remove_view(found, interaction.user.id), ephemeral=True,
        )


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(StoriesCog(bot))


__all__: list[Any] = ["StoriesCog", "setup"]
