"""StorySources: the one object the bot and the CLI ask for stories from links.

    sources = StorySources()                       # production rules, system clock
    work = await sources.fetch(url, guild_id=g)    # -> FetchedWork (draft + site metadata)
    async for event in sources.fetch_events(url, guild_id=g): ...   # progress, then Finished
    update = await sources.check_update(url, chapters, was_complete=False)

Order of checks for a fetch: the link (no network) -> the hour-long cache -> the same work
already under way (joined, not fetched twice) -> the server's daily cap -> the site's
queue -> a worker thread running FanFicFare through the polite fetcher.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.library.clock import Clock, SystemClock
from bot.library.models import Chapter
from bot.sources.errors import AdultWork, FetchTimedOut, WorkNotFound
from bot.sources.fetched import FetchedWork, FetchRequest
from bot.sources.links import StoryLink, parse_link, supported_sites
from bot.sources.pacing import DailyCap, SitePacer, TimedCache
from bot.sources.queue import (
    BackingOff,
    FetchProgress,
    FetchQueue,
    Finished,
    ProgressListener,
)
from bot.sources.updates import StoryUpdate, UpdateKind, judge_update
from bot.sources.work import PoliteRules, Sleeper, WorkContext


class _Shared:
    """A fetch under way that later requesters of the same work join."""

    def __init__(self) -> None:
        self.listeners: list[ProgressListener] = []
        self.result: asyncio.Future[FetchedWork] = asyncio.get_running_loop().create_future()

    def tell(self, event: FetchProgress) -> None:
        for listener in list(self.listeners):
            listener(event)


class StorySources:
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        rules: PoliteRules | None = None,
        daily_cap: int = 20,
        cache_for: timedelta = timedelta(hours=1),
        sleep: Sleeper | None = None,
        extra_settings: str = "",
        typical_work: timedelta = timedelta(seconds=30),
    ) -> None:
        self.clock = clock or SystemClock()
        self.rules = rules or PoliteRules()
        self.pacer = SitePacer(self.clock, self.rules.min_interval)
        self.cap = DailyCap(self.clock, daily_cap)
        self.cache: TimedCache[str, FetchedWork] = TimedCache(self.clock, cache_for)
        self.queue: FetchQueue[FetchedWork] = FetchQueue(self.clock, typical_work)
        self._sleep = sleep
        # FanFicFare ini text added to its defaults (public: tests grow a test1.com story).
        self.extra_settings = extra_settings
        self._under_way: dict[tuple[str, bool], _Shared] = {}

    @staticmethod
    def supported_sites() -> tuple[str, ...]:
        return supported_sites()

    async def resolve(self, url: str) -> StoryLink:
        """The work a link names (UnsupportedSite / NotAStoryLink otherwise). No network;
        off the loop because FanFicFare's first import takes about a second."""
        return await asyncio.to_thread(parse_link, url)

    async def fetch(
        self,
        url: str,
        *,
        guild_id: int | None = None,
        allow_adult: bool = False,
        on_progress: ProgressListener | None = None,
    ) -> FetchedWork:
        """The whole work as a draft (text through the importers) with its site metadata.
        guild_id None is the operator (CLI): no daily cap."""
        link = await self.resolve(url)
        return await self._fetch(FetchRequest(link, allow_adult=allow_adult,
                                              extra_settings=self.extra_settings),
                                 guild_id, on_progress)

    async def fetch_events(
        self, url: str, *, guild_id: int | None = None, allow_adult: bool = False
    ) -> AsyncIterator[FetchProgress]:
        """The same fetch as progress events (Queued, Started, BackingOff), ending with
        Finished(work); an error is raised from the iterator. For a deferred reply that
        is edited as the request moves up the queue."""
        events: asyncio.Queue[FetchProgress | BaseException] = asyncio.Queue()

        async def run() -> None:
            try:
                work = await self.fetch(url, guild_id=guild_id, allow_adult=allow_adult,
                                        on_progress=events.put_nowait)
                events.put_nowait(Finished(work))
            except Exception as error:
                events.put_nowait(error)

        task = asyncio.create_task(run())
        try:
            while True:
                event = await events.get()
                if isinstance(event, BaseException):
                    raise event
                yield event
                if isinstance(event, Finished):
                    return
        finally:
            if not task.done():
                task.cancel()

    async def check_update(
        self,
        url: str,
        ours: Sequence[Chapter],
        *,
        was_complete: bool | None = None,
        allow_adult: bool = True,
        full: bool = False,
        on_progress: ProgressListener | None = None,
    ) -> StoryUpdate:
        """What the site has that our stored chapters do not. When the site lists as many
        chapters as we have, only its metadata is fetched (unless `full`). A work gone
        from its site is UpdateKind.GONE, not an error. Update checks are the operator's
        (no daily cap); adult consent was given when the story was added."""
        link = await self.resolve(url)
        request = FetchRequest(link, allow_adult=allow_adult,
                               known_chapters=None if full else len(ours),
                               extra_settings=self.extra_settings)
        try:
            work = await self._fetch(request, None, on_progress)
        except WorkNotFound:
            return StoryUpdate(link.url, UpdateKind.GONE)
        return judge_update(link.url, ours, was_complete, work.meta, work.draft)

    async def _fetch(self, request: FetchRequest, guild_id: int | None,
                     on_progress: ProgressListener | None) -> FetchedWork:
        key = request.link.url
        cached = self.cache.get(key)
        if cached is not None and (cached.draft is not None or request.known_chapters
                                   is not None):
            if cached.meta.adult and not request.allow_adult:
                raise AdultWork(key)
            return replace(cached, from_cache=True)
        shared_key = (key, request.known_chapters is None)
        shared = self._under_way.get(shared_key)
        if shared is not None:
            if on_progress is not None:
                shared.listeners.append(on_progress)
            return replace(await asyncio.shield(shared.result), from_cache=True)
        self.cap.take(guild_id, key)
        shared = _Shared()
        if on_progress is not None:
            shared.listeners.append(on_progress)
        self._under_way[shared_key] = shared
        try:
            work = await self._run(request, shared)
        except BaseException as error:
            if not shared.result.done():
                if isinstance(error, asyncio.CancelledError):
                    shared.result.cancel()
                else:
                    shared.result.set_exception(error)
                    shared.result.exception()  # marked retrieved: joiners may be none
            raise
        finally:
            del self._under_way[shared_key]
        shared.result.set_result(work)
        self.cache.put(key, work)
        return work

    async def _run(self, request: FetchRequest, shared: _Shared) -> FetchedWork:
        from bot.sources.fanficfare_job import download_work  # loads FanFicFare

        loop = asyncio.get_running_loop()
        link = request.link

        def backing_off(wait: timedelta) -> None:  # called from the worker thread
            loop.call_soon_threadsafe(shared.tell, BackingOff(wait))

        def job(abort: threading.Event) -> FetchedWork:
            work = WorkContext(
                url=link.url, clock=self.clock, pacer=self.pacer, rules=self.rules,
                deadline=self.clock.now() + self.rules.work_timeout, abort=abort,
                sleep=self._sleep,
                on_backoff=backing_off,
            )
            return download_work(request, work)

        return await self.queue.run(
            link.site, job, timeout=self.rules.work_timeout,
            on_timeout=lambda: FetchTimedOut(link.url, self.rules.work_timeout),
            listener=shared.tell, url=link.url,
        )
