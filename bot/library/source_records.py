"""Records of stories from links that the store hands back (no SQL, no Discord)."""

from __future__ import annotations

from dataclasses import dataclass

# Suggested files are keyed by their text's fingerprint, links by the work's URL.
FILE_KEY_PREFIX = "file:"


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
    # A suggested file's name (its bytes stay in the store until a curator decides).
    file_name: str | None = None

    @property
    def label(self) -> str:
        return f"the file {self.file_name}" if self.file_name else f"<{self.work_key}>"


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

    @property
    def is_file(self) -> bool:
        return self.work_key.startswith(FILE_KEY_PREFIX)

    @property
    def label(self) -> str:
        return self.suggesters[0].label if self.suggesters else f"<{self.work_key}>"
