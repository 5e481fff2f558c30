"""The sandbox HTTP server: one aiohttp app serving the REST API under /api/v{n}, the gateway
websocket at /gateway and uploaded files under /attachments. Every API request is logged in
the state; unknown routes answer 404 `{"message": "404: Not Found", "code": 0}` and are
remembered in `state.unknown_routes` so gaps are visible."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from . import auth
from .faults import Fault
from .gateway import GatewayHub
from .http_util import JSON_KEY, MULTIPART_KEY, DiscordError, json_response, parse_json, read_body
from .ratelimits import RateDecision
from .request_log import LoggedRequest
from .rest_core import add_core_routes
from .rest_interactions import add_interaction_routes
from .rest_messages import add_message_routes
from .spec import DiscordSpec
from .state import SandboxState

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


API_TEMPLATE = re.compile(r"^/api/v\{version\}")
# discord.py treats a 429 without a Via header as a Cloudflare ban; Discord's answers have it.
ALWAYS_HEADERS = {"Via": "1.1 google"}


def _fault_response(fault: Fault) -> web.Response:
    response = json_response(fault.body(), fault.status)
    response.headers.update(fault.headers())
    return response


def _response_json(response: web.StreamResponse) -> tuple[str, object]:
    """Content type and parsed body of a response the sandbox built (None when empty)."""
    body = getattr(response, "body", None)
    if not isinstance(body, bytes | bytearray) or not body:
        return response.content_type if body else "", None
    if response.content_type == "application/json":
        return response.content_type, json.loads(body)
    return response.content_type, body


def create_app(state: SandboxState, hub: GatewayHub) -> web.Application:
    async def serve(request: web.Request, handler: Handler, route: str,
                    fault: Fault | None, decision: RateDecision) -> web.StreamResponse:
        """Discord's checks in Discord's order, then the handler (or an injected fault)."""
        auth.check_version(request)
        auth.check_token(request, route, state.bot_token)
        if request.content_type == "application/json" and request.body_exists:
            text = await request.text()
            if text:
                request[JSON_KEY] = parse_json(text)
        if fault is not None and not fault.after_processing:
            if fault.delay:
                await asyncio.sleep(fault.delay)  # the request reaches "Discord" late
            if fault.status:
                return _fault_response(fault)
        if not decision.allowed:
            state.rate_limits.limited.append(f"{request.method} {request.path}")
            limited = json_response(decision.body(), 429)
            limited.headers.update(decision.headers)
            return limited
        response = await handler(request)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status:
                return _fault_response(fault)
        return response

    @web.middleware
    async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        resource = request.match_info.route.resource
        route = API_TEMPLATE.sub("", resource.canonical) if resource is not None else request.path
        fault = state.faults.take(request.method, route) if resource is not None else None
        decision = state.rate_limits.take(f"{request.method} {route}", dict(request.match_info))
        try:
            response = await serve(request, handler, route, fault, decision)
        except DiscordError as exc:
            response = json_response(exc.payload, exc.status_code)
        except web.HTTPNotFound:
            log.warning("sandbox: no route for %s %s", request.method, request.path)
            state.unknown_routes.append(f"{request.method} {request.path}")
            response = json_response({"message": "404: Not Found", "code": 0}, 404)
        except web.HTTPMethodNotAllowed:
            state.unknown_routes.append(f"{request.method} {request.path}")
            response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        if fault is None or fault.status != 429:
            response.headers.update(decision.headers)
        response.headers.update(ALWAYS_HEADERS)
        body, files, text = await _logged_body(request)
        logged = LoggedRequest(request.method, request.path, route, body, response.status,
                               files, dict(request.query), text)
        state.requests.append(logged)
        if state.spec is not None:
            _check_against_spec(state, request, response, logged.json, files, fault)
        return response

    app = web.Application(middlewares=[api_middleware], client_max_size=64 * 1024 * 1024)
    app.router.add_get("/gateway", hub.handle)
    app.router.add_get("/gateway/", hub.handle)
    add_core_routes(app, state)
    add_message_routes(app, state)
    add_interaction_routes(app, state)
    return app


async def _logged_body(request: web.Request) -> tuple[object, list[str], str | None]:
    """The body for the log: parsed (multipart), or its JSON text, parsed when read."""
    if request.content_type.startswith("multipart/"):
        if MULTIPART_KEY not in request:  # answered before the handler read it
            with contextlib.suppress(DiscordError, ValueError, OSError):
                await read_body(request)
        body, files = request.get(MULTIPART_KEY, (None, []))
        return body, files, None
    if request.content_type == "application/json" and request.body_exists:
        return None, [], await request.text()
    return None, [], None


def _check_against_spec(state: SandboxState, request: web.Request,
                        response: web.StreamResponse, body: object, files: list[str],
                        fault: Fault | None) -> None:
    """Record where the request or the response disagrees with Discord's OpenAPI document.
    Injected faults answer what Discord answers when it is down, which the spec does not
    describe, so their responses are not checked."""
    spec = state.spec
    assert spec is not None
    if request.content_type == "application/json" and isinstance(body, str):
        return  # malformed JSON on purpose; answered 50109 above
    found = spec.check_request(request.method, request.path, request.query,
                               request.content_type if request.body_exists else "", body, files)
    if fault is None or not fault.status:
        content_type, payload = _response_json(response)
        found += spec.check_response(request.method, request.path, response.status,
                                     content_type, payload, response.headers)
    state.spec_violations.extend(found)


class SandboxServer:
    """Runs the app on 127.0.0.1 (port 0 = pick a free one)."""

    def __init__(self, state: SandboxState | None = None, *, validate_spec: bool = False,
                 world_time_ms: int | None = None) -> None:
        self.state = state or SandboxState(world_time_ms)
        if validate_spec:
            self.state.spec = DiscordSpec.load()
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
