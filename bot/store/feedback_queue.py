"""What both backends' feedback writers share: one asyncio queue, batches taken from it in
order, and each waiting caller told its job's result. How a batch is written (one SQLite
connection in its own thread, or a pooled PostgreSQL connection with retries) is each
backend's own `FeedbackWriter._apply`.

Order is kept: a batch is applied in the order things were queued, and within a run of
reaction changes only the last change per (message, reader, emoji) matters, which is
exactly the state Discord ends in. A job (a kudos toggle, forget-me, a flush) runs inside
the batch's transaction in a savepoint of its own, so a failing job undoes only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.library.records import FeedbackEntry, ReactionChange

T = TypeVar("T")
# A job gets the backend's connection (aiosqlite.Connection or asyncpg.Connection).
Job = Callable[[Any], Awaitable[T]]

# Reactions waiting at most; past it `submit` waits for room (backpressure, never a drop).
QUEUE_LIMIT = 100_000
STOP = object()


@dataclass
class QueuedJob:
    run: Job[Any]
    done: asyncio.Future[Any] = field(default_factory=lambda: asyncio.get_running_loop()
                                      .create_future())
    queued_at: float = field(default_factory=time.monotonic)


# A job, its result, and what it raised (None when it succeeded).
JobOutcome = tuple[QueuedJob, Any, BaseException | None]


class BatchingWriter:
    """Batches writes: up to `max_batch` items, gathered for at most `max_delay` seconds.
    Subclasses write one batch in `_apply` and call `_settle` or `_fail` with the outcome."""

    def __init__(self, *, max_batch: int, max_delay: float) -> None:
        self.max_batch = max_batch
        self.max_delay = max_delay
        self.committed_batches = 0
        self.committed_changes = 0
        self.busy_retries = 0
        self._queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_LIMIT)
        self._jobs_queued = 0  # jobs in the queue (they end a burst's gathering early)
        self._job_queued = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._applying: list[Any] = []  # the batch being written, for a shutdown's count

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="feedback-writer")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def submit(self, change: ReactionChange) -> None:
        """Queue one reaction change; returns at once unless the queue is full (it never
        touches the database)."""
        await self._queue.put(change)

    async def run(self, job: Job[T]) -> T:
        """Run `job(conn)` inside the next batch's transaction (after everything queued
        before it) and return its result; if it raises, only its own writes are undone."""
        if not self.running:
            raise RuntimeError("the feedback writer is not running")
        queued = QueuedJob(job)
        await self._queue.put(queued)
        self._jobs_queued += 1
        self._job_queued.set()
        result: T = await queued.done
        return result

    async def flush(self) -> None:
        """Wait until everything queued so far is committed."""
        async def nothing(conn: Any) -> None:
            return None
        await self.run(nothing)

    async def _stop(self, timeout: float | None = None) -> bool:
        """Ask the loop to write everything queued and end; False if it had not ended
        after `timeout` seconds (it is then cancelled)."""
        if self._task is None:
            return True
        await self._queue.put(STOP)
        done, _ = await asyncio.wait({self._task}, timeout=timeout)
        if not done:
            self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        return bool(done)

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [await self._queue.get()]
            if (isinstance(batch[0], ReactionChange) and self.max_delay
                    and self._queue.qsize() < self.max_batch):
                await self._gather()
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if any(item is STOP for item in batch):
                stopping = True
                batch = [item for item in batch if item is not STOP]
                while not self._queue.empty():  # anything queued after close() still counts
                    item = self._queue.get_nowait()
                    if item is not STOP:
                        batch.append(item)
            if self._jobs_queued:  # taken out of the queue now
                self._jobs_queued -= sum(isinstance(item, QueuedJob) for item in batch)
            if batch:
                self._applying = batch
                await self._apply(batch)
                self._applying = []

    async def _gather(self) -> None:
        """Let a burst of reactions gather for a moment, so it becomes one transaction. A
        job (a button click, a flush) queued before or meanwhile ends the wait: someone is
        waiting for it, and it would otherwise wait out the rest of `max_delay`."""
        if self._jobs_queued:
            return
        self._job_queued.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.max_delay):
                await self._job_queued.wait()

    async def _apply(self, batch: list[Any]) -> None:
        raise NotImplementedError

    def _settle(self, jobs: list[JobOutcome], changes: int) -> None:
        """The batch committed: count it and tell each waiting caller its job's result."""
        self.committed_batches += 1
        self.committed_changes += changes
        for job, result, failure in jobs:
            if job.done.done():
                continue
            if failure is None:
                job.done.set_result(result)
            else:
                job.done.set_exception(failure)

    @staticmethod
    def _fail(batch: list[Any], error: BaseException) -> None:
        """The batch could not be written: every job still waiting fails with `error`."""
        for item in batch:
            if isinstance(item, QueuedJob) and not item.done.done():
                item.done.set_exception(error)


async def write_in_order(
    batch: list[Any],
    apply_changes: Callable[[list[ReactionChange]], Awaitable[int]],
    run_job: Callable[[QueuedJob], Awaitable[tuple[Any, BaseException | None]]],
) -> tuple[list[JobOutcome], int]:
    """One pass over a batch inside its transaction: each run of reaction changes in one
    call, each job between them in turn (a job whose caller was already answered, e.g.
    given up on, is left out). Returns the jobs' outcomes and the changes applied."""
    jobs: list[JobOutcome] = []
    changes = 0
    run: list[ReactionChange] = []
    for item in batch:
        if isinstance(item, ReactionChange):
            run.append(item)
            continue
        if run:
            changes += await apply_changes(run)
            run = []
        if not item.done.done():
            jobs.append((item, *await run_job(item)))
    if run:
        changes += await apply_changes(run)
    return jobs, changes


@dataclass(frozen=True)
class FeedbackStatements:
    """A backend's feedback statements, each run on the writer's connection."""

    toggle_kudos: Callable[[Any, int, int, int | None, str], Awaitable[bool]]
    toggle_bookmark: Callable[[Any, int, int, int, int | None, str], Awaitable[bool]]
    save_feedback: Callable[[Any, FeedbackEntry], Awaitable[None]]
    forget_user: Callable[[Any, int], Awaitable[dict[str, int]]]


@dataclass
class FeedbackWrites:
    """Reader feedback writes (Store.feedback_writes), each run by the feedback writer
    inside its batch transaction, after everything queued before it."""

    writer: BatchingWriter
    statements: FeedbackStatements

    @property
    def running(self) -> bool:
        return self.writer.running

    async def reaction(self, change: ReactionChange) -> None:
        """Queue a raw reaction change (applied in the next batch; last change wins)."""
        await self.writer.submit(change)

    async def toggle_kudos(self, story_id: int, user_id: int, guild_id: int | None,
                           at: str) -> bool:
        return await self.writer.run(
            lambda conn: self.statements.toggle_kudos(conn, story_id, user_id, guild_id, at))

    async def toggle_bookmark(self, user_id: int, passage_id: int, story_id: int,
                              guild_id: int | None, at: str) -> bool:
        return await self.writer.run(lambda conn: self.statements.toggle_bookmark(
            conn, user_id, passage_id, story_id, guild_id, at))

    async def save_feedback(self, entry: FeedbackEntry) -> None:
        await self.writer.run(lambda conn: self.statements.save_feedback(conn, entry))

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete everything about the user, after every write of theirs already queued."""
        return await self.writer.run(lambda conn: self.statements.forget_user(conn, user_id))

    async def flush(self) -> None:
        """Wait until everything queued so far is committed."""
        await self.writer.flush()
