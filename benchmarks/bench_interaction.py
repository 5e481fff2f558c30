"""Slash-command round trips through the sandbox: INTERACTION_CREATE sent -> callback received.

The floor is a bare discord.py bot (one no-op `/ping`, no cogs, no database) in its own
process; storybot runs in its own process too, on synthetic libraries of 1k, 10k and 100k
stories, through the same sandbox in the same run. The floor is measured before and after
the storybot runs and pooled, so drift in the machine's load hits both. For every command:
median and p99, their ratio to the floor, and the largest/smallest-library median ratio.
The sandbox's spec validation stays off (it is for tests, and would dominate the figures).
Run: `.venv/bin/python -m benchmarks.bench_interaction [--quick] [--sizes 1000,10000]`.
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
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks.library_builder import copy_of_library, library_file
from benchmarks.stats import emit, summary_ms
from sandbox.control import Sandbox
from sandbox.results import SandboxTimeout

Probe = Callable[[Sandbox], Awaitable[object]]
SETTLE_SECONDS = 8.0


def storybot_probes(size: int) -> dict[str, Probe]:
    """Every measured storybot interaction, as a user in #stories would send it."""
    story_id = str(size // 2)
    title_prefix = f"Synthetic Story {size // 3}"[:18]

    def slash(command: str, options: dict[str, object]) -> Probe:
        async def probe(sandbox: Sandbox) -> object:
            result = await sandbox.slash(sandbox.users.reader, command, options,
                                         channel="stories", timeout=5)
            if result.callback_type is None:
                raise RuntimeError(f"/{command} got no callback")
            if result.deferred:  # /recommend defers while the index builds: not ready yet
                raise RuntimeError(f"/{command} deferred")
            return result
        return probe

    async def autocomplete(sandbox: Sandbox) -> object:
        return await sandbox.autocomplete(sandbox.users.reader, "story info",
                                          {"story": title_prefix}, "story", timeout=5)

    return {
        "excerpt": slash("excerpt", {}),
        "story_list": slash("story list", {}),
        "story_info": slash("story info", {"story": story_id}),
        "recommend_tags": slash("recommend", {"tags": "Freeform 3"}),
        "story_autocomplete": autocomplete,
    }


def spawn(sandbox: Sandbox, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "benchmarks.peer_bot", args[0], sandbox.api_base,
               sandbox.gateway_url, *args[1:]]
    return subprocess.Popen(command, env=os.environ.copy())


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def until_answered(sandbox: Sandbox, probe: Probe, seconds: float = 120) -> None:
    """Retry until the freshly started peer answers (it may still be connecting)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            await probe(sandbox)
            return
        except (SandboxTimeout, RuntimeError, LookupError, KeyError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def timed(sandbox: Sandbox, probe: Probe) -> float:
    """Seconds to the callback; infinity when none came (past Discord's 3 s window the
    sandbox refuses a late answer, as Discord does), so it counts in the percentiles."""
    started = time.perf_counter()
    try:
        await probe(sandbox)
    except (SandboxTimeout, RuntimeError):
        return float("inf")
    return time.perf_counter() - started


async def measure_floor(sandbox: Sandbox, rounds: int) -> list[float]:
    process = spawn(sandbox, "bare")
    try:
        await sandbox.wait_for_commands("ping", timeout=60)

        async def ping(sb: Sandbox) -> object:
            result = await sb.slash(sb.users.reader, "ping", {}, channel="stories", timeout=2)
            if result.callback_type is None:
                raise RuntimeError("/ping got no callback")
            return result
        await until_answered(sandbox, ping)
        for _ in range(20):
            await timed(sandbox, ping)
        return [await timed(sandbox, ping) for _ in range(rounds)]
    finally:
        stop(process)


async def measure_storybot(sandbox: Sandbox, size: int, rounds: int, tmp: Path
                           ) -> dict[str, list[float]]:
    db = copy_of_library(size, tmp / f"library-{size}.db")
    process = spawn(sandbox, "storybot", str(db))
    try:
        await sandbox.wait_for_commands("story", "excerpt", timeout=120)
        probes = storybot_probes(size)
        for probe in probes.values():  # connected, indexed and warmed up
            await until_answered(sandbox, probe)
        # After the index, start-up builds the title index and freezes the heap (seconds
        # at 100k); measuring during that would measure start-up.
        await asyncio.sleep(SETTLE_SECONDS)
        for _ in range(3):
            for probe in probes.values():
                await timed(sandbox, probe)
        samples: dict[str, list[float]] = {label: [] for label in probes}
        for _ in range(rounds):  # interleaved, so noise hits every command alike
            for label, probe in probes.items():
                samples[label].append(await timed(sandbox, probe))
        return samples
    finally:
        stop(process)
        db.unlink(missing_ok=True)


async def run(sizes: list[int], rounds: int) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    by_size: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with Sandbox.start() as sandbox:
            floor = await measure_floor(sandbox, rounds)
            for size in sizes:
                by_size[size] = await measure_storybot(sandbox, size, rounds, Path(tmp))
            floor += await measure_floor(sandbox, rounds)
    base = summary_ms(floor)
    figures: dict[str, object] = {"rounds": rounds, "bare_bot_ping": base}
    for size, samples in by_size.items():
        per_command: dict[str, object] = {}
        for label, values in samples.items():
            summary = summary_ms(values)
            per_command[label] = {
                "p50_ms": summary["p50_ms"], "p99_ms": summary["p99_ms"],
                "median_ratio_to_bare": round(summary["p50_ms"] / base["p50_ms"], 2),
            }
        figures[f"stories_{size}"] = per_command
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        figures[f"median_ratio_{large}_to_{small}"] = {
            label: round(summary_ms(by_size[large][label])["p50_ms"]
                         / summary_ms(by_size[small][label])["p50_ms"], 2)
            for label in by_size[small]
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k stories, 30 rounds")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="library sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rounds = 30 if args.quick else args.rounds
    for size in sizes:
        library_file(size)  # build (or reuse) it before the event loop starts
    emit("interaction", asyncio.run(run(sizes, rounds)))


if __name__ == "__main__":
    main()
