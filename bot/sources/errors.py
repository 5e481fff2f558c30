"""Why a link could not become a story, each as one line for the person who sent it.

Every error here is a StoryBotError, so the bot's one error-mapping place shows str(error)
as is. They carry the facts a caller may act on (the URL, when to retry, whether the work
is adult) as attributes, never only inside the message.
"""

from __future__ import annotations

from datetime import timedelta

from bot.library.errors import ImportRejected, StoryBotError


def describe_wait(wait: timedelta) -> str:
    """A wait as a person says it: "40 s", "3 min", "2 h"."""
    exact = max(0.0, wait.total_seconds())
    if exact < 10:
        return f"{round(exact, 1):g} s"
    seconds = round(exact)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 60 * 60:
        return f"{round(seconds / 60)} min"
    hours = round(seconds / 3600, 1)
    return f"{hours:g} h"


class SourceError(StoryBotError):
    """A link that could not be fetched; `url` is the link as the person gave it."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class UnsupportedSite(SourceError):
    def __init__(self, url: str, site: str, examples: list[str], site_count: int) -> None:
        shown = ", ".join(examples)
        what = f"links from {site}" if site else "this link"
        super().__init__(
            f"storybot cannot read {what}; it reads {site_count} sites, among them {shown}", url
        )
        self.site = site


class NotAStoryLink(SourceError):
    """The site is supported but the link is not one of its story pages."""

    def __init__(self, url: str, site: str, example: str) -> None:
        super().__init__(f"this {site} link is not a story page; one looks like {example}", url)
        self.site = site


class WorkNotFound(SourceError):
    def __init__(self, url: str) -> None:
        super().__init__(f"there is no work at {url} (deleted, hidden, or never posted)", url)


class WorkLocked(SourceError):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"the work at {url} is only for the site's registered users, and storybot does "
            "not log in; ask for a downloaded file instead",
            url,
        )


class AdultWork(SourceError):
    """The site asks for adult consent. Only a curator may consent (fetch again with
    allow_adult=True); the story is then rated for age-restricted channels only."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"the work at {url} is marked adult on its site; only a curator can add it, and "
            "it will show only in age-restricted channels",
            url,
        )


class SiteUnavailable(SourceError):
    def __init__(self, url: str, site: str, detail: str, retry_after: timedelta | None) -> None:
        later = f"try again in {describe_wait(retry_after)}" if retry_after else "try again later"
        super().__init__(f"{site} is not answering ({detail}); {later}", url)
        self.site = site
        self.retry_after = retry_after


class SiteRateLimited(SiteUnavailable):
    def __init__(self, url: str, site: str, retry_after: timedelta | None) -> None:
        StoryBotError.__init__(
            self,
            f"{site} asks bots to slow down; "
            + (f"try again in {describe_wait(retry_after)}" if retry_after else "try again later"),
        )
        self.url = url
        self.site = site
        self.retry_after = retry_after


class FetchTimedOut(SourceError):
    def __init__(self, url: str, limit: timedelta) -> None:
        super().__init__(
            f"fetching {url} took longer than {describe_wait(limit)}; nothing was added, "
            "try again later",
            url,
        )
        self.limit = limit


class DailyLimitReached(SourceError):
    def __init__(self, url: str, limit: int, resets_in: timedelta) -> None:
        super().__init__(
            f"this server has fetched its {limit} stories for today; links work again in "
            f"{describe_wait(resets_in)}",
            url,
        )
        self.limit = limit
        self.resets_in = resets_in


class FetchFailed(SourceError):
    """Anything else the site or FanFicFare reported, in their words, trimmed to one line."""

    def __init__(self, url: str, reason: str) -> None:
        reason = " ".join(reason.split())
        if len(reason) > 200:
            reason = reason[:199] + "…"
        super().__init__(f"could not fetch {url}: {reason}", url)
        self.reason = reason


class UnreadablePage(ImportRejected, SourceError):
    """The fetched pages did not make a story (the importer's guards said why)."""

    def __init__(self, url: str, reason: str) -> None:
        SourceError.__init__(self, f"the work at {url} could not be read as a story: {reason}",
                             url)
