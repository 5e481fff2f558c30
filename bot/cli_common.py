"""What the command line's modules share: the consoles, running one piece of async work
on the library, and printing stored text inertly."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from bot.bootstrap import Services, open_services
from bot.library.errors import StoryBotError
from bot.library.text_safety import printable

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


def run_on_library(ctx: typer.Context, work: Callable[[Services], Awaitable[T]], *,
                   read_only: bool = False) -> T:
    """Open the library, run one piece of async work, close it; library errors -> one line.

    The command line is the operator's: it sees every server's stories (ALL_GUILDS).
    A command that only reads (`read_only`) refuses a library file that does not exist,
    so a mistyped --db path is reported instead of creating folders and an empty library."""
    target = str(ctx.obj)
    if read_only and "://" not in target and not Path(target.removeprefix("sqlite:")).is_file():
        err.print(printable(f"error: no library at {target} (check --db or STORYBOT_DB; "
                            "`storybot import` creates one)"), highlight=False, markup=False)
        raise typer.Exit(2)

    async def runner() -> T:
        async with open_services(ctx.obj) as services:
            return await work(services)

    try:
        return asyncio.run(runner())
    except StoryBotError as problem:
        err.print(f"[red]error:[/red] {escape(printable(str(problem)))}", highlight=False)
        raise typer.Exit(1) from None


# json.dumps escapes C0 controls but writes C1 controls (8-bit CSI) and lone surrogates
# as they are; both are escaped here too, which is still valid JSON.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")


def print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def inert(text: str) -> str:
    """Stored text as a table cell: inert on the terminal and never read as rich markup."""
    return escape(printable(text))


