"""The sandbox console, driven as a person would: every slash command the bot synced, with
every option type and every choice by its label, bad input of every kind, a form filled in,
a chart saved and opened, and the daily post reached by `clock next`."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from rich.console import Console

from bot.config import Settings
from bot.library.clock import ShiftedClock
from sandbox.console import ConsoleSession, Outcome
from sandbox.console_input import clean_line
from sandbox.console_options import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    USER,
    UsageError,
    command_table,
    typed_value,
)
from sandbox.control import Sandbox
from sandbox.session import start_bot
from tests.conftest import PROJECT_ROOT

STORY_TEXT = "\n\n".join(
    f"Paragraph {n}. The lighthouse keeper wrote the weather in a green book, and the gulls "
    "argued on the rail outside, and the sea went on being the sea, patient and grey."
    for n in range(1, 40))


@dataclass
class Driver:
    """The console session and what it printed since the last line."""

    session: ConsoleSession
    screen: io.StringIO
    sandbox: Sandbox
    clock: ShiftedClock

    async def line(self, text: str) -> tuple[Outcome, str]:
        start = self.screen.tell()
        outcome = await self.session.handle(text)
        self.screen.seek(start)
        printed = self.screen.read()
        assert "Traceback" not in printed, printed
        return outcome, printed

    async def ok(self, text: str) -> str:
        outcome, printed = await self.line(text)
        assert outcome == "ok" and "✗" not in printed, f"{text!r} -> {printed}"
        return printed

    async def refused(self, text: str) -> str:
        outcome, printed = await self.line(text)
        assert outcome == "failed" and "✗" in printed, f"{text!r} -> {printed}"
        return printed


@pytest.fixture
async def console(sandbox: Sandbox, settings: Settings, tmp_path: Path
                  ) -> AsyncIterator[Driver]:
    clock = ShiftedClock()
    running = await start_bot(sandbox, settings, clock=clock)
    await sandbox.wait_for_commands("story", "help", "config", "daily", "feedback")
    screen = io.StringIO()
    out = Console(file=screen, width=120, color_system=None, force_terminal=False)
    session = ConsoleSession(sandbox, clock, out, tmp_path / "attachments", bot=running.bot)
    session.view.mark_all_shown()
    try:
        yield Driver(session, screen, sandbox, clock)
    finally:
        await running.stop()


# What a person would type for each option, by name; any other option gets a value of its type.
EXAMPLES = {
    "story": "Baker Street", "like": "Baker Street", "tag": "Found Family",
    "tags": "Found Family", "exclude": "Major Character Death", "query": "lantern",
    "channel": "#book-club", "time": "18:30", "timezone": "Europe/London", "role": "@Readers",
    "text": "What did you notice?", "percent": "50", "restricted": "false", "private": "true",
    "for_me": "true", "title": "A Console Story", "author": "Console Tester",
    "fandom": "Original Work", "summary": "A keeper and his weather book.",
    "add_tags": "Lighthouses", "remove_tags": "Lighthouses", "from": "Hurt/Comfort",
    "into": "Found Family", "new_name": "Found Families",
}
BY_TYPE = {STRING: "something", INTEGER: "1", NUMBER: "0.5", BOOLEAN: "false",
           USER: "reader", CHANNEL: "#stories", ROLE: "@Readers", MENTIONABLE: "reader"}
# The console's own story is the one edited and removed, so the demo library stays whole.
OVERRIDES = {("story edit", "story"): "A Console Story",
             ("story remove", "story"): "A Console Story"}


def example(path: str, option: dict[str, Any], story_file: Path) -> str:
    if option["type"] == ATTACHMENT:
        return str(story_file)
    if option.get("choices"):
        return str(option["choices"][0]["name"])  # the label Discord shows, not the value
    return OVERRIDES.get((path, option["name"])) or EXAMPLES.get(option["name"]) or \
        BY_TYPE[option["type"]]


def line_for(path: str, options: dict[str, str]) -> str:
    return " ".join([f"/{path}", *(f'{name}:"{value}"' if ":" in value else f"{name}:{value}"
                                   for name, value in options.items())])


async def test_every_command_with_every_option_and_every_choice_by_label(
        console: Driver, tmp_path: Path) -> None:
    story_file = tmp_path / "the-keeper.txt"
    story_file.write_text(STORY_TEXT, encoding="utf-8")
    table = command_table(console.sandbox.registered_commands())
    assert {"story add", "daily set", "config spoiler-safe", "feedback"} <= set(table)
    order = sorted(table, key=lambda p: (p in ("story edit", "story remove"), p))
    seen_types: set[int] = set()
    for path in order:
        command = table[path]
        full = {o["name"]: example(path, o, story_file) for o in command.options}
        seen_types |= {o["type"] for o in command.options}
        printed = await console.ok(line_for(path, full))
        assert printed.strip(), f"/{path} showed nothing"
        await console.ok("cancel") if console.session.forms else None
        required = {o["name"]: full[o["name"]] for o in command.options if o.get("required")}
        for option in command.options:
            for choice in (option.get("choices") or [])[1:]:
                await console.ok(line_for(path, {**required, option["name"]: choice["name"]}))
    assert {STRING, INTEGER, BOOLEAN, CHANNEL, ROLE, ATTACHMENT} <= seen_types


async def test_options_by_name_mention_or_id_and_false_is_false(console: Driver) -> None:
    stories = console.sandbox.channels["book-club"]
    readers = console.sandbox.roles.readers
    for channel, role in ((f"<#{stories.id}>", f"<@&{readers.id}>"),
                          (str(stories.id), str(readers.id)), ("#book-club", "Readers")):
        printed = await console.ok(f"/daily set channel:{channel} time:6:30pm "
                                   f"timezone:europe/london role:{role}")
        assert "Daily post set: #book-club at 18:30 Europe/London" in printed
        assert "<#" not in printed and "<t:" not in printed
    await console.ok("/excerpt story:Baker Street private:false")
    assert not console.sandbox.bot_messages()[-1].ephemeral
    await console.ok("/excerpt story:Baker Street private:yes")
    assert console.sandbox.bot_messages()[-1].ephemeral
    # Types the bot does not use today are read the same way, against the real server.
    directory = console.session.view.directory()
    reader = console.sandbox.users.reader
    for text in ("tom", "reader", "@tom", f"<@{reader.id}>", str(reader.id)):
        assert typed_value({"name": "who", "type": USER}, text, directory) == reader.id
    assert typed_value({"name": "ping", "type": MENTIONABLE}, "Readers",
                       directory) == console.sandbox.roles.readers.id
    assert typed_value({"name": "share", "type": NUMBER}, "2.5", directory) == 2.5
    with pytest.raises(UsageError, match="no member"):
        typed_value({"name": "who", "type": USER}, "nobody", directory)


async def test_help_and_command_options(console: Driver) -> None:
    printed = await console.ok("help")
    for words in ("as owner", "after-dark", "announcements", "clock next",
                  "fill ", "reveal", "/daily set"):
        assert words in printed, words
    for line in ("/daily set ?", "help /daily set", "help daily set"):
        printed = await console.ok(line)
        assert ("usage: /daily set channel:<channel> time:<text (up to 16 characters)> "
                "timezone:<text (up to 64 characters)>") in printed
        assert "mode           random passages | book club (one story in order), optional" \
            in printed
        assert "Where to post" in printed


BAD_LINES = [
    "/nothing here", "/story", "/story refresh", "/story info Baker Street",
    "/config curator-role role:Nobody", "/config spoiler-safe percent:abc",
    "/config spoiler-safe percent:500", "/config warnings style:loud",
    "/config age-restricted rating:Mature restricted:perhaps", "/feedback story:",
    "/story info story:Baker bogus:1", "/story search query:" + "x" * 100_000,
    "x" * 100_000, "click Nothing", "fill stars:5", "react", "reveal", "cancel",
    "clock tomorrow", "clock", "as king", "in nowhere", "dance", "/[/red] [bold", "[/x]",
    "in [/x]", "/story info story:[/x] bogus:[/y]",
    clean_line(b"\xff\xfe\x00\x1b[31m/story\xc3 list \x07"),
]


async def test_bad_input_gets_one_line_and_the_session_goes_on(console: Driver) -> None:
    for text in BAD_LINES:
        printed = await console.refused(text)
        assert len(printed) < 1200, printed[:300]
    assert "Paragraph" not in printed
    printed = await console.refused("/config spoiler-safe percent:abc")
    assert printed.splitlines() == ["✗ percent must be a whole number, not 'abc'",
                                    "  usage: /config spoiler-safe percent:<integer 1-100>"]
    for empty in ("", "   ", "# a comment"):
        assert await console.line(empty) == ("ok", "")
    assert "Baker Street Lanterns" in await console.ok("/story list")


async def test_a_form_filled_in_and_a_private_card_stays_private(console: Driver) -> None:
    # The curator's private card: a reader neither sees it nor can click it.
    assert "only Ines the Curator can see this" in await console.ok(
        "/excerpt story:Baker Street private:true")
    printed = await console.ok("as reader")
    assert "Baker Street" not in printed
    printed = await console.refused("click Kudos")
    assert "private to Ines the Curator" in printed
    printed = await console.ok("/excerpt story:Ghost")
    assert "Feedback" in printed
    printed = await console.ok("click Feedback")
    assert "the bot opened a form" in printed and "fill stars:" in printed
    await console.refused("fill comment:no stars")
    printed = await console.ok('fill stars:4 comment:"Edmund folding towels: perfect."')
    assert "Thanks! Saved 4★ and your comment" in printed
    printed = await console.ok("/feedback story:Dead Reckoning")
    assert "Feedback: Dead Reckoning" in printed
    assert "Saved 5★" in await console.ok("fill stars:5")
    # A reaction is one line, not the card again.
    printed = await console.ok("react 🔥")
    assert printed.strip().startswith("🔥 1 on") and len(printed.splitlines()) == 1


async def test_an_attachment_is_saved_beside_the_database_and_opens(console: Driver,
                                                                     tmp_path: Path) -> None:
    await console.ok("/excerpt story:Baker Street")
    await console.ok("react ❤️")
    printed = await console.ok("/stats story:Baker Street")
    match = re.search(r"saved to (\S+\.png)", printed.replace("\n", ""))
    assert match, printed
    saved = Path(match.group(1))
    assert saved.parent == tmp_path / "attachments"
    with Image.open(saved) as image:
        image.verify()
        assert image.format == "PNG" and image.size[0] > 100
    printed = await console.ok("/export feedback")
    assert re.search(r"saved to \S+\.csv", printed.replace("\n", "")), printed


async def test_clock_next_lands_on_the_daily_post_and_a_long_jump_says_what_it_skips(
        console: Driver) -> None:
    soon = datetime.now(UTC) + timedelta(hours=3)
    await console.ok(f"/daily set channel:stories time:{soon:%H:%M} timezone:UTC")
    printed = await console.ok("clock next")
    assert "jumping to the next daily post" in printed
    assert "Today's passage" in printed and "a discussion thread was opened" in printed
    printed = await console.ok("clock +3d")
    assert "this jump skips the daily post" in printed and "within 6 h" in printed
    await console.ok("/daily off")
    assert "no daily post is scheduled" in await console.refused("clock next")


def run_console(tmp_path: Path, script: str | bytes) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "STORYBOT_DB")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "start"],
        input=script.encode() if isinstance(script, str) else script, capture_output=True,
        cwd=tmp_path, timeout=180,
        env={**env, "PYTHONPATH": str(PROJECT_ROOT), "STORYBOT_DB": str(tmp_path / "l.db"),
             "COLUMNS": "120"},
    )


def test_the_first_readme_command_without_a_token_runs_the_sandbox(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/story list\nas reader\n/story remove story:1\n"
                                   "/story info story:lyre\n")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert "starting the local sandbox" in result.stderr.decode()
    for title in ("Baker Street Lanterns", "Dead Reckoning", "What the Lyre Remembers"):
        assert title in out
    assert "Only curators can do that" in out
    assert "Major Character Death" in out


def test_a_piped_script_stops_at_its_first_failing_line(tmp_path: Path) -> None:
    result = run_console(tmp_path, b"/story list\n\n\xff\xfe junk \x00\n/story list\n")
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 1
    assert "stopped at line 3" in err and "Traceback" not in out + err
    assert out.count("> /story list") == 1


def test_printf_daily_set_then_clock_next_shows_the_post_and_its_thread(tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(hours=5)
    result = run_console(tmp_path, f"/daily set channel:stories time:{later:%H:%M} "
                                   "timezone:UTC\nclock next\n")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    before, _, after = out.partition("> clock next")
    assert "Daily post set" in before and "Today's passage" not in before
    assert "Today's passage" in after and "a discussion thread was opened" in after
    assert "up to passage" in after  # the thread's opening message


def test_a_second_run_is_in_the_same_server_with_what_the_first_added(tmp_path: Path) -> None:
    """The sandbox keeps its world beside the library: a story added with /story add in
    one `make run` is there, in the same server, in the next."""
    story = tmp_path / "my-first-story.txt"
    story.write_text("My First Story\n\n" + "The lighthouse keeper counted ships. " * 60,
                     "utf-8")
    first = run_console(tmp_path, f"/story add file:{story} title:Lantern Count\n"
                                  "/config spoiler-safe percent:40\n")
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    added = re.search(r"Added story (\d+)", first.stdout.decode())
    assert added is not None, first.stdout.decode()[-2000:]
    second = run_console(tmp_path, f"/story info story:{added[1]}\n/config show\n")
    out = second.stdout.decode()
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    assert f"Story {added[1]}" in out and "no story called" not in out.lower()
    assert "40%" in out or "40 %" in out
