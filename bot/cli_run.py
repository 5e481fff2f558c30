"""The commands that run the bot: `run` (on Discord, optionally some of its shards),
`sandbox` (against the local stand-in) and `start` (whichever of the two fits)."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable
from typing import Annotated

import typer

from bot.cli_common import err
from bot.config import Settings, load_settings
from bot.library.errors import InvalidInput, StoryBotError
from bot.library.shards import ShardPlan, shard_plan
from bot.library.text_safety import printable
from bot.store.open import is_postgres, open_store


def _settings(ctx: typer.Context) -> Settings:
    return load_settings(storybot_db=ctx.obj)


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# Text, parsed by bot.library.shards: "x" or "3-1" get its one-line reasons.
ShardCountOption = Annotated[str | None, typer.Option(
    "--shard-count", metavar="N", show_default=False,
    help="How many shards the whole bot has (env STORYBOT_SHARD_COUNT); without it the "
         "bot is one unsharded connection.")]
ShardsOption = Annotated[str | None, typer.Option(
    "--shards", metavar="IDS", show_default=False,
    help="The shards this process runs, e.g. 0-3 or 0,2,5 (env STORYBOT_SHARDS; default: "
         "all of them).")]


def _shard_plan(settings: Settings) -> ShardPlan | None:
    try:
        return shard_plan(settings.storybot_shard_count, settings.storybot_shards)
    except InvalidInput as problem:
        err.print(printable(f"error: {problem}"), highlight=False, markup=False)
        raise typer.Exit(2) from None


def run_bot(ctx: typer.Context, shard_count: ShardCountOption = None,
            shards: ShardsOption = None) -> None:
    """Connect to Discord with DISCORD_TOKEN (from the environment or .env).

    With --shard-count and --shards, this process runs those shards of the bot (several
    processes, each with its own shards, share one PostgreSQL library)."""
    settings = _settings(ctx)
    given = {key: value for key, value in (("storybot_shard_count", shard_count),
                                           ("storybot_shards", shards)) if value is not None}
    settings = settings.model_copy(update=given)
    plan = _shard_plan(settings)
    if settings.discord_token is None:
        err.print("error: DISCORD_TOKEN is not set; put it in .env (see .env.example) "
                  "or try `storybot sandbox`", highlight=False)
        raise typer.Exit(2)
    _configure_logging(settings)
    from bot.app import create_bot, point_at_api
    from bot.serve import run_until_stopped

    point_at_api(settings)
    if plan is not None:
        logging.getLogger("storybot").info("running %s", plan.describe())
    token = settings.discord_token.get_secret_value()
    _run_until_stopped(settings,
                       lambda: run_until_stopped(create_bot(settings, plan, own_process=True),
                                                 token))


def _stop_on_signals_between_runs() -> None:
    """Outside the bot's event loop (before it starts, waiting to try again), Ctrl-C and
    SIGTERM (a service manager's stop) end the process with a KeyboardInterrupt; inside it,
    bot.serve closes the bot in order. Ctrl-C works even when the process was started with
    SIGINT ignored (as a background job of a non-interactive shell is). Set again after
    each run: a closed event loop leaves SIGTERM at its default."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


# Waits between attempts to reach Discord or the database: doubling, at most a minute.
_FIRST_RETRY_SECONDS, _MAX_RETRY_SECONDS = 1.0, 60.0


def _database_unavailable(settings: Settings) -> tuple[type[BaseException], ...]:
    """The error of a database that cannot be reached now (and may be later): only
    PostgreSQL's; the driver is not loaded for a SQLite library."""
    if not is_postgres(settings.storybot_db):
        return ()
    from bot.store.postgres.database import DatabaseUnavailable

    return (DatabaseUnavailable,)


def _run_until_stopped(settings: Settings, run_once: Callable[[], None]) -> None:
    """Run the bot; while Discord or the database cannot be reached, say so in one line and
    try again later (doubling the wait) instead of ending with a traceback. A refused token
    or another library error ends with its line."""
    import aiohttp
    import discord

    where = settings.discord_api_base or "discord.com"
    database_unavailable = _database_unavailable(settings)
    delay = _FIRST_RETRY_SECONDS
    _stop_on_signals_between_runs()
    while True:
        try:
            try:
                run_once()
            finally:
                _stop_on_signals_between_runs()
            return
        except discord.LoginFailure:
            err.print("error: Discord refused DISCORD_TOKEN; check it in .env", highlight=False)
            raise typer.Exit(2) from None
        except database_unavailable as problem:  # names the host and the reason
            err.print(f"{printable(str(problem))}; retrying in {delay:.0f} s",
                      highlight=False, markup=False)
        except StoryBotError as problem:  # e.g. a library migrated by a newer storybot
            err.print(f"error: {printable(str(problem))}", highlight=False, markup=False)
            raise typer.Exit(1) from None
        except (TimeoutError, OSError, aiohttp.ClientError, discord.GatewayNotFound,
                discord.DiscordServerError) as problem:
            reason = printable(str(problem) or type(problem).__name__)
            err.print(f"cannot reach Discord at {printable(where)} ({reason}); "
                      f"retrying in {delay:.0f} s", highlight=False, markup=False)
        try:
            time.sleep(delay)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        delay = min(delay * 2, _MAX_RETRY_SECONDS)


def run_sandbox(ctx: typer.Context) -> None:
    """Run the real bot against a local stand-in for Discord, with a console to drive it."""
    from sandbox.console import run_console

    settings = _settings(ctx)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _check_library(settings)
    raise typer.Exit(asyncio.run(run_console(settings)))


def _check_library(settings: Settings) -> None:
    """Open and close the library once, so that one that cannot be opened (a PostgreSQL
    that is down, a wrong DSN) is one line before the sandbox and the bot start."""
    async def open_and_close() -> None:
        store = await open_store(settings.storybot_db)
        await store.close()

    try:
        asyncio.run(open_and_close())
    except StoryBotError as problem:
        err.print(f"error: {printable(str(problem))}", highlight=False, markup=False)
        raise typer.Exit(1) from None


def start(ctx: typer.Context) -> None:
    """The README's first command: the bot on Discord with a token, else the sandbox."""
    if _settings(ctx).discord_token is None:
        err.print("No DISCORD_TOKEN set: starting the local sandbox. To go live, put "
                  "DISCORD_TOKEN=... in .env (see .env.example) and run again.", highlight=False)
        run_sandbox(ctx)
    else:
        run_bot(ctx)
