"""The sandbox console: talk to the real bot as a curator or a reader, with no Discord.

Lines it understands (also from a pipe, one per line, exiting at the end):
  /story list                     a slash command; options as name:value
  /story info story:Baker Street  (values may contain spaces; a story option takes a title)
  /story add file:path/to/story.txt title:My Title
  click Kudos                     click a button (by label or custom_id) of the last card
  react ❤️                         react to the last card
  as reader | as curator | as reader2      switch who you are
  in stories | in after-dark      switch channel
  clock +1d | clock +3h           move the bot's clock forward
  help · quit
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.config import Settings
from bot.library.clock import ShiftedClock
from sandbox.console_render import message_card
from sandbox.control import Sandbox, SandboxTimeout
from sandbox.entities import SandboxUser
from sandbox.messages import MessageRecord
from sandbox.session import bot_in_sandbox

_OPTION = re.compile(r"(?:^|\s)([a-z_][\w-]*):")
_DURATION = re.compile(r"^\+?(\d+)\s*([dhm])$")
ATTACHMENT_OPTION = 11


class ConsoleError(Exception):
    """A line the console could not act on; shown as one line, the session goes on."""


def split_slash_line(line: str, command_paths: list[str]) -> tuple[str, dict[str, str]]:
    """'/story info story:Baker St' -> ('story info', {'story': 'Baker St'})."""
    body = line.strip().removeprefix("/")
    first_option = _OPTION.search(body)
    head = body[: first_option.start()] if first_option else body
    words = head.split()
    path = ""
    for length in range(len(words), 0, -1):
        candidate = " ".join(words[:length])
        if candidate in command_paths:
            path = candidate
            break
    if not path:
        raise ConsoleError(f"unknown command /{head.strip()} (try: help)")
    if len(path.split()) != len(words):
        raise ConsoleError(f"unexpected words after /{path}: write options as name:value")
    options: dict[str, str] = {}
    matches = list(_OPTION.finditer(body))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        value = body[match.end(): end].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = shlex.split(value)[0]
        options[match.group(1)] = value
    return path, options


def command_paths(commands: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every invocable path ('story info') with its option definitions."""
    paths: dict[str, list[dict[str, Any]]] = {}

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        subcommands = [o for o in options if o.get("type") in (1, 2)]
        if not subcommands:
            paths[prefix] = options
        for sub in subcommands:
            walk(f"{prefix} {sub['name']}", sub.get("options", []))

    for command in commands:
        if command.get("type", 1) == 1:
            walk(command["name"], command.get("options", []))
    return paths


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise ConsoleError("write the clock step as +1d, +3h or +30m")
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount)}[unit]


@dataclass
class ConsoleSession:
    sandbox: Sandbox
    clock: ShiftedClock
    out: Console
    user_name: str = "curator"
    channel: str = "stories"
    shown: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    last_card: MessageRecord | None = None
    last_public_card: MessageRecord | None = None  # ephemeral messages take no reactions
    bot: Any = None  # the running StoryBot, whose scheduled work runs when the clock moves

    @property
    def user(self) -> SandboxUser:
        return getattr(self.sandbox.users, self.user_name)  # type: ignore[no-any-return]

    async def handle(self, line: str) -> bool:
        """Act on one line; False when the session should end."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        verb, _, rest = line.partition(" ")
        try:
            if line.startswith("/"):
                await self.slash(line)
            elif verb == "click":
                await self.click(rest.strip())
            elif verb == "react":
                await self.react(rest.strip())
            elif verb == "as":
                self.switch_user(rest.strip())
            elif verb == "in":
                self.switch_channel(rest.strip())
            elif verb == "clock":
                self.clock.advance(parse_duration(rest))
                self.out.print(f"the clock is now {self.clock.now():%Y-%m-%d %H:%M} UTC")
                await asyncio.sleep(1.5)  # let scheduled work notice
                await self.run_scheduled_work()
            elif verb in ("help", "?"):
                self.out.print(__doc__.split("\n", 2)[2], highlight=False, markup=False)
            elif verb in ("quit", "exit"):
                return False
            else:
                raise ConsoleError(f"don't know '{verb}' (try: help)")
        except (ConsoleError, SandboxTimeout, LookupError) as problem:
            self.out.print(f"[red]✗[/red] {problem}", highlight=False)
        self.show_new_messages()
        return True

    async def run_scheduled_work(self) -> None:
        """Run the daily post's tick now, as its loop would within 30 s of the new time."""
        daily = self.bot.services.daily if self.bot is not None else None
        if daily is not None:
            await daily.tick()
            await asyncio.sleep(0.2)  # the thread's opening message follows the post

    async def slash(self, line: str) -> None:
        paths = command_paths(self.sandbox.registered_commands())
        path, raw = split_slash_line(line, list(paths))
        definitions = {o["name"]: o for o in paths[path]}
        options: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in definitions:
                known = ", ".join(definitions) or "none"
                raise ConsoleError(f"/{path} has no option '{name}' (options: {known})")
            if definitions[name]["type"] == ATTACHMENT_OPTION:
                file = Path(value).expanduser()
                if not file.is_file():
                    raise ConsoleError(f"no file at {file}")
                options[name] = self.sandbox.upload(file.name, file.read_bytes(),
                                                    channel=self.channel)
            elif definitions[name].get("autocomplete") and not value.isdigit():
                choices = await self.sandbox.autocomplete(self.user, path, {name: value},
                                                          focused=name, channel=self.channel)
                options[name] = choices[0]["value"] if choices else value
            else:
                options[name] = value
        result = await self.sandbox.slash(self.user, path, options, channel=self.channel,
                                          timeout=30)
        if result.deferred:
            await result.wait_until_done(timeout=60)
        await asyncio.sleep(0.2)  # follow-ups and channel posts that come right after

    async def click(self, target: str) -> None:
        if self.last_card is None:
            raise ConsoleError("no card with buttons yet")
        custom_id = self._find_button(self.last_card, target)
        result = await self.sandbox.click(self.user, self.last_card.id, custom_id, None)
        if result.callback_type == 9 and result.modal:
            self.out.print(f"(a form opened: {result.modal.get('title')})")
        await asyncio.sleep(0.2)

    async def react(self, emoji: str) -> None:
        if self.last_public_card is None:
            raise ConsoleError("nothing to react to yet")
        await self.sandbox.react(self.user, self.last_public_card.id, emoji or "❤️")
        await asyncio.sleep(0.2)
        self.out.print(f"{self.user_name} reacted {emoji or '❤️'}")

    def switch_user(self, name: str) -> None:
        if name not in ("curator", "reader", "reader2", "owner"):
            raise ConsoleError("you can be: curator, reader, reader2, owner")
        self.user_name = name
        self.out.print(f"you are now {name}")

    def switch_channel(self, name: str) -> None:
        name = name.removeprefix("#")
        if name not in self.sandbox.channels:
            known = ", ".join(self.sandbox.channels)
            raise ConsoleError(f"no channel #{name} (there are: {known})")
        self.channel = name
        self.out.print(f"you are now in #{name}")

    @staticmethod
    def _find_button(message: MessageRecord, target: str) -> str:
        for row in message.components:
            for item in row.get("components", []):
                label = (item.get("label") or "").casefold()
                if target.casefold() in (label, (item.get("custom_id") or "").casefold()):
                    return str(item["custom_id"])
        raise ConsoleError(f"the last card has no button '{target}'")

    def show_new_messages(self) -> None:
        names = {channel.id: name for name, channel in self.sandbox.channels.items()}
        for message in self.sandbox.bot_messages():
            version = (message.edited_ms, len(message.reactions))
            if self.shown.get(message.id) == version or message.deleted:
                continue
            if message.ephemeral and not self._for_current_user(message):
                continue
            self.shown[message.id] = version
            self.out.print(message_card(message, names.get(message.channel_id, "?"),
                                        self.user_name))
            if message.components:
                self.last_card = message
                if not message.ephemeral:
                    self.last_public_card = message

    def _for_current_user(self, message: MessageRecord) -> bool:
        meta = message.interaction_metadata or {}
        user = meta.get("user", {}).get("id")
        return user is None or int(user) == self.user.id


async def read_lines(interactive: bool, out: Console) -> Any:
    while True:
        if interactive:
            line = await asyncio.to_thread(out.input, "[bold]> [/bold]")
        else:
            line = await asyncio.to_thread(sys.stdin.readline)
            if line == "":
                return
            out.print(f"> {line.rstrip()}", highlight=False, markup=False)
        yield line


async def run_console(settings: Settings, out: Console | None = None) -> int:
    out = out or Console()
    # discord.py warns that voice is unavailable; the sandbox has no voice anyway.
    logging.getLogger("discord").setLevel(logging.ERROR)
    clock = ShiftedClock()
    interactive = sys.stdin.isatty()
    out.print("[dim]starting the sandbox and the bot…[/dim]")
    async with bot_in_sandbox(settings, clock=clock) as (sandbox, running):
        await sandbox.wait_for_commands("story", timeout=30)
        session = ConsoleSession(sandbox, clock, out, bot=running.bot)
        session.shown = {m.id: (m.edited_ms, len(m.reactions)) for m in sandbox.bot_messages()}
        out.print("storybot sandbox: server “Story Circle”, you are the curator in #stories. "
                  "Type help for what you can do.", highlight=False)
        try:
            async for line in read_lines(interactive, out):
                if not await session.handle(line):
                    break
        except (EOFError, KeyboardInterrupt):
            pass
    return 0
