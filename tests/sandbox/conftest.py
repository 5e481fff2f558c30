"""Fixtures: a running sandbox with this process's discord.py pointed at it, and the sample
bot logged in and connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sandbox.control import Sandbox

from .sample_bot import SampleBot


async def start_bot(sandbox: Sandbox) -> tuple[SampleBot, asyncio.Task[None]]:
    bot = SampleBot()
    await bot.login(sandbox.token or "sandbox-token")
    task = asyncio.create_task(bot.connect(reconnect=True))
    await sandbox.wait_until_bot_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot, task


async def stop_bot(bot: SampleBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """A sandbox in validation mode: at teardown, every REST request and response must
    agree with Discord's OpenAPI spec (or with a quirk listed in sandbox/spec_allowlist.py)."""
    async with Sandbox.start(validate_spec=True) as sb:
        with sb.pointed_at():
            yield sb
        assert_spec_clean(sb)


def bot_headers(sandbox: Sandbox) -> dict[str, str]:
    """What discord.py sends on every REST call: the bot token."""
    return {"Authorization": f"Bot {sandbox.token}"}


def assert_spec_clean(sandbox: Sandbox) -> None:
    problems = sandbox.spec_problems()
    assert not problems, "traffic disagrees with Discord's OpenAPI spec:\n" + "\n".join(
        problems[:20])


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[SampleBot]:
    client, task = await start_bot(sandbox)
    yield client
    await stop_bot(client, task)
