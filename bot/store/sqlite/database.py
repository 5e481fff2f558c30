"""Opening the database: one connection, WAL, foreign keys, numbered migrations."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.store.errors import LibraryUnopenable, schema_too_new
from bot.store.migrations import Migration, bundled_migrations


def load_migrations() -> list[Migration]:
    return bundled_migrations("bot.store.sqlite")


# fetch_all or fetch_bounded: a read that some callers choose between.
Read = Callable[..., Awaitable[list[sqlite3.Row]]]


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> list[aiosqlite.Row]:
    """Run a query and fetch its rows in one hop to the database thread.

    `async with conn.execute(...)` costs a hop for the execute, one per batch of rows and
    one for closing; on the bot's hot paths those hops were most of a command's time.
    """
    return list(await conn.execute_fetchall(sql, params))


# What every connection that writes holds to (per connection in SQLite): the shared one and
# its twin on the loop's thread alike.
WRITE_RULES = ("foreign_keys = ON", "synchronous = NORMAL")

# Each shared connection's twin, opened and used on the event loop's own thread (file
# libraries only): it reads (`fetch_few`) and writes (`write_on_loop`).
_loop_twins: weakref.WeakKeyDictionary[aiosqlite.Connection, sqlite3.Connection] = (
    weakref.WeakKeyDictionary()
)


def open_loop_twin(conn: aiosqlite.Connection, path: Path | str) -> None:
    """Give `conn` a twin on the same file, used on the event loop's thread for `fetch_few`
    and `write_on_loop`. In WAL mode a reader never waits for a writer, and busy_timeout 0
    makes the rare wait (a checkpoint's reset, another process's recovery, another
    connection writing) an error answered by taking the hop.

    One connection both reads and writes: SQLite drops a connection's whole page cache when
    it sees another connection's commit, so a separate writer's /excerpt history cost the
    next search at 100k stories ~0.1 ms of its pages read again; its own commits it keeps.
    (Nor is the reads' connection made `query_only` between writes: setting that pragma
    cost as much.) Everything read through it is our own SELECTs."""
    if str(path) == ":memory:":  # a second connection would open another database
        return
    twin = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    twin.row_factory = sqlite3.Row
    for pragma in (*WRITE_RULES, "busy_timeout = 0",
                   # A checkpoint copies pages and syncs the file: never on the loop's
                   # thread (see `_checkpoint_soon`).
                   "wal_autocheckpoint = 0"):
        twin.execute(f"PRAGMA {pragma}")
    _loop_twins[conn] = twin


def close_loop_twin(conn: aiosqlite.Connection) -> None:
    twin = _loop_twins.pop(conn, None)
    if twin is not None:
        twin.close()


async def fetch_few(
    conn: aiosqlite.Connection, sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> list[sqlite3.Row]:
    """`fetch_all` for a read of a few rows by key (a story by id, a page's stories, a
    batch of drawn passages), run on the event loop's thread through its twin.

    A hop to aiosqlite's thread and back costs ~150 µs on a 2-core machine, and such a read
    ~20 µs; /excerpt makes five. Only reads whose cost is bounded by their key belong here:
    the loop waits for them. While a transaction is open on `conn` across awaits
    (`transaction`, whoever opened it), the read takes the hop as before, so a transaction
    reads its own writes and every read sees what `conn` would; otherwise the twin sees
    the same committed rows, and a write on the loop's thread (`write_on_loop`) as soon as
    it returns. A write that took the hop does not hold reads back: until it lands they see
    the rows before it, as a read queued ahead of it on `conn` would.
    """
    rows = _read_on_loop(conn, sql, params, None)
    return await fetch_all(conn, sql, params) if rows is None else rows


# A bounded read's allowance on the loop's thread, in steps of SQLite's virtual machine. At
# 100k stories a /story list page of 50 lines walking its order's index takes ~12,000
# (0.3 ms); one that gathered the 16,548 stories of a tag ~400,000 (25-40 ms), which belongs
# on the database thread. 20,000 steps are ~1 ms on cached pages and a few ms on pages read
# from the file: what a read that goes over wastes on the loop.
BOUNDED_READ_STEPS = 20_000


async def fetch_bounded(
    conn: aiosqlite.Connection, sql: str, params: Sequence[object] | Mapping[str, object] = (),
    steps: int = BOUNDED_READ_STEPS,
) -> list[sqlite3.Row]:
    """`fetch_few` for a read that is usually a few rows but not bounded by its keys (a
    list page walks an index past the stories a channel may not list): it runs on the loop's
    thread for at most `steps` of SQLite's virtual machine; past that SQLite interrupts it
    and it runs again on the database thread, so the loop waits a few ms at most."""
    rows = _read_on_loop(conn, sql, params, steps)
    return await fetch_all(conn, sql, params) if rows is None else rows


def _read_on_loop(conn: aiosqlite.Connection, sql: str,
                  params: Sequence[object] | Mapping[str, object], steps: int | None
                  ) -> list[sqlite3.Row] | None:
    """The rows, read on the loop's thread through the twin; None when the read must take
    the hop instead (no twin, a transaction open, the file busy, over its allowance)."""
    twin = _loop_twins.get(conn)
    if twin is None or conn in _open_transactions:
        return None
    if steps is not None:
        twin.set_progress_handler(*_allowance(steps))
    try:
        return twin.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if not (is_busy(error) or _is_interrupted(error)):
            raise
        return None
    finally:
        if steps is not None:
            twin.set_progress_handler(None, 0)


def _allowance(steps: int) -> tuple[Callable[[], bool], int]:
    """A progress handler that interrupts a statement after about `steps` of its
    instructions in this run, and how often SQLite is to call it.

    SQLite calls the handler each time the statement's count of instructions crosses a
    multiple of the period, and a cached statement's count goes on from its earlier runs: a
    handler that stopped at its first call gave a read that had used 60% of the allowance
    only the other 40% on its next run, so every other list page was interrupted and read
    again on the database thread. Called every twentieth of the allowance, the handler
    counts its calls: the first may come early, so a run gets between 95% and 100%."""
    period = max(1, steps // 20)
    calls = itertools.count(1)
    last_allowed = max(1, steps // period - 1)
    return (lambda: next(calls) > last_allowed), period


def _is_interrupted(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT


async def schema_version(conn: aiosqlite.Connection) -> int:
    rows = await fetch_all(conn, "PRAGMA user_version")
    row = rows[0] if rows else None
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply the migrations the file has not seen, each in its own transaction. A file
    migrated by a newer storybot is refused, with both versions named."""
    current = await schema_version(conn)
    migrations = load_migrations()
    newest = migrations[-1].version if migrations else 0
    if current > newest:
        raise schema_too_new(current, newest)
    for migration in migrations:
        if migration.version <= current:
            continue
        # executescript commits first; BEGIN inside makes the migration all-or-nothing.
        await conn.executescript(
            f"BEGIN;\n{migration.sql}\nPRAGMA user_version = {migration.version};\nCOMMIT;"
        )
        current = migration.version
    return current


async def connect(path: Path | str) -> aiosqlite.Connection:
    """The application's single connection, migrated and ready."""
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every write transaction is opened explicitly by `transaction`.
        conn = await aiosqlite.connect(str(path), isolation_level=None)
    except (OSError, sqlite3.Error) as problem:
        raise _unopenable(path, problem) from None
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as problem:  # e.g. a file that is not a SQLite database
        await conn.close()
        raise _unopenable(path, problem) from None
    for rule in WRITE_RULES:
        await conn.execute(f"PRAGMA {rule}")
    await conn.execute("PRAGMA busy_timeout = 5000")
    try:
        await migrate(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


def _unopenable(path: Path | str, problem: BaseException) -> LibraryUnopenable:
    if isinstance(problem, FileExistsError):  # mkdir met a file where a folder should be
        reason = f"{Path(path).parent} is a file, not a folder"
    else:
        reason = getattr(problem, "strerror", None) or str(problem) or type(problem).__name__
    return LibraryUnopenable(f"cannot open the SQLite library at {path}: {reason}")


# One connection is shared by every coroutine of the bot; a second BEGIN while another
# coroutine's transaction is open would fail, so write transactions take turns.
_write_locks: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


# Connections with a `transaction` open: its writes are not committed between its awaits,
# so reads on the loop's thread, which would miss them, take the hop until it ends.
_open_transactions: weakref.WeakSet[aiosqlite.Connection] = weakref.WeakSet()


def write_lock(conn: aiosqlite.Connection) -> asyncio.Lock:
    """The lock every write transaction on `conn` holds (for a caller that writes a whole
    transaction as one script, see PassageRepository.record)."""
    lock = _write_locks.get(conn)
    if lock is None:  # made once, not on every call
        lock = _write_locks[conn] = asyncio.Lock()
    return lock


@asynccontextmanager
async def transaction(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises.

    Not re-entrant: code inside a transaction calls helpers that do not open their own.
    """
    async with write_lock(conn):
        _open_transactions.add(conn)
        try:
            await begin_immediate(conn)
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        finally:
            _open_transactions.discard(conn)


async def write_one(conn: aiosqlite.Connection, sql: str,
                    params: Sequence[object] | Mapping[str, object] = ()) -> None:
    """One statement that is a whole write on its own: on the loop's thread when it can be
    (`write_on_loop`), else in one hop to the database thread where `transaction` takes
    three (BEGIN, the statement, COMMIT). The connection is in autocommit mode, so the
    statement is atomic by itself; the write lock keeps it out of another coroutine's open
    transaction. While another process holds the file's write lock past busy_timeout, it
    waits for it as a transaction does."""
    if write_on_loop(conn, sql, params):
        return
    async with write_lock(conn):
        try:
            await conn.execute(sql, params)
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
    async with transaction(conn):
        await conn.execute(sql, params)


# After this many writes on the loop's thread, a passive checkpoint runs on the database
# thread: the loop's twin never checkpoints (see `open_loop_twin`), and the shared
# connection's own commits, which would, may be rare.
LOOP_WRITES_PER_CHECKPOINT = 200
_loop_writes: weakref.WeakKeyDictionary[aiosqlite.Connection, int] = (
    weakref.WeakKeyDictionary()
)
_checkpoints: set[asyncio.Task[None]] = set()


def write_on_loop(conn: aiosqlite.Connection, sql: str,
                  params: Sequence[object] | Mapping[str, object] | None = ()) -> bool:
    """Write `sql` (one statement, or with params None a script that opens and commits its
    own transaction) on the event loop's thread through `conn`'s twin, and say
    whether it was written. A hop to the database thread and back took ~0.4 ms in a
    running bot, and /excerpt's history script takes ~0.15 ms here; /excerpt makes two
    writes. False, with nothing written, when the caller must take the hop: no twin (an
    in-memory library), a transaction or a write of `conn`'s under way (its write lock
    held: this write waits its turn behind it), or the file's write lock held by another
    connection. A write that was awaited lands before any write begun after it; of two
    concurrent writes, a later one may land here while the earlier still waits for the
    lock, so nothing may count on the order of writes neither of which was awaited."""
    twin = _loop_twins.get(conn)
    if twin is None or conn in _open_transactions or write_lock(conn).locked():
        return False
    try:
        if params is None:
            twin.executescript(sql)
        else:
            twin.execute(sql, params)
    except BaseException as error:
        if twin.in_transaction:  # a script that failed inside its transaction
            twin.execute("ROLLBACK")
        if is_busy(error):
            return False
        raise
    count = _loop_writes.get(conn, 0) + 1
    _loop_writes[conn] = count
    if count % LOOP_WRITES_PER_CHECKPOINT == 0:
        _checkpoint_soon(conn)
    return True


def _checkpoint_soon(conn: aiosqlite.Connection) -> None:
    task = asyncio.get_running_loop().create_task(_checkpoint(conn))
    _checkpoints.add(task)  # held until done: the loop keeps only a weak reference
    task.add_done_callback(_checkpoints.discard)


async def _checkpoint(conn: aiosqlite.Connection) -> None:
    # Closed meanwhile, or busy: the next one will do.
    with contextlib.suppress(ValueError, sqlite3.Error):
        await fetch_all(conn, "PRAGMA wal_checkpoint(PASSIVE)")


# Another process may hold the write lock for a while (a backup, a second bot process): a
# transaction waits for it, past busy_timeout, rather than failing the work it carries.
BEGIN_RETRY_FOR = 60.0
BEGIN_RETRY_MAX_DELAY = 1.0


async def begin_immediate(conn: aiosqlite.Connection) -> None:
    """BEGIN IMMEDIATE, waiting (with backoff) while another connection holds the lock."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + BEGIN_RETRY_FOR
    delay = 0.05
    while True:
        try:
            await conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or loop.time() >= give_up_at:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, BEGIN_RETRY_MAX_DELAY)


@asynccontextmanager
async def savepoint(conn: aiosqlite.Connection, name: str) -> AsyncIterator[None]:
    """A nested part of an open transaction that can fail on its own: its writes are undone
    and the error raised, the rest of the transaction goes on."""
    await conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        await conn.execute(f"ROLLBACK TO {name}")
        await conn.execute(f"RELEASE {name}")
        raise
    await conn.execute(f"RELEASE {name}")


def is_busy(error: BaseException) -> bool:
    """SQLite's answer while another process holds the write lock longer than busy_timeout."""
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error))
