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
    await bot.login("sandbox-token")
    task = asyncio.create_task(bot.connect(reconnect=True))
    await sandbox.wait_until_bot_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot, task


async def stop_bot(bot: SampleBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox.start() as sb:
        with sb.pointed_at():
            yield sb


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[SampleBot]:
    client, task = await start_bot(sandbox)
    yield client
    await stop_bot(client, task)
