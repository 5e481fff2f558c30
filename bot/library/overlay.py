"""A server's own view of the shared tag vocabulary (AO3's model, one layer per server).

The canonical vocabulary (tags that came with imported files, the shipped synonyms, and
what the operator wrangled from the command line) is shared by every server and read-only
to their curators. Each server keeps an overlay on top of it:

- renames: a server-local display name for a shared canonical tag;
- merges: server-local synonyms, "in this server, tag A counts as tag B".

A server's canonical tag is a shared canonical tag not merged into another here; its
*members* are itself and every shared canonical tag merged into it. Merges are kept flat
(a member's target is never itself merged), so folding a tag is one dictionary read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.library.errors import InvalidInput
from bot.library.models import ListedStory, Story, Tag, TagKind
from bot.library.records import TagRow
from bot.library.tags import MAX_TAG_LENGTH, clean_tag_name, tag_key

TagRef = tuple[TagKind, str]  # a shared canonical tag as the recommendation index names it


def ref(row: TagRow) -> TagRef:
    return (row.kind, row.key)


class TagOverlay:
    """One server's renames and merges, read-only once built (rebuild after a change)."""

    __slots__ = ("_by_local_key", "_members", "_ref_members", "_ref_names", "_ref_parent",
                 "_seen_lines", "_spellings", "guild_id", "merged_into", "renamed",
                 "renamed_kinds", "rows")

    def __init__(self, guild_id: int | None, *, renamed: Mapping[int, str] | None = None,
                 merged_into: Mapping[int, int] | None = None,
                 rows: Iterable[TagRow] = ()) -> None:
        self.guild_id = guild_id
        self.rows: dict[int, TagRow] = {row.id: row for row in rows}
        self.renamed: dict[int, str] = dict(renamed or {})
        self.merged_into = _flattened(merged_into or {})
        self._members: dict[int, tuple[int, ...]] = {}
        for member, target in sorted(self.merged_into.items()):
            self._members[target] = (*self._members.get(target, (target,)), member)
        self._by_local_key: dict[str, list[int]] = {}
        for tag_id, name in self.renamed.items():
            self._by_local_key.setdefault(tag_key(name), []).append(tag_id)
        by_id = self.rows
        self._ref_parent = {ref(by_id[m]): ref(by_id[t]) for m, t in self.merged_into.items()
                            if m in by_id and t in by_id}
        self._ref_members = {ref(by_id[t]): tuple(ref(by_id[m]) for m in members if m in by_id)
                             for t, members in self._members.items() if t in by_id}
        self._ref_names = {ref(by_id[t]): name for t, name in self.renamed.items() if t in by_id}
        # Kinds with a rename here: a list line need not look up the names of the others.
        self.renamed_kinds = frozenset(kind for kind, _ in self._ref_names)
        # renamed_names' answers by kind and spelling ("": not renamed). List lines repeat
        # the same few hundred fandom names, and looking each one up (its key, then the
        # renames) on every line was nine tenths of the overlay's cost on /story list. It
        # holds at most the vocabulary's spellings, and goes with the overlay, which is
        # built anew after every change.
        self._spellings: dict[TagKind, dict[str, str]] = {}
        # lines_seen_through's answers by story: (the line given, the line seen here). The
        # catalog hands out the same line object until the story changes (its lines kept in
        # memory, bot/catalog_lines.py), so a page shown again costs a lookup a line.
        self._seen_lines: dict[int, tuple[ListedStory, ListedStory]] = {}

    @classmethod
    def empty(cls, guild_id: int | None = None) -> TagOverlay:
        return cls(guild_id)

    def __len__(self) -> int:
        """Entries: renames plus merges."""
        return len(self.renamed) + len(self.merged_into)

    # -- by tag id (the store's view) ------------------------------------------------------

    def fold(self, tag_id: int) -> int:
        """The server canonical tag a shared canonical tag counts as here."""
        return self.merged_into.get(tag_id, tag_id)

    def members(self, tag_id: int) -> tuple[int, ...]:
        """The shared canonical tags a server canonical tag stands for (itself first)."""
        return self._members.get(tag_id, (tag_id,))

    def name_of(self, row: TagRow) -> str:
        return self.renamed.get(row.id, row.name)

    def named_locally(self, text: str) -> list[int]:
        """Tags this server renamed to `text` (by key), any kind."""
        return list(self._by_local_key.get(tag_key(text), ()))

    def group_named(self, query: str) -> frozenset[int]:
        """The shared tags a search names through this overlay (empty: none): its local
        names and the shared names, each with every tag merged with it."""
        key = tag_key(query)
        named = [*self.named_locally(query), *(row.id for row in self.rows.values()
                                               if row.key == key)]
        return frozenset(member for tag_id in named
                         for member in self.members(self.fold(tag_id)))

    # -- by (kind, key) (the recommendation index's view) ---------------------------------

    def fold_ref(self, tag: TagRef) -> TagRef:
        return self._ref_parent.get(tag, tag)

    def ref_members(self, tag: TagRef) -> tuple[TagRef, ...]:
        return self._ref_members.get(tag, (tag,))

    def has_members(self, tag: TagRef) -> bool:
        return tag in self._ref_members

    @property
    def merged_refs(self) -> Mapping[TagRef, TagRef]:
        return self._ref_parent

    def ref_name(self, tag: TagRef, shared_name: str) -> str:
        return self._ref_names.get(tag, shared_name)

    def renamed_key(self, kind: TagKind, name: str) -> str | None:
        """The local name of a story's tag spelled `name`, if that spelling is a renamed
        canonical tag (a synonym keeps its own spelling, as on AO3)."""
        return self._ref_names.get((kind, _key(name))) if self._ref_names else None

    def renamed_names(self, kind: TagKind, names: list[str]) -> list[str] | None:
        """`names` of one kind (a list line's fandoms or warnings) with this server's names
        for the renamed ones, or None when none of them is renamed (most lines)."""
        known = self._spellings.setdefault(kind, {})
        renamed = False
        for name in names:
            local = known.get(name)
            if local is None:
                local = known[name] = self.renamed_key(kind, name) or ""
            renamed = renamed or bool(local)
        return [known[name] or name for name in names] if renamed else None


def _flattened(merged_into: Mapping[int, int]) -> dict[int, int]:
    """Follow chains (a later operator merge can make them); drop loops and self-merges."""
    flat: dict[int, int] = {}
    for start, first in merged_into.items():
        seen, target = {start}, first
        while target in merged_into and target not in seen:
            seen.add(target)
            target = merged_into[target]
        if target not in seen:  # a loop leaves its tags unmerged rather than lost
            flat[start] = target
    return flat


@lru_cache(maxsize=1 << 16)
def _key(name: str) -> str:
    """tag_key, remembered: every card shown through an overlay asks for a dozen."""
    return tag_key(name)


def seen_through(story: Story, overlay: TagOverlay) -> Story:
    """The story with the server's names for its renamed tags (synonyms keep their own)."""
    if not overlay.renamed:
        return story
    tags = [Tag(tag.kind, overlay.renamed_key(tag.kind, tag.name) or tag.name)
            for tag in story.tags]
    return dataclasses.replace(story, tags=tags)


def lines_seen_through(lines: Iterable[ListedStory], overlay: TagOverlay
                       ) -> list[ListedStory]:
    """List lines with the server's names for their renamed fandoms and warnings. A line
    that shows none of them is kept as it is, not copied, as most lines of a page are, and
    only the kinds with a rename here are looked up: a page of 50 lines asks for ~100
    names, and copying every line took a quarter of a /story list page's time at 100k.

    Apply it once: a local name that is another tag's shared name would be renamed again."""
    lines = list(lines)
    fandoms_renamed = TagKind.FANDOM in overlay.renamed_kinds
    warnings_renamed = TagKind.WARNING in overlay.renamed_kinds
    if not (fandoms_renamed or warnings_renamed):
        return lines
    seen_before = overlay._seen_lines
    if len(seen_before) > SEEN_LINES_KEPT:
        seen_before.clear()
    for at, line in enumerate(lines):
        before = seen_before.get(line.id)
        if before is not None and before[0] is line:
            lines[at] = before[1]
            continue
        fandoms = overlay.renamed_names(TagKind.FANDOM, line.fandoms) if fandoms_renamed else None
        warnings = (overlay.renamed_names(TagKind.WARNING, line.warnings) if warnings_renamed
                    else None)
        if fandoms is not None or warnings is not None:
            lines[at] = ListedStory(
                id=line.id, guild_id=line.guild_id, title=line.title, authors=line.authors,
                rating=line.rating, words=line.words,
                fandoms=line.fandoms if fandoms is None else fandoms,
                warnings=line.warnings if warnings is None else warnings)
        seen_before[line.id] = (line, lines[at])
    return lines


# Lines a server's overlay remembers having seen through (lines_seen_through); past it, it
# starts again. As many as the catalog keeps.
SEEN_LINES_KEPT = 10_000


# -- the wrangling rules (the service asks, then the store writes) ------------------------


def merge_plan(overlay: TagOverlay, source: TagRow, target: TagRow,
               blocked_ids: Iterable[int]) -> tuple[list[int], int]:
    """(shared tags to point at the target, target id) for "merge source into target" here.

    Refused in one line: a tag into itself, across kinds, into or out of a blocked tag."""
    source_id, target_id = overlay.fold(source.id), overlay.fold(target.id)
    source_name = overlay.name_of(overlay.rows.get(source_id, source))
    target_name = overlay.name_of(overlay.rows.get(target_id, target))
    if source.kind is not target.kind:
        raise InvalidInput(
            f"“{source_name}” is a {source.kind.value} tag and “{target_name}” a "
            f"{target.kind.value} tag: only tags of the same kind can be merged")
    if source_id == target_id:
        raise InvalidInput(f"“{source_name}” and “{target_name}” are already the same tag here")
    blocked = set(blocked_ids)
    if target_id in blocked:
        raise InvalidInput(f"“{target_name}” is blocked here: unblock it before merging into it")
    if source_id in blocked:
        raise InvalidInput(f"“{source_name}” is blocked here: unblock it before merging it")
    return list(overlay.members(source_id)), target_id


def checked_name(new_name: str) -> str:
    name = clean_tag_name(new_name)
    if not name or len(name) > MAX_TAG_LENGTH:
        raise InvalidInput(f"a tag name must be 1 to {MAX_TAG_LENGTH} characters")
    return name
