"""Stories from links: Apps → "Add to library" on any message, and the background check
that follows works in progress for new chapters.

Context menus receive the message (content included) in the interaction itself, so the
bot needs no message-content intent to read the links in it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import curator_only
from bot.library.errors import DuplicateStory, InvalidInput, StoryBotError
from bot.render.text import truncate
from bot.sources import find_links
from bot.ui.context import guild_id_of, services_of
from bot.ui.link_buttons import add_from_link, announce_new_chapters
from bot.ui.suggestion_buttons import suggest_work

if TYPE_CHECKING:
    from bot.app import StoryBot

Interaction = discord.Interaction["StoryBot"]
log = logging.getLogger("storybot.links")

# Links taken from one message (more are named, not fetched: the queue is shared).
MOST_LINKS_PER_MESSAGE = 5
# The background check wakes this often and asks at most this many sites each time, so a
# library's followed stories are spread over the day rather than fetched in a burst.
CHECK_EVERY = timedelta(minutes=10)
STORIES_PER_ROUND = 3
# A story's site is asked about it at most this often by the background check.
RECHECK_AFTER = timedelta(hours=12)


def links_in(message: discord.Message) -> list[str]:
    links = find_links(message.content or "")
    if not links:
        raise InvalidInput("that message has no links in it")
    return links


class LinksCog(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self.add_menu = app_commands.ContextMenu(name="Add to library",
                                                 callback=self.add_to_library)
        self.add_menu.guild_only = True
        curator_only()(self.add_menu)
        self.suggest_menu = app_commands.ContextMenu(name="Suggest for the library",
                                                     callback=self.suggest_for_library)
        self.suggest_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.add_menu)
        self.bot.tree.add_command(self.suggest_menu)
        self.check_for_updates.start()

    async def cog_unload(self) -> None:
        self.check_for_updates.cancel()
        self.bot.tree.remove_command(self.add_menu.name, type=self.add_menu.type)
        self.bot.tree.remove_command(self.suggest_menu.name, type=self.suggest_menu.type)

    async def add_to_library(self, interaction: Interaction, message: discord.Message) -> None:
        links = links_in(message)
        if len(links) == 1:
            await add_from_link(interaction, links[0], allow_adult=True,
                                added_by=interaction.user.id)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        lines = [await self._add_one(interaction, url)
                 for url in links[:MOST_LINKS_PER_MESSAGE]]
        if len(links) > MOST_LINKS_PER_MESSAGE:
            lines.append(f"…and {len(links) - MOST_LINKS_PER_MESSAGE} more links not taken: "
                         f"add them {MOST_LINKS_PER_MESSAGE} at a time.")
        await interaction.edit_original_response(content=truncate("\n".join(lines), 2000))

    async def suggest_for_library(self, interaction: Interaction,
                                  message: discord.Message) -> None:
        """A reader's suggestion of the message's first link (one card per work)."""
        await suggest_work(interaction, url=links_in(message)[0])

    async def _add_one(self, interaction: Interaction, url: str) -> str:
        shown = f"<{truncate(url, 200)}>"
        try:
            story = await services_of(interaction).story_links.add(
                url, guild_id=guild_id_of(interaction), added_by=interaction.user.id,
                allow_adult=True)
        except DuplicateStory as duplicate:
            return f"{shown}: {duplicate} (/story refresh to look for new chapters)"
        except StoryBotError as problem:
            return f"{shown}: {problem}"
        return f"{shown}: added story {story.id}, {truncate(story.title, 150)}"

    @tasks.loop(seconds=CHECK_EVERY.total_seconds())
    async def check_for_updates(self) -> None:
        """A few followed stories per round, the longest unchecked first."""
        services = self.bot.services
        # Each process checks its own shards' servers: it announces in their channels.
        due = await services.story_links.due(STORIES_PER_ROUND, not_checked_for=RECHECK_AFTER,
                                             shards=self.bot.plan)
        for story_id in due:
            try:
                outcome = await services.story_links.refresh(story_id)
                await announce_new_chapters(self.bot, services, outcome)
            except Exception:  # noqa: BLE001 - one story's trouble must not stop the loop
                log.exception("update check of story %s failed", story_id)

    @check_for_updates.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
        # The first round waits one interval: a restart does not start with a burst.
        await asyncio.sleep(CHECK_EVERY.total_seconds())


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(LinksCog(bot))
