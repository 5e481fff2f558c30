"""StoryBot: the discord.py client. `setup_hook` owns start-up."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import pkgutil
import sys
from typing import Any

import discord
import discord.gateway
import yarl
from discord import app_commands
from discord.ext import commands

from bot.bootstrap import Services, build_services
from bot.config import Settings
from bot.errors import StoryCommandTree
from bot.heap import release_free_memory
from bot.importers.base import ImportLimits
from bot.library.clock import Clock, SystemClock
from bot.library.shards import ShardPlan
from bot.ui import persistent_items

log = logging.getLogger("storybot")


def cog_extensions() -> list[str]:
    """Every module in cogs/ is one cog with `async def setup(bot)`; adding a file adds it."""
    import cogs

    return sorted(f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__)
                  if not module.name.startswith("_"))


COGS = cog_extensions()
_SYNCED_TREE_KEY = "synced_command_tree"
SETTLE_AFTER_READY_SECONDS = 1.0


def point_at_api(settings: Settings) -> None:
    """Talk to a Discord-compatible server (or the sandbox) instead of Discord.

    discord.py reads the REST base from Route.BASE and connects to DEFAULT_GATEWAY without
    asking /gateway/bot, so both are set. The sharded bot does the same because it is always
    given its shard count: only without one would it ask /gateway/bot and take that URL.
    """
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def bot_intents() -> discord.Intents:
    """The least the features need: guild structure and reactions. No message content."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_reactions = True
    return intents


GIL_SWITCH_SECONDS = 0.001


class StoryBot(commands.Bot):
    services: Services
    _settling: asyncio.Task[None] | None = None
    # Its services built, cogs loaded and commands synced (bot.serve closes a bot that is,
    # and cancels the start-up of one that is not).
    is_set_up = False
    # The shards this process runs when the bot is split over processes; None: all of it.
    plan: ShardPlan | None = None

    @property
    def runs_library_chores(self) -> bool:
        """Work for the whole library rather than for servers (purging removed servers'
        data) is done once, by the process running shard 0 (or the only process)."""
        return self.plan is None or 0 in self.plan.ids

    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, own_process: bool = False,
        **options: Any
    ) -> None:
        """`own_process`: the bot is the whole process (`storybot run`, a benchmark's peer),
        so it may freeze the start-up heap (`_settle_heap`); tests start many bots in one
        process, whose heap is not the bot's to freeze."""
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            # Story text never pings anyone; a message that may ping says so itself.
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=StoryCommandTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.clock = clock or SystemClock()
        self.own_process = own_process

    async def setup_hook(self) -> None:
        # Parsing an upload, drawing a chart or writing a CSV run in threads; with CPython's
        # default 5 ms hand-over the loop waited up to that long for the GIL at each wake-up
        # (loop lag p99 39 -> 21 ms during /story add, /stats, /export: bench_loop_lag).
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.services = await build_services(
            self.settings.storybot_db, clock=self.clock, client=self,
            limits=ImportLimits(max_bytes=self.settings.max_upload_bytes),
            demo_stories=self.settings.demo_stories_dir,
        )
        # A big library takes seconds to index; the bot is online meanwhile and /recommend
        # waits for it.
        self.services.recommendations.start_in_background()
        self._settling = asyncio.create_task(self._settle_heap(), name="settle-heap")
        self.add_dynamic_items(*persistent_items())
        for extension in COGS:
            await self.load_extension(extension)
        await self.sync_commands()
        self.is_set_up = True

    async def _settle_heap(self) -> None:
        """Once the long-lived objects exist (the recommendation index, the titles), move
        them out of the collector's reach. A full collection otherwise walks every one of
        them, hundreds of thousands at 100k stories: that pause was the p99 tail. At any
        size: the modules alone (discord.py, numpy, lxml...) made a full collection take
        60-75 ms at 1k stories. Then give the memory their building freed back to the
        system (bot.heap)."""
        try:
            await self.services.recommendations.ready()
            # Requests that waited for the index answer first: the title index and the full
            # collection below hold the event loop (and the database) for seconds at 100k.
            await asyncio.sleep(SETTLE_AFTER_READY_SECONDS)
            stories = await self.services.catalog.story_count()  # reads the title rows
        except Exception:  # the index reports its own failure to /recommend
            log.exception("start-up indexing failed; the heap is left as it is")
            return
        if not self.own_process:
            return
        log.debug("freezing the start-up heap (%d stories)", stories)
        gc.collect()
        gc.freeze()
        release_free_memory()

    async def sync_commands(self) -> None:
        """Sync to the dev guild when set; globally only when the tree changed since last time."""
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            log.info("synced commands to the development server %s", guild.id)
            return
        fingerprint = command_tree_fingerprint(self.tree)
        # Remembered per application and API, so another bot or server still gets a sync.
        key = f"{_SYNCED_TREE_KEY}:{self.application_id}:{discord.http.Route.BASE}"
        if await self.services.bot_state.get(key) == fingerprint:
            log.info("commands unchanged since the last sync; not syncing")
            return
        await self.tree.sync()
        await self.services.bot_state.set(key, fingerprint)
        log.info("synced commands globally")

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    async def close(self) -> None:
        if self._settling is not None:
            self._settling.cancel()
        await super().close()
        if hasattr(self, "services"):
            writes = self.services.store.feedback_writes
            if writes.running:
                # Queued reactions are committed before the snapshot's save, which can take
                # seconds: a service manager that kills a slow stop must not cost them.
                await writes.flush()
            recommendations = self.services.recommendations
            if self.runs_library_chores and recommendations.is_ready:
                # The next start then loads the index instead of building it (one process
                # does it for all: they share the library).
                await recommendations.index_start.refresh_saved()
            await self.services.close()


class ShardedStoryBot(StoryBot, commands.AutoShardedBot):
    """The same bot running several shards in one process (AutoShardedBot's connections).
    Everything but the connections comes from StoryBot: commands.Bot and AutoShardedBot
    add nothing of their own, so this class order gives StoryBot's hooks over
    AutoShardedClient's connections."""

    def __init__(self, settings: Settings, plan: ShardPlan, *, clock: Clock | None = None,
                 **options: Any) -> None:
        # The count is always given: with it discord.py connects to DEFAULT_GATEWAY (the
        # configured one) instead of the URL from GET /gateway/bot.
        super().__init__(settings, clock=clock, shard_count=plan.count,
                         shard_ids=list(plan.ids), **options)
        self.plan = plan

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %d of %d ready", shard_id, self.shard_count)


def create_bot(settings: Settings, plan: ShardPlan | None, *, clock: Clock | None = None,
               **options: Any) -> StoryBot:
    """The bot for a shard plan: one unsharded connection without one."""
    if plan is None:
        return StoryBot(settings, clock=clock, **options)
    return ShardedStoryBot(settings, plan, clock=clock, **options)


def command_tree_fingerprint(tree: app_commands.CommandTree[Any]) -> str:
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    encoded = json.dumps(payload, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
