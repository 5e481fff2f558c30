"""The one writer for reader feedback on PostgreSQL: every write waits in the shared queue
(bot/store/feedback_queue.py) and is applied in batches, one transaction per batch on one
pooled connection, so a burst of reactions becomes a few transactions and their order is
kept.

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

import logging
import math
import time
from typing import Any

import asyncpg

from bot.store.feedback_queue import (
    STOP,
    BatchingWriter,
    JobOutcome,
    QueuedJob,
    write_in_order,
)
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


class FeedbackWriter(BatchingWriter):
    """Batches writes: up to `max_batch` items, gathered for at most `max_delay` seconds."""

    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 5000,
                 max_delay: float = 0.05) -> None:
        super().__init__(max_batch=max_batch, max_delay=max_delay)
        self.pool = pool

    async def close(self) -> None:
        """Commit everything queued. With the server away, the wait is bounded by the
        retry budget, so a shutdown cannot hang; what could not be saved is logged."""
        if not await self._stop(timeout=pool_policy(self.pool).budget):
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
            if isinstance(item, QueuedJob):
                if item.done.done():
                    continue  # already told it failed
                item.done.set_exception(DatabaseUnavailable(
                    f"PostgreSQL at {pool_target(self.pool)} is unavailable; "
                    "the change was not saved"))
            elif item is STOP:
                continue
            unsaved += 1
        log.error("shut down with PostgreSQL at %s unavailable: %d queued feedback writes "
                  "were not saved", pool_target(self.pool), unsaved)

    async def _apply(self, batch: list[Any]) -> None:
        policy = pool_policy(self.pool)
        # Reactions have no one waiting: the batch is tried for as long as it takes.
        forever = RetryPolicy(policy.first_delay, policy.max_delay, budget=math.inf)

        def failed_once() -> None:
            self.busy_retries += 1
            self._give_up_waiting_jobs(batch, policy.budget)

        async def one_try(conn: asyncpg.Connection) -> tuple[list[JobOutcome], int]:
            return await write_in_order(batch, lambda run: apply_reaction_changes(conn, run),
                                        lambda job: self._run_job(conn, job))

        try:
            jobs, changes = await run_transaction(
                self.pool, one_try, what=f"a feedback batch of {len(batch)}",
                idempotent=False, policy=forever, on_failure=failed_once,
                counts_as_write=False)
        except Exception as error:
            log.exception("a feedback batch of %d items failed", len(batch))
            self._fail(batch, error)
            return
        self._settle(jobs, changes)

    def _give_up_waiting_jobs(self, batch: list[Any], budget: float) -> None:
        """Fail the jobs queued longer than the retry budget; later tries leave them out."""
        now = time.monotonic()
        for item in batch:
            if (isinstance(item, QueuedJob) and not item.done.done()
                    and now - item.queued_at > budget):
                item.done.set_exception(DatabaseUnavailable(
                    f"PostgreSQL at {pool_target(self.pool)} is unavailable; "
                    "the change was not saved, try again later"))

    @staticmethod
    async def _run_job(conn: asyncpg.Connection,
                       job: QueuedJob) -> tuple[Any, BaseException | None]:
        try:
            async with conn.transaction():  # a savepoint inside the batch's transaction
                result = await job.run(conn)
        except Exception as error:
            if is_transient(error):
                raise  # the whole batch waits and tries again
            return None, error
        return result, None
