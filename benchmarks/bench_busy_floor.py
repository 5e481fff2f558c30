"""How much handler time three times the floor leaves, on this machine, in this minute.

The round-trip benchmark sets each storybot command against a bare discord.py bot whose
`/ping` answers at once. A round trip is not the floor plus the handler's time: while a
handler works, the stand-in's process sits idle, and on this shared virtual machine an idle
process wakes slower than a busy one, so the answer's crossing and the stand-in's reply take
longer too (stop 51: a bare bot computing for 2 ms before answering took 3.48-3.64 ms
against a floor of 0.99-1.14 ms answering at once). This benchmark measures that: the same
bare bot, told to compute for a fixed time before it answers (reading memory as it goes, as
a handler does), at several times, each against the bot that answers at once measured at the
start of the same round (seconds before). The answer is the longest handler time whose
median round trip was within 3x the floor: what a storybot command's handler (discord.py's
own steps, our work and the card: `benchmarks/stamps.py`'s `handler`) has to stay under for
the 3x target.

Run: `.venv/bin/python -m benchmarks.bench_busy_floor [--quick] [--rounds 200]
[--busy-ms 0.5,1,1.5,2,2.5] [--repeats 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics

from benchmarks.bench_interaction import measure_floor
from benchmarks.stamps import STAMPS_ENV
from benchmarks.stats import emit
from sandbox.control import Sandbox

TARGET_RATIO = 3.0


async def run(busy_ms: list[float], rounds: int, repeats: int) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    # by busy time (0: the floor), each round's median in ms
    medians: dict[float, list[float]] = {ms: [] for ms in [0.0, *busy_ms]}
    async with Sandbox.start() as sandbox:
        for _ in range(repeats):
            for ms in medians:  # the floor first, then each busy time, in every round
                medians[ms].append(
                    statistics.median(await measure_floor(sandbox, rounds, ms)) * 1000)
    # each round's busy median against that round's own floor
    ratios = {ms: [busy / floor for busy, floor in zip(medians[ms], medians[0.0], strict=True)]
              for ms in busy_ms}
    ratio = {ms: statistics.median(each) for ms, each in ratios.items()}
    by_busy = {}
    for ms, values in medians.items():
        row: dict[str, object] = {"p50_ms_each": [round(v, 3) for v in values],
                                  "p50_ms": round(statistics.median(values), 3)}
        if ms:
            row["ratio_to_floor_each"] = [round(r, 2) for r in ratios[ms]]
            row["ratio_to_floor"] = round(ratio[ms], 2)
        by_busy[f"busy_{ms:g}_ms"] = row
    within = [ms for ms in busy_ms if ratio[ms] <= TARGET_RATIO]
    return {"rounds": rounds, "repeats": repeats, "by_busy": by_busy,
            "longest_busy_ms_within_3x": max(within, default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 rounds, once")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy-ms", default="0.5,1,1.5,2,2.5",
                        help="handler times to try, in ms, comma-separated")
    args = parser.parse_args()
    os.environ.pop(STAMPS_ENV, None)  # the round-trip benchmark's stamps are not these
    busy = [float(part) for part in args.busy_ms.split(",") if part.strip()]
    rounds, repeats = (20, 1) if args.quick else (args.rounds, args.repeats)
    if args.quick:
        busy = busy[:2]
    emit("busy_floor", asyncio.run(run(busy, rounds, repeats)))


if __name__ == "__main__":
    main()
