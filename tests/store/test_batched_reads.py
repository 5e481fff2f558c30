"""Reads of tens of thousands of rows (`fetch_in_batches`, SQLite): every row, in the
query's order, across batch boundaries. What the batches are for (the event loop gets the
GIL between them) is measured by benchmarks/bench_loop_lag.py, not here."""

from __future__ import annotations

from bot.store.sqlite.database import fetch_all, fetch_in_batches
from bot.store.sqlite.store import SqliteStore

# 2,500 rows in an order no index gives (SQLite sorts them at the first step).
NUMBERS = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
           "SELECT i, i % 7 FROM n ORDER BY 2, 1 DESC")


async def test_every_row_comes_back_in_order_across_batches(sqlite_store: SqliteStore) -> None:
    conn = sqlite_store.stories.conn
    whole = [tuple(row) for row in await fetch_all(conn, NUMBERS, (2500,))]
    batched = [tuple(row) for row in await fetch_in_batches(conn, NUMBERS, (2500,), batch=1000)]
    assert len(whole) == 2500
    assert batched == whole
    # A batch size that divides the rows exactly ends cleanly too.
    assert len(await fetch_in_batches(conn, NUMBERS, (2000,), batch=1000)) == 2000

