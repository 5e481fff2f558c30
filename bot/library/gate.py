"""The one rule for what a channel may show, used by every surface.

/story list, search, info, autocomplete, /excerpt, /recommend, the daily post and every
button ask the same `Gate`: the server's library (its stories, plus the demo library unless
it turned that off), its blocked tags, the reader's own blocked tags (only in views that
reader alone sees), and ratings. In a channel that is not age-restricted a story with an
age-restricted rating (Mature, Explicit, Not Rated by default) is shown by title, rating and
warnings only — the *restricted card*, as AO3's list view shows it — or, when the server
chose so, not at all. Its summary, notes, freeform tags and text never appear there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from bot.library.guild_settings import GuildSettings, RestrictedStories
from bot.library.models import Rating
from bot.library.overlay import TagOverlay
from bot.library.records import StoryFilter
from bot.library.visibility import Visibility, can_see, server_view


class Shown(Enum):
    HIDDEN = "hidden"
    RESTRICTED = "restricted"  # title, rating and warnings only
    FULL = "full"


@dataclass(frozen=True)
class Gate:
    guild_id: int
    visibility: Visibility
    full_ratings: frozenset[Rating]  # shown in full (and their text) in this channel
    card_ratings: frozenset[Rating]  # shown as a restricted card only
    # Shared canonical tags (with the server's local synonyms) no shown story may carry.
    blocked_tag_ids: frozenset[int] = frozenset()
    # The stories carrying them, for checks one story at a time (autocomplete, info).
    blocked_story_ids: frozenset[int] = frozenset()
    overlay: TagOverlay = field(default_factory=TagOverlay.empty)

    def shows(self, story_id: int, story_guild_id: int | None, rating: Rating) -> Shown:
        """How this channel may show a story: fully, as a restricted card, or not at all."""
        if not can_see(self.visibility, story_guild_id) or story_id in self.blocked_story_ids:
            return Shown.HIDDEN
        if rating in self.full_ratings:
            return Shown.FULL
        return Shown.RESTRICTED if rating in self.card_ratings else Shown.HIDDEN

    def why_hidden(self, story_id: int, story_guild_id: int | None, rating: Rating) -> str:
        """One line saying why a story (asked for by id) is not shown here; no title."""
        if story_id in self.blocked_story_ids:
            return "that story carries a tag blocked here, so it is not shown"
        if can_see(self.visibility, story_guild_id) and rating not in self.full_ratings:
            return (f"that story is rated {rating.value}: it is shown only in "
                    "age-restricted channels here")
        return f"no story {story_id} in this library"

    @property
    def listed(self) -> StoryFilter:
        """What lists, searches and autocomplete may name (full or restricted)."""
        return StoryFilter(ratings=self.full_ratings | self.card_ratings,
                           without_tag_ids=self.blocked_tag_ids)

    @property
    def full(self) -> StoryFilter:
        """What may be shown with its text (excerpts, recommendations, the daily post)."""
        return StoryFilter(ratings=self.full_ratings, without_tag_ids=self.blocked_tag_ids)


def channel_gate(settings: GuildSettings, age_restricted: bool, *,
                 blocked_tag_ids: frozenset[int] = frozenset(),
                 blocked_story_ids: frozenset[int] = frozenset(),
                 overlay: TagOverlay | None = None) -> Gate:
    full = settings.allowed_ratings(age_restricted)
    card = (frozenset() if settings.restricted_stories is RestrictedStories.HIDE
            else frozenset(Rating) - full)
    return Gate(
        guild_id=settings.guild_id,
        visibility=server_view(settings.guild_id, demo_library=settings.demo_library),
        full_ratings=full, card_ratings=card, blocked_tag_ids=blocked_tag_ids,
        blocked_story_ids=blocked_story_ids,
        overlay=overlay or TagOverlay.empty(settings.guild_id),
    )


_WORDS = re.compile(r"\w+")


def title_matches(query: str, title: str) -> bool:
    """Whether every word of a search is the start of a word of the title: what a search
    may match a restricted story on, since its summary, tags and text are not to be shown."""
    words = [w.casefold() for w in _WORDS.findall(title)]
    return all(any(w.startswith(term.casefold()) for w in words)
               for term in _WORDS.findall(query))
