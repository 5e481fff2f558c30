"""Reader feedback writes, each run by the feedback writer inside its batch transaction."""

from __future__ import annotations

from dataclasses import dataclass

from bot.library.records import FeedbackEntry, ReactionChange
from bot.store.postgres import feedback
from bot.store.postgres.feedback_writer import FeedbackWriter
from bot.store.postgres.privacy import forget_user


@dataclass
class FeedbackWrites:
    writer: FeedbackWriter

    async def reaction(self, change: ReactionChange) -> None:
        await self.writer.submit(change)

    async def toggle_kudos(self, story_id: int, user_id: int, guild_id: int | None,
                           at: str) -> bool:
        return await self.writer.run(
            lambda conn: feedback.toggle_kudos(conn, story_id, user_id, guild_id, at))

    async def toggle_bookmark(self, user_id: int, passage_id: int, story_id: int,
                              guild_id: int | None, at: str) -> bool:
        return await self.writer.run(
            lambda conn: feedback.toggle_bookmark(conn, user_id, passage_id, story_id,
                                                  guild_id, at))

    async def save_feedback(self, entry: FeedbackEntry) -> None:
        await self.writer.run(lambda conn: feedback.save_feedback(conn, entry))

    async def forget_user(self, user_id: int) -> dict[str, int]:
        """Delete everything about the user, after every write of theirs already queued."""
        return await self.writer.run(lambda conn: forget_user(conn, user_id))

    async def flush(self) -> None:
        await self.writer.flush()
