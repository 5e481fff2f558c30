"""The daily post: find the servers whose post is due, claim the day, post, open the thread.

A post is claimed in `daily_posts` (one row per server and local date) BEFORE it is sent,
so neither a second tick, a second instance nor a restart right after can post that day
again. The claim keeps a nonce, and the chosen passage is kept before sending: a post
interrupted by a crash (claimed, maybe sent, not marked) is retried at the next tick within
its window with the same nonce and passage, and Discord answers a resend with the message
it already made (enforce_nonce), so the day still has exactly one post. A post that fails
is recorded with the reason, not retried; so is a day that passed while the bot was not
running. Errors of one server (channel gone, no permission, nothing to show) are recorded
for /daily status and never stop the others or the loop.

A process posts only for its own servers: those its client has, on its shards. Should two
processes both count a server as theirs (shards being moved between processes), the claim
still lets only one of them post, and a claim younger than IN_FLIGHT is left to whoever
made it rather than taken for a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import discord

from bot.library.clock import Clock
from bot.library.errors import InvalidInput, StoryBotError
from bot.library.records import ScheduleRecord
from bot.library.schedule import (
    DEFAULT_GRACE,
    due_post,
    missed_dates,
    next_run,
    post_moment,
    window_open,
)
from bot.library.selection import SerialPosition
from bot.library.shards import owned_guilds
from bot.render.excerpt_card import excerpt_embed
from bot.services.discussion import open_discussion
from bot.services.excerpts import Excerpt, ExcerptService
from bot.store.errors import StoreUnavailable
from bot.store.protocol import DailyStore, Store
from bot.ui.excerpt_buttons import excerpt_view

log = logging.getLogger("storybot.daily")


class DailyPostFailed(StoryBotError):
    """A daily post could not be made; the message is shown by /daily status."""


MISSED_OFFLINE = "the bot was not running within 6 hours of the post time"
MISSED_INTERRUPTED = "the post was interrupted and its 6-hour window passed before a retry"
# How long a claimed, unmarked post may still be on its way in the process that claimed it;
# only older ones count as interrupted. A post takes a second or two; Discord's rate limits
# may stretch it, and then the nonce still keeps a resend from making a second message.
IN_FLIGHT = timedelta(seconds=30)


@dataclass(frozen=True)
class DuePost:
    record: ScheduleRecord
    local_date: date
    passage_id: int | None = None  # kept by an interrupted attempt: post the same one


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


def post_nonce(guild_id: int, local_date: date) -> str:
    """The same nonce for the same server and day, in every process (Discord: ≤ 25 chars)."""
    digest = hashlib.sha256(f"daily:{guild_id}:{local_date.isoformat()}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big"))[:25]


async def claim_due(store: DailyStore, now: datetime,
                    owned: Container[int] | None = None) -> list[DuePost]:
    """The posts due now, each claimed in the database before anything is sent; days whose
    window closed unposted are recorded as missed. With `owned`, only those servers' (the
    rest belong to other processes)."""
    claimed: list[DuePost] = []
    for record in await store.enabled():
        if owned is not None and record.guild_id not in owned:
            continue
        last = await done_through(store, record)
        for day in missed_dates(record.schedule, now, last, DEFAULT_GRACE):
            await store.record_missed(record.guild_id, day, now, MISSED_OFFLINE)
        local_date = due_post(record.schedule, now, await done_through(store, record),
                              DEFAULT_GRACE)
        if local_date is not None and await store.claim(
                record.guild_id, local_date, now, post_nonce(record.guild_id, local_date)):
            claimed.append(DuePost(record, local_date))
    return claimed


class DailyService:
    def __init__(self, client: discord.Client, store: Store, excerpts: ExcerptService,
                 clock: Clock, *, checkpoint: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.excerpts = excerpts
        self.clock = clock
        self.store = store.daily
        self.posts = store.posts
        # Called with each step's name ("claimed", "chosen", "sent", "marked"); the
        # crash tests stop a post there the way a killed process would.
        self.checkpoint = checkpoint or (lambda step: None)
        # One tick at a time: the loop and a console's "clock +1d" may call tick together.
        self._tick_lock = asyncio.Lock()

    async def next_run(self, record: ScheduleRecord) -> datetime | None:
        last = await done_through(self.store, record)
        return next_run(record.schedule, self.clock.now(), last, DEFAULT_GRACE)

    async def tick(self) -> list[PostOutcome]:
        """Finish interrupted posts, then make every due post (each claimed first). Never
        raises for one server's problem."""
        async with self._tick_lock:
            outcomes: list[PostOutcome] = []
            owned = self.owned_guilds()
            for due in await self._interrupted(owned):
                outcomes.append(await self._post_safely(due))
            for due in await claim_due(self.store, self.clock.now(), owned):
                self.checkpoint("claimed")
                outcomes.append(await self._post_safely(due))
            return outcomes

    def owned_guilds(self) -> frozenset[int]:
        """The servers this process posts for: the ones its client has, on its shards."""
        client = self.client
        return owned_guilds((guild.id for guild in client.guilds), client.shard_count,
                            getattr(client, "shard_ids", None))

    async def _interrupted(self, owned: Container[int]) -> list[DuePost]:
        """Claimed posts a crash left unmarked: retried while their window is open, else
        recorded as missed. A fresh claim may still be on its way in another process."""
        now = self.clock.now()
        retry: list[DuePost] = []
        for row in await self.store.unfinished():
            if row.guild_id not in owned or now - row.claimed_at < IN_FLIGHT:
                continue
            record = await self.store.get(row.guild_id)
            if record is not None and window_open(record.schedule, row.local_date, now):
                retry.append(DuePost(record, row.local_date, row.passage_id))
            else:
                await self.store.mark_failed(row.guild_id, row.local_date, MISSED_INTERRUPTED)
        return retry

    async def post_now(self, guild_id: int) -> discord.Message:
        """/daily now: an extra post outside the schedule (today's scheduled post still comes)."""
        record = await self.store.get(guild_id)
        if record is None:
            raise InvalidInput("there is no daily post here yet: set one with /daily set")
        return await self.post(record)

    async def _post_safely(self, due: DuePost) -> PostOutcome:
        record, local_date = due.record, due.local_date
        guild_id = record.guild_id
        try:
            message = await self.post(record, local_date, passage_id=due.passage_id)
        except StoreUnavailable:
            # Not this post's failure: the claim stays open and the next tick finishes it
            # (the same nonce, so a message already sent is not sent twice).
            raise
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

    async def post(self, record: ScheduleRecord, local_date: date | None = None, *,
                   passage_id: int | None = None) -> discord.Message:
        """Post to the daily channel; with a `local_date`, as that day's claimed post (its
        nonce makes a resend after a crash return the message already made)."""
        schedule = record.schedule
        channel = await self._channel(schedule.channel_id)
        if passage_id is not None:
            excerpt = await self.excerpts.excerpt(passage_id, record.guild_id)
        else:
            excerpt = await self._choose(record, bool(getattr(channel, "nsfw", False)))
            if local_date is not None:
                await self.store.set_passage(record.guild_id, local_date, excerpt.passage.id)
        self.checkpoint("chosen")
        mentions = discord.AllowedMentions.none()
        content = f"📖 **Today's passage** from *{excerpt.story.title}*"
        if schedule.role_id is not None:
            content = f"<@&{schedule.role_id}> {content}"
            # Only the chosen role, only on this message; the story text never pings.
            mentions = discord.AllowedMentions(everyone=False, users=False,
                                               roles=[discord.Object(schedule.role_id)])
        view = excerpt_view(excerpt.passage)
        # A claimed day's post carries its nonce (discord.py then sets enforce_nonce).
        nonce: dict[str, Any] = ({"nonce": post_nonce(record.guild_id, local_date)}
                                 if local_date is not None else {})
        message = await channel.send(
            content, embed=excerpt_embed(excerpt.story, excerpt.passage,
                                         excerpt.settings.warning_style),
            view=view, allowed_mentions=mentions, **nonce,
        )
        self.checkpoint("sent")
        await self.excerpts.record_post(message_id=message.id, guild_id=record.guild_id,
                                        channel_id=channel.id, excerpt=excerpt, kind="daily")
        if schedule.mode == "serial":
            await self.store.set_serial_position(
                record.guild_id, SerialPosition(excerpt.story.id, excerpt.passage.seq))
        if local_date is not None:
            await self.store.mark_sent(record.guild_id, local_date, message_id=message.id,
                                       channel_id=channel.id, passage_id=excerpt.passage.id)
            self.checkpoint("marked")
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
