"""A bot in its own process, connected to a running sandbox: the round-trip benchmark's peers.

    python -m benchmarks.peer_bot bare API_BASE GATEWAY_URL
    python -m benchmarks.peer_bot storybot API_BASE GATEWAY_URL DATABASE

DATABASE is a library file or a PostgreSQL DSN, as in STORYBOT_DB.

`bare` is the floor: a plain discord.py client with one no-op `/ping` command, no cogs and
no database. `storybot` is the real bot on a library. Each runs alone in its process
so neither shares an event loop (or a GIL) with the sandbox that measures them. Both stop
on SIGTERM. With STORYBOT_BENCH_PROFILE=PATH set, each peer writes a cProfile of its whole
run to PATH.<kind>.prof when it stops (to find where a slow command's time goes); with
STORYBOT_BENCH_STAMPS=PATH, the medians of each command's steps to PATH.<kind>.json
(benchmarks/stamps.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import signal
import time
from pathlib import Path

import discord
from discord import app_commands

from benchmarks.stamps import STAMPS_ENV, Stamps
from bot.app import StoryBot, point_at_api
from bot.config import Settings
from bot.store.open import is_postgres
from sandbox.auth import SANDBOX_BOT_TOKEN

PROFILE_ENV = "STORYBOT_BENCH_PROFILE"


def busy_for(seconds: float, memory: list[int]) -> int:
    """Compute for `seconds`, reading `memory` a cache line or more apart, as a handler
    reading its data does (benchmarks/bench_busy_floor.py)."""
    end = time.perf_counter() + seconds
    at = total = 0
    while time.perf_counter() < end:
        for _ in range(64):
            total += memory[at]
            at = (at + 4099) % len(memory)
    return total


class BareBot(discord.Client):
    """The least a discord.py bot can be: one command that answers at once, or after
    computing for `busy_ms` (the busy floor, bench_busy_floor)."""

    def __init__(self, busy_ms: float = 0.0) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree: app_commands.CommandTree[BareBot] = app_commands.CommandTree(self)
        memory = list(range(4_000_000)) if busy_ms else []  # 32 MB of pointers and more

        @self.tree.command(name="ping", description="answers at once (the benchmark's floor)")
        async def ping(interaction: discord.Interaction[BareBot]) -> None:
            if busy_ms:
                busy_for(busy_ms / 1000, memory)
            await interaction.response.send_message("pong", ephemeral=True)

    async def setup_hook(self) -> None:
        await self.tree.sync()


async def _serve(client: discord.Client) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with client:
        await client.login(SANDBOX_BOT_TOKEN)
        runner = asyncio.create_task(client.connect(reconnect=True))
        await stop.wait()
        await client.close()
        runner.cancel()


def database_setting(given: str | None) -> Path | str:
    if given is None:
        return Path("unused.db")
    return given if is_postgres(given) else Path(given)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=("bare", "storybot"))
    parser.add_argument("api_base")
    parser.add_argument("gateway_url")
    parser.add_argument("database", nargs="?")
    parser.add_argument("--busy-ms", type=float, default=0.0,
                        help="bare: compute this long before answering (bench_busy_floor)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    settings = Settings(discord_api_base=args.api_base, discord_gateway_url=args.gateway_url,
                        storybot_db=database_setting(args.database),
                        demo_stories_dir=Path("/nonexistent"),
                        _env_file=None)  # type: ignore[call-arg]
    point_at_api(settings)
    client: discord.Client = (BareBot(args.busy_ms) if args.kind == "bare"
                              else StoryBot(settings, guild_ready_timeout=0.05, own_process=True))
    stamps_to = os.environ.get(STAMPS_ENV)
    stamps = Stamps() if stamps_to else None
    if stamps is not None:
        stamps.install()
    profile_to = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile_to else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(_serve(client))
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{profile_to}.{args.kind}.prof")
        if stamps is not None:
            stamps.write(Path(f"{stamps_to}.{args.kind}.json"))


if __name__ == "__main__":
    main()
