"""What one bot process tells the others sharing its library, so their caches follow.

A change names what was written, not the new values: a process that hears of it drops or
re-reads what it cached from those rows. (The feed carrying it belongs to the store; see
`ChangeFeed` in bot/store/protocol.py.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    STORY = "story"  # ids: stories added, edited or removed
    GUILD = "guild"  # ids: servers whose settings, blocked tags or tag overlay changed
    READER = "reader"  # ids: readers whose own blocked tags changed (or were deleted)
    TAGS = "tags"  # the shared tag vocabulary changed; ids: the stories it touched
    ALL = "all"  # anything may have changed (changes were missed): drop every cache


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    ids: tuple[int, ...] = ()

    @classmethod
    def stories(cls, story_ids: Iterable[int]) -> Change:
        return cls(ChangeKind.STORY, tuple(story_ids))

    @classmethod
    def guild(cls, guild_id: int) -> Change:
        return cls(ChangeKind.GUILD, (guild_id,))

    @classmethod
    def reader(cls, user_id: int) -> Change:
        return cls(ChangeKind.READER, (user_id,))

    @classmethod
    def tags(cls, touched_story_ids: Iterable[int] = ()) -> Change:
        return cls(ChangeKind.TAGS, tuple(touched_story_ids))

    @classmethod
    def everything(cls) -> Change:
        return cls(ChangeKind.ALL)

    def split(self, size: int) -> list[Change]:
        """The same change in parts of at most `size` ids (a notification's payload is
        bounded). Only the first part of a vocabulary change says TAGS: the later ones
        name more touched stories."""
        if len(self.ids) <= size:
            return [self]
        parts = [self.ids[start:start + size] for start in range(0, len(self.ids), size)]
        rest = ChangeKind.STORY if self.kind is ChangeKind.TAGS else self.kind
        return [Change(self.kind, parts[0]), *(Change(rest, part) for part in parts[1:])]
