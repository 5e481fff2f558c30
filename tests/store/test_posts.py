"""Posts: message id -> story and passage, surviving the story's passages being removed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.records import PostRecord
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store


async def test_a_post_is_found_by_message_id_and_goes_with_its_story(
    store: Store,
) -> None:
    stories = store.stories

    class P:
        seq, chapter, text, words = 0, 1, "Once.", 1

    story = await stories.add(
        StoryDraft(title="T", authors=["A"], chapters=[Chapter(1, "", "Once.")],
                   rating=Rating.GENERAL), [P()], guild_id=None)
    (passage,) = await stories.passages(story.id)
    posts = store.posts
    now = datetime(2026, 11, 25, tzinfo=UTC)
    await posts.record(PostRecord(111, 5, 6, story.id, passage.id, "excerpt", None, 7, now))
    await posts.set_thread(111, 222)
    found = await posts.get(111)
    assert found is not None and found.passage_id == passage.id and found.thread_id == 222
    assert found.posted_at == now
    assert await posts.get(999) is None
    await stories.remove(story.id, ALL_GUILDS)
    assert await posts.get(111) is None
