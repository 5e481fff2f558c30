"""Folder import speed: 1,000 small synthetic FanFicFare HTML stories (issue 13's target:
at least 1,000 stories/s on 2 cores), parsed in this process and in a process pool.

Figures, in stories per second:
- `in_process`: parse_files(workers=0), read + convert + cut passages, one file at a time;
- `pool_1` / `pool_2`: the same through the pool with 1 and 2 workers, in input order (this
  process reads the first files itself while the workers start);
- `import_1` / `import_2`: what `storybot import FOLDER` does, end to end: Catalog.import_paths
  (the pool feeding the bulk writer in batches, duplicate checks in the transaction) into a
  fresh SQLite file, with 1 and 2 parsing workers: the median of IMPORT_REPEATS imports
  each, the two alternated, with every import's rate beside it (`runs_stories_per_s`);
- `cpu_bound_stories_per_s`: the rate the cores allow from the CPU time a story costs all in
  (its parse, and the importing process's share), which other work on the machine does not
  change the way it changes the wall-clock figures.
Run: `.venv/bin/python -m benchmarks.bench_folder_import [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from html import escape
from pathlib import Path

from benchmarks.stats import emit
from bot.importers.parallel import ParsedStory, parse_files

WORDS = ("the lantern river kept moving under a quiet sky while she counted every "
         "bridge and named the crows that followed him home across winter").split()
FANDOMS = ["Harry Potter", "Star Wars", "Sherlock", "Good Omens", "Teen Wolf"]
GENRES = ["Angst", "Fluff", "Humor", "Romance", "Adventure", "Hurt/Comfort"]
# An import of the 1,000 files takes about a second, so one slow spell on this shared
# machine could take a whole import: each figure is the median of this many.
IMPORT_REPEATS = 3


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    if rng.random() < 0.2:
        words[rng.randrange(len(words))] = "<i>" + rng.choice(WORDS) + "</i>"
    return " ".join(words).capitalize() + "."


def fanficfare_html(rng: random.Random, number: int) -> str:
    """A small story in FanFicFare's single-file HTML layout (title line, label table,
    anchored chapters), about 600-1,500 words over 1-3 chapters."""
    title = f"Synthetic Story {number}"
    chapters = []
    for chapter in range(1, rng.randint(1, 3) + 1):
        paragraphs = "\n".join(
            "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(2, 5))) + "</p>"
            for _ in range(rng.randint(8, 20))
        )
        chapters.append(f'<a name="section{chapter:04}"><h2>Chapter {chapter}</h2></a>\n'
                        f"<div>\n{paragraphs}\n</div>")
    fields = {
        "Category": rng.choice(FANDOMS),
        "Genre": ", ".join(rng.sample(GENRES, 2)),
        "Rating": rng.choice(["K", "K+", "T", "M"]),
        "Status": rng.choice(["Completed", "In-Progress"]),
        "Chapters": str(len(chapters)),
        "Summary": escape(sentence(rng)),
    }
    rows = "\n".join(f"<tr><td><b>{label}:</b></td><td>{value}</td></tr>"
                     for label, value in fields.items())
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\">"
        f"<title>{title} by Writer {number % 53}</title></head><body>\n"
        f'<h1><a href="https://example.org/s/{number}">{title}</a> by '
        f"<a class='authorlink' href='https://example.org/u/{number % 53}'>Writer "
        f"{number % 53}</a></h1>\n<table class=\"full\">\n{rows}\n</table>\n"
        '<a name="TOCTOP"><h2>Table of Contents</h2></a>\n' + "\n".join(chapters)
        + "\n</body></html>\n"
    )


def write_folder(folder: Path, count: int) -> int:
    rng = random.Random(13)
    total = 0
    for number in range(count):
        data = fanficfare_html(rng, number).encode("utf-8")
        total += len(data)
        (folder / f"story-{number:05}.html").write_bytes(data)
    return total


def parse_rate(paths: list[Path], workers: int) -> dict[str, float]:
    start, cpu_start = time.perf_counter(), time.process_time()
    parsed = sum(isinstance(result, ParsedStory) for result in parse_files(paths, workers=workers))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert parsed == len(paths), f"only {parsed} of {len(paths)} parsed"
    return {
        "workers": workers,
        "seconds": round(elapsed, 3),
        "stories_per_s": round(len(paths) / elapsed, 1),
        # This process's CPU: all of the work in process, only the collecting with a pool.
        "cpu_ms_per_story_here": round(cpu / len(paths) * 1000, 2),
    }


async def import_rate(folder: Path, database: Path, workers: int) -> dict[str, float]:
    """The whole import, as the command line runs it (the library opened beforehand)."""
    # Imported here: a pool's workers import this module again (it is not __main__ for
    # multiprocessing), and the bot's composition root would cost each of them a second.
    from bot.bootstrap import open_services

    async with open_services(database) as services:
        start, cpu_start = time.perf_counter(), time.process_time()
        report = await services.catalog.import_paths([folder], workers=workers)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert not report.rejected, report.rejected[:3]
    count = len(report.imported)
    return {"workers": workers, "seconds": round(elapsed, 3),
            "stories_per_s": round(count / elapsed, 1),
            # The importing process's own CPU (collecting, checking, writing, the commit).
            "cpu_ms_per_story_here": round(cpu / count * 1000, 2)}


def median_import(runs: list[dict[str, float]]) -> dict[str, float]:
    """The import of median rate among these."""
    return sorted(runs, key=lambda run: run["stories_per_s"])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="60 stories instead of 1,000")
    args = parser.parse_args()
    count = 60 if args.quick else 1000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "stories"
        folder.mkdir()
        total_bytes = write_folder(folder, count)
        paths = sorted(folder.iterdir())
        parse_rate(paths[:20], 0)  # import and warm everything once
        in_process = parse_rate(paths, 0)
        pools = {f"pool_{n}": parse_rate(paths, n) for n in (1, 2)}
        runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        for repeat in range(1 if args.quick else IMPORT_REPEATS):
            for workers, done in runs.items():
                database = Path(tmp) / f"{workers}-{repeat}.db"
                done.append(asyncio.run(import_rate(folder, database, workers)))
        middle = {workers: median_import(done) for workers, done in runs.items()}
        imports = {f"import_{workers}": {**middle[workers], "runs_stories_per_s": [
            run["stories_per_s"] for run in done]} for workers, done in runs.items()}
    # What the machine's cores allow, from CPU time alone (so a busy machine does not bend
    # it): each story costs its parse in a worker plus the importing process's share (the
    # collecting, checks and writing of the median import_2); pickling between them is
    # left out.
    all_in = in_process["cpu_ms_per_story_here"] + middle[2]["cpu_ms_per_story_here"]
    cores = os.cpu_count() or 1
    emit("folder_import", {
        "stories": count,
        "cpu_ms_per_story_all_in": round(all_in, 2),
        "cpu_bound_stories_per_s": round(cores * 1000 / all_in, 1),
        # Other work on the machine slows every figure: the load says how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
        "mean_kb": round(total_bytes / count / 1024, 1),
        "cores": os.cpu_count(),
        "in_process": in_process,
        **pools,
        **imports,
    })


if __name__ == "__main__":
    main()
