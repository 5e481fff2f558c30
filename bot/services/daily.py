"""The daily post: find the servers whose post is due, claim the day, post, open the thread.

A post is claimed in `daily_posts` (one row per server and local date) BEFORE it is sent,
so neither a second tick, a second instance nor a restart right after can post that day
again; a post that fails after its claim is recorded as failed, not retried. Errors of one
server (channel gone, no permission, nothing to show) are recorded for /daily status and
never stop the others or the loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import discord

from bot.library.clock import Clock
from bot.library.errors import InvalidInput, StoryBotError
from bot.library.records import ScheduleRecord
from bot.library.schedule import DEFAULT_GRACE, due_post, next_run, post_moment
from bot.library.selection import SerialPosition
from bot.render.excerpt_card import excerpt_embed
from bot.services.discussion import open_discussion
from bot.services.excerpts import Excerpt, ExcerptService
from bot.store.protocol import DailyStore, Store
from bot.ui.excerpt_buttons import excerpt_view, sent

log = logging.getLogger("storybot.daily")


class DailyPostFailed(StoryBotError):
    """A daily post could not be made; the message is shown by /daily status."""


@dataclass(frozen=True)
class DuePost:
    record: ScheduleRecord
    local_date: date


@dataclass(frozen=True)
class PostOutcome:
    guild_id: int
    local_date: date | None
    message_id: int | None = None
    error: str | None = None


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """What the bot lacks to make a daily post here (empty when it can)."""
    granted = channel.permissions_for(me)
    needed = [("view_channel", "see the channel"), ("send_messages", "send messages"),
              ("embed_links", "embed links"), ("create_public_threads", "create threads")]
    return [label for flag, label in needed if not getattr(granted, flag)]


async def done_through(store: DailyStore, record: ScheduleRecord) -> date | None:
    """The last local date that is posted or not owed: claimed, or before the schedule was set
    (a schedule set at 19:00 for 18:00 starts tomorrow, it does not post at once)."""
    claimed = await store.last_claimed_date(record.guild_id)
    schedule = record.schedule
    set_on = record.saved_at.astimezone(schedule.zone).date()
    if post_moment(set_on, schedule.local_time, schedule.zone) >= record.saved_at:
        set_on -= timedelta(days=1)
    return set_on if claimed is None else max(claimed, set_on)


async def claim_due(store: DailyStore, now: datetime) -> list[DuePost]:
    """The posts due now, each claimed in the database before anything is sent."""
    claimed: list[DuePost] = []
    for record in await store.enabled():
        local_date = due_post(record.schedule, now, await done_through(store, record),
                              DEFAULT_GRACE)
        if local_date is not None and await store.claim(record.guild_id, local_date, now):
            claimed.append(DuePost(record, local_date))
    return claimed


class DailyService:
    def __init__(self, client: discord.Client, store: Store, excerpts: ExcerptService,
                 clock: Clock) -> None:
        self.client = client
        self.excerpts = excerpts
        self.clock = clock
        self.store = store.daily
        # One tick at a time: the loop and a console's "clock +1d" may call tick together.
        self._tick_lock = asyncio.Lock()

    async def next_run(self, record: ScheduleRecord) -> datetime | None:
        last = await done_through(self.store, record)
        return next_run(record.schedule, self.clock.now(), last, DEFAULT_GRACE)

    async def tick(self) -> list[PostOutcome]:
        """Make every due post (each claimed first). Never raises for one server's problem."""
        async with self._tick_lock:
            outcomes: list[PostOutcome] = []
            for due in await claim_due(self.store, self.clock.now()):
                outcomes.append(await self._post_safely(due.record, due.local_date))
            return outcomes

    async def post_now(self, guild_id: int) -> discord.Message:
        """/daily now: an extra post outside the schedule (today's scheduled post still comes)."""
        record = await self.store.get(guild_id)
        if record is None:
            raise InvalidInput("there is no daily post here yet: set one with /daily set")
        return await self.post(record)

    async def _post_safely(self, record: ScheduleRecord, local_date: date) -> PostOutcome:
        guild_id = record.guild_id
        try:
            message = await self.post(record, local_date)
        except (StoryBotError, discord.HTTPException) as problem:
            text = _error_text(problem)
        except Exception:  # a bug must not stop other servers' posts or the loop
            log.exception("daily post for guild %s failed", guild_id)
            text = "something went wrong on our side; it has been logged"
        else:
            return PostOutcome(guild_id, local_date, message_id=message.id)
        await self.store.mark_failed(guild_id, local_date, text)
        await self.store.record_error(guild_id, text, self.clock.now())
        return PostOutcome(guild_id, local_date, error=text)

    async def post(self, record: ScheduleRecord, local_date: date | None = None) -> discord.Message:
        schedule = record.schedule
        channel = await self._channel(schedule.channel_id)
        excerpt = await self._choose(record, bool(getattr(channel, "nsfw", False)))
        mentions = discord.AllowedMentions.none()
        content = f"📖 **Today's passage** from *{excerpt.story.title}*"
        if schedule.role_id is not None:
            content = f"<@&{schedule.role_id}> {content}"
            # Only the chosen role, only on this message; the story text never pings.
            mentions = discord.AllowedMentions(everyone=False, users=False,
                                               roles=[discord.Object(schedule.role_id)])
        view = excerpt_view(excerpt.passage)
        message = await channel.send(
            content, embed=excerpt_embed(excerpt.story, excerpt.passage,
                                         excerpt.settings.warning_style),
            view=view, allowed_mentions=mentions,
        )
        sent(view)
        await self.excerpts.record_post(message_id=message.id, guild_id=record.guild_id,
                                        channel_id=channel.id, excerpt=excerpt, kind="daily")
        if schedule.mode == "serial":
            await self.store.set_serial_position(
                record.guild_id, SerialPosition(excerpt.story.id, excerpt.passage.seq))
        if local_date is not None:
            await self.store.mark_sent(record.guild_id, local_date, message_id=message.id,
                                       channel_id=channel.id, passage_id=excerpt.passage.id)
        try:
            await open_discussion(message, excerpt, self.excerpts.posts, self.store)
        except discord.HTTPException as problem:
            # The post stands; the missing thread is reported, not retried as a second post.
            await self.store.record_error(record.guild_id,
                                          f"posted, but no thread: {_error_text(problem)}",
                                          self.clock.now())
        return message

    async def _choose(self, record: ScheduleRecord, age_restricted: bool) -> Excerpt:
        if record.schedule.mode == "serial":
            return await self.excerpts.next_serial(record.guild_id, age_restricted,
                                                   record.serial_position)
        return await self.excerpts.choose(record.guild_id, age_restricted)

    async def _channel(self, channel_id: int) -> discord.TextChannel:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                raise DailyPostFailed("the daily channel no longer exists") from None
            except discord.Forbidden:
                raise DailyPostFailed("I can no longer see the daily channel") from None
        if not isinstance(channel, discord.TextChannel):
            raise DailyPostFailed("the daily channel is not a text channel")
        missing = missing_permissions(channel, channel.guild.me)
        if missing:
            raise DailyPostFailed(f"I can't post in #{channel.name}: missing permission to "
                                  + ", ".join(missing))
        return channel


def _error_text(problem: BaseException) -> str:
    if isinstance(problem, discord.Forbidden):
        return "Discord refused the post: the bot lacks a permission in the channel"
    if isinstance(problem, discord.NotFound):
        return "the channel or message is gone"
    if isinstance(problem, discord.HTTPException):
        return f"Discord error {problem.status}: {problem.text[:200]}"
    return str(problem)
