"""A small real discord.py AutoShardedClient for the sharding tests: one slash command that
says which shard answered, and a record of which guilds each kind of event came from."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from sandbox.control import Sandbox


class ShardClient(discord.AutoShardedClient):
    def __init__(self, shard_ids: list[int] | None = None, shard_count: int | None = None
                 ) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        # Without both, discord.py asks GET /gateway/bot how many shards to run.
        sharding: dict[str, Any] = {} if shard_ids is None else {"shard_ids": shard_ids,
                                                 "shard_count": shard_count}
        super().__init__(intents=intents, guild_ready_timeout=0.05, **sharding)
        self.tree = app_commands.CommandTree(self)
        self.interaction_guilds: list[int] = []
        self.reaction_guilds: list[int] = []
        self.message_guilds: list[int] = []
        self.joined: list[int] = []
        self.thread_guilds: list[int] = []
        self.deleted_channel_guilds: list[int] = []
        self.commands_synced_to: list[int] = []

        @self.tree.command(description="Which shard serves this server")
        async def where(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            self.interaction_guilds.append(interaction.guild.id)
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            await interaction.response.send_message(
                f"shard {interaction.guild.shard_id} of {self.shard_count} in process "
                f"{os.getpid()}", ephemeral=True)
            posted = await channel.send(f"{interaction.guild.name} is served here")
            await posted.add_reaction("\N{OPEN BOOK}")
            await interaction.followup.send(f"posted {posted.id}")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False
                                   ) -> None:
        """Discord makes later shards of one process wait 5 s between IDENTIFYs; the
        stand-in has no such limit."""

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_ready(self) -> None:
        # Guild commands in every guild this client serves: REST with each guild's id.
        for guild in self.guilds:
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            self.commands_synced_to.append(guild.id)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.guild_id is not None:
            self.reaction_guilds.append(payload.guild_id)

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None:
            self.message_guilds.append(message.guild.id)

    async def on_thread_create(self, thread: discord.Thread) -> None:
        self.thread_guilds.append(thread.guild.id)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self.deleted_channel_guilds.append(channel.guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.joined.append(guild.id)


@dataclass
class RunningClient:
    client: ShardClient
    task: asyncio.Task[None]

    async def stop(self) -> None:
        await self.client.close()
        await asyncio.wait_for(self.task, 10)


async def start_clients(sandbox: Sandbox, *clients: ShardClient, shards: int | None = None
                        ) -> list[RunningClient]:
    """Log every client in, connect them all, and wait until each is ready."""
    running = []
    for client in clients:
        await client.login(sandbox.token or "sandbox-token")
        running.append(RunningClient(client, asyncio.create_task(client.connect())))
    await sandbox.wait_until_bot_ready(timeout=20, shards=shards)
    for item in running:
        await asyncio.wait_for(item.client.wait_until_ready(), 20)
    return running
