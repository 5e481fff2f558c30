"""The operator's commands for every server at once: the shared tag vocabulary, and
deleting one server's data now."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.bootstrap import Services
from bot.cli_common import JsonOption, err, out, print_json, run_on_library
from bot.library.models import TagKind

tags_app = typer.Typer(help="The shared tag vocabulary every server sees (servers' curators "
                            "change only their own server's view, with /tags).",
                       no_args_is_help=True)
KindOption = Annotated[str | None, typer.Option(
    "--kind", help="Tag kind, when a name is used by several (e.g. freeform, fandom).")]


def _tag_kind(kind: str | None) -> TagKind | None:
    if kind is None:
        return None
    try:
        return TagKind(kind.strip().lower())
    except ValueError:
        err.print(f"error: unknown tag kind '{kind}' (use one of: "
                  f"{', '.join(k.value for k in TagKind)})", highlight=False, markup=False)
        raise typer.Exit(2) from None


@tags_app.command("rename")
def rename_shared_tag(
    ctx: typer.Context, tag: Annotated[str, typer.Argument(help="The tag to rename.")],
    new_name: Annotated[str, typer.Argument(help="Its new name, for every server.")],
    kind: KindOption = None,
) -> None:
    """Rename a canonical tag in the shared vocabulary (the old name stays a synonym)."""
    async def work(services: Services) -> tuple[str, int]:
        service = await services.recommendations.ready()
        renamed, stories = await service.rename_tag(tag, new_name, _tag_kind(kind))
        return renamed.name, stories

    name, stories = run_on_library(ctx, work)
    out.print(f"renamed to '{name}' for every server ({stories} stories)",
              highlight=False, markup=False)


@tags_app.command("merge")
def merge_shared_tags(
    ctx: typer.Context, source: Annotated[str, typer.Argument(help="The tag to fold in.")],
    into: Annotated[str, typer.Argument(help="The tag to keep.")], kind: KindOption = None,
) -> None:
    """Make one tag a synonym of another in the shared vocabulary (nothing is lost)."""
    async def work(services: Services) -> tuple[str, str, int]:
        service = await services.recommendations.ready()
        folded, kept, stories = await service.merge_tags(source, into, _tag_kind(kind))
        return folded.name, kept.name, stories

    folded, kept, stories = run_on_library(ctx, work)
    out.print(f"merged '{folded}' into '{kept}' for every server ({stories} stories)",
              highlight=False, markup=False)


def purge_server(
    ctx: typer.Context, guild_id: Annotated[int, typer.Argument(help="The server's id.")],
    as_json: JsonOption = False,
) -> None:
    """Delete one server's data now: stories it added, settings, tag overlay, schedules,
    feedback (the demo library and other servers are untouched)."""
    deleted = run_on_library(ctx, lambda s: s.servers.purge(guild_id))
    if as_json:
        print_json(deleted)
    elif deleted:
        out.print(f"deleted server {guild_id}'s data: "
                  + ", ".join(f"{table} {rows}" for table, rows in sorted(deleted.items())),
                  highlight=False, markup=False)
    else:
        out.print(f"nothing stored for server {guild_id}", highlight=False, markup=False)


