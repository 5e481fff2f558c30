"""The sandbox HTTP server: one aiohttp app serving the REST API under /api/v{n}, the gateway
websocket at /gateway and uploaded files under /attachments. Every API request is logged in
the state; unknown routes answer 404 `{"message": "404: Not Found", "code": 0}` and are
remembered in `state.unknown_routes` so gaps are visible."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from .gateway import GatewayHub
from .http_util import MULTIPART_KEY, DiscordError, json_response
from .rest_core import add_core_routes
from .rest_interactions import add_interaction_routes
from .rest_messages import add_message_routes
from .state import LoggedRequest, SandboxState

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _rate_limit_headers(route: str) -> dict[str, str]:
    """Generous, never-exhausted buckets: enough for discord.py's rate limiter to be happy."""
    bucket = hashlib.sha1(route.encode()).hexdigest()[:16]
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": bucket,
    }


def create_app(state: SandboxState, hub: GatewayHub) -> web.Application:
    @web.middleware
    async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        body: object = None
        files: list[str] = []
        if request.content_type == "application/json" and request.body_exists:
            text = await request.text()
            body = json.loads(text) if text else None
        try:
            response = await handler(request)
            status = response.status
        except DiscordError as exc:
            response = json_response(exc.payload, exc.status_code)
            status = exc.status_code
        except web.HTTPNotFound:
            log.warning("sandbox: no route for %s %s", request.method, request.path)
            state.unknown_routes.append(f"{request.method} {request.path}")
            response = json_response({"message": "404: Not Found", "code": 0}, 404)
            status = 404
        except web.HTTPMethodNotAllowed:
            state.unknown_routes.append(f"{request.method} {request.path}")
            response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
            status = 405
        if request.content_type.startswith("multipart/"):
            body, files = request.get(MULTIPART_KEY, (None, []))
        state.requests.append(LoggedRequest(request.method, request.path, route, body, status,
                                            files))
        response.headers.update(_rate_limit_headers(route))
        return response

    app = web.Application(middlewares=[api_middleware], client_max_size=64 * 1024 * 1024)
    app.router.add_get("/gateway", hub.handle)
    app.router.add_get("/gateway/", hub.handle)
    add_core_routes(app, state)
    add_message_routes(app, state)
    add_interaction_routes(app, state)
    return app


class SandboxServer:
    """Runs the app on 127.0.0.1 (port 0 = pick a free one)."""

    def __init__(self, state: SandboxState | None = None) -> None:
        self.state = state or SandboxState()
        self.hub = GatewayHub(self.state)
        self.app = create_app(self.state, self.hub)
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        self.port = int(self.runner.addresses[0][1])  # the port actually bound
        self.state.base_url = f"http://{host}:{self.port}"
        self.hub.gateway_url = f"ws://{host}:{self.port}/gateway"

    async def stop(self) -> None:
        await self.hub.close_all(code=1001)
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
