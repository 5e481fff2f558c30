"""Slash-command round trips through the sandbox: INTERACTION_CREATE sent -> callback received.

The real bot runs on a 10k-story library. Every command is measured against a no-op
command in the same run (interleaved, so machine noise hits both alike): median, p99 and
their ratio. Commands that do not exist yet in this version are left out of the figures.
Run: `.venv/bin/python -m benchmarks.bench_interaction [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from benchmarks.library_builder import copy_of_library, library_file
from benchmarks.stats import emit, summary_ms
from bot.app import StoryBot
from bot.config import Settings
from sandbox.control import Sandbox
from sandbox.session import start_bot

NOOP = "bench-noop"


def add_noop_command(bot: StoryBot) -> None:
    """The baseline: a command that answers at once, through the same stack."""

    @app_commands.command(name=NOOP, description="answers immediately (benchmark baseline)")
    async def noop(interaction: discord.Interaction[StoryBot]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    bot.tree.add_command(noop)


async def measure(sandbox: Sandbox, command: str, options: dict[str, Any]) -> float:
    started = time.perf_counter()
    result = await sandbox.slash(sandbox.users.reader, command, options, channel="stories",
                                 timeout=30)
    elapsed = time.perf_counter() - started
    if result.callback_type is None:
        raise RuntimeError(f"/{command} got no callback")
    return elapsed


async def run(size: int, rounds: int) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        db = copy_of_library(size, Path(tmp) / "library.db")
        settings = Settings(storybot_db=db, demo_stories_dir=Path(tmp) / "none",
                            _env_file=None)  # type: ignore[call-arg]
        async with Sandbox.start() as sandbox:
            with sandbox.pointed_at():
                running = await start_bot(sandbox, settings)
                try:
                    add_noop_command(running.bot)
                    await running.bot.tree.sync()
                    await sandbox.wait_for_commands(NOOP, "story")
                    registered = {c["name"] for c in sandbox.registered_commands()}
                    story_id = str(size // 2)
                    candidates: dict[str, tuple[str, dict[str, Any]]] = {
                        "noop": (NOOP, {}),
                        "story_info": ("story info", {"story": story_id}),
                        "excerpt": ("excerpt", {"story": story_id}),
                        "recommend": ("recommend", {"like": story_id}),
                    }
                    plan = {label: spec for label, spec in candidates.items()
                            if spec[0].split()[0] in registered}
                    samples: dict[str, list[float]] = {label: [] for label in plan}
                    for command, options in plan.values():  # warm up each path
                        await measure(sandbox, command, options)
                    for _ in range(rounds):
                        for label, (command, options) in plan.items():
                            samples[label].append(await measure(sandbox, command, options))
                finally:
                    await running.stop()
    base = summary_ms(samples["noop"])
    figures: dict[str, object] = {"library_stories": size, "noop": base}
    for label, values in samples.items():
        if label == "noop":
            continue
        summary = summary_ms(values)
        figures[label] = {**summary,
                          "median_ratio_to_noop": round(summary["p50_ms"] / base["p50_ms"], 2),
                          "p99_ratio_to_noop": round(summary["p99_ms"] / base["p99_ms"], 2)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k stories, 50 rounds")
    args = parser.parse_args()
    size, rounds = (1000, 50) if args.quick else (10_000, 300)
    library_file(size)  # build (or reuse) it before the event loop starts
    emit("interaction", asyncio.run(run(size, rounds)))


if __name__ == "__main__":
    main()
