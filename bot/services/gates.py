"""Building each channel's Gate (bot/library/gate.py) from the server's settings, blocked
tags and tag overlay, with the reads cached: every command and autocomplete keystroke asks.

Caches are dropped when what they read changes: a server's overlay and blocks when its
curators change them (through this service), a reader's blocks when they change them or
have their data deleted, the blocked stories when any story changes; and when another
process changed them (bot/services/change_feed.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.catalog import Catalog
from bot.library.changes import Change
from bot.library.gate import Gate, channel_gate
from bot.library.guild_settings import GuildSettings
from bot.library.overlay import TagOverlay
from bot.library.records import TagRow
from bot.services.tag_lookup import TagLookup
from bot.store.protocol import Store

BlockedSets = tuple[frozenset[int], frozenset[int]]  # (shared tag ids, story ids)
GateInputs = tuple[GuildSettings, frozenset[int], frozenset[int], TagOverlay]
# Gates kept: two per server, and one per reader who blocks nothing, in each channel kind
# they used; past that, start again.
MAX_CACHED_GATES = 10_000
MAX_CACHED_READERS = 10_000  # readers whose blocks are kept; past that, start again
MAX_CACHED_BLOCK_SETS = 1_000  # distinct sets of readers' blocked tags, per server view
NOTHING_BLOCKED: BlockedSets = (frozenset(), frozenset())


def _same_inputs(cached: GateInputs, now: GateInputs) -> bool:
    """The same settings (equal: each read is a copy) and the very same blocked sets and
    overlay (the service replaces them whenever they change)."""
    return (all(before is after for before, after in zip(cached[1:], now[1:], strict=True))
            and cached[0] == now[0])


class GateService:
    def __init__(self, store: Store, catalog: Catalog, lookup: TagLookup) -> None:
        self.settings = store.guild_settings
        self.tags = store.tags
        self.lookup = lookup
        self.guild_blocks = store.blocked_tags
        self.reader_blocks = store.reader_blocks
        self.overlays = store.tag_overlays
        self.changes = store.changes  # other processes drop their copies of what we change
        self._overlays: dict[int, TagOverlay] = {}
        self._blocked: dict[int, BlockedSets] = {}
        # (guild, age-restricted, reader or None) -> what the gate was made from, the gate
        self._gates: dict[tuple[int, bool, int | None], tuple[GateInputs, Gate]] = {}
        # A reader's blocked tags (canonical rows): every /recommend and autocomplete
        # keystroke builds the reader's view, and most readers block nothing.
        self._reader_rows: dict[int, list[TagRow]] = {}
        # What a set of blocked tags blocks in a server's view, shared by every reader who
        # blocks the same tags (a common warning's stories are held once, not per reader).
        self._blocked_by_tags: dict[tuple[int, frozenset[int]], BlockedSets] = {}
        # Bumped whenever reader caches are dropped: a read that began before is not kept.
        self._reader_epoch = 0
        catalog.change_listeners.append(self._stories_changed)

    async def _stories_changed(self, story_id: int) -> None:
        self._blocked.clear()  # recomputed on the next read: one query per server
        self._drop_block_sets()

    def forget(self, guild_id: int) -> None:
        """Re-read a server's overlay and blocks next time (they changed, or were purged)."""
        self._overlays.pop(guild_id, None)
        self._blocked.pop(guild_id, None)
        self.settings.forget(guild_id)
        self._drop_block_sets()  # readers' blocks seen through the old overlay

    def forget_all(self) -> None:
        """After the shared vocabulary changed: every overlay reads through it, and a
        reader's blocked tags are read through their canonical tags."""
        self._overlays.clear()
        self._blocked.clear()
        self._reader_rows.clear()
        self._drop_block_sets()

    def forget_reader(self, reader_id: int) -> None:
        """Re-read a reader's blocks next time (they changed here or in another process)."""
        self._reader_rows.pop(reader_id, None)
        self._reader_epoch += 1

    async def reader_blocks_changed(self, reader_id: int) -> None:
        """A reader's blocks were written here: forget them, and tell the other processes."""
        self.forget_reader(reader_id)
        await self.changes.publish(Change.reader(reader_id))

    def _drop_block_sets(self) -> None:
        self._blocked_by_tags.clear()
        self._reader_epoch += 1

    async def overlay(self, guild_id: int) -> TagOverlay:
        if guild_id not in self._overlays:
            self._overlays[guild_id] = await self.overlays.load(guild_id)
        return self._overlays[guild_id]

    async def for_channel(self, guild_id: int, age_restricted: bool,
                          reader_id: int | None = None) -> Gate:
        """What a channel may show; with `reader_id`, a view only that reader sees (their
        own blocked tags apply too)."""
        settings = await self.settings.get(guild_id)
        tag_ids, story_ids = await self.blocked(guild_id)
        overlay = await self.overlay(guild_id)
        if reader_id is not None:
            reader_tags, reader_stories = await self.reader_blocked(guild_id, reader_id)
            if reader_tags or reader_stories:
                # Built each time: kept, it would hold its own copy of the server's blocked
                # stories for every such reader.
                return channel_gate(
                    settings, age_restricted, blocked_tag_ids=tag_ids | reader_tags,
                    blocked_story_ids=story_ids | reader_stories, overlay=overlay)
        # A gate is a pure function of these; built again only when one changed (every
        # command and keystroke asks, and building it sorts out ratings and views). The
        # view of a reader who blocks nothing shares the server's sets, but is kept apart
        # from the channel's own gate.
        made_from = (settings, tag_ids, story_ids, overlay)
        key = (guild_id, age_restricted, reader_id)
        cached = self._gates.get(key)
        if cached is not None and _same_inputs(cached[0], made_from):
            return cached[1]
        gate = channel_gate(settings, age_restricted, blocked_tag_ids=tag_ids,
                            blocked_story_ids=story_ids, overlay=overlay)
        if len(self._gates) >= MAX_CACHED_GATES:
            self._gates.clear()
        self._gates[key] = (made_from, gate)
        return gate

    async def blocked(self, guild_id: int) -> BlockedSets:
        """The server's blocked tags (with their local synonyms) and the stories carrying them."""
        if guild_id not in self._blocked:
            rows = await self.guild_blocks.list(guild_id)
            self._blocked[guild_id] = await self._expand(guild_id, rows)
        return self._blocked[guild_id]

    async def reader_blocked(self, guild_id: int, reader_id: int) -> BlockedSets:
        """The reader's own blocked tags in this server's view, and the stories carrying them."""
        epoch = self._reader_epoch
        rows = self._reader_rows.get(reader_id)
        if rows is None:
            rows = await self.reader_blocks.list(reader_id)
            if epoch == self._reader_epoch:  # nothing changed while it was read
                if len(self._reader_rows) >= MAX_CACHED_READERS:
                    self._reader_rows.clear()
                self._reader_rows[reader_id] = rows
        if not rows:
            return NOTHING_BLOCKED
        key = (guild_id, frozenset(row.id for row in rows))
        if (known := self._blocked_by_tags.get(key)) is not None:
            return known
        found = await self._expand(guild_id, rows)
        if epoch == self._reader_epoch:
            if len(self._blocked_by_tags) >= MAX_CACHED_BLOCK_SETS:
                self._blocked_by_tags.clear()
            self._blocked_by_tags[key] = found
        return found

    async def blocked_ids(self, guild_id: int) -> set[int]:
        """The server canonical ids of its blocked tags (what wrangling checks against)."""
        overlay = await self.overlay(guild_id)
        return {overlay.fold(row.id) for row in await self._canonical(
            await self.guild_blocks.list(guild_id))}

    async def _expand(self, guild_id: int, rows: Iterable[TagRow]) -> BlockedSets:
        overlay = await self.overlay(guild_id)
        tag_ids = {member for row in await self._canonical(rows)
                   for member in overlay.members(overlay.fold(row.id))}
        story_ids: set[int] = set()
        for tag_id in tag_ids:
            story_ids.update(await self.tags.stories_carrying(tag_id))
        return frozenset(tag_ids), frozenset(story_ids)

    async def _canonical(self, rows: Iterable[TagRow]) -> list[TagRow]:
        # stored canonical, but a later operator merge may have made one a synonym
        return [row if row.canonical_id is None else await self.tags.canonical_of(row.id)
                for row in rows]

    # -- a server's blocks (the cache follows) ---------------------------------------------

    async def block(self, guild_id: int, rows: Iterable[TagRow]) -> list[TagRow]:
        newly = [row for row in rows if await self.guild_blocks.block(guild_id, row.id)]
        self._blocked.pop(guild_id, None)
        await self.changes.publish(Change.guild(guild_id))
        return newly

    async def unblock(self, guild_id: int, rows: Iterable[TagRow]) -> list[TagRow]:
        removed = [row for row in rows if await self.guild_blocks.unblock(guild_id, row.id)]
        self._blocked.pop(guild_id, None)
        await self.changes.publish(Change.guild(guild_id))
        return removed

    # -- tag names in a server's view ------------------------------------------------------

    async def tags_named(self, guild_id: int, text: str) -> list[TagRow]:
        """The server canonical tags a typed name means here (local names first)."""
        return await self.lookup.in_view(await self.overlay(guild_id), text)
