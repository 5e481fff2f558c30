"""`storybot db …`: move a library between SQLite and PostgreSQL, check a library."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.library.errors import StoryBotError

db_app = typer.Typer(help="Move or check a library (SQLite file or postgresql:// DSN).",
                     no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(problem: StoryBotError) -> typer.Exit:
    err.print(f"[red]error:[/red] {problem}", highlight=False)
    return typer.Exit(1)


@db_app.command("copy")
def copy_command(
    source: Annotated[str, typer.Argument(help="The library to read: a file or a DSN.")],
    target: Annotated[str, typer.Argument(help="Where to write it: a file or a DSN.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a target that is not "
                                                        "empty.")] = False,
) -> None:
    """Copy every table of SOURCE into TARGET, losslessly (SQLite and PostgreSQL, either way)."""
    # Imported here: the rest of the command line never loads the PostgreSQL driver.
    from bot.store.postgres.transfer import TABLES, copy_library, open_library, table_counts

    async def work() -> dict[str, int]:
        reader = await open_library(source, must_exist=True)
        try:
            writer = await open_library(target, must_exist=False)
            try:
                total = sum((await table_counts(reader)).values())
                with Progress(TextColumn("{task.description:<20}"), BarColumn(),
                              MofNCompleteColumn(), TimeElapsedColumn(),
                              console=err) as bar:
                    task = bar.add_task("copying", total=total)

                    def advance(table: str, rows: int) -> None:
                        bar.update(task, advance=rows, description=table)

                    return await copy_library(reader, writer, force=force, progress=advance)
            finally:
                await writer.close()
        finally:
            await reader.close()

    try:
        copied = asyncio.run(work())
    except StoryBotError as problem:
        raise _fail(problem) from None
    stories = copied.get("stories", 0)
    out.print(f"copied {sum(copied.values()):,} rows ({stories:,} stories) in "
              f"{len(TABLES)} tables from {source} to {target}", highlight=False)


@db_app.command("check")
def check_command(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Argument(
        help="The library to check (default: --db / STORYBOT_DB).")] = None,
) -> None:
    """Run the backend's integrity check on a library."""
    from bot.store.postgres.transfer import open_library, table_counts

    chosen = str(target or ctx.obj)

    async def work() -> tuple[list[str], dict[str, int]]:
        library = await open_library(chosen, must_exist=True)
        try:
            return await library.check(), await table_counts(library)
        finally:
            await library.close()

    try:
        problems, counts = asyncio.run(work())
    except StoryBotError as problem:
        raise _fail(problem) from None
    for line in problems:
        err.print(f"[red]problem:[/red] {line}", highlight=False)
    if problems:
        raise typer.Exit(1)
    out.print(f"ok: {chosen} ({counts['stories']:,} stories, "
              f"{sum(counts.values()):,} rows)", highlight=False)
