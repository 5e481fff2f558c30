"""Tag counts and wrangling, AO3's model with one layer per server.

A server's curators change only their server's overlay (bot/library/overlay.py): a rename
gives a shared tag a local display name, a merge makes tags local synonyms. The shared
vocabulary changes only through the operator's command line (`storybot tags ...`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from bot.library.changes import Change
from bot.library.errors import InvalidInput
from bot.library.models import TagKind
from bot.library.overlay import TagOverlay, TagRef, checked_name, merge_plan, ref
from bot.library.recommend import TagUse
from bot.library.records import TagRow
from bot.library.tags import tag_key
from bot.library.visibility import ALL_GUILDS, Visibility, server_view
from bot.services.tag_listings import TagListings
from bot.services.tag_lookup import shown
from bot.store.protocol import Store

if TYPE_CHECKING:
    from bot.services.recommendations import RecommendationService

T = TypeVar("T")


@dataclass(frozen=True)
class Wrangled:
    """What a rename or merge did, in the server's names."""

    source: str
    target: str
    kind: TagKind
    stories: int


class TagWrangling:
    def __init__(self, service: RecommendationService, store: Store) -> None:
        self.service = service
        self.tags = store.tags
        self.overlays = store.tag_overlays
        self.changes = store.changes
        self.write_count = store.write_count
        self.listings = TagListings()  # /tags list answers (bot/services/tag_listings.py)

    # -- counts -----------------------------------------------------------------------

    async def _view_of(self, guild_id: int | None) -> tuple[Visibility, TagOverlay]:
        if guild_id is None:
            return ALL_GUILDS, TagOverlay.empty()
        settings = await self.service.gates.settings.get(guild_id)
        view = server_view(guild_id, demo_library=settings.demo_library)
        return view, await self.service.gates.overlay(guild_id)

    async def tag_uses(self, guild_id: int | None,
                       kind: TagKind | None = None) -> list[tuple[TagRef, int]]:
        """A server's canonical tags on the stories it sees, most used first."""
        view, overlay = await self._view_of(guild_id)
        index = self.service.index
        visible = self.service.visible(view)
        counts: dict[TagRef, int] = {}
        if visible is None:
            counts = index.tag_counts(kind)
            if overlay.merged_refs:
                live = index.columns().live
                for tag in {overlay.fold_ref(t) for t in overlay.merged_refs}:
                    for member in overlay.ref_members(tag):
                        counts.pop(member, None)
                    rows = np.unique(np.concatenate([index.rows(m)
                                                     for m in overlay.ref_members(tag)]))
                    carrying = int(np.count_nonzero(live[rows]))
                    if carrying and (kind is None or tag[0] is kind):
                        counts[tag] = carrying
        else:
            async for sid in _yielding(list(visible)):  # a copy: the index may change
                story = index.get(sid)
                for tag in {overlay.fold_ref(t) for t in story.tags} if story else ():
                    if kind is None or tag[0] is kind:
                        counts[tag] = counts.get(tag, 0) + 1
        name = self.service.tag_name
        return sorted(counts.items(), key=lambda item: (-item[1],
                                                        name(item[0], overlay).casefold()))

    async def tag_list(self, guild_id: int | None, kind: TagKind | None = None) -> list[TagUse]:
        """Canonical tags in use here with story counts and their synonyms here: counted
        again only after something it depends on changed (the returned list is shared)."""
        listings = self.listings
        if listings.library_changed not in self.service.catalog.change_listeners:
            # Added on first use, after the index's own listener: a story change reaches
            # the index first, then drops the kept lists.
            self.service.catalog.change_listeners.append(listings.library_changed)
        view, overlay = await self._view_of(guild_id)
        # (the operator's view has a new empty overlay each time: nothing to compare)
        stamp = (view, overlay if guild_id is not None else None, self.service.index,
                 self.write_count())
        return await listings.get((guild_id, kind), stamp,
                                  lambda: self._count_tag_list(guild_id, kind, overlay))

    async def _count_tag_list(self, guild_id: int | None, kind: TagKind | None,
                              overlay: TagOverlay) -> list[TagUse]:
        rows = await self.tags.all()
        by_id = {row.id: row for row in rows}
        synonyms: dict[TagRef, list[str]] = {}
        async for row in _yielding(rows):
            if row.canonical_id is not None and row.canonical_id in by_id:
                canonical = by_id[row.canonical_id]
                synonyms.setdefault(overlay.fold_ref(ref(canonical)), []).append(row.name)
            elif overlay.fold_ref(ref(row)) != ref(row) or overlay.name_of(row) != row.name:
                # merged here, or renamed here: its shared name reads as a synonym
                synonyms.setdefault(overlay.fold_ref(ref(row)), []).append(row.name)
        name = self.service.tag_name
        return [
            TagUse(name(tag, overlay), tag[0], count,
                   tuple(sorted(set(synonyms.get(tag, [])) - {name(tag, overlay)},
                                key=str.casefold)))
            async for tag, count in _yielding(await self.tag_uses(guild_id, kind))
        ]

    async def _stories_here(self, guild_id: int, tag: TagRef) -> int:
        return dict(await self.tag_uses(guild_id, tag[0])).get(tag, 0)

    # -- a server's overlay -------------------------------------------------------------

    async def merge_here(self, guild_id: int, source_name: str, target_name: str,
                         kind: TagKind | None = None) -> Wrangled:
        """In this server only, `source` (and its local synonyms) counts as `target`."""
        gates = self.service.gates
        overlay = await gates.overlay(guild_id)
        sources = await gates.lookup.in_view(overlay, source_name, kind)
        targets = await gates.lookup.in_view(overlay, target_name, kind)
        pairs = [(s, t) for s in sources for t in targets if s.kind is t.kind]
        source, target = pairs[0] if pairs else (sources[0], targets[0])
        gates = self.service.gates
        tag_ids, into = merge_plan(overlay, source, target, await gates.blocked_ids(guild_id))
        await self.overlays.merge(guild_id, tag_ids, into)
        source_name, target_name = overlay.name_of(source), overlay.name_of(target)
        gates.forget(guild_id)
        await self.changes.publish(Change.guild(guild_id))
        stories = await self._stories_here(guild_id, ref(target))
        return Wrangled(source_name, target_name, target.kind, stories)

    async def rename_here(self, guild_id: int, name: str, new_name: str,
                          kind: TagKind | None = None) -> Wrangled:
        """This server's display name for a tag. A name another tag of the kind already has
        here is refused, pointing at /tags merge (a rename never loses a tag silently)."""
        gates = self.service.gates
        overlay = await gates.overlay(guild_id)
        tag = (await gates.lookup.in_view(overlay, name, kind))[0]
        new = checked_name(new_name)
        old = overlay.name_of(tag)
        try:
            clashes = await gates.lookup.in_view(overlay, new, tag.kind)
        except InvalidInput:
            clashes = []
        other = [row for row in clashes if overlay.fold(row.id) != tag.id]
        if other:
            raise InvalidInput(
                f"there is already a {tag.kind.value} tag “{shown(overlay.name_of(other[0]))}” "
                f"here: use /tags merge to fold “{shown(old)}” into it")
        await self.overlays.rename(guild_id, tag.id, None if new == tag.name else new)
        gates.forget(guild_id)
        await self.changes.publish(Change.guild(guild_id))
        return Wrangled(old, new, tag.kind, await self._stories_here(guild_id, ref(tag)))

    # -- the shared vocabulary (the operator's command line) ------------------------------

    async def merge_shared(self, source_name: str, target_name: str,
                           kind: TagKind | None = None) -> tuple[TagRow, TagRow, int]:
        lookup = self.service.lookup
        sources = await lookup.canonical_matches(source_name, kind)
        targets = await lookup.canonical_matches(target_name, kind)
        pairs = [(s, t) for s in sources for t in targets if s.kind is t.kind]
        source, target = pairs[0] if pairs else (sources[0], targets[0])
        affected = await self.tags.merge(source, target)
        self.service.catalog.vocabulary_changed()
        await self.service.reindex_tags(affected)
        self.listings.invalidate()
        await self.changes.publish(Change.tags(affected))
        return source, target, len(affected)

    async def rename_shared(self, name: str, new_name: str,
                            kind: TagKind | None = None) -> tuple[TagRow, int]:
        tag = await self.service.lookup.best(name, kind)
        if tag_key(new_name) == tag.key and new_name.strip() == tag.name:
            raise InvalidInput(f"“{shown(tag.name)}” already has that name")
        affected = await self.tags.rename(tag, new_name)
        self.service.catalog.vocabulary_changed()
        await self.service.reindex_tags(affected)
        self.listings.invalidate()
        await self.changes.publish(Change.tags(affected))
        return await self.tags.canonical_of(tag.id), len(affected)


async def _yielding(items: Iterable[T], every: int = 2_000) -> AsyncIterator[T]:
    """The items, letting the event loop run after every `every` of them: counting tags
    over a large library must not hold the loop (other commands would wait behind it)."""
    for number, item in enumerate(items, start=1):
        yield item
        if number % every == 0:
            await asyncio.sleep(0)
