"""Shared set-up for the feedback store tests: a real story with passages and bot posts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.catalog import Catalog
from bot.library.models import Passage, Story
from bot.library.records import PostRecord
from bot.store.protocol import Store
from tests.conftest import DEMO_STORIES

GUILD = 111
POSTED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def story_with_posts(store: Store, name: str = "baker-street-lanterns.md",
                           posts: int = 3, first_message: int = 9000
                           ) -> tuple[Story, list[Passage], list[int]]:
    """Import a demo story and record `posts` bot posts of its first passages."""
    catalog = Catalog(store)
    story = await catalog.import_path(DEMO_STORIES / name, guild_id=GUILD, added_by=42)
    passages = await catalog.passages(story.id, GUILD)
    repo = store.posts
    message_ids = []
    for index in range(posts):
        message_id = first_message + index
        await repo.record(PostRecord(message_id, GUILD, 500, story.id, passages[index].id,
                                     "excerpt", None, 42, POSTED_AT))
        message_ids.append(message_id)
    return story, passages, message_ids
