"""Getting the recommendation index at start: the snapshot saved with the library when the
library has not changed since it was built, else a build from the library's columns,
saved in turn for the next start.

A snapshot is a cache, checked by the store's change counter (bumped by triggers on
everything the index reads, whichever process writes): it is used only when it was built
at the counter's current value. A build reads the counter *before* reading the library, so
a change committed during the read makes the saved snapshot look older than it is (the
next start rebuilds) and never newer (it would be used while stale).

The bot's library-chores process also brings the snapshot up to date at an orderly stop
when the library changed since it was saved (`refresh_saved`): built again from the
library, not dumped from the index in use, so the same rule holds, and the next start
loads it instead of building (bench_startup at 100k stories: the first /recommend answered
1.7 s after start instead of 3.7 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import numpy as np

from bot.library import index_snapshot
from bot.library.index_build import build_index
from bot.library.index_columns import IndexColumns
from bot.library.index_snapshot import IndexState, SnapshotUnusable
from bot.library.records import VocabularyEntry
from bot.library.tag_index import TagRef
from bot.store.protocol import RecommendIndexStore

log = logging.getLogger("storybot.recommendations")
SAVE_AT_STOP_SECONDS = 10.0


def vocabulary_maps(
    vocabulary: dict[int, VocabularyEntry],
) -> tuple[dict[int, TagRef], dict[TagRef, str]]:
    """Tag id -> its canonical TagRef (one shared tuple per canonical tag, which also saves
    memory), and each canonical tag's display name."""
    refs: dict[TagRef, TagRef] = {}
    tags: dict[int, TagRef] = {}
    names: dict[TagRef, str] = {}
    for tag_id, entry in vocabulary.items():
        ref = refs.setdefault((entry.kind, entry.key), (entry.kind, entry.key))
        tags[tag_id] = ref
        names[ref] = entry.name
    return tags, names


def build_state(columns: IndexColumns, tags: dict[int, TagRef],
                names: dict[TagRef, str]) -> IndexState:
    """The index of the whole library (a few sorts: run it off the event loop)."""
    refs = list(dict.fromkeys(tags.values()))
    code = {ref: n for n, ref in enumerate(refs)}
    code_of_id = np.full(max(tags, default=-1) + 1, -1, dtype=np.int64)
    code_of_id[np.fromiter(tags, dtype=np.int64, count=len(tags))] = [
        code[ref] for ref in tags.values()]
    return IndexState(build_index(columns, code_of_id, refs), tags, names)


class IndexStart:
    """Loads or builds the index for RecommendationService; keeps the snapshot's saving
    (after a build) running in the background until it is done or `stop` is called."""

    def __init__(self, source: RecommendIndexStore, *, save: bool = True) -> None:
        self.source = source
        self.save = save
        self._saving: asyncio.Task[None] | None = None
        self.loaded_from_snapshot = False
        # The library change the saved snapshot was built at, as far as this process knows
        # (None: none saved yet, or saving failed).
        self.saved_at: int | None = None

    async def state(self) -> IndexState:
        started = time.perf_counter()
        loaded = await self._from_snapshot()
        if loaded is not None:
            self.loaded_from_snapshot = True
            log.info("recommendation index: %d stories from the saved snapshot in %.2f s",
                     len(loaded.index), time.perf_counter() - started)
            return loaded
        self.loaded_from_snapshot = False
        counter, state, arrays = await self._build()
        if arrays is not None:
            if self._saving is not None and not self._saving.done():
                self._saving.cancel()
            self._saving = asyncio.create_task(self._save(counter, arrays),
                                               name="save-index-snapshot")
        return state

    async def _build(self) -> tuple[int, IndexState, bytes | None]:
        """The index built from the library, the counter read before it, and its bytes."""
        started = time.perf_counter()
        counter = await self.source.change_counter()
        tags, names = vocabulary_maps(await self.source.vocabulary())
        columns = await self.source.columns()
        read = time.perf_counter() - started
        # Sorting 1.6 million links (100k stories) takes a while: not on the event loop.
        # The snapshot's bytes are made in the same thread, before anything can change the
        # new index (the event loop applies changes to it as soon as it is returned).
        state, arrays = await asyncio.to_thread(self._build_and_dump, columns, tags, names)
        log.info("recommendation index: %d stories in %.2f s (%.2f s reading the library)",
                 len(state.index), time.perf_counter() - started, read)
        return counter, state, arrays

    async def refresh_saved(self) -> bool:
        """At an orderly stop: when the library changed since the snapshot was saved (or
        none was), build the index from the library again and save it. Gives up past
        SAVE_AT_STOP_SECONDS (the next start then builds, as before). Whether it saved."""
        if not self.save:
            return False
        await self.stop()  # a save under way first: it may be the one already current
        try:
            async with asyncio.timeout(SAVE_AT_STOP_SECONDS):
                if await self.source.change_counter() == self.saved_at:
                    return False
                counter, _, arrays = await self._build()
                if arrays is None:
                    return False
                await self._save(counter, arrays)
        except TimeoutError:
            log.info("recommendation index not saved at stop: it took over %.0f s",
                     SAVE_AT_STOP_SECONDS)
            return False
        except Exception:  # a cache: it must never stop the rest of the stop
            log.exception("could not save the recommendation index at stop")
            return False
        return self.saved_at == counter

    def _build_and_dump(self, columns: IndexColumns, tags: dict[int, TagRef],
                        names: dict[TagRef, str]) -> tuple[IndexState, bytes | None]:
        state = build_state(columns, tags, names)
        if not self.save:
            return state, None
        try:
            return state, index_snapshot.dump(state)
        except ValueError as problem:
            log.warning("recommendation index not saved: %s", problem)
            return state, None

    async def _from_snapshot(self) -> IndexState | None:
        try:
            stored = await self.source.snapshot(index_snapshot.FORMAT_VERSION)
        except Exception:  # a cache: reading it must never stop the index from building
            log.exception("could not read the saved recommendation index; building it")
            return None
        if stored is None:
            return None
        if stored.arrays is None:
            log.info("saved recommendation index not used (built at library change %d in "
                     "format %d; the library is at change %d, this code reads format %d)",
                     stored.built_at, stored.format_version, stored.counter_now,
                     index_snapshot.FORMAT_VERSION)
            return None
        try:
            loaded = await asyncio.to_thread(index_snapshot.load, stored.arrays)
        except SnapshotUnusable as problem:
            log.warning("saved recommendation index is unusable, building it again: %s",
                        problem)
            return None
        self.saved_at = stored.built_at
        return loaded

    async def _save(self, counter: int, arrays: bytes) -> None:
        try:
            await self.source.save_snapshot(index_snapshot.FORMAT_VERSION, counter, arrays)
        except asyncio.CancelledError:
            raise
        except Exception:  # the next start builds again; nothing else depends on it
            log.exception("could not save the recommendation index")
        else:
            self.saved_at = counter
            log.info("recommendation index saved (%.1f MB, library change %d)",
                     len(arrays) / 1e6, counter)

    async def saved(self) -> None:
        """Wait for the snapshot being saved, if any (tests, orderly shutdown)."""
        if self._saving is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._saving)

    async def stop(self) -> None:
        """Let a snapshot being saved finish (a few hundred milliseconds at 100k stories),
        so that a quick restart finds it; give up on it past SAVE_AT_STOP_SECONDS."""
        if self._saving is None or self._saving.done():
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._saving), SAVE_AT_STOP_SECONDS)
        if not self._saving.done():
            self._saving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saving
