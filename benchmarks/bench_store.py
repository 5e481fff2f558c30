"""The store's hot reads on SQLite and on PostgreSQL, on the same 10k-story library.

The synthetic library (benchmarks/library_builder.py) is copied into a throwaway PostgreSQL
(`pgserver`, or the server in STORYBOT_BENCH_PG or STORYBOT_TEST_PG) with `db copy`'s code,
then each read is timed on both stores: a story by id, a page of the title list, a page
filtered by a tag, a full-text search, and the passage candidates of a server (the excerpt
command's read).
Figures are per call, through the store's public methods, client and server on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.library_builder import copy_of_library
from benchmarks.postgres_library import start_server
from benchmarks.stats import emit, summary_ms
from bot.library.models import Rating
from bot.store.open import open_store
from bot.store.postgres.transfer import copy_library, open_library
from bot.store.protocol import Store

GUILD = 5
SAFE = {Rating.GENERAL, Rating.TEEN}
QUERIES = ("lantern", "river", "synthetic story", "crows", "winter light", "bridge", "quiet",
           "story 12", "moving sky", "named")


async def timed(calls: int, make_call: Callable[[int], Awaitable[object]]) -> dict[str, float]:
    for index in range(min(20, calls)):  # warm caches and prepared statements
        await make_call(index)
    samples = []
    for index in range(calls):
        started = time.perf_counter()
        await make_call(index)
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


async def measure(store: Store, size: int, calls: int) -> dict[str, dict[str, float]]:
    rng = random.Random(3)
    ids = [rng.randint(1, size) for _ in range(calls + 20)]
    offsets = [rng.randint(0, size - 25) for _ in range(calls + 20)]
    tag = (await store.tags.counts())[5].tag  # a common canonical tag
    blocked = [(await store.tags.counts())[40].tag.id]
    return {
        "story_get": await timed(calls, lambda i: store.stories.get(ids[i], GUILD)),
        "list_title_page": await timed(calls, lambda i: store.stories.list(
            GUILD, limit=25, offset=offsets[i])),
        "list_by_tag": await timed(calls, lambda i: store.stories.list(
            GUILD, tag_keys=[tag.key], limit=25, offset=i % 10 * 25)),
        "search": await timed(calls, lambda i: store.stories.search(
            GUILD, QUERIES[i % len(QUERIES)], limit=25)),
        "passage_candidates": await timed(max(10, calls // 10), lambda i: store.passages
                                          .candidates(GUILD, SAFE, blocked)),
    }


async def run(size: int, calls: int) -> dict[str, Any]:
    # The library's copy (85 MB at 10k) goes with the folder when the run ends.
    with tempfile.TemporaryDirectory(prefix="storybot-bench-store-") as folder:
        return await _run_in(Path(folder), size, calls)


async def _run_in(folder: Path, size: int, calls: int) -> dict[str, Any]:
    sqlite_path = copy_of_library(size, folder / "library.db")
    dsn, server = start_server()
    try:
        started = time.perf_counter()
        source = await open_library(str(sqlite_path), must_exist=True)
        target = await open_library(dsn, must_exist=False)
        try:
            await copy_library(source, target, force=True)
        finally:
            await source.close()
            await target.close()
        copy_s = time.perf_counter() - started
        figures: dict[str, Any] = {"stories": size, "db_copy_to_postgres_s": round(copy_s, 1)}
        for name, target_name in (("sqlite", str(sqlite_path)), ("postgres", dsn)):
            store = await open_store(target_name)
            try:
                figures[name] = await measure(store, size, calls)
            finally:
                await store.close()
        figures["postgres_to_sqlite_p50_ratio"] = {
            op: round(figures["postgres"][op]["p50_ms"] / figures["sqlite"][op]["p50_ms"], 2)
            for op in figures["sqlite"]}
        return figures
    finally:
        if server is not None:
            server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 1k library, fewer calls")
    args = parser.parse_args()
    size, calls = (1000, 50) if args.quick else (10_000, 300)
    emit("store", asyncio.run(run(size, calls)))


if __name__ == "__main__":
    main()
