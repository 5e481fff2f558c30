"""Choosing passages for a server and a channel: the rules of /excerpt, Next and the daily post.

Every choice goes through the same gate: the server's rating ceiling for the channel
(restricted ratings only in age-restricted channels) and its blocked tags (a story carrying
a blocked tag or any synonym of it is never shown). Nothing here talks to Discord.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Literal

from bot.catalog import Catalog
from bot.library.clock import Clock
from bot.library.errors import InvalidInput
from bot.library.feedback import MAX_WEIGHT
from bot.library.guild_settings import GuildSettings
from bot.library.models import Passage, Story
from bot.library.records import PostRecord
from bot.library.sampling import (
    SampledPassage,
    accepted,
    batch_sizes,
    qualifies,
    random_ids,
)
from bot.library.selection import (
    PassageCandidate,
    SelectionRules,
    SerialPosition,
    next_serial_passage,
    select_passage,
)
from bot.library.visibility import can_see
from bot.services.gates import GateService
from bot.services.tag_lookup import TagLookup
from bot.store.protocol import Store

# (guild id, passage ids) -> weight per passage id (liked > 1.0 > dismissed); missing = 1.0.
PassageWeights = Callable[[int, list[int]], Awaitable[dict[int, float]]]
IdRange = tuple[int, int] | None  # the lowest and highest id of a table (None: empty)
Table = Literal["passages", "stories"]  # what is drawn: passages, or stories' openings
# A batch of drawn ids -> the drawn rows that exist and are allowed, in draw order.
DrawBatch = Callable[[list[int]], Awaitable[list[SampledPassage]]]
STORY_COOLDOWN = timedelta(days=14)
_SEQ = attrgetter("seq")
# Libraries with fewer passages than this are scanned: cheap, and the tests' seeded choices
# stay what they were.
SAMPLING_THRESHOLD = 1_000
# The passages' id range is kept between draws: dropped on every story change (this
# process's or another's, through the change feed), and re-read after this many seconds in
# case a change was missed.
ID_RANGE_SECONDS = 30.0


@dataclass(frozen=True)
class Excerpt:
    """A passage ready to be shown: the card needs the story, the passage and the settings."""

    story: Story
    passage: Passage
    settings: GuildSettings


class ExcerptService:
    def __init__(self, store: Store, catalog: Catalog, clock: Clock, *,
                 gates: GateService | None = None,
                 passage_weights: PassageWeights | None = None,
                 on_post: Callable[[int], None] | None = None,
                 rng: random.Random | None = None, weight_bound: float = MAX_WEIGHT,
                 sampling_threshold: int = SAMPLING_THRESHOLD) -> None:
        self.catalog = catalog
        self.clock = clock
        self.rng = rng or random.Random()
        self.history = store.passages
        self.posts = store.posts
        self.guild_settings = store.guild_settings
        self.gates = gates or GateService(store, catalog, TagLookup(store.tags))
        self.daily = store.daily
        # Feedback's weights (liked > 1.0 > dismissed); None weighs every passage 1.0.
        self.passage_weights = passage_weights
        # The largest weight the hook gives (sampling keeps a draw with weight / bound).
        self.weight_bound = weight_bound
        # Below this many passage ids a full scan is cheap, and exact without sampling.
        self.sampling_threshold = sampling_threshold
        # Told each recorded post's message id (feedback then takes its reactions at once).
        self.on_post = on_post
        # The passages' and the stories' id ranges: the draws' bounds.
        self._id_ranges: dict[Table, IdRange] = {}
        self._id_ranges_until = 0.0  # time.monotonic() after which they are read again
        catalog.change_listeners.append(self._library_changed)

    async def _library_changed(self, story_id: int) -> None:
        self._id_ranges_until = 0.0  # stories or passages came or went: read them again

    async def _id_range(self, table: Table) -> IdRange:
        now = time.monotonic()
        if now >= self._id_ranges_until:
            self._id_ranges.clear()
            self._id_ranges_until = now + ID_RANGE_SECONDS
        if table not in self._id_ranges:
            self._id_ranges[table] = await (self.history.id_range() if table == "passages"
                                            else self.history.story_id_range())
        return self._id_ranges[table]

    async def candidates(
        self, guild_id: int, age_restricted: bool, story_ids: Sequence[int] | None = None
    ) -> list[PassageCandidate]:
        """Every passage the channel may show (all of each story; spoiler limits come later):
        the channel's gate with its text allowed (bot/library/gate.py)."""
        gate = await self.gates.for_channel(guild_id, age_restricted)
        found = await self.history.candidates(
            gate.visibility, gate.full_ratings, gate.blocked_tag_ids, story_ids
        )
        if self.passage_weights is None or not found:
            return found
        weights = await self.passage_weights(guild_id, [c.passage_id for c in found])
        return [replace(c, weight=weights.get(c.passage_id, 1.0)) for c in found]

    async def rules(self, guild_id: int) -> SelectionRules:
        settings = await self.guild_settings.get(guild_id)
        return SelectionRules(spoiler_fraction=settings.spoiler_fraction,
                              story_cooldown=STORY_COOLDOWN)

    async def choose(
        self, guild_id: int, age_restricted: bool, story: Story | None = None
    ) -> Excerpt:
        """A spoiler-safe passage this server has not seen in this cycle, and remember it."""
        now = self.clock.now()
        chosen = None if story is not None else await self._sampled(guild_id, age_restricted, now)
        if chosen is None:  # one story, a small library, or sampling found too little
            candidates = await self.candidates(guild_id, age_restricted,
                                               None if story is None else [story.id])
            if not candidates:
                raise await self._nothing_to_show(guild_id, age_restricted, story)
            history = await self.history.history(guild_id)
            chosen = select_passage(candidates, history, now, await self.rules(guild_id),
                                    self.rng)
        if chosen is None:  # pragma: no cover - select_passage always keeps a first passage
            raise InvalidInput("there is no passage to show here")
        # One after the other, not gathered: concurrent requests on the store's connection
        # made the event loop and the database thread fight for the GIL (slower, measured).
        await self.history.record(guild_id, chosen, now)
        return await self.excerpt(chosen.passage_id, guild_id)

    async def _sampled(self, guild_id: int, age_restricted: bool, now: datetime
                       ) -> PassageCandidate | None:
        """`select_passage`'s choice drawn by rejection sampling (see bot/library/sampling.py),
        at a cost that does not grow with the library; None when the caller must scan."""
        gate = await self.gates.for_channel(guild_id, age_restricted)  # the scan's own rules
        return await self._drawn(
            guild_id, await self.rules(guild_id), now, "passages",
            lambda draws: self.history.sample(guild_id, gate.visibility, gate.full_ratings,
                                              gate.blocked_tag_ids, draws))

    async def _sampled_opening(self, guild_id: int, age_restricted: bool, now: datetime,
                               leaving: int | None) -> PassageCandidate | None:
        """`next_serial_passage`'s choice of a new story (the first passage of one other
        than `leaving`) drawn by rejection sampling: story ids drawn uniformly, each drawn
        story's first passage kept by the same rules as a random excerpt's. None when the
        caller must scan (a small library, or sampling found too little)."""
        gate = await self.gates.for_channel(guild_id, age_restricted)
        # An opening is never a spoiler (next_serial_passage's own rules).
        rules = replace(await self.rules(guild_id), spoiler_fraction=1.0)

        async def openings(draws: list[int]) -> list[SampledPassage]:
            drawn = await self.history.sample_openings(
                guild_id, gate.visibility, gate.full_ratings, gate.blocked_tag_ids, draws)
            return [sample for sample in drawn if sample.candidate.story_id != leaving]

        return await self._drawn(guild_id, rules, now, "stories", openings)

    async def _drawn(self, guild_id: int, rules: SelectionRules, now: datetime,
                     drawn_from: Table, draw: DrawBatch) -> PassageCandidate | None:
        """A candidate kept by rejection sampling from batches of ids drawn uniformly in
        `drawn_from`'s id range; None when the caller must scan."""
        passages = await self._id_range("passages")
        if passages is None or passages[1] - passages[0] + 1 < self.sampling_threshold:
            return None  # a full scan is cheap here
        id_range = await self._id_range(drawn_from)
        if id_range is None:
            return None
        for size in batch_sizes():
            drawn = await draw(random_ids(*id_range, size, self.rng))
            pool = [s.candidate for s in drawn if qualifies(s, rules, now)]
            if not pool:
                continue
            weights: dict[int, float] = {}
            if self.passage_weights is not None:
                weights = await self.passage_weights(guild_id, [c.passage_id for c in pool])
                if any(w > self.weight_bound for w in weights.values()):
                    return None  # the bound is wrong for these weights: choose exactly
            for candidate in pool:
                if accepted(weights.get(candidate.passage_id, 1.0), self.weight_bound,
                            self.rng):
                    return candidate
        return None

    async def next_serial(
        self, guild_id: int, age_restricted: bool, position: SerialPosition | None
    ) -> Excerpt:
        """The book club's next passage: on in the same story, or the start of a new one.
        Neither reads the whole library: the story's own passages, then a new story drawn
        by sampling (the full `next_serial_passage` only where sampling must give way)."""
        if position is not None:
            gate = await self.gates.for_channel(guild_id, age_restricted)
            story = await self.history.candidates(gate.visibility, gate.full_ratings,
                                                  gate.blocked_tag_ids, [position.story_id])
            following = [c for c in story if c.seq > position.seq]
            if following:  # still allowed, and not finished: no new story, nothing recorded
                return await self.excerpt(min(following, key=_SEQ).passage_id, guild_id)
        now = self.clock.now()
        chosen = await self._sampled_opening(guild_id, age_restricted, now,
                                             None if position is None else position.story_id)
        if chosen is None:
            candidates = await self.candidates(guild_id, age_restricted)
            if not candidates:
                raise await self._nothing_to_show(guild_id, age_restricted, None)
            history = await self.history.history(guild_id)
            chosen = next_serial_passage(candidates, position, history, now,
                                         await self.rules(guild_id), self.rng)
        if chosen is None:  # pragma: no cover - there are candidates, so an opening exists
            raise InvalidInput("there is no passage to show here")
        if position is None or chosen.story_id != position.story_id:
            # Only openings are recorded (see next_serial_passage).
            await self.history.record(guild_id, chosen, now)
        return await self.excerpt(chosen.passage_id, guild_id)

    async def following(self, passage_id: int, guild_id: int, age_restricted: bool) -> Excerpt:
        """The passage after `passage_id` in its story, if this channel may still show it."""
        current = await self.history.passage(passage_id)
        if current is None:
            raise InvalidInput("that passage is no longer in the library")
        allowed = await self.candidates(guild_id, age_restricted, [current.story_id])
        if not allowed:
            raise await self._nothing_to_show(guild_id, age_restricted,
                                              await self.catalog.get(current.story_id, guild_id))
        following = await self.history.passage_at(current.story_id, current.seq + 1)
        if following is None:
            raise InvalidInput("that was the last passage of the story")
        return await self.excerpt(following.id, guild_id)

    async def excerpt(self, passage_id: int, guild_id: int) -> Excerpt:
        passage = await self.history.passage(passage_id)
        if passage is None:
            raise InvalidInput("that passage is no longer in the library")
        story = await self.catalog.get(passage.story_id, guild_id)
        return Excerpt(story, passage, await self.guild_settings.get(guild_id))

    async def record_post(
        self, *, message_id: int, guild_id: int | None, channel_id: int, excerpt: Excerpt,
        kind: str = "excerpt", posted_by: int | None = None, thread_id: int | None = None,
    ) -> None:
        await self.posts.record(PostRecord(
            message_id=message_id, guild_id=guild_id, channel_id=channel_id,
            story_id=excerpt.story.id, passage_id=excerpt.passage.id, kind=kind,
            thread_id=thread_id, posted_by=posted_by, posted_at=self.clock.now(),
        ))
        if self.on_post is not None:
            self.on_post(message_id)

    async def _nothing_to_show(
        self, guild_id: int, age_restricted: bool, story: Story | None
    ) -> InvalidInput:
        """Why nothing may be shown: one clear line."""
        if story is None:
            return InvalidInput("no story in this server's library may be shown in this channel "
                                "(check the blocked tags and the age-restricted ratings)")
        gate = await self.gates.for_channel(guild_id, age_restricted)
        if story.rating not in gate.full_ratings:
            return InvalidInput(f"“{story.title}” is rated {story.rating.value}: it can only be "
                                "shown in an age-restricted channel")
        if story.id in gate.blocked_story_ids:
            return InvalidInput(f"“{story.title}” carries a tag this server blocked")
        if not can_see(gate.visibility, story.guild_id):
            return InvalidInput(f"“{story.title}” is in the demo library, which this server "
                                "turned off")
        return InvalidInput(f"“{story.title}” has no passages to show")
