"""The last few /tags list answers, kept while nothing they depend on changed.

Counting a server's tags reads every story it sees, and its list is split into pages by
the length of every line: done once per change, not on each command or page button (a
100k-story library carries ~55k tags). An answer is kept while its stamp holds: the
server's view (demo library on or off), its overlay, the recommendation index it was
counted from and the store's write count, plus a generation bumped after every change to
the library (a catalog listener, run after the index took the change in) and after a
shared merge or rename.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from bot.library.models import TagKind
from bot.library.recommend import TagUse

# Few: one listing of a large library holds tens of thousands of entries.
LISTINGS_KEPT = 4

ListingKey = tuple[int | None, TagKind | None]


def _same(kept: Sequence[object], now: Sequence[object]) -> bool:
    return len(kept) == len(now) and all(a is b or a == b for a, b in zip(kept, now, strict=True))


class TagListings:
    def __init__(self) -> None:
        self.generation = 0
        self._kept: OrderedDict[ListingKey, tuple[tuple[object, ...], list[TagUse]]] = (
            OrderedDict())

    def invalidate(self) -> None:
        self.generation += 1
        self._kept.clear()

    async def library_changed(self, story_id: int) -> None:
        """A catalog change listener (never raises)."""
        self.invalidate()

    async def get(self, key: ListingKey, stamp: tuple[object, ...],
                  count: Callable[[], Awaitable[list[TagUse]]]) -> list[TagUse]:
        """The kept listing for `key` if `stamp` still holds, else a fresh count. The stamp
        is taken before counting, so a change during the count is never hidden."""
        stamp = (self.generation, *stamp)
        kept = self._kept.get(key)
        if kept is not None and _same(kept[0], stamp):
            self._kept.move_to_end(key)
            return kept[1]
        uses = await count()
        self._kept[key] = (stamp, uses)
        self._kept.move_to_end(key)
        while len(self._kept) > LISTINGS_KEPT:
            self._kept.popitem(last=False)
        return uses
