"""The console at a real terminal (a pseudo-terminal): Tab completion that asks the bot,
bad bytes, Ctrl-C and Ctrl-D, as a person at a keyboard would meet them."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pty = pytest.importorskip("pty")


class Terminal:
    """`python -m bot start` on a pseudo-terminal; keys in, screen text out."""

    def __init__(self, tmp_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN",)}
        env.update(STORYBOT_DB=str(tmp_path / "library.db"), PYTHONPATH=str(PROJECT_ROOT),
                   COLUMNS="110", TERM="xterm")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the console
            os.chdir(tmp_path)
            os.execve(sys.executable, [sys.executable, "-m", "bot", "start"], env)
        self.screen = ""

    def read_until(self, text: str, within: float = 60.0) -> str:
        """Everything shown until `text` appears (fails after `within` seconds)."""
        deadline = time.monotonic() + within
        while text not in self.screen:
            assert time.monotonic() < deadline, f"never saw {text!r}:\n{self.screen[-2000:]}"
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # the console exited
                    break
        return self.screen

    def prompt(self, within: float = 60.0) -> None:
        """Wait for the next prompt: keys typed before it would reach no reader."""
        deadline = time.monotonic() + within
        while not self.screen.endswith("> "):
            assert time.monotonic() < deadline, f"no prompt:\n{self.screen[-2000:]}"
            self.drain()

    def drain(self) -> None:
        """Read what is waiting, so a console writing to a full terminal is not stuck."""
        ready, _, _ = select.select([self.fd], [], [], 0.1)
        if ready:
            with contextlib.suppress(OSError):
                self.screen += os.read(self.fd, 65536).decode(errors="replace")

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def exit_code(self, within: float = 60.0) -> int:
        """The console's exit code; a console that does not exit is killed and fails."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.drain()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.2)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"the console did not exit:\n{self.screen[-2000:]}")


def test_tab_completion_asks_the_bot_and_ctrl_d_leaves(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.read_until("Type help")
    terminal.prompt()
    terminal.type(b"/story in\t")
    terminal.read_until("/story info ")
    terminal.type(b"st\t")
    terminal.read_until("story:")
    terminal.type(b"Bak\t")  # the bot's own autocomplete finishes the title
    terminal.read_until("Baker Street Lanterns ")
    terminal.type(b"\r")
    terminal.read_until("1,013 words")
    terminal.prompt()
    terminal.type(b"\xff\xfe junk\r")
    terminal.read_until("don't know")
    terminal.prompt()
    terminal.type(b"/config spoiler-safe percent:abc\r")
    terminal.read_until("usage: /config spoiler-safe percent:<integer 1-100>")
    terminal.prompt()
    terminal.type(b"\x04")  # Ctrl-D
    assert terminal.exit_code() == 0
    assert "Traceback" not in terminal.screen


def test_ctrl_c_ends_the_session_cleanly(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    terminal.read_until("Type help")
    terminal.prompt()
    terminal.type(b"/story li")
    terminal.type(b"\x03")  # Ctrl-C half-way through a line
    assert terminal.exit_code() == 0
    assert "Traceback" not in terminal.read_until("")
