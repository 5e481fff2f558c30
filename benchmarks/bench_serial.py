"""The book club's daily serial post: how it chooses at 1k, 10k and 100k stories.

    .venv/bin/python -m benchmarks.bench_serial [--quick]

On a copy of each synthetic library (SQLite), through the services the bot runs with, one
server's serial reading is timed two ways:

- `goes_on`: the next passage of the story being read (that story's passages alone);
- `new_story`: the first passage of a new story, drawn by sampling (each choice is recorded,
  as the daily post records it, so the server's history grows as it would);
- `full_choice`, the baseline in the same run: the same new-story choice made the exact way,
  from every passage of every allowed story (what the sampler falls back to, and what
  every serial post did before stop 66), fewer rounds at the larger sizes.

Figures: medians and p99s per size, each size's full/sampled median ratio, and the
100k/1k median ratio of `new_story` and `goes_on` (--quick: the 1k library alone, fewer
rounds). Progress on stderr; ONE JSON line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.library_builder import copy_of_library
from benchmarks.stats import emit, summary_ms
from bot.bootstrap import open_services
from bot.library.selection import SerialPosition

SERVER = 626262
# The exact choice reads every passage: at 100k stories a round takes seconds.
FULL_ROUNDS = {1_000: 40, 10_000: 10, 100_000: 3}


async def timed(rounds: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    await call()  # warm: caches, prepared statements
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def measure(size: int, rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_of_library(size, Path(tmp) / f"library-{size}.db")
        async with open_services(path) as services:
            excerpts = services.excerpts
            opening = await excerpts.next_serial(SERVER, False, None)
            # A story long enough to go on for every round: its first passage, re-read.
            reading = SerialPosition(opening.story.id, 0)
            samples = {
                "goes_on": await timed(rounds, lambda: excerpts.next_serial(
                    SERVER, False, reading)),
                "new_story": await timed(rounds, lambda: excerpts.next_serial(
                    SERVER, False, None)),
            }
            excerpts.sampling_threshold = sys.maxsize  # every choice the exact way
            samples["full_choice"] = await timed(
                FULL_ROUNDS.get(size, 3), lambda: excerpts.next_serial(SERVER, False, None))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    started = datetime.now(UTC)
    sizes = (1_000,) if args.quick else (1_000, 10_000, 100_000)
    rounds = 20 if args.quick else 200
    figures: dict[str, object] = {}
    medians: dict[int, dict[str, float]] = {}
    for size in sizes:
        print(f"bench_serial: {size:,} stories", file=sys.stderr, flush=True)
        samples = asyncio.run(measure(size, rounds))
        medians[size] = {label: statistics.median(s) for label, s in samples.items()}
        figures[str(size)] = {
            **{label: summary_ms(s) for label, s in samples.items()},
            "full_over_sampled": round(medians[size]["full_choice"]
                                       / medians[size]["new_story"], 1),
        }
    if len(sizes) > 1:
        first, last = medians[sizes[0]], medians[sizes[-1]]
        figures[f"{sizes[-1] // 1000}k_over_{sizes[0] // 1000}k"] = {
            label: round(last[label] / first[label], 2) for label in first}
    emit("serial", {"rounds": rounds, "sizes": figures,
                    "started": started.isoformat(timespec="seconds")})


if __name__ == "__main__":
    main()
