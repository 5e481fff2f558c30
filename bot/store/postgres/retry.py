"""Riding out a PostgreSQL that goes away for a while (a restart, a failover, a dropped
network link): which failures are worth another try, how long to keep trying, and a pool
whose single statements are tried again.

What may be retried, and why it is safe:
- a read: it changes nothing;
- a whole transaction: a transaction that failed before its COMMIT was rolled back by the
  server, so running it again from the start is the same as running it once;
- a single statement outside a transaction (autocommit), only because every such write in
  this store is idempotent (an upsert, INSERT ... ON CONFLICT DO NOTHING, an UPDATE to given
  values, a DELETE): applying it twice ends in the same rows as applying it once. A write
  that is not idempotent goes through `run_transaction(..., idempotent=False)`
  (bot/store/postgres/database.py), which asks the server whether a COMMIT whose answer was
  lost actually happened before it runs the transaction again.

Any other error (a constraint, a syntax error, a bug) is never retried. When the budget is
spent the last failure surfaces as one line: `DatabaseUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg

from bot.store.errors import StoreUnavailable

log = logging.getLogger("storybot.store.retry")

T = TypeVar("T")


class DatabaseUnavailable(StoreUnavailable):
    """The database named by the DSN could not be reached or refused us (one line)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Waits double from `first_delay` up to `max_delay`; no new try starts once `budget`
    seconds have passed since the first failure. 30 s covers a restart or a failover."""

    first_delay: float = 0.05
    max_delay: float = 2.0
    budget: float = 30.0


DEFAULT_POLICY = RetryPolicy()


class RetryLater(Exception):
    """Raised by an operation to be tried again like a lost connection (e.g. a COMMIT whose
    outcome the server cannot tell yet)."""


# Failures of the connection, of a server that is starting or stopping, or of two
# transactions that collided: the same work may well succeed a moment later.
_TRANSIENT = (
    OSError,  # refused / reset while the server is down or restarting
    TimeoutError,  # no answer within the connect timeout
    asyncpg.PostgresConnectionError,  # class 08, incl. "connection was closed in the middle"
    asyncpg.CannotConnectNowError,  # 57P03 "the database system is starting up"
    asyncpg.AdminShutdownError,  # 57P01 terminated by a fast shutdown or pg_terminate_backend
    asyncpg.CrashShutdownError,  # 57P02 another backend crashed
    asyncpg.TooManyConnectionsError,  # 53300 a restart's reconnect storm
    asyncpg.SerializationError,  # 40001 / 40P01: the transaction was rolled back whole
    asyncpg.DeadlockDetectedError,
    RetryLater,
)


def is_transient(error: BaseException) -> bool:
    """A failure worth retrying: the server went away or two transactions collided."""
    if isinstance(error, asyncpg.InterfaceError):
        # A pooled connection found closed, not a misuse of the API nor a closing pool.
        return "connection is closed" in str(error) or "connection was closed" in str(error)
    if isinstance(error, asyncpg.InternalClientError):
        # "cannot switch to state N; another operation (2) is in progress": the server's
        # FATAL message (a terminated backend) arrived between two statements and the
        # protocol is still consuming it. Our work never shares a connection, so this
        # means the connection is being lost; nothing of the statement was sent.
        return "another operation" in str(error)
    return isinstance(error, _TRANSIENT)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def retrying(operation: Callable[[], Awaitable[T]], *, what: str, target: str,
                   policy: RetryPolicy = DEFAULT_POLICY,
                   on_failure: Callable[[], None] | None = None) -> T:
    """`operation()`, tried again after each transient failure with a doubling wait until
    the policy's budget (counted from the first try) is spent; then DatabaseUnavailable.
    The caller vouches that the operation is safe to repeat (see the module's docstring).
    `on_failure` is called after each transient failure, before the wait."""
    delay = policy.first_delay
    failures = 0
    # Counted from the first try: a statement that ran into its own timeout is not run
    # again once the budget has gone by.
    started = time.monotonic()
    while True:
        try:
            result = await operation()
        except Exception as error:
            if not is_transient(error):
                raise
            failures += 1
            if on_failure is not None:
                on_failure()
            now = time.monotonic()
            if failures == 1:
                log.warning("PostgreSQL at %s: %s; retrying %s", target, first_line(error),
                            what)
            if now - started + delay > policy.budget:
                raise DatabaseUnavailable(
                    f"PostgreSQL at {target} is unavailable ({first_line(error)}); "
                    f"gave up on {what} after {failures} tries in {now - started:.0f} s"
                ) from None
            await asyncio.sleep(delay)
            delay = min(delay * 2, policy.max_delay)
            continue
        if failures:
            log.info("PostgreSQL at %s is back: %s succeeded after %d tries", target, what,
                     failures + 1)
        return result


class RetryingPool(asyncpg.Pool):  # type: ignore[misc]
    """An asyncpg pool whose statements run on the pool (`pool.fetch`, `pool.execute`...)
    are retried after a lost connection. Reads are always safe; writes run this way must be
    idempotent (see the module's docstring). `target` names the server in error lines."""

    def __init__(self, dsn: str, *, target: str, policy: RetryPolicy = DEFAULT_POLICY,
                 **options: Any) -> None:
        # What asyncpg.create_pool passes to Pool (which has no defaults for these).
        defaults: dict[str, Any] = dict(
            min_size=1, max_size=10, max_queries=50_000,
            max_inactive_connection_lifetime=300.0, setup=None, init=None, loop=None,
            connection_class=asyncpg.Connection, record_class=asyncpg.Record)
        super().__init__(dsn, **{**defaults, **options})
        self.target = target
        self.retry_policy = policy

    async def _retry(self, what: str, run: Callable[[], Awaitable[T]]) -> T:
        return await retrying(run, what=what, target=self.target, policy=self.retry_policy)

    async def execute(self, query: str, *args: Any, **options: Any) -> Any:
        run = super().execute
        return await self._retry("a write", lambda: run(query, *args, **options))

    async def executemany(self, command: str, args: Any, **options: Any) -> Any:
        # asyncpg runs executemany as one atomic statement batch: all rows or none.
        run = super().executemany
        return await self._retry("a write", lambda: run(command, args, **options))

    async def fetch(self, query: str, *args: Any, **options: Any) -> Any:
        run = super().fetch
        return await self._retry("a read", lambda: run(query, *args, **options))

    async def fetchrow(self, query: str, *args: Any, **options: Any) -> Any:
        run = super().fetchrow
        return await self._retry("a read", lambda: run(query, *args, **options))

    async def fetchval(self, query: str, *args: Any, **options: Any) -> Any:
        run = super().fetchval
        return await self._retry("a read", lambda: run(query, *args, **options))

    async def fetchmany(self, query: str, args: Any, **options: Any) -> Any:
        run = super().fetchmany
        return await self._retry("a read", lambda: run(query, args, **options))


def pool_target(pool: Any) -> str:
    return str(getattr(pool, "target", "the database"))


def pool_policy(pool: Any) -> RetryPolicy:
    policy = getattr(pool, "retry_policy", DEFAULT_POLICY)
    return policy if isinstance(policy, RetryPolicy) else DEFAULT_POLICY
