"""`storybot db copy`: a whole library to PostgreSQL and back again loses nothing, and
`storybot db check` passes on every copy. The library is the demo stories plus every shared
fixture, with feedback, posts, schedules, settings and blocks in every table."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from typer.testing import CliRunner

from bot.catalog import Catalog
from bot.cli import app
from bot.library.guild_settings import GuildSettings, RestrictedStories, WarningStyle
from bot.library.models import Rating, Tag, TagKind
from bot.library.records import FeedbackEntry, ReactionChange
from bot.library.schedule import DailySchedule
from bot.library.selection import PassageCandidate, SerialPosition
from bot.library.source_records import SourceChannels
from bot.library.visibility import ALL_GUILDS
from bot.store.postgres.transfer import TABLES, open_library
from bot.store.protocol import Store
from tests.conftest import DEMO_STORIES, FIXTURES
from tests.store.backends import open_library as open_store
from tests.store.backends import with_search_path
from tests.store.feedback_helpers import GUILD, story_with_posts

AT = "2026-11-21T10:00:00+00:00"
NOW = datetime(2026, 11, 21, 10, tzinfo=UTC)


async def fill_every_table(store: Store) -> None:
    catalog = Catalog(store)
    story, passages, messages = await story_with_posts(store)  # a guild story, 3 posts
    await catalog.import_paths([DEMO_STORIES], guild_id=None)
    await catalog.import_paths([FIXTURES], guild_id=GUILD)
    doomed = (await catalog.list(ALL_GUILDS, limit=1000))[-1]
    await catalog.remove(doomed.id, ALL_GUILDS)  # the id counter is ahead of max(id) now
    writes = store.feedback_writes
    for user in (1, 2, 3):
        await writes.reaction(ReactionChange(messages[0], user, "❤️", True, AT))
        await writes.toggle_kudos(story.id, user, GUILD, AT)
        await writes.toggle_bookmark(user, passages[1].id, story.id, GUILD, AT)
        await writes.save_feedback(FeedbackEntry(GUILD, story.id, None, user, 4, "ünïcode ✓",
                                                 AT))
    await writes.flush()
    await store.guild_settings.save(GuildSettings(GUILD, curator_role_id=2**60,
                                                  warning_style=WarningStyle.SPOILER,
                                                  spoiler_fraction=0.35,
                                                  age_restricted_ratings=frozenset(
                                                      {Rating.EXPLICIT}),
                                                  demo_library=False,
                                                  restricted_stories=RestrictedStories.HIDE))
    await store.bot_state.set("commands_hash", "abc123")
    angst = await store.tags.ensure(Tag(TagKind.FREEFORM, "Angst"))
    await store.blocked_tags.block(GUILD, angst)
    await store.reader_blocks.block(1, angst)
    fluff = await store.tags.ensure(Tag(TagKind.FREEFORM, "Fluff"))
    await store.tag_overlays.rename(GUILD, angst, "Pain")
    await store.tag_overlays.merge(GUILD, [fluff], angst)
    await store.guild_data.schedule_removal(GUILD + 1, NOW, NOW + timedelta(days=30))
    await store.daily.save(GUILD, DailySchedule(channel_id=9, local_time=time(7, 30),
                                                timezone="Europe/Paris", mode="serial"), NOW)
    await store.daily.set_serial_position(GUILD, SerialPosition(story.id, 2))
    assert await store.daily.claim(GUILD, date(2026, 11, 21), NOW)
    await store.daily.mark_sent(GUILD, date(2026, 11, 21), message_id=9100, channel_id=9,
                                passage_id=passages[0].id)
    await store.daily.set_prompt(GUILD, story.id, "Who lit the lanterns?")
    await store.passages.record(GUILD, PassageCandidate(passages[0].id, story.id, 0,
                                                        len(passages)), NOW)
    await store.story_sources.mark_checked(story.id, NOW, updated=date(2026, 11, 20),
                                           gone=True)
    await store.story_sources.save_channels(SourceChannels(GUILD, 9, 2**61, 10))
    link = "https://archiveofourown.org/works/1"
    await store.suggestions.suggest(GUILD, link, 1, "a note", NOW)
    await store.suggestions.decide(GUILD, link, approved=True, reason="yes",
                                   story_id=story.id, at=NOW)
    work, _ = await store.suggestions.suggest(GUILD, "file:abc", 2, "", NOW,
                                              ("tide.txt", b"\x00Tide\xff"))
    await store.suggestions.set_card_message(work.card_id or 0, 9, 9200)


async def every_row(target: str) -> dict[str, list[tuple[Any, ...]]]:
    library = await open_library(target, must_exist=True)
    try:
        found = {}
        for table, order in TABLES:
            columns = sorted(await library.columns(table))
            found[table] = [row async for batch in library.rows(table, columns, order)
                            for row in batch]
        return found
    finally:
        await library.close()


async def new_schema(server: str) -> str:
    schema = f"copy_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    return with_search_path(server, schema)


async def make_library(path: Path) -> None:
    store = await open_store(str(path))
    try:
        await fill_every_table(store)
    finally:
        await store.close()


def test_sqlite_to_postgres_and_back_is_lossless(tmp_path: Path, pg_server: str) -> None:
    source, back = tmp_path / "source.db", tmp_path / "back.db"
    asyncio.run(make_library(source))
    dsn = asyncio.run(new_schema(pg_server))
    runner = CliRunner()

    there = runner.invoke(app, ["db", "copy", str(source), dsn])
    assert there.exit_code == 0, there.output
    again = runner.invoke(app, ["db", "copy", str(source), dsn])
    assert again.exit_code == 1 and "not empty" in again.output and "--force" in again.output
    assert runner.invoke(app, ["db", "copy", str(source), dsn, "--force"]).exit_code == 0
    home = runner.invoke(app, ["db", "copy", dsn, str(back)])
    assert home.exit_code == 0, home.output

    original = asyncio.run(every_row(str(source)))
    assert all(original[table] for table, _ in TABLES), "every table holds rows"
    assert asyncio.run(every_row(dsn)) == original
    assert asyncio.run(every_row(str(back))) == original
    for target in (str(source), dsn, str(back)):
        checked = runner.invoke(app, ["db", "check", target])
        assert checked.exit_code == 0 and checked.output.startswith("ok:"), checked.output


def test_copies_behave_like_the_original(tmp_path: Path, pg_server: str) -> None:
    """Derived data (search index, id counters) is rebuilt on the target: the same searches
    find the same stories (each backend ranks by its own measure), and a new story does not
    reuse a removed story's id."""
    source = tmp_path / "source.db"
    asyncio.run(make_library(source))
    dsn = asyncio.run(new_schema(pg_server))
    assert CliRunner().invoke(app, ["db", "copy", str(source), dsn]).exit_code == 0

    async def compare() -> None:
        sqlite, postgres = await open_store(str(source)), await open_store(dsn)
        try:
            for query in ("lantern", "baker street", "found family", "the"):
                assert {s.id for s in await sqlite.stories.search(ALL_GUILDS, query)} == {
                    s.id for s in await postgres.stories.search(ALL_GUILDS, query)}
            from bot.library.models import Chapter, StoryDraft

            draft = StoryDraft(title="New", authors=["N"], chapters=[Chapter(1, "", "Fresh.")],
                               rating=Rating.GENERAL)
            on_sqlite = await sqlite.stories.add(draft, [], guild_id=1)
            on_postgres = await postgres.stories.add(draft, [], guild_id=1)
            assert on_sqlite.id == on_postgres.id
        finally:
            await sqlite.close()
            await postgres.close()

    asyncio.run(compare())


def test_a_missing_source_or_unreachable_target_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["db", "copy", str(tmp_path / "none.db"),
                                  str(tmp_path / "out.db")])
    assert missing.exit_code == 1 and "there is no library at" in missing.output
    source = tmp_path / "source.db"
    asyncio.run(make_library(source))
    unreachable = runner.invoke(app, ["db", "copy", str(source),
                                      "postgresql://me@127.0.0.1:1/library"])
    assert unreachable.exit_code == 1
    assert "127.0.0.1:1" in unreachable.output and "Traceback" not in unreachable.output


def test_db_check_names_a_story_missing_from_either_search_index(tmp_path: Path) -> None:
    import sqlite3

    library = tmp_path / "library.db"

    async def fill() -> None:
        store = await open_store(str(library))
        try:
            await Catalog(store).import_paths([DEMO_STORIES], guild_id=None)
        finally:
            await store.close()

    asyncio.run(fill())
    runner = CliRunner()
    assert runner.invoke(app, ["db", "check", str(library)]).exit_code == 0
    with sqlite3.connect(library) as raw:
        raw.execute("DELETE FROM story_title_search WHERE rowid = "
                    "(SELECT min(id) FROM stories)")
    checked = runner.invoke(app, ["db", "check", str(library)])
    assert checked.exit_code == 1
    assert "1 stories have no entry in the title search index" in checked.output
    assert "in the search index" not in checked.output.replace("title search index", "")
