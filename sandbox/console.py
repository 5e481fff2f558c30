"""The sandbox console: talk to the real bot as its server's people would, with no Discord.

A line is a slash command or one of the console's verbs. Slash commands are checked the way
Discord's client checks them (sandbox.console_options) before they are sent; what the bot
sends back is drawn as its users would see it (sandbox.console_view). Piped scripts stop at
the first line that fails, with a non-zero exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.markup import escape

from bot.config import Settings
from bot.library.clock import ShiftedClock
from sandbox.console_clock import (
    CLOCK_USAGE,
    next_post_in_status,
    parse_duration,
    skip_warning,
    skipped_by_jump,
)
from sandbox.console_input import Completer, install_readline, piped_lines, typed_lines
from sandbox.console_markup import format_timestamp
from sandbox.console_modal import OpenForm
from sandbox.console_options import (
    Command,
    FileToUpload,
    UsageError,
    command_table,
    describe_command,
    split_slash_line,
    typed_options,
)
from sandbox.console_render import button_labels, find_button
from sandbox.console_view import ALIASES, ServerView, owner_of
from sandbox.control import InteractionResult, Sandbox, SandboxTimeout
from sandbox.entities import SandboxUser
from sandbox.messages import MessageRecord
from sandbox.session import bot_in_sandbox

HELP = """\
  /story list                       a slash command; options as name:value
  /story info story:Baker Street    values may hold spaces; quote them if they hold "name:"
  /story add file:path/to/story.txt title:"My Title" rating:Teen And Up Audiences
  /config spoiler-safe percent:50   choices by label or value; users, channels and roles
                                    by name, @mention/#mention or id
  /daily set ?   or   help /daily set     a command's options, their types and descriptions
  click Kudos                       click a button (by label or id) of a card you can see
  react ❤️                           react to the last public card
  fill stars:5 comment:"Lovely"     fill in the form the bot opened for you · cancel
  reveal                            show the spoilers of the last card that hid some
  as curator | as reader | as reader2 | as owner      who you are (the owner owns the server)
  in stories                        switch channel: {channels}
  clock +1d | clock +3h | clock next    move the bot's clock; next = the next daily post
  help · quit (or Ctrl-D)
Attachments the bot sends are saved to {attachments}. Times show in your zone ({zone}).
Typing: Tab completes commands, options, choices and the bot's suggestions."""

Outcome = Literal["ok", "failed", "quit"]


class ConsoleError(Exception):
    """A line the console could not act on; shown as one line, the session goes on."""


@dataclass
class ConsoleSession:
    sandbox: Sandbox
    clock: ShiftedClock
    out: Console
    attachments_dir: Path = Path("data/attachments")
    bot: Any = None  # the running StoryBot, whose scheduled work runs when the clock moves
    user_name: str = "curator"
    channel: str = "stories"
    forms: dict[int, OpenForm] = field(default_factory=dict)  # by user id
    view: ServerView = field(init=False)

    def __post_init__(self) -> None:
        self.view = ServerView(self.sandbox, self.out, self.attachments_dir)
        self.view.context.now = self.clock.now
        self.view.refresh_names()

    @property
    def user(self) -> SandboxUser:
        return self.view.user(self.user_name)

    def commands(self) -> dict[str, Command]:
        return command_table(self.sandbox.registered_commands())

    # ----- one line

    async def handle(self, line: str) -> Outcome:
        """Act on one line; 'failed' when it could not be done, 'quit' to end the session."""
        line = line.strip()
        if not line or line.startswith("#"):
            return "ok"
        verb, _, rest = line.partition(" ")
        verb, rest = verb.casefold(), rest.strip()
        outcome: Outcome = "ok"
        try:
            if line.startswith("/"):
                await self.slash(line)
            elif verb in ("help", "?"):
                self.help(rest)
            elif verb in ("quit", "exit"):
                return "quit"
            else:
                action = {"click": self.click, "react": self.react, "fill": self.fill,
                          "cancel": self.cancel, "reveal": self.reveal, "as": self.switch_user,
                          "in": self.switch_channel, "clock": self.move_clock}.get(verb)
                if action is None:
                    raise ConsoleError(f"don't know '{verb[:40]}' (try: help)")
                await action(rest)
        except UsageError as problem:
            self.fail(str(problem), problem.usage)
            outcome = "failed"
        except (ConsoleError, SandboxTimeout, LookupError) as problem:
            self.fail(str(problem))
            outcome = "failed"
        except Exception as problem:  # a console bug must not end the session
            logging.getLogger("sandbox.console").debug("line failed", exc_info=True)
            self.fail(f"the console could not do that ({type(problem).__name__}: {problem})")
            outcome = "failed"
        await self.view.show_new(self.user)
        return outcome

    def fail(self, message: str, usage: str | None = None) -> None:
        self.out.print(f"[red]✗[/red] {escape(message[:500])}", highlight=False)
        if usage:
            self.out.print(f"  {usage}", highlight=False, markup=False)

    def help(self, topic: str) -> None:
        if topic and (topic.startswith("/") or topic.split()[0].casefold() in
                      {p.split()[0] for p in self.commands()}):
            command = split_slash_line(topic if topic.startswith("/") else f"/{topic}",
                                       self.commands()).command
            for text in describe_command(command):
                self.out.print(text, highlight=False, markup=False)
            return
        self.out.print(HELP.format(channels=", ".join(self.sandbox.channels),
                                   attachments=self.attachments_dir,
                                   zone=_local_zone_name()),
                       highlight=False, markup=False)
        names = ", ".join(f"/{p}" for p in sorted(self.commands()))
        self.out.print(f"Commands: {names}", highlight=False, markup=False)

    # ----- slash commands and what follows them

    async def slash(self, line: str) -> None:
        parsed = split_slash_line(line, self.commands())
        if parsed.wants_help:
            for text in describe_command(parsed.command):
                self.out.print(text, highlight=False, markup=False)
            return
        values = typed_options(parsed, self.view.directory())
        self._check_channel_visible()
        path = parsed.command.path
        options: dict[str, Any] = {}
        for name, value in values.items():
            option = parsed.command.option(name) or {}
            if isinstance(value, FileToUpload):
                options[name] = self.sandbox.upload(value.path.name, value.path.read_bytes(),
                                                    channel=self.channel)
            elif option.get("autocomplete") and isinstance(value, str) and not value.isdigit():
                options[name] = await self.suggestion(path, name, value)
            else:
                options[name] = value
        result = await self.sandbox.slash(self.user, path, options, channel=self.channel,
                                          timeout=30)
        await self.after_interaction(result)

    async def suggestion(self, path: str, name: str, typed: str) -> Any:
        """What picking the bot's suggestion for `typed` sends (the typed text if none)."""
        choices = await self.sandbox.autocomplete(self.user, path, {name: typed}, focused=name,
                                                  channel=self.channel)
        key = typed.strip().casefold()
        exact = [c for c in choices if key in (str(c["name"]).casefold(),
                                               str(c["value"]).casefold())]
        picked = exact[0] if exact else choices[0] if choices else None
        return picked["value"] if picked else typed

    async def suggestion_names(self, path: str, name: str, typed: str) -> list[str]:
        choices = await self.sandbox.autocomplete(self.user, path, {name: typed}, focused=name,
                                                  channel=self.channel)
        return [str(c["name"]) for c in choices]

    async def after_interaction(self, result: InteractionResult) -> None:
        if result.callback_type == 9 and result.modal:
            form = OpenForm.from_modal(result.modal)
            self.forms[self.user.id] = form
            for text in form.describe():
                self.out.print(text, highlight=False, markup=False)
        elif result.deferred:
            await result.wait_until_done(timeout=60)
        await asyncio.sleep(0.2)  # follow-ups and channel posts that come right after

    def _check_channel_visible(self) -> None:
        channel = self.sandbox.channels[self.channel]
        if not self.view.can_see_channel(self.user, channel.id):
            raise ConsoleError(f"{self.user_name} cannot see #{self.channel}: "
                               "switch with `in stories`")

    # ----- buttons, reactions, forms

    def cards(self) -> list[MessageRecord]:
        return [m for m in reversed(self.view.bot_messages())
                if m.components and not m.deleted]

    async def click(self, target: str) -> None:
        if not target:
            raise ConsoleError("click what? e.g. click Kudos")
        mine = [m for m in self.cards() if self.view.visible_to(m, self.user)]
        for message in mine:
            custom_id = find_button(message, target)
            if custom_id is not None:
                result = await self.sandbox.click(self.user, message.id, custom_id, None,
                                                  timeout=30)
                await self.after_interaction(result)
                return
        for message in self.cards():
            owner = owner_of(message)
            if owner is not None and find_button(message, target) is not None:
                name = self.view.context.user_names.get(owner, "someone else")
                raise ConsoleError(f"the card with '{target[:40]}' was private to {name}: "
                                   "Discord shows it only to them, so only they can click it")
        if not mine:
            raise ConsoleError("no card with buttons yet")
        raise ConsoleError(f"no button '{target[:40]}' on the cards you can see "
                           f"(the last one has: {', '.join(button_labels(mine[0])) or 'none'})")

    async def react(self, emoji: str) -> None:
        emoji = emoji or "❤️"
        if len(emoji) > 32 or " " in emoji:
            raise ConsoleError("react takes one emoji, like: react ❤️")
        public = [m for m in reversed(self.view.bot_messages())
                  if not m.ephemeral and not m.deleted and self.view.visible_to(m, self.user)]
        here = [m for m in public if m.channel_id == self.sandbox.channels[self.channel].id]
        if not public:
            raise ConsoleError("nothing to react to yet")
        target = (here or public)[0]
        await self.sandbox.react(self.user, target.id, emoji)
        await asyncio.sleep(0.2)

    async def fill(self, answers: str) -> None:
        form = self.forms.get(self.user.id)
        if form is None:
            raise ConsoleError(f"no form is open for {self.user_name} (a button like Feedback, "
                               "or /feedback, opens one)")
        values = form.answers(answers)
        result = await self.sandbox.submit_modal(self.user, form.custom_id, values, timeout=30)
        del self.forms[self.user.id]
        await self.after_interaction(result)

    async def cancel(self, _: str) -> None:
        if self.forms.pop(self.user.id, None) is None:
            raise ConsoleError("no form is open")
        self.out.print("form closed without sending")

    async def reveal(self, _: str) -> None:
        message = self.view.last_with_spoilers.get(self.user.id)
        if message is None:
            raise ConsoleError("no spoilers to reveal")
        self.view.draw(message, self.user, reveal=True)

    # ----- who, where, when

    async def switch_user(self, name: str) -> None:
        key = name.casefold().removeprefix("@")
        alias = next((a for a in ALIASES if key in (a, self.view.user(a).username.casefold())),
                     None)
        if alias is None:
            raise ConsoleError("you can be: curator, reader, reader2, owner")
        self.user_name = alias
        where = ""
        if not self.view.can_see_channel(self.user, self.sandbox.channels[self.channel].id):
            self.channel = "general"
            where = " (moved to #general: they cannot see the channel you were in)"
        self.out.print(f"you are now {alias} ({self.view.member_name(self.user)}){where}",
                       highlight=False, markup=False)

    async def switch_channel(self, name: str) -> None:
        name = name.removeprefix("#").strip()
        channels = self.sandbox.channels
        found = channels.get(name) or next(
            (c for n, c in channels.items() if n.casefold() == name.casefold()), None)
        if found is None:
            raise ConsoleError(f"no channel #{name[:40]} (there are: {', '.join(channels)})")
        if not self.view.can_see_channel(self.user, found.id):
            raise ConsoleError(f"{self.user_name} cannot see #{found.name}")
        self.channel = found.name
        self.out.print(f"you are now in #{found.name}", highlight=False,
                       markup=False)

    async def move_clock(self, step: str) -> None:
        if not step:
            raise UsageError("clock needs a step", CLOCK_USAGE)
        next_post = await self.next_daily_post()
        now = self.clock.now()
        if step.casefold() == "next":
            if next_post is None:
                raise ConsoleError("no daily post is scheduled: a curator sets one with "
                                   "/daily set")
            jump = max(next_post - now, timedelta(0)) + timedelta(seconds=1)
            shown = format_timestamp(int(next_post.timestamp()), "F", self.view.context)
            self.out.print(f"jumping to the next daily post, due {shown}", highlight=False)
        else:
            jump = parse_duration(step)
            skipped = skipped_by_jump(next_post, now + jump)
            if skipped is not None:
                first = format_timestamp(int(skipped.first.timestamp()), "F",
                                         self.view.context)
                self.out.print(skip_warning(skipped, first), highlight=False, markup=False)
        self.clock.advance(jump)
        moved = format_timestamp(int(self.clock.now().timestamp()), "F", self.view.context)
        self.out.print(f"the clock is now {moved} ({self.clock.now():%H:%M} UTC)",
                       highlight=False)
        await self.run_scheduled_work()

    async def next_daily_post(self) -> Any:
        """When the next daily post is due, read from /daily status as a curator would."""
        if "daily status" not in self.commands():
            return None
        channel = "general" if "general" in self.sandbox.channels else self.channel
        result = await self.sandbox.slash(self.sandbox.users.owner, "daily status", {},
                                          channel=channel, timeout=10)
        if result.message is not None:
            self.view.hidden.add(result.message.id)
        return next_post_in_status(result.content)

    async def run_scheduled_work(self) -> None:
        """Run the daily post's tick now, as its loop would within 30 s of the new time."""
        await asyncio.sleep(0.2)
        daily = self.bot.services.daily if self.bot is not None else None
        if daily is not None:
            await daily.tick()
            await asyncio.sleep(0.3)  # the thread's opening message follows the post


def _local_zone_name() -> str:
    return datetime.now().astimezone().tzname() or "local time"


async def run_lines(session: ConsoleSession, interactive: bool) -> int:
    """Feed lines to the session; a piped script stops at its first failing line (exit 1)."""
    lines = typed_lines() if interactive else piped_lines()
    async for number, line in lines:
        if not interactive and line:
            shown = line if len(line) <= 200 else f"{line[:200]}… ({len(line):,} characters)"
            session.out.print(f"> {shown}", highlight=False, markup=False)
        outcome = await session.handle(line)
        if outcome == "quit":
            break
        if outcome == "failed" and not interactive:
            print(f"storybot console: stopped at line {number}, which failed: "
                  f"{line[:80]}", file=sys.stderr)
            return 1
    return 0


async def run_console(settings: Settings, out: Console | None = None) -> int:
    out = out or Console()
    # discord.py warns that voice is unavailable; the sandbox has no voice anyway.
    logging.getLogger("discord").setLevel(logging.ERROR)
    clock = ShiftedClock()
    interactive = sys.stdin.isatty()
    attachments = Path(settings.storybot_db).expanduser().parent / "attachments"
    out.print("[dim]starting the sandbox and the bot…[/dim]")
    async with bot_in_sandbox(settings, clock=clock) as (sandbox, running):
        await sandbox.wait_for_commands("story", timeout=30)
        session = ConsoleSession(sandbox, clock, out, attachments, bot=running.bot)
        session.view.mark_all_shown()
        if interactive:
            loop = asyncio.get_running_loop()

            def ask_bot(path: str, name: str, typed: str) -> list[str]:
                future = asyncio.run_coroutine_threadsafe(
                    session.suggestion_names(path, name, typed), loop)
                return future.result(timeout=5)

            install_readline(Completer(session.commands, session.view.directory,
                                       lambda: list(sandbox.channels), ask_bot))
        out.print("storybot sandbox: server “Story Circle”, you are the curator in #stories. "
                  "Type help for what you can do.", highlight=False)
        code = 0
        with contextlib.suppress(KeyboardInterrupt):
            code = await run_lines(session, interactive)
    return code
