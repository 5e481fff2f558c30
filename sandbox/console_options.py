"""Slash-command lines typed in the console, checked the way Discord's own client checks them.

`/daily set channel:#stories time:18:30 timezone:Europe/London mode:book club` is split
into the command path and its options, and every option is read by the type the bot
declared when it synced its commands: text, integer, number, true/false, user, channel,
role, user-or-role and file. A choice is accepted by its label or its value. What Discord's
client would not let anyone send (a missing required option, a number out of range, a text
too long, an option the command does not have) is refused here with a usage line, before
anything reaches the stand-in.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
TYPE_NAMES = {STRING: "text", INTEGER: "integer", BOOLEAN: "true/false", USER: "user",
              CHANNEL: "channel", ROLE: "role", MENTIONABLE: "user or role",
              NUMBER: "number", ATTACHMENT: "file"}
# Discord's own limits on what a client may send.
MAX_STRING_LENGTH = 6000
MAX_SAFE_INTEGER = 2**53
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0", "f"})

_OPTION_START = re.compile(r"(?:^|(?<=\s))([A-Za-z_][\w-]*):")
_USER_MENTION = re.compile(r"^<@!?(\d+)>$")
_ROLE_MENTION = re.compile(r"^<@&(\d+)>$")
_CHANNEL_MENTION = re.compile(r"^<#(\d+)>$")


class UsageError(Exception):
    """A slash line Discord's client would not send; `usage` is the command's usage line."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Command:
    """One invocable command path ("story info") and its option definitions."""

    path: str
    description: str
    options: list[JsonDict]

    def option(self, name: str) -> JsonDict | None:
        return next((o for o in self.options if o["name"] == name), None)

    @property
    def usage(self) -> str:
        parts = [f"/{self.path}"]
        for option in self.options:
            shown = f"{option['name']}:<{describe_type(option)}>"
            parts.append(shown if option.get("required") else f"[{shown}]")
        return "usage: " + " ".join(parts)


def command_table(registered: list[JsonDict]) -> dict[str, Command]:
    """Every invocable path of the synced chat-input commands, subcommands walked down."""
    table: dict[str, Command] = {}

    def walk(path: str, description: str, options: list[JsonDict]) -> None:
        nested = [o for o in options if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        if not nested:
            table[path] = Command(path, description, options)
        for sub in nested:
            walk(f"{path} {sub['name']}", sub.get("description", ""), sub.get("options") or [])

    for command in registered:
        if command.get("type", 1) == 1:
            walk(command["name"], command.get("description", ""), command.get("options") or [])
    return table


def describe_type(option: JsonDict) -> str:
    """'integer 1-100', 'text, up to 500 characters', 'one of: plain | behind spoilers'."""
    if option.get("choices"):
        return " | ".join(str(c["name"]) for c in option["choices"])
    kind = TYPE_NAMES.get(option["type"], f"type {option['type']}")
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None or high is not None:
        kind += f" {'' if low is None else low}-{'' if high is None else high}"
    if option.get("max_length") is not None:
        kind += f" (up to {option['max_length']} characters)"
    return kind


def describe_command(command: Command) -> list[str]:
    """`/command ?`: the usage line, then each option with its type and description."""
    lines = [f"/{command.path} — {command.description}".rstrip(" —"), command.usage]
    for option in command.options:
        need = "required" if option.get("required") else "optional"
        extra = " (suggestions as you type)" if option.get("autocomplete") else ""
        lines.append(f"  {option['name']:<14} {describe_type(option)}, {need}{extra}")
        if option.get("description"):
            lines.append(f"  {'':<14} {option['description']}")
    if not command.options:
        lines.append("  (no options)")
    return lines


@dataclass
class SlashLine:
    """A slash line split into its command and raw option texts (not yet typed)."""

    command: Command
    raw: dict[str, str] = field(default_factory=dict)
    wants_help: bool = False


def find_command(body: str, table: dict[str, Command]) -> tuple[Command, str]:
    """The longest command path at the start of `body` and what follows it."""
    tokens = list(re.finditer(r"\S+", body))
    words = [t.group() for t in tokens]
    for length in range(min(len(tokens), 3), 0, -1):
        candidate = " ".join(words[:length]).casefold()
        if candidate in table:
            return table[candidate], body[tokens[length - 1].end():]
    head = " ".join(words[:2])[:60] or "(nothing)"
    group = sorted(p for p in table if words and p.split()[0] == words[0].casefold())
    if group:
        subcommands = ", ".join(p.split(" ", 1)[1] for p in group if " " in p)
        raise UsageError(f"/{words[0][:40]} needs a subcommand: {subcommands}")
    starts = sorted(p for p in table if words and p.startswith(words[0].casefold()))
    hint = f" (did you mean: {', '.join('/' + p for p in starts[:6])}?)" if starts else \
        " (try: help)"
    raise UsageError(f"unknown command /{head}{hint}")


def split_slash_line(line: str, table: dict[str, Command]) -> SlashLine:
    """'/story info story:Baker St' -> SlashLine(story info, {'story': 'Baker St'})."""
    body = line.strip().removeprefix("/")
    command, rest = find_command(body, table)
    if rest.strip() in ("?", "help", "--help", "-h"):
        return SlashLine(command, wants_help=True)
    names = {o["name"] for o in command.options}
    starts = []
    for match in _OPTION_START.finditer(rest):
        name = match.group(1)
        glued = match.end() < len(rest) and not rest[match.end()].isspace()
        # A word that is no option of this command ("Re: Zero") belongs to the value before
        # it, unless written glued like an option (bogus:1), which Discord would refuse.
        if name in names or glued or match.end() == len(rest):
            starts.append(match)
    if starts and rest[: starts[0].start()].strip():
        stray = rest[: starts[0].start()].strip()[:40]
        raise UsageError(f"'{stray}' is not an option: write options as name:value",
                         command.usage)
    if not starts and rest.strip():
        raise UsageError(f"'{rest.strip()[:40]}' is not an option: write options as name:value",
                         command.usage)
    raw: dict[str, str] = {}
    for index, match in enumerate(starts):
        name = match.group(1)
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            raise UsageError(f"/{command.path} has no option '{name[:40]}' (options: {known})",
                             command.usage)
        if name in raw:
            raise UsageError(f"option '{name}' is given twice", command.usage)
        end = starts[index + 1].start() if index + 1 < len(starts) else len(rest)
        raw[name] = unquote(rest[match.end(): end].strip())
    return SlashLine(command, raw)


def unquote(value: str) -> str:
    """"a b" or 'a b' -> a b (shell rules inside); anything else as typed."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        try:
            parts = shlex.split(value)
        except ValueError:
            return value[1:-1]
        if len(parts) == 1:
            return parts[0]
    return value


# ----- who and what names refer to


@dataclass(frozen=True)
class Named:
    id: int
    names: tuple[str, ...]  # every name it may be typed as, first the one shown
    kind: int = 0  # channel type for channels
    label: str = ""  # how listings show it, e.g. "tom (reader)"

    @property
    def shown(self) -> str:
        return self.names[0]

    @property
    def listed(self) -> str:
        return self.label or self.names[0]


@dataclass(frozen=True)
class Directory:
    """The server's members, channels and roles as the person typing knows them."""

    users: list[Named]
    channels: list[Named]
    roles: list[Named]

    @staticmethod
    def _find(items: list[Named], text: str) -> Named | None:
        if text.isdigit():
            return next((i for i in items if i.id == int(text)), None)
        key = text.casefold()
        return next((i for i in items if key in (n.casefold() for n in i.names)), None)

    def user(self, text: str) -> Named | None:
        mention = _USER_MENTION.match(text)
        return self._find(self.users, mention.group(1) if mention else text.removeprefix("@"))

    def role(self, text: str) -> Named | None:
        mention = _ROLE_MENTION.match(text)
        if mention:
            return self._find(self.roles, mention.group(1))
        found = self._find(self.roles, text)
        return found or self._find(self.roles, text.removeprefix("@"))

    def channel(self, text: str) -> Named | None:
        mention = _CHANNEL_MENTION.match(text)
        return self._find(self.channels, mention.group(1) if mention else text.removeprefix("#"))


# ----- typed values


@dataclass(frozen=True)
class FileToUpload:
    path: Path


def choice_value(option: JsonDict, text: str) -> Any:
    """A choice by its label or its value (any letter case), else a UsageError listing them."""
    key = text.strip().casefold()
    for choice in option["choices"]:
        if key in (str(choice["name"]).casefold(), str(choice["value"]).casefold()):
            return choice["value"]
    listed = " | ".join(str(c["name"]) for c in option["choices"])
    raise UsageError(f"{option['name']} must be one of: {listed}")


def _number(option: JsonDict, text: str, integer: bool) -> int | float:
    cleaned = text.strip().replace("_", "").replace(",", "")
    try:
        value: int | float = int(cleaned) if integer else float(cleaned)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise UsageError(f"{option['name']} must be {kind}, not '{text.strip()[:40]}'") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise UsageError(f"{option['name']} must be a finite number")
    if abs(value) > MAX_SAFE_INTEGER:
        raise UsageError(f"{option['name']} is too large")
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else low} to {'' if high is None else high}".strip()
        raise UsageError(f"{option['name']} must be between {bounds}, not {text.strip()[:20]}")
    return value


def _text(option: JsonDict, text: str) -> str:
    low = option.get("min_length") or 0
    high = option.get("max_length") or MAX_STRING_LENGTH
    if len(text) < max(low, 1):
        raise UsageError(f"{option['name']} needs at least {max(low, 1)} character(s)")
    if len(text) > high:
        raise UsageError(f"{option['name']} is too long: {len(text):,} characters, "
                         f"at most {high:,}")
    return text


def _boolean(option: JsonDict, text: str) -> bool:
    key = text.strip().casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise UsageError(f"{option['name']} must be true or false, not '{text.strip()[:40]}'")


def _file(option: JsonDict, text: str) -> FileToUpload:
    path = Path(text.strip()).expanduser()
    try:
        is_file, size = path.is_file(), path.stat().st_size if path.is_file() else 0
    except (OSError, ValueError):
        is_file, size = False, 0
    if not is_file:
        raise UsageError(f"{option['name']}: no file at {text.strip()[:120]}")
    if size > MAX_UPLOAD_BYTES:
        raise UsageError(f"{option['name']}: {path.name} is {size:,} bytes; Discord takes "
                         f"uploads up to {MAX_UPLOAD_BYTES:,}")
    return FileToUpload(path)


def _listing(items: list[Named]) -> str:
    return ", ".join(i.listed for i in items)


def typed_value(option: JsonDict, text: str, directory: Directory) -> Any:
    """The value of one option as the client would send it (ids for users/channels/roles)."""
    kind = option["type"]
    if not text.strip():
        raise UsageError(f"{option['name']} needs a value ({describe_type(option)})")
    if option.get("choices"):
        value = choice_value(option, text)
        return value
    if kind == STRING:
        return _text(option, text)
    if kind in (INTEGER, NUMBER):
        return _number(option, text, integer=kind == INTEGER)
    if kind == BOOLEAN:
        return _boolean(option, text)
    if kind == ATTACHMENT:
        return _file(option, text)
    if kind == USER:
        user = directory.user(text.strip())
        if user is None:
            raise UsageError(f"{option['name']}: no member '{text.strip()[:40]}' "
                             f"(members: {_listing(directory.users)})")
        return user.id
    if kind == ROLE:
        role = directory.role(text.strip())
        if role is None:
            raise UsageError(f"{option['name']}: no role '{text.strip()[:40]}' "
                             f"(roles: {_listing(directory.roles)})")
        return role.id
    if kind == MENTIONABLE:
        found = directory.role(text.strip()) if _ROLE_MENTION.match(text.strip()) else (
            directory.user(text.strip()) or directory.role(text.strip()))
        if found is None:
            raise UsageError(f"{option['name']}: no member or role '{text.strip()[:40]}'")
        return found.id
    if kind == CHANNEL:
        channel = directory.channel(text.strip())
        if channel is None:
            raise UsageError(f"{option['name']}: no channel '{text.strip()[:40]}' "
                             f"(channels: {_listing(directory.channels)})")
        allowed = option.get("channel_types")
        if allowed and channel.kind not in allowed:
            raise UsageError(f"{option['name']}: #{channel.shown} is not a kind of channel "
                             "this option takes")
        return channel.id
    raise UsageError(f"{option['name']}: the console cannot send options of type {kind}")


def typed_options(slash: SlashLine, directory: Directory) -> dict[str, Any]:
    """Every option typed and checked; missing required ones refused, with the usage line."""
    command = slash.command
    missing = [o["name"] for o in command.options
               if o.get("required") and o["name"] not in slash.raw]
    if missing:
        raise UsageError(f"/{command.path} needs {', '.join(missing)}", command.usage)
    values: dict[str, Any] = {}
    for name, text in slash.raw.items():
        option = command.option(name)
        assert option is not None  # split_slash_line refused unknown names
        try:
            values[name] = typed_value(option, text, directory)
        except UsageError as problem:
            raise UsageError(str(problem), command.usage) from None
    return values
