"""Shard processes against one PostgreSQL: do two processes serve twice the guilds at the
same per-interaction latency as one process serves its guilds?

The library (synthetic, 1k stories unless told) is copied into a throwaway PostgreSQL. Phase
"one": one `storybot run` process (shard 0 of 1) in a stand-in with G guilds. Phase "two":
two processes, shards 0 and 1 of 2, in a stand-in with 2G guilds, G on each shard. In both,
every guild has one reader sending commands one after another, all guilds at once, so each
process carries the same load in both phases and the second phase carries twice the total.
Reported: per-interaction p50/p99 of each phase and phase two's over phase one's.
Run: `.venv/bin/python -m benchmarks.bench_shards [--quick] [--guilds 2] [--rounds 60]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_interaction import stop
from benchmarks.library_builder import copy_of_library, library_file
from benchmarks.postgres_library import copy_to_postgres, start_server
from benchmarks.stats import emit, summary_ms
from sandbox.control import Sandbox
from sandbox.results import SandboxTimeout
from sandbox.session import SANDBOX_TOKEN

PROJECT = Path(__file__).resolve().parents[1]
COMMANDS: tuple[tuple[str, dict[str, object]], ...] = (
    ("story list", {}), ("excerpt", {}), ("recommend", {"tags": "Freeform 3"}),
    ("story info", {"story": "500"}))


def start_process(sandbox: Sandbox, dsn: str, shard: int, count: int, folder: Path
                  ) -> subprocess.Popen[bytes]:
    """`storybot run` for one shard, as an operator starts it."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "DISCORD_TOKEN": SANDBOX_TOKEN,
           "DISCORD_API_BASE": sandbox.api_base, "DISCORD_GATEWAY_URL": sandbox.gateway_url,
           "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", dsn, "run", "--shard-count", str(count),
         "--shards", str(shard)], cwd=folder, env=env, stdout=subprocess.DEVNULL)


async def ask(sandbox: Sandbox, guild_id: int, command: str, options: dict[str, object]
              ) -> float:
    """Seconds to the answer; infinity for none (it counts in the percentiles)."""
    started = time.perf_counter()
    try:
        result = await sandbox.slash(sandbox.users.reader, command, options,
                                     channel="stories", guild=guild_id, timeout=5)
    except SandboxTimeout:
        return float("inf")
    if result.callback_type is None or result.deferred:
        return float("inf")
    return time.perf_counter() - started


async def until_every_guild_answers(sandbox: Sandbox, seconds: float = 180) -> None:
    """Connected, synced and indexed: every command answered undeferred in every guild."""
    deadline = time.monotonic() + seconds
    for guild_id in sandbox.guild_ids:
        for command, options in COMMANDS:
            while await ask(sandbox, guild_id, command, options) == float("inf"):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"/{command} unanswered in guild {guild_id}")
                await asyncio.sleep(0.5)


async def reader(sandbox: Sandbox, guild_id: int, rounds: int) -> list[float]:
    """One reader in one guild: every command in turn, `rounds` times."""
    return [await ask(sandbox, guild_id, command, options)
            for _ in range(rounds) for command, options in COMMANDS]


async def phase(dsn: str, processes: int, guilds_per_process: int, rounds: int,
                folder: Path) -> list[float]:
    async with Sandbox.start(guilds=processes * guilds_per_process,
                             shard_count=processes if processes > 1 else None) as sandbox:
        running = [start_process(sandbox, dsn, shard, processes, folder)
                   for shard in range(processes)]
        try:
            await sandbox.wait_until_bot_ready(timeout=120, shards=processes)
            await sandbox.wait_for_commands("story", "excerpt", "recommend", timeout=120)
            await until_every_guild_answers(sandbox)
            await asyncio.gather(*(reader(sandbox, g, 3) for g in sandbox.guild_ids))  # warm
            per_guild = await asyncio.gather(
                *(reader(sandbox, g, rounds) for g in sandbox.guild_ids))
        finally:
            for process in running:
                stop(process)
    return [sample for samples in per_guild for sample in samples]


async def run(size: int, guilds: int, rounds: int, server_dsn: str) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = copy_of_library(size, folder / "library.db")
        library = await copy_to_postgres(db, server_dsn)
        try:
            one = await phase(library.dsn, 1, guilds, rounds, folder)
            two = await phase(library.dsn, 2, guilds, rounds, folder)
        finally:
            await library.drop()
    first, second = summary_ms(one), summary_ms(two)
    return {
        "stories": size, "guilds_one_process": guilds, "guilds_two_processes": 2 * guilds,
        "one_process": first, "two_processes": second,
        "p50_ratio": round(second["p50_ms"] / first["p50_ms"], 2),
        "p99_ratio": round(second["p99_ms"] / first["p99_ms"], 2),
        "unanswered": sum(s == float("inf") for s in one + two),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 rounds")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--guilds", type=int, default=2, help="guilds per process")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    library_file(args.stories)  # built (or reused) before the event loop starts
    server_dsn, server = start_server()
    started = time.perf_counter()
    try:
        result = asyncio.run(run(args.stories, args.guilds, 5 if args.quick else args.rounds,
                                 server_dsn))
    finally:
        if server is not None:
            server.cleanup()
    result["total_s"] = round(time.perf_counter() - started, 1)
    emit("shards", result)


if __name__ == "__main__":
    main()
