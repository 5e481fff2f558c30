"""Who may call the sandbox's API: the bot token (`Authorization: Bot <token>`) and the API
version in the path, checked as Discord does (401 / 400 50041). Interaction callbacks and
interaction webhooks carry their token in the URL and need no Authorization header."""

from __future__ import annotations

import re

from aiohttp import web

from .http_util import DiscordError

# The token the sandbox accepts unless told otherwise; not a secret, it opens nothing else.
SANDBOX_BOT_TOKEN = "sandbox.token.not-a-secret"
SUPPORTED_VERSIONS = ("10",)
_NO_AUTH = re.compile(r"^/(interactions/[^/]+/[^/]+/callback|webhooks/[^/]+/[^/]+(/.*)?|gateway)$")


def check_version(request: web.Request) -> None:
    version = request.match_info.get("version")
    if version is not None and version not in SUPPORTED_VERSIONS:
        raise DiscordError(400, 50041, "Invalid API version provided")


def check_token(request: web.Request, route: str, token: str | None) -> None:
    """401 unless the request carries `Bot <token>` (any token when `token` is None)."""
    if _NO_AUTH.match(route):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme != "Bot" or not given or (token is not None and given != token):
        raise DiscordError(401, 0, "401: Unauthorized")
