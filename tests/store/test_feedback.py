"""Reactions through the batching writer, kudos, bookmarks and feedback, on both backends."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from typing import Any

import pytest

from bot.catalog import Catalog
from bot.library.records import FeedbackEntry, ReactionChange
from bot.store.protocol import Store
from tests.store.backends import RawDatabase
from tests.store.feedback_helpers import GUILD, story_with_posts

AT = "2026-11-21T10:00:00+00:00"


# The store's own feedback writer (started by the store, closed with it).
FeedbackWriter = Any


@pytest.fixture
def writer(store: Store) -> FeedbackWriter:
    return store.writer  # type: ignore[attr-defined]


async def test_a_burst_ends_in_each_readers_last_action(
    store: Store, writer: FeedbackWriter
) -> None:
    _, _, messages = await story_with_posts(store)
    rng = random.Random(7)
    expected: set[tuple[int, int, str]] = set()
    for _ in range(3000):
        key = (rng.choice(messages), rng.randint(1, 40), rng.choice(["❤️", "😂", "blob:77"]))
        added = rng.random() < 0.6
        await writer.submit(ReactionChange(*key, added, AT))
        (expected.add if added else expected.discard)(key)
    await writer.flush()
    assert set(await store.feedback.reactions(GUILD)) == expected
    assert writer.committed_changes == 3000


async def test_same_emoji_add_remove_add_keeps_it_and_remove_last_drops_it(
    store: Store, writer: FeedbackWriter
) -> None:
    _, _, (message, other, _) = await story_with_posts(store)
    for added in (True, False, True, False, True):
        await writer.submit(ReactionChange(message, 5, "❤️", added, AT))
    for added in (True, False):
        await writer.submit(ReactionChange(other, 5, "❤️", added, AT))
    await writer.flush()
    assert await store.feedback.reactions(GUILD) == [(message, 5, "❤️")]


async def test_reactions_on_unknown_or_deleted_posts_are_ignored(
    store: Store, writer: FeedbackWriter, raw: RawDatabase
) -> None:
    story, _, messages = await story_with_posts(store)
    await writer.submit(ReactionChange(123456, 5, "❤️", True, AT))  # not a post
    await writer.submit(ReactionChange(messages[0], 5, "❤️", True, AT))
    await writer.flush()
    await raw.execute("DELETE FROM stories WHERE id = ?", story.id)  # removes its posts
    await writer.submit(ReactionChange(messages[1], 6, "❤️", True, AT))
    await writer.flush()
    assert await store.feedback.reactions() == []


async def test_a_failing_job_undoes_only_itself(
    store: Store, writer: FeedbackWriter, raw: RawDatabase
) -> None:
    _, _, messages = await story_with_posts(store)
    await writer.submit(ReactionChange(messages[0], 5, "❤️", True, AT))

    async def broken(c: Any) -> None:  # the backend's connection: the same SQL runs on both
        await c.execute("INSERT INTO kudos (story_id, user_id, at) VALUES (-1, 1, 'x')")

    with pytest.raises(raw.integrity_error):
        await writer.run(broken)
    assert len(await store.feedback.reactions()) == 1


async def test_kudos_and_bookmarks_toggle(store: Store, writer: FeedbackWriter) -> None:
    story, passages, _ = await story_with_posts(store)
    kudos = [await store.feedback_writes.toggle_kudos(story.id, 5, GUILD, AT) for _ in range(3)]
    assert kudos == [True, False, True]
    marks = [await store.feedback_writes.toggle_bookmark(5, passages[1].id, story.id, GUILD, AT)
             for _ in range(2)]
    assert marks == [True, False]
    totals = await store.feedback.story_totals(GUILD, story.id)
    assert (totals.kudos, totals.bookmarks) == (1, 0)


async def test_feedback_is_one_per_reader_per_passage_and_per_story(
    store: Store, writer: FeedbackWriter
) -> None:
    story, passages, _ = await story_with_posts(store)
    for passage_id, stars in ((None, 2), (None, 4), (passages[0].id, 5), (passages[0].id, 3)):
        entry = FeedbackEntry(GUILD, story.id, passage_id, 5, stars, "nice", AT)
        await store.feedback_writes.save_feedback(entry)
    repo = store.feedback
    whole = await repo.feedback_of(5, story.id, None)
    assert whole is not None and whole.stars == 4
    one = await repo.feedback_of(5, story.id, passages[0].id)
    assert one is not None and one.stars == 3
    totals = await repo.story_totals(GUILD, story.id)
    assert (totals.ratings, totals.comments, totals.stars_average) == (2, 2, 3.5)


async def test_the_schema_refuses_bad_stars_and_long_comments(
    store: Store, raw: RawDatabase
) -> None:
    story, _, _ = await story_with_posts(store)
    for stars, comment in ((0, ""), (9, ""), (3, "x" * 1001)):
        with pytest.raises(raw.integrity_error):
            await store.feedback_writes.save_feedback(
                FeedbackEntry(GUILD, story.id, None, 5, stars, comment, AT))


async def test_passage_signals_count_reactions_bookmarks_and_stars(
    store: Store, writer: FeedbackWriter
) -> None:
    story, passages, messages = await story_with_posts(store)
    for user in (1, 2, 3):
        await writer.submit(ReactionChange(messages[0], user, "❤️", True, AT))
    await writer.submit(ReactionChange(messages[1], 1, "👎", True, AT))
    await store.feedback_writes.toggle_bookmark(1, passages[0].id, story.id, GUILD, AT)
    entry = FeedbackEntry(GUILD, story.id, passages[1].id, 1, 1, "", AT)
    await store.feedback_writes.save_feedback(entry)
    signals = await store.feedback.passage_signals(GUILD, [p.id for p in passages])
    liked, dismissed = signals[passages[0].id], signals[passages[1].id]
    assert (liked.reactions, liked.bookmarks, liked.negative_reactions) == (3, 1, 0)
    assert (dismissed.negative_reactions, dismissed.stars_total) == (1, 1)
    assert passages[2].id not in signals


async def test_passage_stories_answer_for_more_passages_than_sqlite_takes_parameters(
    store: Store
) -> None:
    """Server-wide /stats asks where every passage with feedback in the server is: a busy
    server's can outnumber the parameters SQLite takes in one statement (32,766 by default,
    250,000 in Debian's build)."""
    story, passages, _ = await story_with_posts(store)
    limit = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    asked = [p.id for p in passages] + list(range(10_000_000, 10_000_001 + limit))
    found = await store.feedback.passage_stories(asked)
    assert found == {p.id: (story.id, p.seq) for p in passages}


async def test_close_commits_everything_queued(store: Store, raw: RawDatabase) -> None:
    _, _, messages = await story_with_posts(store)
    writer = raw.new_writer(max_delay=0.05)
    writer.start()
    for user in range(500):
        await writer.submit(ReactionChange(messages[0], user, "❤️", True, AT))
    await writer.close()
    assert len(await store.feedback.reactions()) == 500


async def test_a_job_behind_a_reaction_does_not_wait_out_the_bursts_gathering(
    store: Store, raw: RawDatabase
) -> None:
    """A click's write (any job: here a flush) queued while a burst gathers goes with the
    reactions gathered so far, not after the rest of the gathering time."""
    _, _, messages = await story_with_posts(store)
    writer = raw.new_writer(max_delay=60.0)
    writer.start()
    try:
        await writer.submit(ReactionChange(messages[0], 5, "❤️", True, AT))
        await asyncio.sleep(0)  # the writer takes the reaction and starts gathering
        await writer.submit(ReactionChange(messages[1], 5, "❤️", True, AT))
        await asyncio.wait_for(writer.flush(), timeout=15)
        assert sorted(await store.feedback.reactions()) == sorted(
            [(messages[0], 5, "❤️"), (messages[1], 5, "❤️")])
        # With nothing waiting, a reaction's burst still gathers: no commit yet.
        await writer.submit(ReactionChange(messages[2], 5, "❤️", True, AT))
        await asyncio.sleep(0.05)
        assert writer.committed_batches == 1
        await asyncio.wait_for(writer.flush(), timeout=15)
        assert writer.committed_batches == 2
    finally:
        await writer.close()


async def test_story_figures_and_the_export_count_each_kind_once_per_server(
    store: Store, writer: FeedbackWriter
) -> None:
    story, passages, messages = await story_with_posts(store)
    for user in (1, 2):
        await writer.submit(ReactionChange(messages[0], user, "❤️", True, AT))
    await writer.flush()
    await store.feedback_writes.toggle_kudos(story.id, 1, GUILD, AT)
    await store.feedback_writes.toggle_bookmark(2, passages[0].id, story.id, GUILD, AT)
    for user, stars in ((1, 5), (2, 2)):
        await store.feedback_writes.save_feedback(
            FeedbackEntry(GUILD, story.id, None, user, stars, "", AT))
    await store.feedback_writes.toggle_kudos(story.id, 3, GUILD + 1, AT)  # another server

    (figures,) = await store.feedback.story_figures(GUILD)
    assert (figures.story_id, figures.reactions, figures.kudos, figures.bookmarks,
            figures.stars_total, figures.stars_count) == (story.id, 2, 1, 1, 7, 2)
    rows = await store.feedback.export_rows(GUILD)
    assert sorted(str(row[0]) for row in rows) == [
        "feedback", "feedback", "kudos", "reaction", "reaction"]
    assert {row[1] for row in rows} == {story.id}
    assert [row[0] for row in await store.feedback.export_rows(GUILD + 1)] == ["kudos"]


async def test_a_readers_signals_are_theirs_in_this_server_only(
    store: Store, writer: FeedbackWriter
) -> None:
    story, passages, messages = await story_with_posts(store)
    for emoji in ("❤️", "👎"):
        await writer.submit(ReactionChange(messages[0], 5, emoji, True, AT))
    await writer.submit(ReactionChange(messages[0], 6, "❤️", True, AT))  # another reader
    await writer.flush()
    await store.feedback_writes.toggle_kudos(story.id, 5, GUILD, AT)
    for passage in passages[:2]:
        await store.feedback_writes.toggle_bookmark(5, passage.id, story.id, GUILD, AT)
    for passage_id, stars in ((None, 4), (passages[0].id, 1)):
        await store.feedback_writes.save_feedback(
            FeedbackEntry(GUILD, story.id, passage_id, 5, stars, "", AT))

    signals = await store.feedback.reader_signals(GUILD, 5, recent=10)
    assert list(signals.recent) == [story.id] and signals.kudos == {story.id}
    mine = signals.recent[story.id]
    assert (mine.kudos, mine.bookmarks, mine.reactions, mine.negative_reactions,
            mine.stars_total, mine.stars_count) == (True, 2, 2, 1, 5, 2)
    other = (await store.feedback.reader_signals(GUILD, 6, recent=10)).recent[story.id]
    assert (other.kudos, other.reactions, other.bookmarks) == (False, 1, 0)
    for guild, reader in ((GUILD, 7), (GUILD + 1, 5)):  # another reader; another server
        nothing = await store.feedback.reader_signals(guild, reader, recent=10)
        assert (dict(nothing.recent), nothing.kudos) == ({}, frozenset())


async def test_a_readers_signals_come_most_recent_first(
    store: Store, writer: FeedbackWriter
) -> None:
    """For me reads the reader's most recent stories (reader_taste): a story's time is its
    latest signal of any kind, kudos, bookmark, reaction or stars; past the recent ones,
    only the stories given kudos."""
    first, first_passages, _ = await story_with_posts(store)
    second, _, _ = await story_with_posts(store, "dead-reckoning.md", posts=1,
                                          first_message=9100)
    third, _, _ = await story_with_posts(store, "shore-leave.md", posts=1, first_message=9200)

    async def newest_first() -> list[int]:
        return list((await store.feedback.reader_signals(GUILD, 5, recent=10)).recent)

    await store.feedback_writes.toggle_kudos(second.id, 5, GUILD, "2026-11-21T09:00:00+00:00")
    await store.feedback_writes.toggle_kudos(first.id, 5, GUILD, "2026-11-21T10:00:00+00:00")
    await store.feedback_writes.toggle_kudos(third.id, 5, GUILD, "2026-11-21T11:00:00+00:00")
    assert await newest_first() == [third.id, first.id, second.id]
    # A later bookmark brings the second story to the front; stars on the first after it.
    passage = (await Catalog(store).passages(second.id, GUILD))[0]
    await store.feedback_writes.toggle_bookmark(5, passage.id, second.id, GUILD,
                                                "2026-11-21T12:00:00+00:00")
    assert await newest_first() == [second.id, third.id, first.id]
    await store.feedback_writes.save_feedback(
        FeedbackEntry(GUILD, first.id, first_passages[0].id, 5, 4, "",
                      "2026-11-21T13:00:00+00:00"))
    assert await newest_first() == [first.id, second.id, third.id]
    await writer.submit(ReactionChange(9200, 5, "❤️", True, "2026-11-21T14:00:00+00:00"))
    await writer.flush()
    assert await newest_first() == [third.id, first.id, second.id]
    # Only the newest one in full when one is asked for; every kudos all the same.
    latest = await store.feedback.reader_signals(GUILD, 5, recent=1)
    assert list(latest.recent) == [third.id]
    assert latest.kudos == {first.id, second.id, third.id}
