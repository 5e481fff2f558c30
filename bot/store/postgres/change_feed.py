"""PostgreSQL's change feed: NOTIFY on one channel after a write committed, and one LISTEN
connection per process that hands other processes' changes to the listeners.

Each notice carries the process it came from (its own are ignored) and the library's
schema (libraries in other schemas of the same database share the channel, not their
changes). A lost LISTEN connection is opened again with backoff; notices sent meanwhile
are gone, so the listeners then hear `Change.everything()` once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

import asyncpg

from bot.library.changes import Change, ChangeKind
from bot.store.postgres.database import CONNECT_TIMEOUT, is_transient
from bot.store.protocol import ChangeFeed, ChangeListener

log = logging.getLogger("storybot.changes")

CHANNEL = "storybot_changes"
# A notice's payload must stay under 8000 bytes; an id (a Discord snowflake) takes up to
# 20 characters with its comma, so a change naming more ids goes out in parts.
IDS_PER_NOTICE = 300
# How often an idle LISTEN connection is asked whether it is still there: a connection
# that vanished without a word (a dropped network path) is noticed within this time.
KEEPALIVE_SECONDS = 10.0
RECONNECT_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
PUBLISH_ATTEMPTS = 2


class PostgresChangeFeed:
    def __init__(self, dsn: str, pool: asyncpg.Pool, library: str) -> None:
        self._dsn = dsn
        self._pool = pool
        self.library = library  # the schema the library's tables live in
        # This process (this open store): the notices it sent come back to it, unwanted.
        self.origin = uuid.uuid4().hex
        self._listeners: list[ChangeListener] = []
        self._inbox: asyncio.Queue[Change] = asyncio.Queue()
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        # Figures for tests and the benchmark.
        self.received = 0
        self.reconnects = 0

    @classmethod
    async def open(cls, dsn: str, pool: asyncpg.Pool) -> PostgresChangeFeed:
        library = str(await pool.fetchval("SELECT current_schema()"))
        return cls(dsn, pool, library)

    # -- telling the others --------------------------------------------------------------

    async def publish(self, change: Change) -> None:
        """Tell every other process. The write is already committed, so a database gone
        for the moment is logged, not raised: the others' LISTEN connections broke too,
        and they drop every cache when they are back."""
        for part in change.split(IDS_PER_NOTICE):
            payload = encode(part, self.origin, self.library)
            for attempt in range(1, PUBLISH_ATTEMPTS + 1):
                try:
                    await self._pool.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
                    break
                except Exception as problem:
                    if not is_transient(problem) or attempt == PUBLISH_ATTEMPTS:
                        log.warning("could not tell other processes of a change (%s): %s",
                                    change.kind.value, problem)
                        return
                    await asyncio.sleep(RECONNECT_DELAYS[0])

    # -- hearing theirs ------------------------------------------------------------------

    async def listen(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)
        if self._tasks:
            return
        try:
            await self._connect()
        except Exception as problem:  # the supervisor keeps trying
            log.warning("cannot listen for other processes' changes yet: %s", problem)
        self._tasks = [asyncio.create_task(self._deliver(), name="change-feed-deliver"),
                       asyncio.create_task(self._supervise(), name="change-feed-listen")]

    @property
    def listening_pid(self) -> int | None:
        """The server process of the LISTEN connection (None while there is none)."""
        conn = self._conn
        return None if conn is None or conn.is_closed() else conn.get_server_pid()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT)
        self._lost.clear()
        self._conn = conn
        conn.add_termination_listener(self._on_lost)
        try:
            await conn.add_listener(CHANNEL, self._on_notice)
        except BaseException:
            self._conn = None
            conn.terminate()
            raise

    def _on_lost(self, conn: asyncpg.Connection) -> None:
        if conn is self._conn:
            self._lost.set()

    def _on_notice(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        found = decode(payload)
        if found is None:
            log.warning("ignored a change notice it cannot read: %.80s", payload)
            return
        origin, library, change = found
        if origin != self.origin and library == self.library:
            self._inbox.put_nowait(change)

    async def _deliver(self) -> None:
        """One change at a time, in the order they came."""
        while True:
            change = await self._inbox.get()
            self.received += 1
            for listener in list(self._listeners):
                try:
                    await listener(change)
                except Exception:
                    log.exception("a change listener failed on %s", change)

    async def _supervise(self) -> None:
        while True:
            if self._conn is not None:
                try:
                    await asyncio.wait_for(self._lost.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    if await self._alive():
                        continue
            await self._drop_connection()
            await self._reconnect()
            self.reconnects += 1
            self._inbox.put_nowait(Change.everything())

    async def _alive(self) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            await asyncio.wait_for(conn.fetchval("SELECT 1"), KEEPALIVE_SECONDS)
        except Exception:
            return False
        return True

    async def _reconnect(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect()
                log.info("listening for other processes' changes again")
                return
            except Exception as problem:
                delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                if attempt == 0:
                    log.warning("lost the change feed (%s); trying again", problem)
                attempt += 1
                await asyncio.sleep(delay)

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.remove_termination_listener(self._on_lost)
            conn.terminate()  # it stopped answering: no polite goodbye

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.remove_termination_listener(self._on_lost)
            try:
                await asyncio.wait_for(conn.close(), CONNECT_TIMEOUT)
            except Exception:
                conn.terminate()


def encode(change: Change, origin: str, library: str) -> str:
    return json.dumps({"from": origin, "library": library, "kind": change.kind.value,
                       "ids": list(change.ids)}, separators=(",", ":"))


def decode(payload: str) -> tuple[str, str, Change] | None:
    """(origin, library, change), or None for a payload that is not a change notice."""
    try:
        data = json.loads(payload)
        change = Change(ChangeKind(data["kind"]), tuple(int(i) for i in data["ids"]))
        return str(data["from"]), str(data["library"]), change
    except (ValueError, KeyError, TypeError):
        return None


def _conforms(feed: PostgresChangeFeed) -> ChangeFeed:
    """Checked by the type checker: this is a whole change feed."""
    return feed
