"""The bot as the whole process (`storybot run`): serve until Ctrl-C or SIGTERM, then close
in order.

A stop once the bot is set up closes it rather than cancelling the task that runs it, as
asyncio.run's own Ctrl-C handling does. discord.py connects to the gateway inside
asyncio.wait_for, and on Python 3.11 wait_for drops a cancellation that arrives just as the
connection completes (CPython gh-86296, fixed in 3.12): the bot went on serving, and a
service manager's SIGTERM ended in its SIGKILL, queued feedback unwritten. Closing ends the
gateway loop whatever it is waiting on, and the close's own steps (feedback written, the
index snapshot saved) finish before the process ends.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import StoryBot

log = logging.getLogger("storybot")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_until_stopped(bot: StoryBot, token: str) -> None:
    """Serve on this thread's own event loop until a stop signal; a second one stops at
    once (what is still queued then is lost, as with a kill)."""
    try:
        asyncio.run(serve(bot, token))
    except KeyboardInterrupt:
        return


async def serve(bot: StoryBot, token: str) -> None:
    main = asyncio.current_task()
    assert main is not None
    closing: asyncio.Task[None] | None = None
    stopping = False

    def stop(signum: signal.Signals) -> None:
        nonlocal closing, stopping
        if stopping:
            raise KeyboardInterrupt  # asked twice: out of the loop, which cancels the rest
        stopping = True
        if bot.is_set_up:
            log.info("stopping (%s)", signum.name)
            closing = asyncio.create_task(bot.close(), name="stop")
        else:  # still starting (nothing is connected or queued yet): end the start-up
            log.info("stopping (%s) while starting", signum.name)
            main.cancel()

    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        async with bot:
            await bot.start(token)
    except asyncio.CancelledError:
        if not stopping:
            raise
    except Exception:
        if not stopping:
            raise
        # The gateway torn down under a connection attempt: the stop goes on regardless.
        log.debug("the connection ended with an error while stopping", exc_info=True)
    if closing is not None:
        await closing
    log.info("stopped")
