"""How long a change made through one bot process takes to reach another's caches.

Two real processes share one PostgreSQL library (the synthetic library copied in with
`db copy`'s code, into a throwaway `pgserver` or the server in STORYBOT_BENCH_PG): this
one writes; a follower (this module with `--follow DSN`, in a subprocess) has warmed every
cache (titles, prefix index, tag rows, recommendation index, settings) and reports when it
finished applying each change (a feed listener after its own), having checked that its
caches show it. Each round: a story added (in the follower's autocomplete and
recommendation index), that story removed (gone from both), a server's setting saved (the
follower's cached settings show it). The delay runs from the writer's commit (a catalog
change listener's stamp; for settings, the start of the save) to that moment, on the
machine's monotonic clock (both processes on one machine).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.library_builder import copy_of_library
from benchmarks.postgres_library import copy_to_postgres, start_server
from benchmarks.stats import emit
from bot.bootstrap import Services, build_services
from bot.importers import read_story_file
from bot.library.changes import Change

GUILD = 5
STORY_FILE = Path(__file__).resolve().parents[1] / "data" / "stories" / "shore-leave.md"


# -- the follower (another process) --------------------------------------------------------

async def seen(services: Services, what: str, arg: str) -> bool:
    """Whether the follower's caches show the change: the settings, or a story's title in
    autocomplete (the prefix index) and the story in the recommendation index."""
    if what == "role":
        return (await services.guild_settings.get(GUILD)).curator_role_id == int(arg)
    index = services.recommendations.index
    if what == "gone":  # arg: the story's id and title
        story_id, title = arg.split(" ", 1)
        choices = await services.catalog.story_choices(title, GUILD)
        return int(story_id) not in dict(choices) and index.get(int(story_id)) is None
    choices = await services.catalog.story_choices(arg, GUILD)
    return any(title == arg and index.get(sid) is not None for sid, title in choices)


async def follow(dsn: str) -> None:
    services = await build_services(dsn)
    try:
        await services.recommendations.ready()
        await services.catalog.story_choices("synthetic", GUILD)  # titles + prefix index
        await services.catalog.tag_choices("a")
        await services.guild_settings.get(GUILD)
        # Heard after the change was applied here (listeners run in order): its moment.
        applied = asyncio.Event()
        applied_at: list[float] = []

        async def stamp(change: Change) -> None:
            applied_at.append(time.monotonic())
            applied.set()

        await services.store.changes.listen(stamp)
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
            what, arg = line.split(" ", 1)
            print("waiting", flush=True)
            while not await seen(services, what, arg):
                await applied.wait()
                applied.clear()
            print(f"seen {applied_at[-1]}", flush=True)
    finally:
        await services.close()


# -- the writer (this process) -------------------------------------------------------------

class Follower:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self) -> str:
        assert self.process.stdout is not None
        return (await self.process.stdout.readline()).decode().strip()

    async def expect(self, what: str, arg: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{what} {arg}\n".encode())
        await self.process.stdin.drain()
        assert await self.line() == "waiting"

    async def seen_at(self) -> float:
        return float((await self.line()).split(" ", 1)[1])


async def measure(dsn: str, rounds: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.bench_change_feed", "--follow", dsn,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env)
    follower = Follower(process)
    writer = await build_services(dsn)
    delays: dict[str, list[float]] = {"story_added": [], "story_removed": [],
                                      "setting_saved": []}
    try:
        assert await follower.line() == "ready"
        committed: list[float] = []

        async def stamp(story_id: int) -> None:
            committed.append(time.monotonic())

        writer.catalog.change_listeners.insert(0, stamp)
        draft = read_story_file(STORY_FILE, writer.catalog.limits)
        for index in range(rounds):
            title = f"Feed probe {index}"
            await follower.expect("story", title)
            story = await writer.catalog.add_draft(dataclasses.replace(draft, title=title),
                                                   guild_id=GUILD)
            delays["story_added"].append(await follower.seen_at() - committed[-1])

            await follower.expect("gone", f"{story.id} {title}")
            await writer.catalog.remove(story.id, GUILD)
            delays["story_removed"].append(await follower.seen_at() - committed[-1])

            await follower.expect("role", str(1000 + index))
            settings = await writer.guild_settings.get(GUILD)
            started = time.monotonic()
            await writer.guild_settings.save(dataclasses.replace(settings,
                                                                 curator_role_id=1000 + index))
            delays["setting_saved"].append(await follower.seen_at() - started)
    finally:
        await writer.close()
        if process.stdin is not None:
            process.stdin.close()
        await process.wait()
    every = [d for kind in delays.values() for d in kind]
    figures = {kind: _summary(values) for kind, values in delays.items()}
    return {"every_change": _summary(every), **figures}


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2),
            "max_ms": round(max(ms), 2)}


async def run(size: int, rounds: int) -> dict[str, Any]:
    # The library's copy (85 MB at 10k) goes with the folder when the run ends.
    with tempfile.TemporaryDirectory(prefix="storybot-bench-feed-") as folder:
        return await _run_in(Path(folder), size, rounds)


async def _run_in(folder: Path, size: int, rounds: int) -> dict[str, Any]:
    sqlite_path = copy_of_library(size, folder / "library.db")
    server_dsn, server = start_server()
    try:
        library = await copy_to_postgres(sqlite_path, server_dsn)
        return {"stories": size, "rounds": rounds, **await measure(library.dsn, rounds)}
    finally:
        if server is not None:
            server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a 1k library, fewer rounds")
    parser.add_argument("--follow", metavar="DSN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.follow:
        asyncio.run(follow(args.follow))
        return
    size, rounds = (1000, 10) if args.quick else (10_000, 50)
    emit("change_feed", asyncio.run(run(size, rounds)))


if __name__ == "__main__":
    main()
