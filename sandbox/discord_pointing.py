"""Pointing this process's discord.py at a sandbox: its REST base and its gateway."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


def gateway_url_for(api_base: str) -> str:
    """The sandbox gateway url for a sandbox REST base ("http://127.0.0.1:P/api/v10")."""
    origin = api_base.split("/api/", 1)[0]
    return origin.replace("https://", "wss://").replace("http://", "ws://") + "/gateway"


@contextlib.contextmanager
def point_discord(api_base: str, gateway_url: str) -> Iterator[None]:
    """Make this process's discord.py use the given REST base and gateway, then restore.
    Both are needed: the REST base is discord.http.Route.BASE and discord.Client connects
    to DiscordWebSocket.DEFAULT_GATEWAY without asking /gateway/bot."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
