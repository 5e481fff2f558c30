"""One work fetched with FanFicFare: blocking, run in a worker thread by the fetch queue.

FanFicFare writes its single-file HTML into memory and that file goes through
bot.importers.read_story, the same pipeline (and the same guards) as an uploaded file;
the site's metadata is then laid over the draft (bot.sources.metadata). FanFicFare's
exceptions become our one-line errors here, and nowhere else.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from fanficfare import adapters, exceptions, writers
from fanficfare.configurable import Configuration

from bot.importers import read_story
from bot.library.errors import ImportRejected
from bot.sources.errors import (
    AdultWork,
    FetchFailed,
    SiteUnavailable,
    SourceError,
    UnreadablePage,
    WorkLocked,
    WorkNotFound,
)
from bot.sources.fetched import FetchedWork, FetchRequest
from bot.sources.links import StoryLink, fanficfare_modules
from bot.sources.metadata import apply_site_metadata, read_site_metadata
from bot.sources.polite_fetcher import PoliteFetcher
from bot.sources.work import WorkContext

log = logging.getLogger("storybot.sources")

# Our settings over FanFicFare's defaults.ini: no images or covers (text only), no
# retries of its own (ours honour Retry-After), never carry on past a failed chapter
# (never a half story), never log in.
_STORYBOT_SETTINGS = """
[overrides]
include_images:false
never_make_cover:true
make_firstimage_cover:false
max_request_retries:0
continue_on_chapter_error:false
always_login:false
is_adult:false
progressbar:false
"""


def build_configuration(request: FetchRequest) -> Any:
    fanficfare_modules()  # quiets FanFicFare's logging before its first use
    configuration = Configuration(adapters.getConfigSectionsFor(request.link.url), "html")
    defaults = Path(adapters.__file__).resolve().parent.parent / "defaults.ini"
    configuration.read_file(io.StringIO(defaults.read_text(encoding="utf-8")))
    configuration.read_file(io.StringIO(_STORYBOT_SETTINGS))
    if request.extra_settings:
        configuration.read_file(io.StringIO(request.extra_settings))
    return configuration


def download_work(request: FetchRequest, work: WorkContext) -> FetchedWork:
    """Fetch one work (blocking). Raises a SourceError subclass, never FanFicFare's own."""
    try:
        return _download(request, work)
    except SourceError:
        raise
    except Exception as error:
        if work.failure is not None:
            raise work.failure from None
        raise _translate(error, request.link) from None


def _download(request: FetchRequest, work: WorkContext) -> FetchedWork:
    configuration = build_configuration(request)
    configuration.fetcher = PoliteFetcher(configuration.getConfig,
                                          configuration.getConfigList, work)
    adapter = adapters.getAdapter(configuration, request.link.url)
    adult = False
    try:
        story = adapter.getStoryMetadataOnly()
    except exceptions.AdultCheckRequired:
        if not request.allow_adult:
            raise AdultWork(request.link.url) from None
        adult = True
        adapter.is_adult = True
        story = adapter.getStoryMetadataOnly()
    work.check()
    meta = read_site_metadata(story, request.link.url, request.link.site, adult)
    if request.known_chapters is not None and meta.chapters == request.known_chapters:
        return FetchedWork(request.link, meta, None, work.requests_made)
    output = io.BytesIO()
    writers.getWriter("html", configuration, adapter).writeStory(outstream=output)
    work.check()
    try:
        draft = read_story(output.getvalue(), f"{request.link.site}.html")
    except ImportRejected as rejected:
        raise UnreadablePage(request.link.url, str(rejected)) from None
    apply_site_metadata(draft, meta)
    return FetchedWork(request.link, meta, draft, work.requests_made)


def _translate(error: Exception, link: StoryLink) -> SourceError:
    url = link.url
    if isinstance(error, exceptions.StoryDoesNotExist):
        return WorkNotFound(url)
    if isinstance(error, exceptions.AdultCheckRequired):
        return AdultWork(url)
    if isinstance(error, exceptions.FailedToLogin | exceptions.NeedTimedOneTimePassword
                  | exceptions.AccessDenied):
        return WorkLocked(url)
    if isinstance(error, exceptions.HTTPErrorFFF):
        status = int(error.status_code)
        if status in (404, 410):
            return WorkNotFound(url)
        if status in (401, 403):
            return WorkLocked(url)
        if status >= 500:
            return SiteUnavailable(url, link.site, f"HTTP {status}", None)
        return FetchFailed(url, f"the site answered HTTP {status}")
    if isinstance(error, exceptions.FailedToDownload):
        reason = str(error)
        if "registered users" in reason or "log in" in reason.lower():
            return WorkLocked(url)
        if "unavailable" in reason.lower():
            return SiteUnavailable(url, link.site, "it says it is unavailable", None)
        return FetchFailed(url, reason)
    if isinstance(error, exceptions.InvalidStoryURL | exceptions.UnknownSite):
        return FetchFailed(url, str(error))
    # An adapter tripping over a page it did not expect (a site redesign, a hostile page):
    # logged in full for the operator, one line for the requester.
    log.warning("FanFicFare failed on %s", url, exc_info=error)
    return FetchFailed(url, f"the site's page was not what FanFicFare expected "
                            f"({type(error).__name__}); the site may have changed")
