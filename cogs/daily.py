"""/daily: the server's daily passage, and the loop that posts it when due."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import curator_only, guild_id_of
from bot.library.errors import InvalidInput, StoryBotError
from bot.library.records import DailyPostRow, ScheduleRecord
from bot.library.schedule import DailySchedule, parse_local_time, timezone_choices
from bot.services.daily import DailyService, PostOutcome, missing_permissions
from bot.ui.autocomplete import story_autocomplete
from bot.ui.option_bounds import StoryOption

if TYPE_CHECKING:
    from bot.app import StoryBot

log = logging.getLogger("storybot.daily")

Interaction = discord.Interaction["StoryBot"]
COG_NAME = "Daily"
TICK_SECONDS = 30
MODE_CHOICES = [app_commands.Choice(name="random passages", value="random"),
                app_commands.Choice(name="book club (one story in order)", value="serial")]


async def timezone_autocomplete(interaction: Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]


def status_lines(record: ScheduleRecord | None, next_at: str | None, last: str | None,
                 missed: Sequence[DailyPostRow] = ()) -> str:
    if record is None:
        return "There is no daily post here. Set one with /daily set."
    schedule = record.schedule
    state = "on" if schedule.enabled else "off"
    lines = [
        f"Daily post: **{state}** · <#{schedule.channel_id}> at "
        f"{schedule.local_time:%H:%M} {schedule.timezone} · {schedule.mode}"
        + (f" · pings <@&{schedule.role_id}>" if schedule.role_id else ""),
        f"Next post: {next_at or 'none (the schedule is off)'}",
        f"Last post: {last or 'none yet'}",
    ]
    lines += [f"Missed {row.local_date:%Y-%m-%d}: {row.error}" for row in missed]
    if record.last_error:
        when = f"{record.last_error_at:%Y-%m-%d %H:%M} UTC" if record.last_error_at else ""
        lines.append(f"Last error ({when}): {record.last_error}")
    return "\n".join(lines)


class DailyCog(commands.Cog, name=COG_NAME):
    daily = app_commands.Group(name="daily", description="The server's daily passage",
                               guild_only=True)

    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @property
    def service(self) -> DailyService:
        service = self.bot.services.daily
        if service is None:  # pragma: no cover - the bot's services always post daily
            raise RuntimeError("daily posts need the running bot")
        return service

    async def cog_load(self) -> None:
        self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()

    async def tick(self) -> list[PostOutcome]:
        """Make the posts that are due now (the loop calls this; tests and the console too)."""
        return await self.service.tick()

    @tasks.loop(seconds=TICK_SECONDS)
    async def loop(self) -> None:
        try:
            await self.tick()
        except StoryBotError as problem:  # e.g. the database away: the next tick tries again
            log.warning("daily posts wait for the next tick: %s", problem)

    @loop.before_loop
    async def _wait_until_ready(self) -> None:
        try:
            await self.bot.wait_until_ready()
        except RuntimeError:  # a bot that never logs in (a test that only loads the cogs)
            self.loop.cancel()

    @daily.command(name="set", description="Post a passage every day at a local time")
    @app_commands.describe(channel="Where to post", time="Local time, like 18:30 or 6:30pm",
                           timezone="Your time zone, like Europe/London",
                           mode="Random passages, or a book club reading one story in order",
                           role="A role to ping with each post (no one is pinged otherwise)")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    @app_commands.choices(mode=MODE_CHOICES)
    @curator_only()
    async def set_(self, interaction: Interaction, channel: discord.TextChannel,
                   time: app_commands.Range[str, 1, 16],
                   timezone: app_commands.Range[str, 1, 64],
                   mode: app_commands.Choice[str] | None = None,
                   role: discord.Role | None = None) -> None:
        guild_id = guild_id_of(interaction)
        schedule = DailySchedule(channel_id=channel.id, local_time=parse_local_time(time),
                                 timezone=timezone, mode=mode.value if mode else "random",  # type: ignore[arg-type]
                                 role_id=role.id if role else None)
        self._check_channel(interaction, channel.id)
        await self.service.store.save(guild_id, schedule, self.bot.clock.now())
        record = await self.service.store.get(guild_id)
        assert record is not None
        next_at = await self.service.next_run(record)
        await interaction.response.send_message(
            f"Daily post set: {channel.mention} at {schedule.local_time:%H:%M} "
            f"{schedule.timezone} ({schedule.mode}). Next post: {_when(next_at)}.",
            ephemeral=True,
        )

    def _check_channel(self, interaction: Interaction, channel_id: int) -> None:
        guild = interaction.guild
        channel = guild.get_channel(channel_id) if guild else None
        if guild is None or not isinstance(channel, discord.TextChannel):
            raise InvalidInput("choose a text channel of this server for the daily post")
        missing = missing_permissions(channel, guild.me)
        if missing:
            raise InvalidInput(f"I can't post in {channel.mention}: I'm missing permission to "
                               + ", ".join(missing))

    @daily.command(name="off", description="Stop the daily post")
    @curator_only()
    async def off(self, interaction: Interaction) -> None:
        stopped = await self.service.store.disable(guild_id_of(interaction))
        text = "The daily post is off." if stopped else "The daily post was not on."
        await interaction.response.send_message(text, ephemeral=True)

    @daily.command(name="status", description="When the next daily post comes, and the last one")
    async def status(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        record = await self.service.store.get(guild_id)
        next_at = await self.service.next_run(record) if record else None
        last = await self.service.posts.latest(guild_id, "daily")  # /daily now's too
        last_text = None
        if last is not None:
            last_text = (f"{_when(last.posted_at)} https://discord.com/channels/{guild_id}/"
                         f"{last.channel_id}/{last.message_id}")
        missed = await self.service.store.missed(guild_id)
        await interaction.response.send_message(
            status_lines(record, _when(next_at) if next_at else None, last_text, missed),
            ephemeral=True)

    @daily.command(name="now", description="Post a daily passage right now (an extra one)")
    @curator_only()
    async def now(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        message = await self.service.post_now(guild_id_of(interaction))
        await interaction.followup.send(f"Posted: {message.jump_url}", ephemeral=True)

    @daily.command(name="prompt", description="Set the discussion prompt for a story")
    @app_commands.describe(story="Start typing a title",
                           text="The question its discussion threads open with (empty: default)")
    @app_commands.autocomplete(story=story_autocomplete)
    @curator_only()
    async def prompt(self, interaction: Interaction, story: StoryOption,
                     text: app_commands.Range[str, 0, 500] = "") -> None:
        guild_id = guild_id_of(interaction)
        found = await self.bot.services.catalog.resolve(story, guild_id)
        await self.service.store.set_prompt(guild_id, found.id, text.strip() or None)
        reply = (f"Threads about “{found.title}” will ask: {text.strip()}" if text.strip()
                 else f"Threads about “{found.title}” will use the rotating prompts.")
        await interaction.response.send_message(reply, ephemeral=True)


def _when(moment: datetime | None) -> str:
    """A moment as Discord shows it: in each reader's own time zone."""
    if moment is None:
        return "none"
    timestamp = int(moment.timestamp())
    return f"<t:{timestamp}:F> (<t:{timestamp}:R>)"


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(DailyCog(bot))
