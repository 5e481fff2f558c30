"""Importing many files: parsed in a process pool, stored by the bulk writer in batches.

Each batch is one transaction, and a file is reported (`on_file`) only once its batch is
committed, so an import stopped at any moment (Ctrl-C, SIGKILL, a power cut) keeps every
story it reported and no part of any other; the same import run again refuses what is
already stored as a duplicate and adds the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.importers.base import ImportLimits
from bot.importers.parallel import (
    DEFAULT_BATCH,
    ParsedStory,
    ParseResult,
    default_workers,
    parse_files,
)
from bot.importers.sidecar import add_metadata
from bot.library.clock import Clock
from bot.library.errors import DuplicateStory, ImportRejected
from bot.library.models import Story, StoryDraft
from bot.library.rating_change import RatingChange
from bot.store.protocol import BulkStore

# Stories per write transaction: large enough that a transaction's fixed cost (the lock,
# the search index update, the commit's sync) is shared out; small enough that progress
# shows often and an interrupted import loses little work.
WRITE_BATCH = 100
# The last batch is written after the last file is parsed, with the parsing workers idle:
# an import's last batches are half of what is left, down to this many stories, so that
# wait is short (1,000 small stories: 100 nine times, then 50, 25 and 25).
LAST_WRITE_BATCH = 25
# Below this many files the parsing runs in a thread of this process: a pool's workers
# take longer to start than a few files take to read.
POOL_FROM_FILES = 32


@dataclass
class ImportOutcome:
    path: str
    story: Story | None = None
    error: str | None = None
    duplicate_of: int | None = None


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    @property
    def imported(self) -> list[Story]:
        return [o.story for o in self.outcomes if o.story is not None]

    @property
    def rejected(self) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.error is not None]


@dataclass
class FolderImport:
    """One import of many files into one server's library (guild_id None: the demo one)."""

    bulk: BulkStore
    clock: Clock
    limits: ImportLimits
    # Raises ImportRejected for a draft the library refuses (Catalog's rules for any add).
    check: Callable[[StoryDraft], None]
    # Called with each stored story, after its batch was committed.
    on_stored: Callable[[Story], Awaitable[None]]
    guild_id: int | None = None
    added_by: int | None = None
    metadata: Mapping[str, object] | None = None
    rating_change: RatingChange = RatingChange.FILL
    on_file: Callable[[ImportOutcome], None] | None = None
    # Parsing processes; None: one per core for a large import, none for a small one.
    workers: int | None = None

    async def run(self, files: Sequence[Path]) -> ImportReport:
        report = ImportReport()
        workers = self.workers
        if workers is None:
            workers = (0 if len(files) < POOL_FROM_FILES
                       else min(default_workers(), -(-len(files) // DEFAULT_BATCH)))
        results = parse_files(files, workers=workers, limits=self.limits)
        # The pool's iterator blocks until results are in: it runs in a thread, so the
        # event loop (a bot's heartbeats, the writer) goes on meanwhile. The next batch is
        # collected while this one is written: collecting is what hands the workers more
        # files, and with the two in turn they ran dry during each write (the writing is
        # the import's one serial step; 1,000 small stories with 2 workers: 1,546 a second
        # against 1,424, medians of twelve).
        stopping = threading.Event()
        left = len(files)

        def collect_next() -> asyncio.Future[list[ParseResult]]:
            return asyncio.ensure_future(
                asyncio.to_thread(_take, results, write_batch(left), stopping))

        collecting = collect_next()
        # What the process held before the import (a bot's whole library index, say) is
        # left out of the cyclic collector's full passes while the import makes garbage:
        # each would walk all of it again (5-10% of a small process's import CPU, more in
        # a bot's). Unfrozen at the end, nothing lost. Only when nothing is frozen yet:
        # unfreezing would also undo the bot's own freeze after start-up (bot.app), or
        # another import's.
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        try:
            # Shielded: a cancellation stops the import here, not the collecting, which the
            # `finally` lets end (an executor's thread cannot be stopped from outside).
            while chunk := await asyncio.shield(collecting):
                left -= len(chunk)
                collecting = collect_next()
                outcomes = await self._store(chunk)
                report.outcomes += outcomes
                if self.on_file is not None:
                    for outcome in outcomes:
                        self.on_file(outcome)
            await self.bulk.compact_search(len(report.imported))
        finally:
            # A batch being collected stops at its next file and is dropped (nothing of it
            # was written or reported), so that closing the iterator finds it idle.
            stopping.set()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.shield(collecting)
            # Stops the pool. After a second cancellation the iterator may still be
            # running in its thread; it then ends with the interpreter, having written
            # nothing.
            with contextlib.suppress(ValueError):
                await asyncio.to_thread(results.close)
            if freezing:
                gc.unfreeze()
        return report

    async def _store(self, chunk: list[ParseResult]) -> list[ImportOutcome]:
        """One batch: refusals of the parser and of the library's rules, then one bulk
        transaction for the rest; outcomes in file order."""
        outcomes = [ImportOutcome(str(result.path)) for result in chunk]
        ready: list[tuple[ImportOutcome, ParsedStory]] = []
        for outcome, result in zip(outcomes, chunk, strict=True):
            if not isinstance(result, ParsedStory):
                outcome.error = result.reason
                continue
            try:
                draft = result.draft
                if self.metadata:
                    draft = add_metadata(draft, self.metadata, rating_change=self.rating_change)
                self.check(draft)
            except ImportRejected as rejected:
                outcome.error = str(rejected)
                continue
            ready.append((outcome, ParsedStory(result.path, draft, result.passages, result.facts)))
        if not ready:
            return outcomes
        stored = await self.bulk.import_batch(
            [(parsed.draft, parsed.passages) for _, parsed in ready],
            guild_id=self.guild_id, added_by=self.added_by, now=self.clock.now(),
            facts=[parsed.facts for _, parsed in ready])
        for (outcome, _), story in zip(ready, stored, strict=True):
            if isinstance(story, DuplicateStory):
                outcome.error, outcome.duplicate_of = str(story), story.existing_id
            else:
                outcome.story = story
                await self.on_stored(story)
        return outcomes


def write_batch(left: int) -> int:
    """How many of the `left` files to write in the next transaction."""
    return max(min(WRITE_BATCH, left // 2), LAST_WRITE_BATCH)


def _take(results: Iterator[ParseResult], count: int,
          stopping: threading.Event) -> list[ParseResult]:
    """Up to `count` results; fewer when the iterator ends or the import is stopping."""
    taken: list[ParseResult] = []
    for result in results:
        taken.append(result)
        if len(taken) == count or stopping.is_set():
            break
    return taken
