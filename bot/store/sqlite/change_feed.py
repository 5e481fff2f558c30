"""SQLite's change feed, which tells nobody anything.

A SQLite library is the embedded default: one file used by one bot process (bots that
grow past one process move to PostgreSQL, whose feed is LISTEN/NOTIFY). The services of
that process dropped their own caches when they made the change, so there is no other
process to tell and nothing ever arrives.
"""

from __future__ import annotations

from bot.library.changes import Change
from bot.store.protocol import ChangeFeed, ChangeListener


class SingleProcessFeed:
    async def publish(self, change: Change) -> None:
        return None  # nobody else has this library open

    async def listen(self, listener: ChangeListener) -> None:
        return None  # and so nothing ever comes


def _conforms(feed: SingleProcessFeed) -> ChangeFeed:
    """Checked by the type checker: this is a whole change feed."""
    return feed
