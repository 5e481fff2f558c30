"""Story list lines kept in memory, so that a page asks the database only for its ids.

A line (bot.library.models.ListedStory: title, authors, rating, length, fandoms and
warnings) is the same for every server: a server's own tag names are put on it after
(bot.library.overlay.lines_seen_through, which copies a line rather than change it). Read
from SQL, a line costs two small subqueries (its authors, its fandoms and warnings): at
100k stories a 50-line `/story list` page took 0.22 ms in process with them and 0.02 ms
for its ids alone.

The catalog drops a story's line when the story is added, edited, grows chapters or is
removed, here or in another process (bot/services/change_feed.py), and every line when the
shared tag vocabulary changes or changes may have been missed. Lines are shared between
readers: nobody may change one (none of the code does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from bot.library.models import ListedStory

# About 0.8 KB a line (7.9 MB for 10,000 of the benchmarks' 100k library, traced): enough
# for the lines that pages, searches and recommendations show again and again (the first
# pages, the stories people look for), well within the 250 MB the bot may hold.
LINES_KEPT = 10_000

ReadLines = Callable[[list[int]], Awaitable[list[ListedStory]]]


class LineCache:
    def __init__(self, kept: int = LINES_KEPT) -> None:
        self._lines: dict[int, ListedStory] = {}
        self._kept = kept
        # Bumped by every drop: a read begun before one may hold what was dropped, and its
        # lines are used but not kept.
        self._drops = 0

    def __len__(self) -> int:
        return len(self._lines)

    async def lines_of(self, story_ids: Sequence[int], read: ReadLines
                       ) -> dict[int, ListedStory]:
        """The lines of these stories that exist, by id: those kept, and the others through
        `read` (one call for all of them)."""
        kept = self._lines
        found = {story_id: line for story_id in story_ids
                 if (line := kept.get(story_id)) is not None}
        missing = [story_id for story_id in story_ids if story_id not in found]
        if missing:
            drops = self._drops
            lines = await read(missing)
            if drops == self._drops:
                self._keep(lines)
            found.update((line.id, line) for line in lines)
        return found

    def _keep(self, lines: Iterable[ListedStory]) -> None:
        kept = self._lines
        for line in lines:
            kept[line.id] = line
        if len(kept) > self._kept:
            # The oldest go, down to three quarters (a dict keeps the order lines came in):
            # no bookkeeping on a hit, and a line still asked for comes back with the next
            # page that shows it.
            for story_id in list(kept)[:len(kept) - self._kept * 3 // 4]:
                del kept[story_id]

    def drop(self, story_ids: Iterable[int]) -> None:
        for story_id in story_ids:
            self._lines.pop(story_id, None)
        self._drops += 1

    def clear(self) -> None:
        self._lines.clear()
        self._drops += 1
