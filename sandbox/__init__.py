"""A local stand-in for Discord's API (REST + gateway) on 127.0.0.1, so the unmodified
discord.py stack runs with no token and no network. Start with `Sandbox.start()`; see
README.md in this folder for what it speaks."""

from .control import InteractionResult, Sandbox, SandboxTimeout, gateway_url_for, point_discord
from .messages import MessageRecord, Pings
from .request_log import LoggedRequest
from .state import SandboxState

__all__ = [
    "InteractionResult",
    "LoggedRequest",
    "MessageRecord",
    "Pings",
    "Sandbox",
    "SandboxState",
    "SandboxTimeout",
    "gateway_url_for",
    "point_discord",
]
