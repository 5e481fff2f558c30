"""A server's settings and the rules that read them (who curates, what may be shown where)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.library.models import Rating


class WarningStyle(StrEnum):
    PLAIN = "plain"
    SPOILER = "spoiler"


class RestrictedStories(StrEnum):
    """How a story with an age-restricted rating appears outside age-restricted channels."""

    CARD = "card"  # title, rating and warnings only (what AO3's list view shows)
    HIDE = "hide"  # not at all


DEFAULT_AGE_RESTRICTED = frozenset({Rating.MATURE, Rating.EXPLICIT, Rating.NOT_RATED})


@dataclass
class GuildSettings:
    guild_id: int
    curator_role_id: int | None = None
    warning_style: WarningStyle = WarningStyle.PLAIN
    spoiler_fraction: float = 0.6
    age_restricted_ratings: frozenset[Rating] = field(default=DEFAULT_AGE_RESTRICTED)
    # False: the server's library is its own stories only, without the bundled demo ones.
    demo_library: bool = True
    restricted_stories: RestrictedStories = RestrictedStories.CARD

    def allowed_ratings(self, channel_is_age_restricted: bool) -> frozenset[Rating]:
        """Ratings that may be shown in a channel: restricted ones only in NSFW channels."""
        if channel_is_age_restricted:
            return frozenset(Rating)
        return frozenset(Rating) - self.age_restricted_ratings


def is_curator(settings: GuildSettings, *, role_ids: set[int], manages_server: bool) -> bool:
    """Curators are members with Manage Server, or with the role the server chose."""
    return manages_server or (
        settings.curator_role_id is not None and settings.curator_role_id in role_ids
    )
