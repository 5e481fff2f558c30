"""`storybot run` as the operator starts it: a real process, pointed at the stand-in,
stopped with Ctrl-C. Sharded, it serves its shard; with a database it cannot reach, it says
so in one line and tries again later, waiting longer each time."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Settings
from bot.store.open import open_store
from sandbox.control import Sandbox
from sandbox.session import SANDBOX_TOKEN
from tests.conftest import PROJECT_ROOT

STOP_TIMEOUT = 60


@asynccontextmanager
async def storybot_run(sandbox: Sandbox, folder: Path, db: str, *args: str,
                       stop_with: signal.Signals = signal.SIGINT,
                       **env: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`storybot run ARGS` against the sandbox; Ctrl-C (SIGINT) at the end, or `stop_with`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--db", db, "run", *args,
        # Not the project folder: a developer's .env there must not change the test.
        cwd=folder,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DISCORD_TOKEN": SANDBOX_TOKEN,
             "DISCORD_API_BASE": sandbox.api_base, "DISCORD_GATEWAY_URL": sandbox.gateway_url,
             "LOG_LEVEL": "INFO", **env},
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(stop_with)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise AssertionError(f"storybot run did not stop on {stop_with.name}") from None


async def recorded_as_post(settings: Settings, message_id: int, timeout: float = 30) -> None:
    """Wait until the running bot has recorded a message it sent as a post (read through a
    store of the test's own on the same library)."""
    store = await open_store(settings.storybot_db)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while await store.posts.get(message_id) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"message {message_id} was never recorded as a post")
            await asyncio.sleep(0.02)
    finally:
        await store.close()


async def stopped_in_order(process: asyncio.subprocess.Process) -> None:
    """The ended process's log: the SIGTERM stop logged from start to end, no traceback."""
    assert process.stderr is not None
    log = (await process.stderr.read()).decode("utf-8", "replace")
    assert "stopping (SIGTERM)" in log and log.rstrip().endswith("stopped"), log
    assert "Traceback" not in log


async def read_lines_until(process: asyncio.subprocess.Process, done: int, marker: str,
                           timeout: float = 150) -> list[str]:
    """Stderr lines until `done` of them contain `marker` (all lines read are returned)."""
    assert process.stderr is not None
    lines: list[str] = []

    async def read() -> None:
        assert process.stderr is not None
        while sum(marker in line for line in lines) < done:
            raw = await process.stderr.readline()
            if not raw:
                raise AssertionError("storybot run ended early:\n" + "".join(lines))
            lines.append(raw.decode("utf-8", "replace"))

    try:
        await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        raise AssertionError(f"no {done} lines with {marker!r}:\n" + "".join(lines)) from None
    return lines


async def test_run_with_shards_serves_its_shard_in_its_own_process(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    async with storybot_run(sandbox, tmp_path, str(settings.storybot_db),
                            "--shard-count", "1", "--shards", "0") as process:
        await sandbox.wait_until_bot_ready(timeout=60)
        await sandbox.wait_for_commands("excerpt", timeout=60)
        card = await sandbox.slash(sandbox.users.reader, "excerpt", channel="stories",
                                   timeout=30)
        assert card.embeds and card.embeds[0]["title"]
        lines = await read_lines_until(process, 1, "shard 0 of 1 ready")
        assert any("running shards 0 of 1" in line for line in lines), lines
    assert process.returncode == 0


async def test_run_takes_its_shards_from_the_environment_too(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    async with storybot_run(sandbox, tmp_path, str(settings.storybot_db),
                            STORYBOT_SHARD_COUNT="1", STORYBOT_SHARDS="0") as process:
        lines = await read_lines_until(process, 1, "shard 0 of 1 ready")
        assert any("running shards 0 of 1" in line for line in lines), lines
    assert process.returncode == 0


async def test_run_retries_a_database_it_cannot_reach_with_longer_waits(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    unreachable = "postgresql://storybot:secret@127.0.0.1:1/library"
    async with storybot_run(sandbox, tmp_path, unreachable) as process:
        lines = await read_lines_until(process, 2, "cannot reach PostgreSQL")
    failures = [line for line in lines if "cannot reach PostgreSQL" in line]
    assert failures[0].startswith("cannot reach PostgreSQL at 127.0.0.1:1/library: ")
    assert failures[0].rstrip().endswith("retrying in 1 s")
    assert failures[1].rstrip().endswith("retrying in 2 s")
    text = "".join(lines)
    assert "Traceback" not in text and "secret" not in text  # the password is never shown
    assert process.returncode in (0, 130)  # Ctrl-C while running or while waiting


async def test_run_waiting_to_retry_stops_on_sigterm_as_on_ctrl_c(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Between attempts to reach the library (no event loop running) SIGTERM ends the
    process as Ctrl-C does, without a traceback."""
    unreachable = "postgresql://storybot:secret@127.0.0.1:1/library"
    async with storybot_run(sandbox, tmp_path, unreachable,
                            stop_with=signal.SIGTERM) as process:
        await read_lines_until(process, 1, "cannot reach PostgreSQL")
    assert process.returncode in (0, 130)  # while running or while waiting
    assert process.stderr is not None
    assert "Traceback" not in (await process.stderr.read()).decode("utf-8", "replace")


async def test_run_stops_in_order_on_sigterm_as_on_ctrl_c(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    """A service manager stops the bot with SIGTERM: it closes as on Ctrl-C (exit 0, its
    goodbye logged), not killed with queued feedback unwritten: a reaction it has just
    received (its writer gathers a burst for up to 50 ms) is in the library afterwards."""
    reader, heart = sandbox.users.reader, "\N{HEAVY BLACK HEART}"
    async with storybot_run(sandbox, tmp_path, str(settings.storybot_db),
                            stop_with=signal.SIGTERM) as process:
        await sandbox.wait_until_bot_ready(timeout=60)
        await sandbox.wait_for_commands("excerpt", timeout=60)
        card = await (await sandbox.slash(reader, "excerpt", channel="stories",
                                          timeout=30)).wait_until_done()
        await recorded_as_post(settings, card.id)  # reactions count on posts only
        await sandbox.react(reader, card, heart)
        await asyncio.sleep(0.02)  # read by the bot; its writer may still be gathering it
    assert process.returncode == 0
    store = await open_store(settings.storybot_db)
    try:
        reactions = await store.feedback.reactions(sandbox.guild_id)
    finally:
        await store.close()
    assert reactions == [(card.id, reader.id, heart)]
    await stopped_in_order(process)


async def test_run_stopped_while_starting_ends_its_start_up_in_order(
    sandbox: Sandbox, settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM before the bot is set up (its library opening, its commands not yet synced)
    ends the start-up: exit 0, no traceback. Had it come later, the bot would close as it
    does when running (above); either way it stops."""
    async with storybot_run(sandbox, tmp_path, str(settings.storybot_db),
                            stop_with=signal.SIGTERM) as process:
        await read_lines_until(process, 1, "logging in using static token")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    assert process.returncode == 0
    await stopped_in_order(process)
