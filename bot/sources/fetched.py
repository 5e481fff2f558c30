"""What a fetch is asked for and what it brings back (no FanFicFare import here, so the
bot can name these types without loading FanFicFare)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.library.models import StoryDraft
from bot.sources.links import StoryLink
from bot.sources.metadata import SiteMetadata


@dataclass(frozen=True)
class FetchRequest:
    link: StoryLink
    # Only a curator may consent for an adult work; without it AdultWork is raised.
    allow_adult: bool = False
    # When the site lists this many chapters, stop after the metadata (an update check
    # that found nothing new costs one or two requests, not one per chapter).
    known_chapters: int | None = None
    # More FanFicFare ini text (tests define test1.com stories with [teststory:N]).
    extra_settings: str = ""


@dataclass
class FetchedWork:
    link: StoryLink
    meta: SiteMetadata
    # None when only the metadata was fetched (known_chapters matched).
    draft: StoryDraft | None
    requests_made: int = 0
    # Answered from the hour-long cache (or by joining the same fetch under way).
    from_cache: bool = False
