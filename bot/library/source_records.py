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


@dataclass
class SuggestionRecord:
    """One reader's suggestion of one work (`work_key` is the work's canonical URL)."""

    id: int
    guild_id: int
    work_key: str
    user_id: int
    note: str
    status: str  # waiting | approved | rejected
    reason: str
    story_id: int | None
    suggested_at: str


@dataclass
class SuggestedWork:
    """A work waiting for the curators: every reader who suggested it, one review card."""

    guild_id: int
    work_key: str
    suggesters: list[SuggestionRecord]
    card_id: int | None = None
    channel_id: int | None = None
    message_id: int | None = None

    @property
    def count(self) -> int:
        return len(self.suggesters)
