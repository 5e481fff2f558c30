"""Lines into the console: from a pipe (bytes, any junk) or typed (readline, with completion).

Whatever arrives becomes one clean line of text: invalid UTF-8 is replaced, control
characters dropped, so no input can crash the reader. Typing completes verbs, command paths,
option names, choices, members/channels/roles, and asks the bot's own autocomplete for
option values, as Discord's client does while one types.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.console_options import (
    BOOLEAN,
    CHANNEL,
    MENTIONABLE,
    ROLE,
    USER,
    Command,
    Directory,
    UsageError,
    find_command,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_OPTION_AT_END = re.compile(r"(?:^|(?<=\s))([A-Za-z_][\w-]*):([^:]*)$")
VERBS = ["help", "click ", "react ", "fill ", "cancel", "reveal", "as ", "in ", "clock ",
         "quit"]
WHO = ["curator", "reader", "reader2", "owner"]
CLOCK_STEPS = ["next", "+1d", "+3h", "+30m"]


def clean_line(raw: bytes | str) -> str:
    """One line of text, whatever came in: bad bytes replaced, control characters gone."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return _CONTROL.sub("", text.replace("\t", " ")).strip()


async def piped_lines() -> AsyncIterator[tuple[int, str]]:
    """(line number, line) from standard input read as bytes, to the end."""
    number = 0
    while True:
        raw = await asyncio.to_thread(sys.stdin.buffer.readline)
        if not raw:
            return
        number += 1
        yield number, clean_line(raw)


# Autocomplete from the bot: (command path, option name, typed text) -> choice names.
AskBot = Callable[[str, str, str], list[str]]


@dataclass
class Completer:
    """readline completion over whole lines (values may hold spaces, so no word delimiters)."""

    commands: Callable[[], dict[str, Command]]
    directory: Callable[[], Directory]
    channels: Callable[[], list[str]]
    ask_bot: AskBot | None = None
    _matches: list[str] = field(default_factory=list)
    _cut: int = 0

    def complete(self, text: str, state: int) -> str | None:
        if state == 0:
            try:
                self._matches = self.candidates(text)
            except Exception:  # completion must never break typing
                self._matches = []
        return self._matches[state] if state < len(self._matches) else None

    def display(self, substitution: str, matches: Sequence[str], longest: int) -> None:
        """Show only the part being completed, not the whole line, for each match."""
        print()
        print("  ".join(m[self._cut:].strip() or m for m in matches[:40]))
        print(f"> {substitution}", end="", flush=True)

    def candidates(self, line: str) -> list[str]:
        if not line.startswith("/"):
            return self._verb_candidates(line)
        table = self.commands()
        try:
            command, rest = find_command(line[1:], table)
        except UsageError:
            command = None
        if command is None or (not rest and not line.endswith(" ")):
            self._cut = line.rfind(" ") + 1
            return [f"/{path} " for path in sorted(table) if f"/{path}".startswith(line)]
        prefix = line[: len(line) - len(rest)]
        at_end = _OPTION_AT_END.search(rest)
        word = rest.rsplit(" ", 1)[-1]
        used = {m.group(1) for m in re.finditer(r"(?:^|(?<=\s))([\w-]+):", rest)}
        # "sort:title co": a value may hold spaces, but a last word that begins an unused
        # option's name is taken as the start of that option.
        starts_option = " " in rest and any(
            o["name"].startswith(word) and o["name"] not in used for o in command.options)
        if at_end and command.option(at_end.group(1)) and not (
                starts_option and " " in at_end.group(2)):
            option = command.option(at_end.group(1))
            assert option is not None
            typed = at_end.group(2)
            head = prefix + rest[: at_end.start(2)]
            self._cut = len(head)
            return [head + value + " " for value in self._values(command, option, typed)]
        head = line[: len(line) - len(word)]
        self._cut = len(head)
        return [f"{head}{o['name']}:" for o in command.options
                if o["name"] not in used and o["name"].startswith(word)]

    def _values(self, command: Command, option: dict[str, Any], typed: str) -> list[str]:
        key = typed.casefold()
        if option.get("choices"):
            names = [str(c["name"]) for c in option["choices"]]
        elif option["type"] == BOOLEAN:
            names = ["true", "false"]
        elif option["type"] in (USER, MENTIONABLE, ROLE, CHANNEL):
            directory = self.directory()
            groups = {USER: directory.users, ROLE: directory.roles,
                      CHANNEL: directory.channels,
                      MENTIONABLE: directory.users + directory.roles}[option["type"]]
            names = [n.shown for n in groups]
        elif option.get("autocomplete") and self.ask_bot is not None:
            return self.ask_bot(command.path, option["name"], typed)[:25]
        else:
            return []
        return [n for n in names if n.casefold().startswith(key)] or \
            [n for n in names if key in n.casefold()]

    def _verb_candidates(self, line: str) -> list[str]:
        verb, _, rest = line.partition(" ")
        if not _:
            self._cut = 0
            return [v for v in VERBS if v.startswith(line)]
        options = {"as": WHO, "in": self.channels(), "clock": CLOCK_STEPS,
                   "help": [f"/{p}" for p in sorted(self.commands())]}.get(verb, [])
        self._cut = len(verb) + 1
        return [f"{verb} {o}" for o in options if o.startswith(rest)]


def install_readline(completer: Completer) -> bool:
    """Turn on line editing and completion where the terminal has readline."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return False
    readline.set_completer_delims("")
    readline.set_completer(completer.complete)
    readline.set_completion_display_matches_hook(completer.display)
    readline.parse_and_bind("tab: complete")
    return True


async def typed_lines(prompt: str = "> ") -> AsyncIterator[tuple[int, str]]:
    """Lines typed at a terminal until Ctrl-D or Ctrl-C.

    input() runs in a daemon thread that reads only when the console asks for the next line
    (so prompts never cut into output); Ctrl-C ends the session cleanly instead of leaving
    that thread blocked, and the terminal's settings are put back as they were."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    wanted = threading.Event()

    def read() -> None:
        while True:
            wanted.wait()
            wanted.clear()
            raw: str | None
            try:
                raw = input(prompt)
            except EOFError:
                raw = None
            except UnicodeDecodeError:
                raw = ""
            loop.call_soon_threadsafe(lines.put_nowait, raw)
            if raw is None:
                return

    threading.Thread(target=read, name="console-input", daemon=True).start()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, lines.put_nowait, None)
    with terminal_restored():
        number = 0
        try:
            while True:
                wanted.set()
                raw = await lines.get()
                if raw is None:
                    print()
                    return
                number += 1
                yield number, clean_line(raw)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)


@contextlib.contextmanager
def terminal_restored() -> Iterator[None]:
    """Put the terminal's settings back on the way out (readline may be mid-line)."""
    try:
        import termios

        saved = termios.tcgetattr(sys.stdin.fileno())
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
