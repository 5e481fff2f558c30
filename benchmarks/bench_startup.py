"""Start-up and memory: the bot as its own process, from launch to ready on the sandbox.

"Ready" is when the sandbox has sent the bot its guild and the bot's commands are
registered, i.e. when a person could use it. The recommendation index is built in the
background from then on; "first /recommend answered" is when a /recommend got its answer
(not a deferral), and the figure the target is about is that time after launch. Resident
memory is read from /proc after that answer and once start-up has settled (the heap is
frozen and trimmed a moment after the index is ready). Measured with an empty library and
with 1k, 10k and 100k stories, a few times each, in two states: `snapshot_miss`, the index
saved with the library removed before each start (as after any change to the library: it is
built from the library, then saved), and the usual restart of an unchanged library, which
loads the saved index (`library_N`, also reported as `library_N_snapshot_hit`).
Run: `.venv/bin/python -m benchmarks.bench_startup [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from benchmarks.library_builder import copy_of_library
from benchmarks.stats import emit
from sandbox.control import Sandbox
from sandbox.session import SANDBOX_TOKEN

SETTLE_SECONDS = 5.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_start(db: Path, empty_demo_dir: Path) -> tuple[float, float, float]:
    async with Sandbox.start() as sandbox:
        env = {**os.environ, "DISCORD_TOKEN": SANDBOX_TOKEN,
               "DISCORD_API_BASE": sandbox.api_base, "DISCORD_GATEWAY_URL": sandbox.gateway_url,
               "DEMO_STORIES_DIR": str(empty_demo_dir), "LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--db", str(db), "run", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await sandbox.wait_until_bot_ready(timeout=120)
            await sandbox.wait_for_commands("story", timeout=120)
            ready = time.perf_counter() - started
            # The recommendation index is built in the background after start; the first
            # /recommend answer means it is complete, so memory is read after that.
            # A tag the synthetic library has: an unknown one would measure the "did you
            # mean" search over every tag instead (it did before: "Fluff").
            first = await sandbox.slash(sandbox.users.reader, "recommend",
                                        {"tags": "Freeform 3"}, channel="stories",
                                        timeout=120)
            if first.deferred:
                await first.wait_until_done(timeout=120)
            recommend_ready = time.perf_counter() - started
            await asyncio.sleep(SETTLE_SECONDS)  # titles indexed, heap frozen and trimmed
            memory = resident_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
    return ready, recommend_ready, memory


def forget_snapshot(db: Path) -> None:
    """Remove the index saved with the library, so that the next start builds it."""
    with closing(sqlite3.connect(db)) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'index_snapshot'").fetchone():
            conn.execute("DELETE FROM index_snapshot")
            conn.commit()


def has_snapshot(db: Path) -> bool:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'index_snapshot'"
                            ).fetchone()[0] == 1 and conn.execute(
            "SELECT count(*) FROM index_snapshot").fetchone()[0] == 1


def measure(db: Path, runs: int, empty_demo_dir: Path,
            before_each: Callable[[Path], None] | None = None) -> dict[str, float]:
    results = []
    for _ in range(runs):
        if before_each is not None:
            before_each(db)
        results.append(asyncio.run(one_start(db, empty_demo_dir)))
    ready = [r for r, _, _ in results]
    recommending = [r for _, r, _ in results]
    memory = [m for _, _, m in results]
    return {"runs": runs,
            "ready_s_median": round(statistics.median(ready), 3),
            "ready_s_max": round(max(ready), 3),
            "first_recommend_answer_s_median": round(statistics.median(recommending), 3),
            "first_recommend_answer_s_max": round(max(recommending), 3),
            "recommend_after_ready_s_median": round(
                statistics.median(r - d for d, r in zip(ready, recommending, strict=True)), 3),
            "rss_mb_median": round(statistics.median(memory), 1),
            "rss_mb_max": round(max(memory), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="up to 10k, one run each")
    parser.add_argument("--sizes", type=int, nargs="+", help="library sizes (default: all)")
    parser.add_argument("--runs", type=int, help="starts per size and state")
    args = parser.parse_args()
    sizes, runs = ((1_000, 10_000), 1) if args.quick else ((1_000, 10_000, 100_000), 2)
    sizes = tuple(args.sizes or sizes)
    runs = args.runs or runs
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        empty = measure(folder / "empty.db", runs, folder / "no-demo")
        results["empty_library"] = empty
        for size in sizes:
            db = copy_of_library(size, folder / f"library-{size}.db")
            # Builds (and saves) the index each time; the last one's snapshot stays.
            missed = measure(db, runs, folder / "no-demo", before_each=forget_snapshot)
            print(f"startup {size}, snapshot miss: {missed}", file=sys.stderr, flush=True)
            results[f"library_{size}_snapshot_miss"] = missed
            assert has_snapshot(db), "the bot did not save its index"
            measured = measure(db, runs, folder / "no-demo")
            print(f"startup {size}, snapshot hit: {measured}", file=sys.stderr, flush=True)
            results[f"library_{size}"] = results[f"library_{size}_snapshot_hit"] = measured
    big = results[f"library_{sizes[-1]}"]
    assert isinstance(big, dict)
    results["ready_ratio_big_to_empty"] = round(big["ready_s_median"]
                                                / empty["ready_s_median"], 2)
    big_missed = results[f"library_{sizes[-1]}_snapshot_miss"]
    assert isinstance(big_missed, dict)
    results["targets"] = {
        "first_recommend_le_3s": big["first_recommend_answer_s_max"] <= 3.0,
        "first_recommend_le_3s_after_ready": big["recommend_after_ready_s_median"] <= 3.0,
        "first_recommend_le_3s_snapshot_miss": big_missed["first_recommend_answer_s_max"] <= 3.0,
        "rss_le_250mb": big["rss_mb_max"] <= 250,
        "rss_le_250mb_snapshot_miss": big_missed["rss_mb_max"] <= 250}
    emit("startup", results)


if __name__ == "__main__":
    main()
