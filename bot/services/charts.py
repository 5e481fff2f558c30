"""Charts drawn in a process of their own, not in a thread of the bot's.

matplotlib renders in C while holding the GIL, for tens of milliseconds a chart: drawn in a
thread, it stalled the event loop (bench_loop_lag: p99 lag 20.5 ms and a 73 ms tick during
`/stats`, against 1.6 ms idle), and with it every other server's commands. A worker
process has a GIL of its own. The worker starts with the first chart (a second or so to
import matplotlib, while the command shows "thinking") and stays for the next ones.

It is started with "spawn": a fresh interpreter that shares nothing with the bot's threads,
and that leaves the fork server to the importers' pool (bot.importers.parallel).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.render.stats import render_chart

log = logging.getLogger("storybot.charts")


class ChartDrawer:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def reactions(self, days: list[tuple[str, int]], title: str) -> bytes:
        """The reactions-per-day bar chart as PNG bytes."""
        try:
            # Submitted from a thread: the first chart starts the worker process, and
            # starting a process blocks the caller for tens of milliseconds.
            drawn = await asyncio.to_thread(self._worker().submit, render_chart, days, title)
            return await asyncio.wrap_future(drawn)
        except (BrokenProcessPool, OSError) as error:
            # The worker died (or could not start: no processes left): the next chart
            # starts a new one; this one is drawn in a thread, late rather than missing.
            log.warning("the chart process failed (%s); drawing in a thread", error)
            self.close()
            return await asyncio.to_thread(render_chart, days, title)

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def close(self) -> None:
        """Let the worker go (a chart being drawn is abandoned)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
