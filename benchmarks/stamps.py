"""Where a round trip's time goes inside a peer bot: stamps around discord.py's own steps.

With STORYBOT_BENCH_STAMPS=PATH set, `benchmarks.peer_bot` installs these before it starts
and writes PATH.<kind>.json when it stops: for every command (and autocomplete), the
medians in ms of its last 200 interactions, split at discord.py's seams:
- `event_to_handler`: the gateway's event read to the command tree taking it;
- `handler`: the tree taking it to the answer's request starting (option checks, the
  command's own work, building the card);
- `request_to_reply`: the answer's request to the stand-in's reply (the answer crossing,
  the stand-in checking it, and its reply read back);
- `after_reply`: the reply to the command's end (what a handler does after answering).
`benchmarks/PERFORMANCE.md`'s "Where a command's time goes" table was made with it. It
wraps private discord.py methods (`DiscordWebSocket.received_message`, `CommandTree._call`,
`AsyncWebhookAdapter.request`) and is only for benchmarks.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
from discord import app_commands, gateway
from discord.webhook import async_

STAMPS_ENV = "STORYBOT_BENCH_STAMPS"
KEPT = 200  # the last interactions of each command, after the warm-up rounds


class Stamps:
    def __init__(self) -> None:
        self.by_command: dict[str, list[dict[str, float]]] = {}
        self._event_read = 0.0
        self._open: list[dict[str, float]] = []  # interactions between handler and answer

    def install(self) -> None:
        """Wrap discord.py's three seams (once per process)."""
        stamps = self
        read_event = gateway.DiscordWebSocket.received_message
        call = app_commands.CommandTree._call
        request = async_.AsyncWebhookAdapter.request

        async def received_message(ws: Any, msg: Any, /) -> None:
            stamps._event_read = time.perf_counter()
            await read_event(ws, msg)

        async def _call(tree: Any, interaction: discord.Interaction[Any]) -> None:
            stamp = {"event": stamps._event_read, "handler": time.perf_counter()}
            stamps._open.append(stamp)
            try:
                await call(tree, interaction)
            finally:
                stamp["end"] = time.perf_counter()
                # Unanswered (a deferral, an error): no longer waiting for its request.
                stamps._open = [other for other in stamps._open if other is not stamp]
                stamps.by_command.setdefault(label(interaction), []).append(stamp)

        async def answer(adapter: Any, route: Any, session: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            reply = await request(adapter, route, session, **kwargs)
            if route.path.endswith("/callback") and stamps._open:
                stamp = stamps._open.pop(0)
                stamp["request"], stamp["reply"] = started, time.perf_counter()
            return reply

        gateway.DiscordWebSocket.received_message = received_message  # type: ignore[method-assign]
        app_commands.CommandTree._call = _call  # type: ignore[assignment, method-assign]
        async_.AsyncWebhookAdapter.request = answer  # type: ignore[assignment, method-assign]

    def medians(self) -> dict[str, dict[str, float | int]]:
        spans: dict[str, Callable[[dict[str, float]], float]] = {
            "event_to_handler": lambda s: s["handler"] - s["event"],
            "handler": lambda s: s["request"] - s["handler"],
            "request_to_reply": lambda s: s["reply"] - s["request"],
            "after_reply": lambda s: s["end"] - s["reply"],
        }
        out: dict[str, dict[str, float | int]] = {}
        for command, stamps in self.by_command.items():
            answered = [s for s in stamps[-KEPT:] if "reply" in s]
            if not answered:
                continue
            out[command] = {"n": len(answered)} | {
                name: round(statistics.median(span(s) for s in answered) * 1000, 3)
                for name, span in spans.items()}
        return out

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.medians(), indent=1), "utf-8")


def label(interaction: discord.Interaction[Any]) -> str:
    """`story list tag` for /story list with tag:, `… (autocomplete)` for a keystroke."""
    data: dict[str, Any] = dict(interaction.data or {})
    words = [str(data.get("name", "?"))]
    options = list(data.get("options") or [])
    while options and options[0].get("type") in (1, 2):  # a subcommand (group)
        words.append(options[0]["name"])
        options = list(options[0].get("options") or [])
    words += [option["name"] for option in options]
    if interaction.type is discord.InteractionType.autocomplete:
        words.append("(autocomplete)")
    return " ".join(words)
