"""Records of stories from links that the store hands back (no SQL, no Discord)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SourceChannels:
    """Where a server wants story-source news: new chapters (and a role to ping with
    them) and readers' suggestions for its curators. None = not posted."""

    guild_id: int
    updates_channel_id: int | None = None
    updates_role_id: int | None = None
    review_channel_id: int | None = None
