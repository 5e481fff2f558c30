"""A reader's own reads, their signals for "for me" and their bookmarks, walk their own rows
and not their server's: however many reactions, kudos, bookmarks and stars other readers
left, the reads cost the same (SQLite, counted in steps of its virtual machine)."""

from __future__ import annotations

from pathlib import Path

from bot.store.sqlite.store import SqliteStore
from tests.store.feedback_helpers import GUILD, story_with_posts
from tests.store.sql_steps import add_rows, statements, steps

READER = 777


async def test_a_readers_reads_cost_the_same_in_a_busy_server(
        sqlite_store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    story, passages, _ = await story_with_posts(sqlite_store)
    passage_ids = [passage.id for passage in passages]
    add_rows(path, story.id, passage_ids, range(READER, READER + 1), 50_000)
    feedback = sqlite_store.feedback

    async def signals() -> object:
        return await feedback.reader_signals(GUILD, READER, 30)

    async def bookmarks() -> object:
        return await feedback.bookmarks(READER, GUILD, 0, 10)

    quiet = {name: steps(path, await statements(sqlite_store, read, str(READER)))
             for name, read in (("signals", signals), ("bookmarks", bookmarks))}
    assert quiet["signals"] > 0 and quiet["bookmarks"] > 0
    found = await feedback.reader_signals(GUILD, READER, 30)
    assert found.kudos == {story.id} and found.recent[story.id].stars_count == 1
    page = await feedback.bookmarks(READER, GUILD, 0, 10)
    assert page[1] == 1 and page[0][0].story_id == story.id

    # Three thousand other readers, each with a row in every table of the server.
    add_rows(path, story.id, passage_ids, range(1_000, 4_000), 100_000)
    busy = {name: steps(path, await statements(sqlite_store, read, str(READER)))
            for name, read in (("signals", signals), ("bookmarks", bookmarks))}
    # The same answers, and no step for another reader's row (walking them was 3,000
    # rows a table: tens of thousands of steps).
    assert await feedback.reader_signals(GUILD, READER, 30) == found
    assert await feedback.bookmarks(READER, GUILD, 0, 10) == page
    assert busy["signals"] <= quiet["signals"] + 50
    assert busy["bookmarks"] <= quiet["bookmarks"] + 50
