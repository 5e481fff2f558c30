"""A reaction that arrives before the bot has recorded its post is held, not lost, and
counted once the post is recorded; one on a message that never becomes a post is dropped
after the grace minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.bootstrap import open_services
from bot.library.clock import FakeClock
from bot.library.records import PostRecord
from bot.services.feedback import DISCORD_EPOCH_MS, FeedbackService
from tests.conftest import DEMO_STORIES

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BOT = 4242


def snowflake_at(moment: datetime) -> int:
    return (int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22


async def test_reactions_before_the_post_is_recorded_are_counted(tmp_path: Path) -> None:
    async with open_services(tmp_path / "library.db") as services:
        clock = FakeClock(NOW)
        feedback = FeedbackService(services.store, clock)
        story = await services.catalog.import_path(DEMO_STORIES / "baker-street-lanterns.md",
                                                   guild_id=7)
        passage = (await services.catalog.passages(story.id, 7))[0]
        message = snowflake_at(NOW)
        for user in range(48):
            assert await feedback.reaction(message, user, "❤️", added=True,
                                           message_author_id=BOT, bot_user_id=BOT)
        await services.store.posts.record(PostRecord(message, 7, 1, story.id, passage.id,
                                                     "excerpt", None, None, NOW))
        feedback.note_post(message)  # what ExcerptService.record_post tells feedback
        assert await feedback.reaction(message, 99, "🔥", added=True,
                                       message_author_id=BOT, bot_user_id=BOT)
        for _ in range(50):
            await services.store.feedback_writes.flush()
            rows = await services.store.feedback.reactions(7)
            if len(rows) == 49:
                break
        assert len(rows) == 49 and len(set(rows)) == 49

        # A bot message that never becomes a post: held for the grace minute, then dropped.
        stray = snowflake_at(NOW) + 1
        await feedback.reaction(stray, 1, "❤️", added=True, message_author_id=BOT,
                                bot_user_id=BOT)
        clock.advance(timedelta(minutes=2))
        assert not await feedback.reaction(stray, 2, "❤️", added=True,
                                           message_author_id=BOT, bot_user_id=BOT)
        await services.store.feedback_writes.flush()
        assert len(await services.store.feedback.reactions(7)) == 49
