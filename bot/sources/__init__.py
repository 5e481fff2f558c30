"""Stories from links: FanFicFare behind a polite fetch queue (no Discord, no SQL here).

The bot and the CLI use `StorySources` (service.py); the rest of this package is its
parts: links (which sites, which work), the FanFicFare job, the polite fetcher and
pacing rules, the queue and its progress events, and update detection.
"""

from bot.sources.errors import (
    AdultWork,
    DailyLimitReached,
    FetchFailed,
    FetchTimedOut,
    NotAStoryLink,
    SiteRateLimited,
    SiteUnavailable,
    SourceError,
    UnreadablePage,
    UnsupportedSite,
    WorkLocked,
    WorkNotFound,
)
from bot.sources.fetched import FetchedWork, FetchRequest
from bot.sources.links import StoryLink, find_links, parse_link, supported_sites
from bot.sources.metadata import SiteMetadata
from bot.sources.queue import BackingOff, FetchProgress, Finished, Queued, Started
from bot.sources.service import StorySources
from bot.sources.updates import ChapterChanges, StoryUpdate, UpdateKind, compare_chapters
from bot.sources.work import PoliteRules

__all__ = [
    "AdultWork", "BackingOff", "ChapterChanges", "DailyLimitReached", "FetchFailed",
    "FetchProgress", "FetchRequest", "FetchTimedOut", "FetchedWork", "Finished",
    "NotAStoryLink", "PoliteRules", "Queued", "SiteMetadata", "SiteRateLimited",
    "SiteUnavailable", "SourceError", "Started", "StoryLink", "StorySources", "StoryUpdate",
    "UnreadablePage", "UnsupportedSite", "UpdateKind", "WorkLocked", "WorkNotFound",
    "compare_chapters", "find_links", "parse_link", "supported_sites",
]
