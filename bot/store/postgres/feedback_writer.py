"""The one writer for reader feedback, on PostgreSQL: every write waits in an asyncio queue
and is applied in batches, one transaction per batch on one pooled connection, so a burst of
reactions becomes a few transactions and their order is kept.

Within a run of reaction changes only the last change per (message, reader, emoji) matters
(the state Discord ends in). Jobs (a kudos toggle, forget-me...) run in a savepoint each: a
failing job undoes only its own writes.

A batch that fails because the server went away or two transactions collided was rolled
back whole; it is run again from the start, with a doubling wait, for as long as the
server stays away: reactions wait in the queue meanwhile (nothing is lost) and keep their
order (one batch at a time, each run again whole). A kudos toggle is not idempotent, so a
batch whose COMMIT answer was lost is not simply run again: run_transaction asks the server
whether it committed. A job (whose caller is waiting) gives up once the server has been away
for the retry budget: it fails with DatabaseUnavailable and is left out of every later try,
so what its caller was told stays true.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg

from bot.library.records import ReactionChange
from bot.store.postgres.database import run_transaction
from bot.store.postgres.feedback import apply_reaction_changes
from bot.store.postgres.retry import (
    DatabaseUnavailable,
    RetryPolicy,
    is_transient,
    pool_policy,
    pool_target,
)

log = logging.getLogger("storybot.feedback.writer")

T = TypeVar("T")
Job = Callable[[asyncpg.Connection], Awaitable[T]]

_STOP = object()
QUEUE_LIMIT = 100_000


@dataclass
class _QueuedJob:
    run: Job[Any]
    done: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop()
                                      .create_future())
    queued_at: float = field(default_factory=time.monotonic)


class _JobFailed(Exception):
    """A job raised: its savepoint was rolled back, the batch goes on."""


class FeedbackWriter:
    """Batches writes: up to `max_batch` items, gathered for at most `max_delay` seconds."""

    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 5000,
                 max_delay: float = 0.05) -> None:
        self.pool = pool
        self.max_batch = max_batch
        self.max_delay = max_delay
        self.committed_batches = 0
        self.committed_changes = 0
        self.busy_retries = 0
        self._queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_LIMIT)
        self._task: asyncio.Task[None] | None = None
        self._applying: list[Any] = []  # the batch being written, for close()'s count

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="feedback-writer")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def submit(self, change: ReactionChange) -> None:
        await self._queue.put(change)

    async def run(self, job: Job[T]) -> T:
        """Run `job(conn)` inside the next batch's transaction (after everything queued
        before it) and return its result; if it raises, only its own writes are undone."""
        if not self.running:
            raise RuntimeError("the feedback writer is not running")
        queued = _QueuedJob(job)
        await self._queue.put(queued)
        result: T = await queued.done
        return result

    async def flush(self) -> None:
        async def nothing(conn: asyncpg.Connection) -> None:
            return None
        await self.run(nothing)

    async def close(self) -> None:
        """Commit everything queued. With the server away, the wait is bounded by the
        retry budget, so a shutdown cannot hang; what could not be saved is logged."""
        if self._task is not None:
            await self._queue.put(_STOP)
            done, _ = await asyncio.wait({self._task}, timeout=pool_policy(self.pool).budget)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            if not done:
                self._abandon()

    def _abandon(self) -> None:
        """After a shutdown gave up: fail the jobs still waiting (their callers must not
        wait forever) and log how many writes were not saved."""
        left = list(self._applying)
        while not self._queue.empty():
            left.append(self._queue.get_nowait())
        self._applying = []
        unsaved = 0
        for item in left:
            if isinstance(item, _QueuedJob):
                if item.done.done():
                    continue  # already told it failed
                item.done.set_exception(DatabaseUnavailable(
                    f"PostgreSQL at {pool_target(self.pool)} is unavailable; "
                    "the change was not saved"))
            elif item is _STOP:
                continue
            unsaved += 1
        log.error("shut down with PostgreSQL at %s unavailable: %d queued feedback writes "
                  "were not saved", pool_target(self.pool), unsaved)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [await self._queue.get()]
            if (isinstance(batch[0], ReactionChange) and self.max_delay
                    and self._queue.qsize() < self.max_batch):
                await asyncio.sleep(self.max_delay)  # let a burst become one transaction
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if any(item is _STOP for item in batch):
                stopping = True
                batch = [item for item in batch if item is not _STOP]
                while not self._queue.empty():
                    item = self._queue.get_nowait()
                    if item is not _STOP:
                        batch.append(item)
            if batch:
                self._applying = batch
                await self._apply(batch)
                self._applying = []

    async def _apply(self, batch: list[Any]) -> None:
        policy = pool_policy(self.pool)
        # Reactions have no one waiting: the batch is tried for as long as it takes.
        forever = RetryPolicy(policy.first_delay, policy.max_delay, budget=math.inf)

        def failed_once() -> None:
            self.busy_retries += 1
            self._give_up_waiting_jobs(batch, policy.budget)

        try:
            jobs, changes = await run_transaction(
                self.pool, lambda conn: self._apply_once(conn, batch),
                what=f"a feedback batch of {len(batch)}", idempotent=False, policy=forever,
                on_failure=failed_once, counts_as_write=False)
        except Exception as error:
            log.exception("a feedback batch of %d items failed", len(batch))
            for item in batch:
                if isinstance(item, _QueuedJob) and not item.done.done():
                    item.done.set_exception(error)
            return
        self.committed_batches += 1
        self.committed_changes += changes
        for job, result, failure in jobs:
            if job.done.done():
                continue
            if failure is None:
                job.done.set_result(result)
            else:
                job.done.set_exception(failure)

    def _give_up_waiting_jobs(self, batch: list[Any], budget: float) -> None:
        """Fail the jobs queued longer than the retry budget; later tries leave them out."""
        now = time.monotonic()
        for item in batch:
            if (isinstance(item, _QueuedJob) and not item.done.done()
                    and now - item.queued_at > budget):
                item.done.set_exception(DatabaseUnavailable(
                    f"PostgreSQL at {pool_target(self.pool)} is unavailable; "
                    "the change was not saved, try again later"))

    async def _apply_once(
        self, conn: asyncpg.Connection, batch: list[Any]
    ) -> tuple[list[tuple[_QueuedJob, Any, BaseException | None]], int]:
        """One try at the batch, inside run_transaction's transaction."""
        jobs: list[tuple[_QueuedJob, Any, BaseException | None]] = []
        changes = 0
        run: list[ReactionChange] = []
        for item in batch:
            if isinstance(item, ReactionChange):
                run.append(item)
                continue
            if run:
                changes += await apply_reaction_changes(conn, run)
                run = []
            if not item.done.done():  # a job given up on is left out
                jobs.append((item, *await self._run_job(conn, item)))
        if run:
            changes += await apply_reaction_changes(conn, run)
        return jobs, changes

    @staticmethod
    async def _run_job(conn: asyncpg.Connection,
                       job: _QueuedJob) -> tuple[Any, BaseException | None]:
        try:
            async with conn.transaction():  # a savepoint inside the batch's transaction
                result = await job.run(conn)
        except Exception as error:
            if is_transient(error):
                raise  # the whole batch waits and tries again
            return None, error
        return result, None
