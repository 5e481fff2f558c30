"""Shared pieces of the sandbox REST API: Discord-shaped JSON responses and errors, and body
parsing for both JSON and multipart (`payload_json` + `files[n]`) requests."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .entities import JsonDict

Uploads = dict[int, tuple[str, bytes]]
# Where read_body leaves a parsed multipart body for the request log.
MULTIPART_KEY: Any = "sandbox_multipart"
# Where the server's check of a JSON body leaves it parsed for the handler's read_body.
JSON_KEY: Any = "sandbox_json"
if hasattr(web, "RequestKey"):  # aiohttp >= 3.12 prefers typed keys
    MULTIPART_KEY = web.RequestKey("sandbox_multipart", tuple)
    JSON_KEY = web.RequestKey("sandbox_json", object)


def json_response(data: Any, status: int = 200) -> web.Response:
    """discord.py only parses JSON when Content-Type is exactly "application/json"."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(body=body, status=status, content_type="application/json")


def no_content() -> web.Response:
    return web.Response(status=204)


class DiscordError(Exception):
    """An error answered with Discord's `{"message", "code"}` JSON body (the server's
    middleware turns it into the response)."""

    def __init__(self, status: int, code: int, message: str, extra: JsonDict | None = None):
        super().__init__(message)
        self.status_code = status
        self.payload: JsonDict = {"message": message, "code": code, **(extra or {})}


def not_found(what: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


async def read_body(request: web.Request) -> tuple[Any, Uploads]:
    """The JSON body, or for multipart the parsed `payload_json` plus uploaded files by index."""
    uploads: Uploads = {}
    if request.content_type.startswith("multipart/"):
        body: JsonDict = {}
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            name = part.name or ""  # type: ignore[union-attr]
            data = await part.read()  # type: ignore[union-attr]
            if name == "payload_json":
                body = parse_json(data)
            elif name.startswith("files[") or name.startswith("file"):
                index = int(name[6:-1]) if name.startswith("files[") else len(uploads)
                uploads[index] = (part.filename or f"file{index}", bytes(data))  # type: ignore
        request[MULTIPART_KEY] = (body, [name for name, _ in uploads.values()])
        return body, uploads
    if not request.body_exists:
        return {}, uploads
    if JSON_KEY in request:  # parsed once, when the server checked it was JSON
        return request[JSON_KEY], uploads
    text = await request.text()  # cached by aiohttp, so the logging middleware can read it too
    return (parse_json(text) if text else {}), uploads


def parse_json(data: str | bytes | bytearray) -> Any:
    """A request body as JSON, or Discord's 400 "invalid JSON" error (code 50109)."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc


def snowflake(request: web.Request, key: str) -> int:
    value = request.match_info[key]
    if not value.isdigit():
        raise DiscordError(400, 50035, "Invalid Form Body",
                           {"errors": {key: {"_errors": [{"code": "NUMBER_TYPE_COERCE",
                                                          "message": "Value is not snowflake."}]}}})
    return int(value)
