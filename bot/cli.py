"""The `storybot` command line (also `python -m bot`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bot.bootstrap import Services
from bot.catalog import ImportOutcome
from bot.cli_common import JsonOption, err, inert, out, print_json, run_on_library
from bot.cli_db import db_app
from bot.cli_run import run_bot, run_sandbox, start
from bot.cli_servers import purge_server, tags_app
from bot.config import load_settings
from bot.library.errors import StoryBotError
from bot.library.models import Story
from bot.library.rating_change import RatingChange
from bot.library.recommend import RecommendedStory
from bot.library.search_order import NEWEST_ONLY_NOTE
from bot.library.text_safety import printable
from bot.library.visibility import ALL_GUILDS
from bot.library.vocabulary import fandom_label, folded_note, language_name
from bot.story_files import story_files

app = typer.Typer(
    help="storybot: a story library for Discord servers.", no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(tags_app, name="tags")
app.command("purge-server")(purge_server)


def _many(help_text: str) -> Any:
    """An option that may be given more than once."""
    return typer.Option(help=f"{help_text} (repeatable).")


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="STORYBOT_DB",
                     help="The library: a SQLite file, or a postgresql:// DSN."),
    ] = None,
) -> None:
    ctx.obj = db or load_settings().storybot_db


def _story_table(stories: list[Story]) -> Table:
    table = Table(show_lines=False)
    for column, justify in (("id", "right"), ("title", "left"), ("authors", "left"),
                            ("rating", "left"), ("fandom", "left"), ("words", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for story in stories:
        table.add_row(str(story.id), inert(story.title),
                      inert(", ".join(story.authors)) or "unknown",
                      story.rating.value, inert(fandom_label(story.fandoms, limit=None)),
                      f"{story.words:,}")
    return table


@app.command("import")
def import_stories(
    ctx: typer.Context,
    paths: Annotated[list[str] | None, typer.Argument(
        help="Story files, folders (recursive) or links (http/https).")] = None,
    urls_file: Annotated[Path | None, typer.Option(
        "--urls-file", help="A file of story links, one a line.")] = None,
    adult: Annotated[bool, typer.Option(
        "--adult", help="Also fetch works their site marks adult (you confirm you may).")] = False,
    title: Annotated[str | None, typer.Option(help="Title, for files that carry none.")] = None,
    author: Annotated[list[str] | None, _many("Author")] = None,
    rating: Annotated[str | None, typer.Option(
        help="AO3 rating for files that carry none, e.g. 'Teen And Up Audiences'.")] = None,
    override_rating: Annotated[bool, typer.Option(
        "--override-rating", help="Replace a rating the file carries with a stricter one.")
    ] = False,
    lower_rating: Annotated[bool, typer.Option(
        "--lower-rating", help="Replace a rating the file carries even with a lower one.")
    ] = False,
    warning: Annotated[list[str] | None, _many("Archive warning")] = None,
    category: Annotated[list[str] | None, _many("Category, e.g. M/M")] = None,
    fandom: Annotated[list[str] | None, _many("Fandom")] = None,
    relationship: Annotated[list[str] | None, _many("Relationship")] = None,
    character: Annotated[list[str] | None, _many("Character")] = None,
    tag: Annotated[list[str] | None, _many("Additional (freeform) tag")] = None,
    language: Annotated[str | None, typer.Option(
        help="Language, by name or code: English or en.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import story files (plain text, Markdown, AO3 HTML, FanFicFare HTML/TXT/EPUB, EPUB)
    and stories from links (AO3, FanFiction.net and every site FanFicFare reads)."""
    from bot.sources.importing import import_links, looks_like_link, read_urls_file

    metadata: dict[str, object] = {
        key: value
        for key, value in {
            "title": title, "authors": author, "rating": rating, "warnings": warning,
            "categories": category, "fandoms": fandom, "relationships": relationship,
            "characters": character, "tags": tag, "language": language,
        }.items()
        if value
    }
    links = [p for p in paths or [] if looks_like_link(p)]
    try:
        links += read_urls_file(urls_file) if urls_file else []
    except StoryBotError as problem:
        err.print(f"error: {problem}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    files = list(story_files([Path(p) for p in paths or [] if not looks_like_link(p)]))
    rating_change = (RatingChange.LOWER if lower_rating
                     else RatingChange.OVERRIDE if override_rating else RatingChange.FILL)

    imported = rejected = 0

    def report(outcome: ImportOutcome) -> None:
        """One file's outcome, printed as soon as it is known: a story printed as imported
        is committed, whatever stops the import later."""
        nonlocal imported, rejected
        if outcome.error is not None:
            rejected += 1
            # One line per file, whatever bytes its name or the error holds.
            err.print(printable(f"{outcome.path}: {outcome.error}"), highlight=False,
                      markup=False)
        elif outcome.story is not None:
            imported += 1
            if not as_json:
                story = outcome.story
                out.print(printable(f"imported {story.id}: {story.title} "
                                    f"({story.words:,} words)"), highlight=False, markup=False)

    async def work(services: Services) -> list[ImportOutcome]:
        from bot.sources import StorySources

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True, disable=as_json or not err.is_terminal) as bar:
            task = bar.add_task("importing", total=len(files) + len(links))

            def advance(outcome: ImportOutcome) -> None:
                report(outcome)
                name = escape(printable(Path(outcome.path).name)[:40])
                bar.update(task, advance=1, description=name)

            outcomes = (await services.catalog.import_paths(
                files, metadata=metadata, on_file=advance, rating_change=rating_change)).outcomes
            fetched = await import_links(services.catalog, links, StorySources(),
                                         metadata=metadata, allow_adult=adult,
                                         on_link=lambda o: bar.update(task, advance=1))
        for link in fetched:
            outcomes.append(ImportOutcome(link.url, link.story, link.error, link.duplicate_of))
            report(outcomes[-1])
        return outcomes

    try:
        outcomes = run_on_library(ctx, work)
    except KeyboardInterrupt:
        # What was printed as imported is committed; the batch being written was rolled back.
        err.print(f"interrupted: {imported} imported, {rejected} rejected; the same import "
                  "run again adds the rest", highlight=False)
        raise typer.Exit(130) from None
    if as_json:
        print_json([o.story.to_json() for o in outcomes if o.story is not None])
    else:
        out.print(f"{imported} imported, {rejected} rejected", highlight=False)
    if not files and not links:
        err.print("no story files or links found in the given paths", highlight=False)
    if rejected or not (files or links):
        raise typer.Exit(1)


@app.command("list")
def list_stories(
    ctx: typer.Context,
    tag: Annotated[list[str] | None, _many("Only stories with this tag")] = None,
    sort: Annotated[str, typer.Option(help="Order: title, newest or words.")] = "title",
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many stories.")]
    = 100,
    as_json: JsonOption = False,
) -> None:
    """List the library's stories."""
    if sort not in ("title", "newest", "words"):
        err.print(f"error: unknown sort '{sort}' (use title, newest or words)")
        raise typer.Exit(2)
    stories = run_on_library(ctx, lambda s: s.catalog.list(
        ALL_GUILDS, tags=tag or [], sort=sort, limit=limit),  # type: ignore[arg-type]
        read_only=True)
    if as_json:
        print_json([s.to_json() for s in stories])
    elif stories:
        out.print(_story_table(stories))
    else:
        out.print("the library is empty" if not tag else "no story has those tags")


@app.command("show")
def show_story(
    ctx: typer.Context, story_id: Annotated[int, typer.Argument(help="Story id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one story's metadata."""
    story = run_on_library(ctx, lambda s: s.catalog.get(story_id, ALL_GUILDS), read_only=True)
    if as_json:
        print_json(story.to_json())
        return
    out.print(f"[bold]{inert(story.title)}[/bold] by "
              f"{inert(', '.join(story.authors)) or 'unknown'}", highlight=False)
    for key, value in story.to_json().items():
        if key == "fandoms":
            value = fandom_label(story.fandoms, limit=None)
        elif key == "language":
            value = language_name(story.language)
        if key not in ("title", "authors") and value not in (None, "", []):
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            out.print(f"  {key}: {printable(shown, keep_newlines=True)}", highlight=False,
                      markup=False)


@app.command("search")
def search_stories(
    ctx: typer.Context, query: Annotated[str, typer.Argument(help="Words to look for.")],
    as_json: JsonOption = False,
) -> None:
    """Full-text search over titles, summaries, tags and text."""
    stories = run_on_library(ctx, lambda s: s.catalog.search(query, ALL_GUILDS),
                             read_only=True)
    if as_json:
        print_json([s.to_json() for s in stories])
    elif stories:
        out.print(_story_table(stories))
        if stories.newest_only:
            out.print(NEWEST_ONLY_NOTE)
    else:
        out.print(printable(f"nothing matches '{query}'"), highlight=False, markup=False)


@app.command("remove")
def remove_story(
    ctx: typer.Context, story_id: Annotated[int, typer.Argument(help="Story id.")],
    as_json: JsonOption = False,
) -> None:
    """Remove a story and everything attached to it."""
    story = run_on_library(ctx, lambda s: s.catalog.remove(story_id, ALL_GUILDS))
    if as_json:
        print_json(story.to_json())
    else:
        out.print(printable(f"removed {story.id}: {story.title}"), highlight=False, markup=False)


@app.command("excerpts")
def list_excerpts(
    ctx: typer.Context, story_id: Annotated[int, typer.Argument(help="Story id.")],
    as_json: JsonOption = False,
) -> None:
    """The passages a story was cut into."""
    passages = run_on_library(ctx, lambda s: s.catalog.passages(story_id, ALL_GUILDS),
                              read_only=True)
    if as_json:
        print_json([
            {"id": p.id, "number": p.seq + 1, "chapter": p.chapter, "words": p.words,
             "text": p.text}
            for p in passages
        ])
        return
    for p in passages:
        preview = printable(p.text[:70].replace("\n", " "))
        out.print(f"{p.seq + 1:>3}  ch {p.chapter:<3} {p.words:>4} words  {preview}…",
                  highlight=False, markup=False)


@app.command("recommend")
def recommend_stories(
    ctx: typer.Context,
    like: Annotated[str | None, typer.Option(
        help="A story (id or title) the results should be like.")] = None,
    tag: Annotated[list[str] | None, _many("Tag every result must carry")]
    = None,
    exclude_tag: Annotated[list[str] | None, typer.Option(
        "--exclude-tag", "--exclude", help="Tag no result may carry (repeatable).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=25, help="At most this many results.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Stories by shared tags, each with the tags that made it a match (every story and
    rating: the operator's view, no server or reader filters)."""
    if not (like or tag):  # the slash command's for_me needs a reader and a server
        err.print("error: say what to look for: --like STORY or --tag TAG", highlight=False)
        raise typer.Exit(1)
    async def work(services: Services) -> tuple[list[RecommendedStory], dict[int, Story]]:
        service = await services.recommendations.ready()
        page = await service.recommend_for(None, None, True, like=like, tags=tag or [],
                                           exclude=exclude_tag or [], limit=limit)
        # A result carries what a line shows; the JSON record is the whole story.
        ids = [found.story.id for found in page.results] if as_json else []
        return page.results, {story.id: story for story in
                              await services.catalog.get_many(ids, ALL_GUILDS)}

    results, whole = run_on_library(ctx, work, read_only=True)
    if as_json:
        print_json([{**whole[found.story.id].to_json(), "score": found.score,
                     "reasons": found.reasons, "more_by_author": found.more_by_author,
                     "more_in_series": found.more_in_series}
                    for found in results if found.story.id in whole])
        return
    if not results:
        out.print("nothing matches that", highlight=False)
        return
    table = Table(show_lines=False)
    for column, justify in (("#", "right"), ("id", "right"), ("title", "left"),
                            ("rating", "left"), ("why", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for rank, found in enumerate(results, start=1):
        folded = folded_note(found.more_by_author, found.more_in_series)
        table.add_row(str(rank), str(found.story.id), inert(found.story.title),
                      found.story.rating.value,
                      inert(", ".join(found.reasons)) + (f" ({folded})" if folded else ""))
    out.print(table)


# Running the bot (bot/cli_run.py), listed last in --help as before.
app.command("run")(run_bot)
app.command("sandbox")(run_sandbox)
app.command("start")(start)
