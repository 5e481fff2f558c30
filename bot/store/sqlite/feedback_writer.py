"""The one writer for reader feedback on SQLite: every write waits in the shared queue
(bot/store/feedback_queue.py) and is applied in batches, one transaction per batch, on the
writer's own SQLite connection (its own thread), so a burst of reactions never blocks the
event loop and never interleaves transactions. `close()` flushes everything queued before
it stops.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiosqlite

from bot.store.feedback_queue import BatchingWriter, QueuedJob, write_in_order
from bot.store.sqlite.database import is_busy, savepoint, transaction
from bot.store.sqlite.feedback import apply_reaction_changes

log = logging.getLogger("storybot.feedback.writer")

RETRY_FIRST_DELAY = 0.05
RETRY_MAX_DELAY = 2.0


class FeedbackWriter(BatchingWriter):
    """Batches writes: up to `max_batch` items, gathered for at most `max_delay` seconds."""

    def __init__(self, conn: aiosqlite.Connection, *, max_batch: int = 5000,
                 max_delay: float = 0.05, owns_connection: bool = False) -> None:
        super().__init__(max_batch=max_batch, max_delay=max_delay)
        self.conn = conn
        self.owns_connection = owns_connection

    async def close(self) -> None:
        """Commit everything queued, then stop (and close the connection if it is ours)."""
        await self._stop()
        if self.owns_connection:
            await self.conn.close()

    async def _apply(self, batch: list[Any]) -> None:
        """Commit the batch; while the database is busy (another process holds the lock),
        wait and try again: nothing queued is ever dropped."""
        delay = RETRY_FIRST_DELAY
        while True:
            try:
                async with transaction(self.conn):
                    jobs, changes = await write_in_order(
                        batch, lambda run: apply_reaction_changes(self.conn, run), self._run_job)
                break
            except Exception as error:
                if is_busy(error):
                    self.busy_retries += 1
                    log.warning("the database is busy; retrying a batch of %d in %.2f s",
                                len(batch), delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_DELAY)
                    continue
                log.exception("a feedback batch of %d items failed", len(batch))
                self._fail(batch, error)
                return
        self._settle(jobs, changes)

    async def _run_job(self, job: QueuedJob) -> tuple[Any, BaseException | None]:
        try:
            async with savepoint(self.conn, "feedback_job"):
                result = await job.run(self.conn)
        except Exception as error:
            if is_busy(error):
                raise  # the whole batch waits and tries again
            return None, error
        return result, None

