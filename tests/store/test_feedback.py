"""Reactions through the batching writer, kudos, bookmarks and feedback in real SQLite."""

from __future__ import annotations

import random

import aiosqlite
import pytest

from bot.store.sqlite import feedback as store
from bot.store.sqlite.feedback import FeedbackEntry, FeedbackRepository, ReactionChange
from bot.store.sqlite.feedback_writer import FeedbackWriter
from tests.store.feedback_helpers import GUILD, story_with_posts

AT = "2026-11-21T10:00:00+00:00"


@pytest.fixture
async def writer(conn: aiosqlite.Connection):  # type: ignore[no-untyped-def]
    running = FeedbackWriter(conn)
    running.start()
    yield running
    await running.close()


async def test_a_burst_ends_in_each_readers_last_action(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    _, _, messages = await story_with_posts(conn)
    rng = random.Random(7)
    expected: set[tuple[int, int, str]] = set()
    for _ in range(3000):
        key = (rng.choice(messages), rng.randint(1, 40), rng.choice(["❤️", "😂", "blob:77"]))
        added = rng.random() < 0.6
        await writer.submit(ReactionChange(*key, added, AT))
        (expected.add if added else expected.discard)(key)
    await writer.flush()
    assert set(await FeedbackRepository(conn).reactions(GUILD)) == expected
    assert writer.committed_changes == 3000


async def test_same_emoji_add_remove_add_keeps_it_and_remove_last_drops_it(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    _, _, (message, other, _) = await story_with_posts(conn)
    for added in (True, False, True, False, True):
        await writer.submit(ReactionChange(message, 5, "❤️", added, AT))
    for added in (True, False):
        await writer.submit(ReactionChange(other, 5, "❤️", added, AT))
    await writer.flush()
    assert await FeedbackRepository(conn).reactions(GUILD) == [(message, 5, "❤️")]


async def test_reactions_on_unknown_or_deleted_posts_are_ignored(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    story, _, messages = await story_with_posts(conn)
    await writer.submit(ReactionChange(123456, 5, "❤️", True, AT))  # not a post
    await writer.submit(ReactionChange(messages[0], 5, "❤️", True, AT))
    await writer.flush()
    await conn.execute("DELETE FROM stories WHERE id = ?", (story.id,))  # removes its posts
    await writer.submit(ReactionChange(messages[1], 6, "❤️", True, AT))
    await writer.flush()
    assert await FeedbackRepository(conn).reactions() == []


async def test_a_failing_job_undoes_only_itself(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    _, _, messages = await story_with_posts(conn)
    await writer.submit(ReactionChange(messages[0], 5, "❤️", True, AT))

    async def broken(c: aiosqlite.Connection) -> None:
        await c.execute("INSERT INTO kudos (story_id, user_id, at) VALUES (-1, 1, 'x')")

    with pytest.raises(aiosqlite.IntegrityError):
        await writer.run(broken)
    assert len(await FeedbackRepository(conn).reactions()) == 1


async def test_kudos_and_bookmarks_toggle(conn: aiosqlite.Connection, writer: FeedbackWriter
                                          ) -> None:
    story, passages, _ = await story_with_posts(conn)
    kudos = [await writer.run(lambda c: store.toggle_kudos(c, story.id, 5, GUILD, AT))
             for _ in range(3)]
    assert kudos == [True, False, True]
    marks = [await writer.run(
        lambda c: store.toggle_bookmark(c, 5, passages[1].id, story.id, GUILD, AT))
        for _ in range(2)]
    assert marks == [True, False]
    totals = await FeedbackRepository(conn).story_totals(GUILD, story.id)
    assert (totals.kudos, totals.bookmarks) == (1, 0)


async def test_feedback_is_one_per_reader_per_passage_and_per_story(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    story, passages, _ = await story_with_posts(conn)
    for passage_id, stars in ((None, 2), (None, 4), (passages[0].id, 5), (passages[0].id, 3)):
        entry = FeedbackEntry(GUILD, story.id, passage_id, 5, stars, "nice", AT)
        await writer.run(lambda c, e=entry: store.save_feedback(c, e))  # type: ignore[misc]
    repo = FeedbackRepository(conn)
    whole = await repo.feedback_of(5, story.id, None)
    assert whole is not None and whole.stars == 4
    one = await repo.feedback_of(5, story.id, passages[0].id)
    assert one is not None and one.stars == 3
    totals = await repo.story_totals(GUILD, story.id)
    assert (totals.ratings, totals.comments, totals.stars_average) == (2, 2, 3.5)


async def test_the_schema_refuses_bad_stars_and_long_comments(conn: aiosqlite.Connection) -> None:
    story, _, _ = await story_with_posts(conn)
    for stars, comment in ((0, ""), (9, ""), (3, "x" * 1001)):
        with pytest.raises(aiosqlite.IntegrityError):
            await store.save_feedback(conn, FeedbackEntry(GUILD, story.id, None, 5, stars,
                                                          comment, AT))


async def test_passage_signals_count_reactions_bookmarks_and_stars(
    conn: aiosqlite.Connection, writer: FeedbackWriter
) -> None:
    story, passages, messages = await story_with_posts(conn)
    for user in (1, 2, 3):
        await writer.submit(ReactionChange(messages[0], user, "❤️", True, AT))
    await writer.submit(ReactionChange(messages[1], 1, "👎", True, AT))
    await writer.run(lambda c: store.toggle_bookmark(c, 1, passages[0].id, story.id, GUILD, AT))
    entry = FeedbackEntry(GUILD, story.id, passages[1].id, 1, 1, "", AT)
    await writer.run(lambda c: store.save_feedback(c, entry))
    signals = await FeedbackRepository(conn).passage_signals(GUILD, [p.id for p in passages])
    liked, dismissed = signals[passages[0].id], signals[passages[1].id]
    assert (liked.reactions, liked.bookmarks, liked.negative_reactions) == (3, 1, 0)
    assert (dismissed.negative_reactions, dismissed.stars_total) == (1, 1)
    assert passages[2].id not in signals


async def test_close_commits_everything_queued(conn: aiosqlite.Connection) -> None:
    _, _, messages = await story_with_posts(conn)
    writer = FeedbackWriter(conn, max_delay=0.05)
    writer.start()
    for user in range(500):
        await writer.submit(ReactionChange(messages[0], user, "❤️", True, AT))
    await writer.close()
    assert len(await FeedbackRepository(conn).reactions()) == 500
