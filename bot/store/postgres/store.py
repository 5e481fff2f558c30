"""The PostgreSQL store: one connection pool per process, shared by every repository, and
the feedback writer, which takes one pooled connection per batch, and the change feed, which
keeps one connection of its own to LISTEN on.

Chosen by a `postgresql://` DSN (see bot/store/open.py); the SQLite store stays the default.
"""

from __future__ import annotations

import asyncpg

from bot.store.feedback_queue import FeedbackStatements, FeedbackWrites
from bot.store.postgres.bulk_import import BulkStoryWriter
from bot.store.postgres.change_feed import PostgresChangeFeed
from bot.store.postgres.daily import DailyRepository
from bot.store.postgres.database import POOL_MAX, create_pool, forget_writes, write_count
from bot.store.postgres.feedback import (
    FeedbackRepository,
    save_feedback,
    toggle_bookmark,
    toggle_kudos,
)
from bot.store.postgres.feedback_writer import FeedbackWriter
from bot.store.postgres.guild_data import GuildDataRepository
from bot.store.postgres.overlay import TagOverlayRepository
from bot.store.postgres.passages import PassageRepository
from bot.store.postgres.posts import PostRepository
from bot.store.postgres.privacy import forget_user
from bot.store.postgres.recommend_index import RecommendIndexRepository
from bot.store.postgres.settings import (
    BotStateRepository,
    GuildBlockedTagsRepository,
    GuildSettingsRepository,
    ReaderBlocksRepository,
)
from bot.store.postgres.stories import StoryRepository, write_search_documents
from bot.store.postgres.story_sources import StorySourceRepository
from bot.store.postgres.suggestions import SuggestionRepository
from bot.store.postgres.tags import TagRepository
from bot.store.protocol import Store


class PostgresStore:
    def __init__(self, pool: asyncpg.Pool, writer: FeedbackWriter,
                 changes: PostgresChangeFeed) -> None:
        self.pool = pool
        self._writer = writer
        # Other processes on this database hear of this one's changes (LISTEN/NOTIFY).
        self.changes = changes
        self.stories = StoryRepository(pool)
        self.tags = TagRepository(pool, reindex=write_search_documents_of_one)
        self.guild_settings = GuildSettingsRepository(pool)
        self.bot_state = BotStateRepository(pool)
        self.blocked_tags = GuildBlockedTagsRepository(pool)
        self.passages = PassageRepository(pool)
        self.posts = PostRepository(pool)
        self.daily = DailyRepository(pool)
        self.feedback = FeedbackRepository(pool)
        self.feedback_writes = FeedbackWrites(writer, FeedbackStatements(
            toggle_kudos, toggle_bookmark, save_feedback, forget_user))
        self.reader_blocks = ReaderBlocksRepository(pool)
        self.recommend_index = RecommendIndexRepository(pool)
        self.bulk = BulkStoryWriter(pool)
        self.tag_overlays = TagOverlayRepository(pool)
        self.guild_data = GuildDataRepository(pool)
        self.story_sources = StorySourceRepository(pool)
        self.suggestions = SuggestionRepository(pool)

    @classmethod
    async def open(cls, dsn: str, *, max_connections: int = POOL_MAX) -> PostgresStore:
        """Connect (one line naming host and reason when it cannot), migrate, start the
        feedback writer."""
        pool = await create_pool(dsn, max_size=max_connections)
        try:
            changes = await PostgresChangeFeed.open(dsn, pool)
        except BaseException:
            await pool.close()
            raise
        writer = FeedbackWriter(pool)
        writer.start()
        return cls(pool, writer, changes)

    @property
    def writer(self) -> FeedbackWriter:
        """The feedback writer, for its figures (batches, retries) in tests and benchmarks."""
        return self._writer

    def write_count(self) -> int:
        return write_count(self.pool)

    async def close(self) -> None:
        """Stop listening, commit everything the writer holds, then close the pool."""
        await self.changes.close()
        await self._writer.close()
        await self.pool.close()
        forget_writes(self.pool)


async def write_search_documents_of_one(conn: asyncpg.Connection, story_id: int) -> None:
    await write_search_documents(conn, story_id, story_id)


def _conforms(store: PostgresStore) -> Store:
    """Checked by the type checker: the PostgreSQL store has the whole protocol."""
    return store
