"""Event-loop lag inside the bot while a curator works: `/story add` of the largest AO3
fixture, `/stats` with its chart, and `/export feedback` (a CSV of every reaction).

The bot runs in its own process (as in bench_interaction) on a synthetic library with a
server's worth of seeded feedback. Inside it a ticker wakes every 5 ms and records how late
it woke: whatever holds the event loop (parsing, storing thousands of passages, building a
CSV, refreshing an index) shows as lateness. The sandbox sends the commands from this
process; each phase's window is matched against the ticker's wall-clock samples.
Target (issue 13): p99 lag under 20 ms while the commands run.
Run: `python -m benchmarks.bench_loop_lag [--quick] [--size 10000] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from benchmarks.library_builder import copy_of_library, library_file
from benchmarks.stats import emit, percentile
from bot.library.records import FeedbackEntry, PostRecord, ReactionChange
from bot.store.open import open_store
from sandbox.control import Sandbox

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
TICK_SECONDS = 0.005
SETTLE_SECONDS = 8.0
EMOJI = ("\N{HEAVY BLACK HEART}", "\N{FACE WITH TEARS OF JOY}", "\N{FIRE}", "partyblob:998877")


def largest_fixture() -> Path:
    folder = Path(os.environ.get("STORYBOT_FIXTURES", FIXTURES)) / "ao3"
    return max(folder.glob("*.html"), key=lambda path: path.stat().st_size)


# ----- inside the bot's process ---------------------------------------------------------

class StallSampler:
    """Where the loop's thread is while the ticker is overdue: a thread looks at its stack
    every 2 ms and counts the innermost project frames (the profile behind a missed target).
    """

    def __init__(self, overdue: float = 0.015) -> None:
        self.overdue = overdue
        self.last_tick = time.monotonic()
        self.places: list[tuple[float, str]] = []  # (wall time, where)
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True, name="stall-sampler").start()

    def _watch(self) -> None:
        while not self._stop.wait(0.002):
            if time.monotonic() - self.last_tick > self.overdue:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self.places.append((time.time(), _where(frame)))

    def stop(self) -> list[tuple[float, str]]:
        self._stop.set()
        return self.places


def _where(frame: FrameType) -> str:
    """The innermost three frames of ours (bot, cogs, discord, aiosqlite), innermost first."""
    found: list[str] = []
    at: FrameType | None = frame
    while at is not None and len(found) < 3:
        name = at.f_code.co_filename
        if any(part in name for part in ("/bot/", "/cogs/", "/discord/", "/aiosqlite/")):
            found.append(f"{name.rsplit('/', 2)[-2]}/{Path(name).name}:{at.f_lineno} "
                         f"{at.f_code.co_name}")
        at = at.f_back
    return " < ".join(found) or f"{Path(frame.f_code.co_filename).name} {frame.f_code.co_name}"


async def _tick(samples: list[tuple[float, float]], sampler: StallSampler | None = None
                ) -> None:
    """Every TICK_SECONDS: (wall time, seconds late). Late = the loop was held."""
    loop = asyncio.get_running_loop()
    expected = loop.time() + TICK_SECONDS
    while True:
        await asyncio.sleep(max(0.0, expected - loop.time()))
        now = loop.time()
        if sampler is not None:
            sampler.last_tick = time.monotonic()
        samples.append((time.time(), max(0.0, now - expected)))
        expected = max(expected + TICK_SECONDS, now)  # a long stall counts once, not N times


async def _serve_with_ticker(api_base: str, gateway_url: str, database: Path, out: Path) -> None:
    from bot.app import StoryBot, point_at_api
    from bot.config import Settings
    from sandbox.auth import SANDBOX_BOT_TOKEN

    settings = Settings(discord_api_base=api_base, discord_gateway_url=gateway_url,
                        storybot_db=database, demo_stories_dir=Path("/nonexistent"),
                        _env_file=None)  # type: ignore[call-arg]
    point_at_api(settings)
    bot = StoryBot(settings, guild_ready_timeout=0.05, own_process=True)  # its own process
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    sampler = StallSampler()
    ticker = asyncio.create_task(_tick(samples, sampler))
    async with bot:
        await bot.login(SANDBOX_BOT_TOKEN)
        runner = asyncio.create_task(bot.connect(reconnect=True))
        await stop.wait()
        ticker.cancel()
        out.write_text(json.dumps({"samples": samples, "stalls": sampler.stop()}))
        await bot.close()
        runner.cancel()


# ----- the driver -----------------------------------------------------------------------

async def seed_feedback(database: Path, guild_id: int, channel_id: int, stories: int,
                        rows: int) -> None:
    """A busy server's feedback: posts with reactions over 90 days, stars and kudos."""
    rng = random.Random(5)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    store = await open_store(database)
    try:
        for number in range(rows // 4):
            at = start + timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            story_id = rng.randint(1, stories)
            message_id = 10**15 + number
            await store.posts.record(PostRecord(message_id, guild_id, channel_id, story_id,
                                                None, "excerpt", None, None, at))
            for reaction in range(4):
                await store.feedback_writes.reaction(ReactionChange(
                    message_id, 10**6 + rng.randint(0, 500), EMOJI[reaction], True,
                    at.isoformat()))
            await store.feedback_writes.save_feedback(FeedbackEntry(
                guild_id, story_id, None, 10**6 + number, rng.randint(1, 5),
                "a comment, with a comma", at.isoformat()))
        await store.feedback_writes.flush()
    finally:
        await store.close()


def lag_summary(samples: list[tuple[float, float]], windows: list[tuple[float, float]]
                ) -> dict[str, float]:
    lags = [late * 1000 for at, late in samples
            if any(begin <= at <= end for begin, end in windows)]
    return {"ticks": len(lags), "p50_ms": round(percentile(lags, 0.5), 2),
            "p99_ms": round(percentile(lags, 0.99), 2), "max_ms": round(max(lags or [0.0]), 2)}


async def run_phases(sandbox: Sandbox, story_file: Path, rounds: int
                     ) -> dict[str, list[tuple[float, float]]]:
    curator = sandbox.users.curator
    windows: dict[str, list[tuple[float, float]]] = {
        "idle": [], "story_add": [], "stats_chart": [], "csv_export": []}
    for _ in range(rounds):
        begin = time.time()
        await asyncio.sleep(1.0)
        windows["idle"].append((begin, time.time()))

        upload = sandbox.upload(story_file.name, story_file.read_bytes(), channel="stories")
        begin = time.time()
        added = await sandbox.slash(curator, "story add", {"file": upload}, channel="stories",
                                    timeout=30)
        (message,) = await added.wait_for_followups(1, timeout=60)
        windows["story_add"].append((begin, time.time()))
        found = re.search(r"Added story (\d+)", message.content)
        if found is None:
            raise RuntimeError(f"/story add failed: {message.content}")

        begin = time.time()
        stats = await sandbox.slash(curator, "stats", {}, channel="stories", timeout=30)
        await stats.wait_for_followups(1, timeout=60)
        windows["stats_chart"].append((begin, time.time()))

        begin = time.time()
        export = await sandbox.slash(curator, "export feedback", {}, channel="stories",
                                     timeout=30)
        await export.wait_for_followups(1, timeout=60)
        windows["csv_export"].append((begin, time.time()))

        # Remove it again, so the next round's add is not a duplicate.
        asked = await sandbox.slash(curator, "story remove", {"story": found.group(1)},
                                    channel="stories", timeout=30)
        assert asked.message is not None
        (confirm,) = asked.message.custom_ids()
        await (await sandbox.click(curator, asked.message, confirm, timeout=30)
               ).wait_until_done()
    return windows


async def run(size: int, rounds: int, feedback_rows: int) -> dict[str, object]:
    logging.getLogger("discord").setLevel(logging.ERROR)
    story_file = largest_fixture()
    with tempfile.TemporaryDirectory() as tmp:
        database = copy_of_library(size, Path(tmp) / "library.db")
        samples_file = Path(tmp) / "lag.json"
        async with Sandbox.start() as sandbox:
            stories_channel = sandbox.channel("stories")
            await seed_feedback(database, sandbox.guild_id, stories_channel.id, size,
                                feedback_rows)
            process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.bench_loop_lag", "--child", sandbox.api_base,
                 sandbox.gateway_url, str(database), str(samples_file)], env=os.environ.copy())
            try:
                await sandbox.wait_for_commands("story", "stats", "export", timeout=120)
                await sandbox.wait_until_bot_ready(timeout=120)
                await asyncio.sleep(SETTLE_SECONDS)  # indexes built, heap settled
                windows = await run_phases(sandbox, story_file, rounds)
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 30)
        recorded = json.loads(samples_file.read_text())
        samples = [(float(at), float(late)) for at, late in recorded["samples"]]
    busy = [w for name, spans in windows.items() if name != "idle" for w in spans]
    figures: dict[str, object] = {
        "stories": size, "rounds": rounds, "feedback_rows": feedback_rows,
        "story_file": story_file.name, "story_bytes": story_file.stat().st_size,
        "tick_ms": TICK_SECONDS * 1000,
        "while_busy": lag_summary(samples, busy),
    }
    for name, spans in windows.items():
        figures[name] = lag_summary(samples, spans)
    # Where the loop's thread was, in 2 ms samples, while it was overdue during a command
    # ("select": waiting for the GIL or a CPU, not running our code).
    stalled = Counter(where for at, where in recorded["stalls"]
                      if any(begin <= at <= end for begin, end in busy))
    figures["stalled_in"] = stalled.most_common(12)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=4, metavar=("API", "GATEWAY", "DB", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="1k stories, one round")
    parser.add_argument("--size", type=int, default=10000, help="stories in the library")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--feedback-rows", type=int, default=20000)
    args = parser.parse_args()
    if args.child:
        logging.basicConfig(level=logging.ERROR)
        api, gateway, database, out = args.child
        asyncio.run(_serve_with_ticker(api, gateway, Path(database), Path(out)))
        return
    size = 1000 if args.quick else args.size
    rounds = 1 if args.quick else args.rounds
    rows = 2000 if args.quick else args.feedback_rows
    library_file(size)  # build (or reuse) it before the event loop starts
    emit("loop_lag", asyncio.run(run(size, rounds, rows)))


if __name__ == "__main__":
    main()
