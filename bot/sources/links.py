"""Story links: finding them in a message, and FanFicFare's verdict on each.

`parse_link` makes no request: FanFicFare's adapters know from the URL alone whether a site
is supported and what the work's canonical URL is (AO3's chapter links and `?view_adult`
variants all become https://archiveofourown.org/works/N), so that URL is the cache and
duplicate key. FanFicFare is imported on first use: it takes about a second to load its
hundred-odd adapters, which the bot's start-up and the file-only CLI do not need to pay.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from bot.sources.errors import NotAStoryLink, UnsupportedSite

# The sites readers name first; the "unsupported" message lists those FanFicFare has.
_WELL_KNOWN = (
    "archiveofourown.org", "www.fanfiction.net", "www.royalroad.com", "www.wattpad.com",
    "forums.spacebattles.com", "forums.sufficientvelocity.com", "www.fimfiction.net",
    "www.scribblehub.com",
)
# FanFicFare's built-in offline test sites: real adapters, but not sites to advertise.
_TEST_SITES = re.compile(r"^test\d+\.com$")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>|\"]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'’”*_~"


@dataclass(frozen=True)
class StoryLink:
    """A link FanFicFare can fetch: its canonical work URL and the site it belongs to."""

    url: str
    site: str


def fanficfare_modules() -> tuple[Any, Any, Any]:
    """(adapters, exceptions, Configuration), imported once, with FanFicFare's own stderr
    logging handler removed: its records go through the application's logging instead."""
    from fanficfare import adapters, exceptions
    from fanficfare.configurable import Configuration

    _quiet_fanficfare()
    return adapters, exceptions, Configuration


@cache
def _quiet_fanficfare() -> None:
    fff_log = logging.getLogger("fanficfare")
    for handler in list(fff_log.handlers):
        fff_log.removeHandler(handler)
    fff_log.setLevel(logging.ERROR)


@cache
def supported_sites() -> tuple[str, ...]:
    """Every site FanFicFare's adapters read, as their config sections (mostly domains)."""
    adapters, _, _ = fanficfare_modules()
    return tuple(
        section for section, _examples in adapters.getSiteExamples()
        if not _TEST_SITES.match(section)
    )


def well_known_sites() -> list[str]:
    sites = supported_sites()
    return [site.removeprefix("www.") for site in _WELL_KNOWN if site in sites]


def find_links(text: str) -> list[str]:
    """The http(s) links in a message, in order, each once (Discord's <...> and Markdown
    link syntax stripped)."""
    found: list[str] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group().rstrip(_TRAILING_PUNCTUATION)
        # A Markdown link [label](url) leaves "url)" unbalanced; keep balanced parentheses.
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        if url not in found:
            found.append(url)
    return found


def parse_link(url: str) -> StoryLink:
    """The work a link points to, or UnsupportedSite / NotAStoryLink. No network."""
    adapters, exceptions, configuration_class = fanficfare_modules()
    text = url.strip().strip("<>").strip()
    # FanFicFare reads "URL[2-5]" as a chapter range; a library wants the whole work.
    text = re.sub(r"\[[\d,-]*\]$", "", text)
    try:
        sections = adapters.getConfigSectionsFor(text)
    except exceptions.UnknownSite:
        raise UnsupportedSite(text, _host(text), well_known_sites(),
                              len(supported_sites())) from None
    config = configuration_class(sections, "html", lightweight=True)
    try:
        adapter = adapters.getAdapter(config, text)
    except exceptions.InvalidStoryURL as error:
        example = str(error.example).split()[0] if error.example else ""
        raise NotAStoryLink(text, str(error.domain), example) from None
    return StoryLink(url=str(adapter.url), site=str(adapter.getSiteDomain()))


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else f"http://{url}").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
