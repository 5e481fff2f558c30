"""Reader feedback for the bot: raw reactions in, kudos/bookmarks/stars, stats and exports out.

Reactions on messages that are not the bot's posts are dropped before any await: an add on
someone else's message is recognised by its author (`message_author_id`), and a message id
looked up once is remembered (posts in `known_posts`, loaded at start and fed by `note_post`;
others in a bounded `_not_posts` LRU), so the database is asked at most once per message.
The bot records a post just after sending it, and a fast reader can react in between: a
reaction on a bot message younger than a minute that is not (yet) a known post is held, and
applied when `note_post` names the message (or dropped once the message is a minute old and
still no post).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Container
from datetime import datetime

from bot.library.clock import Clock
from bot.library.errors import InvalidInput
from bot.library.feedback import (
    TASTE_STORIES,
    GuildStats,
    PassageSignals,
    StoryStats,
    clean_comment,
    love_score,
    parse_stars,
    passage_weight,
    reader_taste,
)
from bot.library.records import BookmarkRow, FeedbackEntry, Ranked, ReactionChange
from bot.store.protocol import Store

NOT_POSTS_REMEMBERED = 50_000
HELD_MESSAGES_CHECKED_AT = 1_000
# A post is recorded just after it is sent; a reaction can come first. Messages younger than
# this are never remembered as "not a post".
RECORDING_GRACE_SECONDS = 60.0
DISCORD_EPOCH_MS = 1_420_070_400_000
BOOKMARKS_PER_PAGE = 10
EXPORT_COLUMNS = ("kind", "story_id", "title", "passage_id", "user_id", "emoji", "stars",
                  "comment", "at")


class StoryGone(InvalidInput):
    def __init__(self) -> None:
        super().__init__("That story was removed from the library; this button no longer works.")


def _age_seconds(snowflake: int, now: datetime) -> float:
    """How long before `now` Discord made this id (its top bits are ms since 2015)."""
    return now.timestamp() - ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def _inert(cell: object) -> object:
    """A reader's comment must not become a spreadsheet formula when the CSV is opened."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _csv_bytes(rows: list[tuple[object, ...]]) -> bytes:
    # Encoded a few kilobytes at a time as the rows are written. Building the whole text
    # first (one str, four bytes a character once an emoji is in it) and encoding it in one
    # call held the GIL, and with it the event loop, ~30 ms for 25,000 rows (bench_loop_lag).
    buffer = io.BytesIO()
    with io.TextIOWrapper(buffer, encoding="utf-8", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([_inert(cell) for cell in row] for row in rows)
        text.flush()
        return buffer.getvalue()


def _best_of_server(figures: list[Ranked], signals: dict[int, PassageSignals],
                    where: dict[int, tuple[int, int]], shown: Container[int], top: int
                    ) -> tuple[list[tuple[int, float]], list[tuple[int, int, int, float]]]:
    """A server's `top` stories (story id, score) and passages (passage id, story id, seq,
    score) the channel may show, best first; none without a positive score."""
    stories = sorted(((r.story_id, _score(r)) for r in figures if r.story_id in shown),
                     key=lambda t: (-t[1], t[0]))
    passages = sorted(
        ((pid, where[pid][0], where[pid][1],
          love_score(s.reactions, 0, s.bookmarks, s.stars_total, s.stars_count))
         for pid, s in signals.items() if pid in where and where[pid][0] in shown),
        key=lambda t: (-t[3], t[0]))
    return [s for s in stories if s[1] > 0][:top], [p for p in passages if p[3] > 0][:top]


def _score(r: Ranked) -> float:
    return love_score(r.reactions, r.kudos, r.bookmarks, r.stars_total, r.stars_count)


class FeedbackService:
    def __init__(self, store: Store, clock: Clock, *,
                 on_forget: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.repo = store.feedback
        self.writes = store.feedback_writes
        self.clock = clock
        self.known_posts: set[int] = set()
        self._not_posts: OrderedDict[int, None] = OrderedDict()
        # Reactions on young bot messages not yet known as posts: message id -> changes.
        self._held: dict[int, list[ReactionChange]] = {}
        self._releasing: set[asyncio.Future[None]] = set()
        # False: reactions are not recorded at all (the benchmark's do-nothing baseline).
        self.ingest_enabled = True
        # Told of a user whose data was deleted (their blocked tags went too): caches follow.
        self.on_forget = on_forget

    async def load_known_posts(self) -> None:
        self.known_posts = set(await self.repo.post_message_ids())

    def note_post(self, message_id: int) -> None:
        """Called when a post is recorded: its reactions are taken without a lookup, and
        the ones that came before it are applied now."""
        self.known_posts.add(message_id)
        self._not_posts.pop(message_id, None)
        held = self._held.pop(message_id, [])
        if held:
            releasing = asyncio.ensure_future(self._submit_all(held))
            self._releasing.add(releasing)  # kept until done, so the task is not collected
            releasing.add_done_callback(self._releasing.discard)

    async def _submit_all(self, changes: list[ReactionChange]) -> None:
        for change in changes:
            await self.writes.reaction(change)

    def _now(self) -> str:
        return self.clock.now().isoformat()

    # ----- reactions

    async def reaction(self, message_id: int, user_id: int, emoji: str, *, added: bool,
                       message_author_id: int | None, bot_user_id: int | None) -> bool:
        """Queue one raw reaction event if it is on a bot post; True when queued."""
        if not self.ingest_enabled or user_id == bot_user_id:
            return False
        change = ReactionChange(message_id, user_id, emoji, added, self._now())
        if message_id not in self.known_posts:
            if message_author_id is not None and message_author_id != bot_user_id:
                return False
            if message_id in self._not_posts:
                return False
            if not await self._is_post(message_id):
                if message_id in self._not_posts:
                    return False
                # Young, and the bot may be about to record it: hold it until it does.
                self._held.setdefault(message_id, []).append(change)
                self._forget_stale_holds()
                return True
        await self.writes.reaction(change)
        return True

    def _forget_stale_holds(self) -> None:
        """Held reactions of messages past the grace minute never became posts' (bounded)."""
        if len(self._held) <= HELD_MESSAGES_CHECKED_AT:
            return
        now = self.clock.now()
        for message_id in [m for m in self._held
                           if _age_seconds(m, now) >= RECORDING_GRACE_SECONDS]:
            del self._held[message_id]

    async def _is_post(self, message_id: int) -> bool:
        if await self.repo.is_post(message_id):
            self.known_posts.add(message_id)
            held = self._held.pop(message_id, [])
            await self._submit_all(held)
            return True
        if _age_seconds(message_id, self.clock.now()) < RECORDING_GRACE_SECONDS:
            return False  # the bot may be about to record it: ask again next time
        self._held.pop(message_id, None)  # a minute on and still no post: not one of ours
        self._not_posts[message_id] = None
        if len(self._not_posts) > NOT_POSTS_REMEMBERED:
            self._not_posts.popitem(last=False)
        return False

    # ----- buttons and the modal

    async def story_of_passage(self, passage_id: int) -> int:
        story_id = await self.repo.passage_story(passage_id)
        if story_id is None:
            raise StoryGone()
        return story_id

    async def toggle_kudos(self, guild_id: int | None, user_id: int, story_id: int) -> bool:
        return await self.writes.toggle_kudos(story_id, user_id, guild_id, self._now())

    async def toggle_bookmark(self, guild_id: int | None, user_id: int, passage_id: int) -> bool:
        story_id = await self.story_of_passage(passage_id)
        return await self.writes.toggle_bookmark(user_id, passage_id, story_id, guild_id,
                                                 self._now())

    async def save_feedback(self, guild_id: int | None, user_id: int, story_id: int,
                            passage_id: int | None, stars: str, comment: str | None
                            ) -> FeedbackEntry:
        """Validate (one clear line on bad input) and store; replaces an earlier entry."""
        entry = FeedbackEntry(guild_id, story_id, passage_id, user_id, parse_stars(stars),
                              clean_comment(comment), self._now())
        await self.writes.save_feedback(entry)
        return entry

    async def feedback_of(self, user_id: int, story_id: int,
                          passage_id: int | None) -> FeedbackEntry | None:
        return await self.repo.feedback_of(user_id, story_id, passage_id)

    # ----- stats

    async def story_stats(self, guild_id: int, story_id: int, *, with_comments: bool,
                          best: int = 3) -> StoryStats:
        totals = await self.repo.story_totals(guild_id, story_id)
        signals = await self.repo.passage_signals(guild_id, story_id=story_id)
        seqs = await self.repo.passage_stories(list(signals))
        ranked = sorted(
            ((pid, seqs[pid][1], love_score(s.reactions, 0, s.bookmarks, s.stars_total,
                                           s.stars_count))
             for pid, s in signals.items() if pid in seqs), key=lambda t: (-t[2], t[1]))
        comments = await self.repo.comments(guild_id, story_id) if with_comments else []
        days = await self.repo.reaction_days(guild_id, story_id)
        return StoryStats(story_id, totals, [r for r in ranked if r[2] > 0][:best], comments, days)

    async def guild_stats(self, guild_id: int, visible: Container[int], top: int = 5
                          ) -> GuildStats:
        shown = visible  # membership only: never copy a 100k-story library per /stats
        figures = await self.repo.story_figures(guild_id)
        signals = await self.repo.passage_signals(guild_id)
        where = await self.repo.passage_stories(list(signals))
        # Every story and passage of a busy server with feedback (tens of thousands of
        # each): ranked off the event loop.
        stories, passages = await asyncio.to_thread(
            _best_of_server, figures, signals, where, shown, top)
        days = await self.repo.reaction_days(guild_id, None)
        return GuildStats(stories, passages, days)

    async def export_csv(self, guild_id: int) -> bytes:
        rows = await self.repo.export_rows(guild_id)
        # A busy server has tens of thousands of rows: written off the event loop.
        return await asyncio.to_thread(_csv_bytes, rows)

    # ----- personal data

    async def bookmarks_page(self, user_id: int, guild_id: int, page: int
                             ) -> tuple[list[BookmarkRow], int, int]:
        """(rows, page actually shown, page count) for a 0-based page (clamped)."""
        _, total = await self.repo.bookmarks(user_id, guild_id, 0, 0)
        pages = max(1, -(-total // BOOKMARKS_PER_PAGE))
        page = min(max(0, page), pages - 1)
        rows, _ = await self.repo.bookmarks(user_id, guild_id, page * BOOKMARKS_PER_PAGE,
                                            BOOKMARKS_PER_PAGE)
        return rows, page, pages

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete everything held about the user, after every queued write of theirs."""
        touched = await self.writes.forget_user(user_id)
        if self.on_forget is not None:
            await self.on_forget(user_id)
        return touched

    # ----- what excerpts and recommendations read

    async def passage_weights(self, guild_id: int, passage_ids: list[int]) -> dict[int, float]:
        """Selection weight per passage: 1.0 without feedback, > 1 liked, < 1 dismissed."""
        signals = await self.repo.passage_signals(guild_id, list(passage_ids))
        return {pid: passage_weight(signals[pid]) if pid in signals else 1.0
                for pid in passage_ids}

    async def reader_profile(self, guild_id: int, user_id: int
                             ) -> tuple[dict[int, float], set[int]]:
        """(story id -> affinity, stories the reader gave kudos) for "for me" recommendations:
        the affinities of their most recent stories (`reader_taste`)."""
        return reader_taste(await self.repo.reader_signals(guild_id, user_id, TASTE_STORIES))
