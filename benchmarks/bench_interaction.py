"""Slash-command round trips through the sandbox: INTERACTION_CREATE sent -> callback received.

The floor is a bare discord.py bot (one no-op `/ping`, no cogs, no database) in its own
process; storybot runs in its own process too, on synthetic libraries of 1k, 10k and 100k
stories, on SQLite and on PostgreSQL, in the same run. Both cross the same stand-in's code
in this process: the bare bot, alive for the whole run, on a stand-in of its own (it has
a command tree of its own to sync), storybot on the other. This shared machine's speed
drifts, over minutes (the same command's median, same code, has differed 2x between runs
minutes apart) and over seconds (the floor's median has gone from 1.4 to 2.9 ms and back
within one library's measuring), and a floor measured at other moments carries that drift
into the ratio. So the floor is measured in blocks of pings in a row, each after the same
unmeasured pings as before, one before each block of storybot's commands and one after
the last (`Floor`), and pooled for that library: it spans the seconds its commands do.
For the same reason each backend's smallest library is measured first and again
last, and the two pooled: the largest/smallest ratio compares libraries measured up to ten
minutes apart, and bracketing the largest cancels a drift that goes one way over the run
(each half's medians are kept under `smallest_again`). Storybot's commands are measured
interleaved, one of each per round (in four blocks: `interleaved`), while the floor is one
command in a row; so each command is also measured alone, `rounds` times in a row (in four
blocks taken in turn through the commands: `in_blocks`) right before the interleaved
rounds (the `…_alone` figures), which sets it against the floor measured the same way. For every
command: median and p99, their ratio to the floor, the largest/smallest library median
ratio, and PostgreSQL's median over SQLite's. The sandbox's spec validation stays off (it is
for tests, and would dominate the figures). A PostgreSQL library is the SQLite one copied in
bulk (postgres_library.py). The Markdown tables go to benchmarks/results/interaction.md.
Run: `.venv/bin/python -m benchmarks.bench_interaction [--quick] [--backend both]
[--sizes 1000,10000,100000] [--postgres-sizes 1000,10000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from benchmarks.interaction_report import ALONE, BARE, Samples, figures, markdown
from benchmarks.library_builder import copy_of_library, library_file
from benchmarks.postgres_library import copy_to_postgres, postgres_available, start_server
from benchmarks.stats import emit, profile_search_kind
from sandbox.control import Sandbox
from sandbox.results import SandboxTimeout

Probe = Callable[[Sandbox], Awaitable[object]]
SETTLE_SECONDS = 8.0
WARM_UP = 20  # unmeasured round trips before a command's (or the floor's) rounds in a row
BLOCKS = 4  # see in_blocks and interleaved
RESULTS = Path(__file__).parent / "results"
QUICK_RESULTS = Path(tempfile.gettempdir()) / "storybot-bench" / "quick"


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
            if "know your taste yet" in result.content:  # the reader's kudos not written yet
                raise RuntimeError(f"/{command} has no reader profile yet")
            return result
        return probe

    async def autocomplete(sandbox: Sandbox) -> object:
        return await sandbox.autocomplete(sandbox.users.reader, "story info",
                                          {"story": title_prefix}, "story", timeout=5)

    return {
        "excerpt": slash("excerpt", {}),
        "story_list": slash("story list", {}),
        # A tag a sixth of the synthetic library carries: the page walks the title index.
        "story_list_tag": slash("story list", {"tag": "Freeform 3"}),
        "story_info": slash("story info", {"story": story_id}),
        # A word in most synthetic stories' text: the search ranks the newest it finds.
        "story_search": slash("story search", {"query": "light"}),
        "recommend_tags": slash("recommend", {"tags": "Freeform 3"}),
        "recommend_like": slash("recommend", {"like": str(size // 4)}),
        "recommend_for_me": slash("recommend", {"for_me": True}),
        "story_autocomplete": autocomplete,
    }


async def give_kudos(sandbox: Sandbox, size: int, stories: int = 8) -> None:
    """The reader gives kudos to a few stories (through their excerpt cards), so that
    `/recommend for_me` has a taste to rank by. Stories rated for age-restricted channels
    answer without a card and are passed over."""
    reader = sandbox.users.reader
    given = 0
    for story_id in range(size // 3, size // 3 + 10 * stories):
        shown = await sandbox.slash(reader, "excerpt", {"story": str(story_id)},
                                    channel="stories", timeout=5)
        card = await shown.wait_until_done()
        kudos = [c for c in card.custom_ids() if c.startswith("sb:kudos:")]
        if kudos:
            await (await sandbox.click(reader, card, kudos[0])).wait_until_done()
            given += 1
            if given == stories:
                return
    raise RuntimeError(f"no excerpt card with a kudos button near story {size // 3}")


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


async def repeated(sandbox: Sandbox, probe: Probe, rounds: int,
                   warm_up: int = WARM_UP) -> list[float]:
    """`rounds` round trips of one command in a row, after `warm_up` unmeasured ones."""
    for _ in range(warm_up):
        await timed(sandbox, probe)
    return [await timed(sandbox, probe) for _ in range(rounds)]


def block_sizes(rounds: int, blocks: int) -> list[int]:
    """`rounds` split into `blocks` sizes as even as they can be."""
    return [rounds // blocks + (block < rounds % blocks) for block in range(blocks)]


async def in_blocks(sandbox: Sandbox, probes: dict[str, Probe], rounds: int, floor: Floor,
                    blocks: int = BLOCKS) -> dict[str, list[float]]:
    """Each command `rounds` times in a row, as the floor is measured, but in `blocks`
    blocks taken in turn through the commands: a slow spell of this shared machine (seconds
    long) then lands on parts of several commands' blocks, not on the whole of one
    command's rounds. Each block starts with a few unmeasured round trips, as many in all
    as a floor block starts with, and a block of the floor comes before each."""
    alone: dict[str, list[float]] = {label: [] for label in probes}
    for size in block_sizes(rounds, blocks):
        await floor.block(size)
        for label, probe in probes.items():
            alone[label] += await repeated(sandbox, probe, size, WARM_UP // blocks)
    return alone


async def interleaved(sandbox: Sandbox, probes: dict[str, Probe], rounds: int, floor: Floor,
                      blocks: int = BLOCKS) -> dict[str, list[float]]:
    """`rounds` rounds of one of each command, so noise hits every command alike, in
    `blocks` blocks with a block of the floor before each and after the last. Each block
    starts with three unmeasured rounds, as each of the floor's starts with unmeasured
    pings."""
    samples: dict[str, list[float]] = {label: [] for label in probes}
    for size in block_sizes(rounds, blocks):
        await floor.block(size)
        for _ in range(3):
            for probe in probes.values():
                await timed(sandbox, probe)
        for _ in range(size):
            for label, probe in probes.items():
                samples[label].append(await timed(sandbox, probe))
    await floor.block(rounds // blocks)
    return samples


@contextlib.asynccontextmanager
async def bare_peer(sandbox: Sandbox, busy_ms: float = 0.0) -> AsyncIterator[None]:
    """The bare bot in its own process, connected to `sandbox` and answering; stopped on
    exit. With `busy_ms` it computes that long before it answers (bench_busy_floor)."""
    process = spawn(sandbox, "bare", *(["--busy-ms", f"{busy_ms:g}"] if busy_ms else []))
    try:
        await sandbox.wait_for_commands("ping", timeout=60)
        await until_answered(sandbox, bare_ping)
        yield
    finally:
        stop(process)


async def measure_floor(sandbox: Sandbox, rounds: int, busy_ms: float = 0.0) -> list[float]:
    """The bare bot's `/ping`, `rounds` times in a row, the bot started for them."""
    async with bare_peer(sandbox, busy_ms):
        return await repeated(sandbox, bare_ping, rounds)


async def bare_ping(sandbox: Sandbox) -> object:
    result = await sandbox.slash(sandbox.users.reader, "ping", {}, channel="stories", timeout=2)
    if result.callback_type is None:
        raise RuntimeError("/ping got no callback")
    return result


class Floor:
    """The bare bot, alive for the whole run beside storybot on a stand-in of its own (the
    same code, in the same process, so both bots cross the same kind of loopback to the
    same event loop), measured in blocks between storybot's blocks: the floor then spans
    the same seconds as the commands it is set against, and a slow spell of the machine
    lands on both. Each block is `WARM_UP` unmeasured pings and then its pings in a row,
    as the floor was measured before and after each library until stop 60."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.blocks: list[list[float]] = []  # each block's pings (s), in order

    async def block(self, rounds: int) -> None:
        self.blocks.append(await repeated(self.sandbox, bare_ping, rounds))

    def taken(self) -> list[list[float]]:
        """The blocks measured since the last call."""
        blocks, self.blocks = self.blocks, []
        return blocks


@contextlib.asynccontextmanager
async def bare_bot() -> AsyncIterator[Floor]:
    """A stand-in of its own with the bare bot connected and answering."""
    async with Sandbox.start() as sandbox, bare_peer(sandbox):
        yield Floor(sandbox)


async def measure_storybot(sandbox: Sandbox, size: int, rounds: int, database: str,
                           settle: float, floor: Floor) -> dict[str, list[float]]:
    """Every probe `rounds` times against storybot on `database` (a file or a DSN), with
    the floor's blocks between them (kept by `floor`)."""
    process = spawn(sandbox, "storybot", database)
    try:
        await sandbox.wait_for_commands("story", "excerpt", timeout=120)
        probes = storybot_probes(size)
        await until_answered(sandbox, probes["excerpt"])
        await give_kudos(sandbox, size)
        for probe in probes.values():  # connected, indexed and warmed up
            await until_answered(sandbox, probe)
        # After the index, start-up builds the title index and freezes the heap (seconds
        # at 100k); measuring during that would measure start-up.
        await asyncio.sleep(settle)
        # Each command also alone, as the floor is measured: first, so that the stamps
        # (benchmarks/stamps.py keeps each command's last 200) are the interleaved
        # rounds' when there are 200 of them, as in `make bench`.
        alone = {f"{label}{ALONE}": values
                 for label, values in (await in_blocks(sandbox, probes, rounds, floor)).items()}
        samples = await interleaved(sandbox, probes, rounds, floor)
        return samples | alone
    finally:
        stop(process)


async def measure_library(sandbox: Sandbox, backend: str, size: int, rounds: int, tmp: Path,
                          pg_server: str | None, setup: dict[str, float], settle: float,
                          floor: Floor) -> dict[str, list[float]]:
    """One private copy of the size's library on the backend, measured, then thrown away."""
    db = copy_of_library(size, tmp / f"library-{size}.db")
    try:
        if backend == "sqlite":
            return await measure_storybot(sandbox, size, rounds, str(db), settle, floor)
        assert pg_server is not None
        library = await copy_to_postgres(db, pg_server)
        setup[f"copy_{size}_to_postgres"] = library.copy_seconds
        db.unlink()
        try:
            return await measure_storybot(sandbox, size, rounds, library.dsn, settle, floor)
        finally:
            await library.drop()
    finally:
        db.unlink(missing_ok=True)


def bracketed(plan: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The plan with each backend's smallest library measured again after its largest."""
    out: list[tuple[str, int]] = []
    for backend in dict.fromkeys(b for b, _ in plan):
        sizes = [size for b, size in plan if b == backend]
        out += [(backend, size) for size in sizes]
        if len(set(sizes)) > 1:
            out.append((backend, min(sizes)))
    return out


async def run(plan: list[tuple[str, int]], rounds: int, pg_server: str | None,
              settle: float = SETTLE_SECONDS) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    samples: Samples = {}
    setup: dict[str, float] = {}
    halves: dict[str, dict[int, list[dict[str, float]]]] = {}
    floor_blocks: dict[str, dict[str, list[list[float]]]] = {}  # each block's p50 ms
    with tempfile.TemporaryDirectory() as tmp:
        async with Sandbox.start() as sandbox, bare_bot() as floor:
            for backend, size in plan:
                started = time.perf_counter()
                measured = await measure_library(sandbox, backend, size, rounds, Path(tmp),
                                                 pg_server, setup, settle, floor)
                key = f"{backend}_{size}_total"
                setup[key] = setup.get(key, 0.0) + time.perf_counter() - started
                blocks = floor.taken()
                measured[BARE] = [ping for block in blocks for ping in block]
                halves.setdefault(backend, {}).setdefault(size, []).append(
                    {label: round(statistics.median(values) * 1000, 3)
                     for label, values in measured.items()})
                floor_blocks.setdefault(backend, {}).setdefault(f"stories_{size}", []).append(
                    [round(statistics.median(block) * 1000, 3) for block in blocks])
                pooled = samples.setdefault(backend, {}).setdefault(size, {})
                for label, values in measured.items():  # a library measured twice: pooled
                    pooled.setdefault(label, []).extend(values)
    result = figures(samples, rounds, setup)
    result["smallest_again"] = {  # p50 ms of each half, first measured and again
        backend: {f"stories_{size}": {"first": both[0], "again": both[1]}
                  for size, both in by_size.items() if len(both) == 2}
        for backend, by_size in halves.items()}
    result["floor_blocks_p50_ms"] = floor_blocks
    return result


def sizes_from(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1k stories, 20 rounds, on each backend")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default=None,
                        help="default: both when a PostgreSQL can be had (pgserver or "
                             "STORYBOT_BENCH_PG / STORYBOT_TEST_PG), else sqlite")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="SQLite library sizes, comma-separated")
    parser.add_argument("--postgres-sizes", default="1000,10000",
                        help="PostgreSQL library sizes (each is copied in bulk first: "
                             "100k adds minutes)")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--markdown", type=Path, default=None,
                        help="where the README-ready table goes (default: "
                             "benchmarks/results/interaction.md; a temp file with --quick)")
    args = parser.parse_args()
    backend = args.backend or ("both" if postgres_available() else "sqlite")
    sqlite_sizes = [1000] if args.quick else sizes_from(args.sizes)
    pg_sizes = [1000] if args.quick else sizes_from(args.postgres_sizes)
    rounds = 20 if args.quick else args.rounds
    plan = [("sqlite", size) for size in sqlite_sizes if backend in ("sqlite", "both")]
    plan += [("postgres", size) for size in pg_sizes if backend in ("postgres", "both")]
    plan = bracketed(plan)
    for size in sorted({size for _, size in plan}):
        library_file(size)  # build (or reuse) it before the event loop starts
    pg_server, server = start_server() if any(b == "postgres" for b, _ in plan) else (None, None)
    started = time.perf_counter()
    try:
        result = asyncio.run(run(plan, rounds, pg_server, 1.0 if args.quick else SETTLE_SECONDS))
    finally:
        if server is not None:
            server.cleanup()
    result["total_s"] = round(time.perf_counter() - started, 1)
    result["profile_search"] = profile_search_kind()
    machine = (f"Measured on {platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, {time.strftime('%Y-%m-%d', time.gmtime())}, load "
               f"average {os.getloadavg()[0]:.1f} at the end (other work on the machine); "
               f"the profile search {profile_search_kind()}.")
    table = args.markdown or (QUICK_RESULTS if args.quick else RESULTS) / "interaction.md"
    table.parent.mkdir(parents=True, exist_ok=True)
    table.write_text(markdown(result, machine), "utf-8")
    print(f"table written to {table}", file=sys.stderr, flush=True)
    emit("interaction", result)


if __name__ == "__main__":
    main()
