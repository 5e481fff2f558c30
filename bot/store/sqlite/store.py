"""The SQLite store: one file, one shared connection for the bot's reads and writes, the
feedback writer's own connection, so reaction batches never interleave other writes, and a
twin of the shared one on the event loop's thread, for reads by key (`fetch_few`) and
one-statement writes (`write_on_loop`).

It is the only object that holds a connection; everything else reaches the database
through its repositories (see bot/store/protocol.py for the surface they share with any
other backend).
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.store.feedback_queue import FeedbackStatements, FeedbackWrites
from bot.store.protocol import Store
from bot.store.sqlite.bulk_import import BulkStoryWriter
from bot.store.sqlite.change_feed import SingleProcessFeed
from bot.store.sqlite.daily import DailyRepository
from bot.store.sqlite.database import close_loop_twin, connect, open_loop_twin
from bot.store.sqlite.feedback import (
    FeedbackRepository,
    save_feedback,
    toggle_bookmark,
    toggle_kudos,
)
from bot.store.sqlite.feedback_writer import FeedbackWriter
from bot.store.sqlite.guild_data import GuildDataRepository
from bot.store.sqlite.guild_settings import (
    BotStateRepository,
    GuildBlockedTagsRepository,
    GuildSettingsRepository,
)
from bot.store.sqlite.overlay import TagOverlayRepository
from bot.store.sqlite.passages import PassageRepository
from bot.store.sqlite.posts import PostRepository
from bot.store.sqlite.privacy import forget_user
from bot.store.sqlite.reader_blocks import ReaderBlocksRepository
from bot.store.sqlite.recommend_index import RecommendIndexRepository
from bot.store.sqlite.stories import StoryRepository
from bot.store.sqlite.story_sources import StorySourceRepository
from bot.store.sqlite.suggestions import SuggestionRepository
from bot.store.sqlite.tags import TagRepository


class SqliteStore:
    def __init__(self, conn: aiosqlite.Connection, writer: FeedbackWriter) -> None:
        self._conn = conn
        self._writer = writer
        self.stories = StoryRepository(conn)
        self.tags = TagRepository(conn, reindex=self.stories.reindex_for_search)
        self.guild_settings = GuildSettingsRepository(conn)
        self.bot_state = BotStateRepository(conn)
        self.blocked_tags = GuildBlockedTagsRepository(conn)
        self.passages = PassageRepository(conn)
        self.posts = PostRepository(conn)
        self.daily = DailyRepository(conn)
        self.feedback = FeedbackRepository(conn)
        self.feedback_writes = FeedbackWrites(writer, FeedbackStatements(
            toggle_kudos, toggle_bookmark, save_feedback, forget_user))
        self.reader_blocks = ReaderBlocksRepository(conn)
        self.recommend_index = RecommendIndexRepository(conn)
        self.bulk = BulkStoryWriter(conn)
        self.tag_overlays = TagOverlayRepository(conn)
        self.guild_data = GuildDataRepository(conn)
        self.story_sources = StorySourceRepository(conn)
        self.suggestions = SuggestionRepository(conn)
        self.changes = SingleProcessFeed()

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating and migrating) the database; the feedback writer starts at once."""
        conn = await connect(path)
        try:
            open_loop_twin(conn, path)
            if str(path) == ":memory:":  # one in-memory database: the writer shares it
                writer = FeedbackWriter(conn)
            else:  # its own connection (own thread) so batches never interleave other writes
                writer = FeedbackWriter(await connect(path), owns_connection=True)
        except BaseException:
            close_loop_twin(conn)
            await conn.close()
            raise
        writer.start()
        return cls(conn, writer)

    @property
    def writer(self) -> FeedbackWriter:
        """The feedback writer, for its figures (batches, retries) in tests and benchmarks."""
        return self._writer

    def write_count(self) -> int:
        return int(self._conn.total_changes)

    async def close(self) -> None:
        """Commit everything the writer holds, then close the connections."""
        await self._writer.close()
        close_loop_twin(self._conn)
        await self._conn.close()


def _conforms(store: SqliteStore) -> Store:
    """Checked by the type checker: the SQLite store has the whole protocol."""
    return store
