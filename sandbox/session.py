"""The real StoryBot running against the sandbox in this process: for the console, the
end-to-end tests and the benchmarks. Nothing in the bot knows it is in a sandbox: it gets
the sandbox's addresses the way it would get a Discord-compatible server's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot.app import StoryBot, create_bot, point_at_api
from bot.config import Settings
from bot.library.clock import Clock
from bot.library.shards import ShardPlan
from sandbox.control import Sandbox
from sandbox.world_file import world_time_ms

SANDBOX_TOKEN = "sandbox.token.not-a-secret"


@dataclass
class RunningBot:
    bot: StoryBot
    task: asyncio.Task[None]

    async def stop(self) -> None:
        await self.bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)


def sandbox_settings(sandbox: Sandbox, base: Settings) -> Settings:
    return base.model_copy(update={
        "discord_api_base": sandbox.api_base,
        "discord_gateway_url": sandbox.gateway_url,
    })


async def start_bot(
    sandbox: Sandbox, settings: Settings, *, clock: Clock | None = None,
    shards: ShardPlan | None = None, **options: Any
) -> RunningBot:
    """Start a StoryBot against the sandbox and wait until it is ready with its commands;
    with `shards`, the sharded bot running those shards."""
    settings = sandbox_settings(sandbox, settings)
    point_at_api(settings)
    # The sandbox sends every guild at once; no need to wait 2 s for stragglers.
    bot = create_bot(settings, shards, clock=clock, guild_ready_timeout=0.05, **options)
    await bot.login(SANDBOX_TOKEN)
    task = asyncio.create_task(bot.connect(reconnect=True), name="storybot-sandbox")
    try:
        await sandbox.wait_until_bot_ready(timeout=30)
        await asyncio.wait_for(bot.wait_until_ready(), 30)
    except BaseException:
        await bot.close()
        task.cancel()
        raise
    return RunningBot(bot, task)


@contextlib.asynccontextmanager
async def bot_in_sandbox(
    settings: Settings, *, clock: Clock | None = None
) -> AsyncIterator[tuple[Sandbox, RunningBot]]:
    async with Sandbox.start(world_time_ms=world_time_ms(settings.storybot_db)) as sandbox:
        with sandbox.pointed_at():
            running = await start_bot(sandbox, settings, clock=clock)
            try:
                yield sandbox, running
            finally:
                await running.stop()
