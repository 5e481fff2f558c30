"""The fault-injection verbs of the control API (`Sandbox.faults`): routes that fail or
answer late, rate-limit buckets that run out, and a gateway that drops the bot.

    sb.faults.fail_next("POST /channels/{channel_id}/messages", 500)
    sb.faults.fail_next("/webhooks/{app_id}/{token}", 503, times=2)
    sb.faults.delay_next("POST /interactions/{interaction_id}/{token}/callback", 3.5)
    async with sb.faults.gateway_outage():   # the bot is disconnected in here
        await sb.react(...)                  # ... and gets this on RESUME
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from .faults import Fault
from .server import SandboxServer


class SandboxFaults:
    def __init__(self, server: SandboxServer) -> None:
        self._server = server
        self._plan = server.state.faults

    def fail_next(self, route: str, status: int, times: int = 1, *, retry_after: float = 1.0,
                  after_processing: bool = False) -> Fault:
        """The next `times` calls of `route` answer `status` (429 with Retry-After, 403, 500,
        502 or 503). With `after_processing` the call is served first (a message is really
        posted) and the fault replaces its answer."""
        return self._plan.fail_next(route, status, times, retry_after=retry_after,
                                    after_processing=after_processing)

    def delay_next(self, route: str, seconds: float, times: int = 1, *,
                   after_processing: bool = True) -> Fault:
        """Serve the next `times` calls of `route`, then hold each answer `seconds`; with
        `after_processing=False` hold the request first, then serve it."""
        return self._plan.delay_next(route, seconds, times, after_processing=after_processing)

    def rate_limit(self, route: str, limit: int, window: float) -> None:
        """Give `route` a bucket of `limit` calls per `window` seconds."""
        self._server.state.rate_limits.set(route, limit, window)

    @property
    def injected(self) -> list[str]:
        """Every fault used so far: "METHOD /route -> status"."""
        return list(self._plan.injected)

    @property
    def pending(self) -> list[Fault]:
        return list(self._plan.pending)

    @property
    def rate_limited(self) -> list[str]:
        """Every request answered 429 by a bucket that ran out."""
        return list(self._server.state.rate_limits.limited)

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's gateway connection(s) as Discord does when it restarts a node;
        the session stays, so the bot reconnects and RESUMEs."""
        await self._server.hub.close_all(code=code)

    @contextlib.asynccontextmanager
    async def gateway_outage(self, code: int = 4000) -> AsyncIterator[None]:
        """Drop the bot and hold its reconnect (before HELLO) until the block ends; events
        in the block are kept in the session and replayed when the bot RESUMEs."""
        hub = self._server.hub
        hub.accepting.clear()
        try:
            await hub.close_all(code=code)
            yield
        finally:
            hub.accepting.set()
