"""/me forget: no table keeps the user's id afterwards, including tables added later.

The tables are found from the schema (sqlite_master + PRAGMA table_info on SQLite, the
catalog on PostgreSQL), not from a list in the code, so a new migration with personal data is
checked the day it lands. Runs on both backends."""

from __future__ import annotations

import re

import aiosqlite

from bot.library.records import FeedbackEntry, ReactionChange
from bot.store.protocol import Store
from tests.store.backends import RawDatabase
from tests.store.feedback_helpers import GUILD, story_with_posts

USER = 42  # also the story's added_by and the posts' posted_by
OTHER = 77
AT = "2026-11-21T10:00:00+00:00"
# Any column whose name suggests a Discord user must follow the user_id / *_by convention
# (story_authors.author_id points at the authors table of names, not at a Discord user).
LOOKS_PERSONAL = re.compile(r"user|member|owner|_by$", re.IGNORECASE)


async def rows_holding(raw: RawDatabase | aiosqlite.Connection,
                       user_id: int) -> dict[str, int]:
    """Rows whose personal-looking columns hold `user_id` (also used by the e2e suite, on a
    SQLite connection of its own)."""
    if isinstance(raw, aiosqlite.Connection):
        raw = RawDatabase(sqlite_conn=raw)
    held = {}
    for table, column in await raw.columns():
        if LOOKS_PERSONAL.search(column):
            count = await raw.value(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?',
                                    user_id)
            if count:
                held[f"{table}.{column}"] = count
    return held


async def fill_everything(store: Store, raw: RawDatabase, user_id: int) -> None:
    story, passages, messages = await story_with_posts(store)
    writes = store.feedback_writes
    for uid in (user_id, OTHER):
        await writes.reaction(ReactionChange(messages[0], uid, "❤️", True, AT))
        await writes.toggle_kudos(story.id, uid, GUILD, AT)
        await writes.toggle_bookmark(uid, passages[0].id, story.id, GUILD, AT)
        await writes.save_feedback(FeedbackEntry(GUILD, story.id, None, uid, 4, "lovely", AT))
    await writes.flush()
    await raw.execute("INSERT INTO tags (id, kind, name, key) VALUES (9999, 'freeform', 'x', 'x')")
    await raw.execute("INSERT INTO reader_blocks (user_id, tag_id) VALUES (?, 9999), (?, 9999)",
                      user_id, OTHER)


async def test_every_personal_column_follows_the_convention(raw: RawDatabase) -> None:
    for table, column in await raw.columns():
        if LOOKS_PERSONAL.search(column):
            assert column == "user_id" or column.endswith("_by"), (
                f"{table}.{column} holds a person: name it user_id (deleted by /me forget) "
                "or *_by (cleared)")
    found = await raw.user_columns()
    for table in ("reactions", "kudos", "bookmarks", "feedback", "reader_blocks"):
        assert table in found.personal
    assert {("stories", "added_by"), ("posts", "posted_by")} <= set(found.attribution)


async def test_forget_leaves_no_row_with_the_users_id(store: Store, raw: RawDatabase) -> None:
    await fill_everything(store, raw, USER)
    before = await rows_holding(raw, USER)
    assert {"reactions.user_id", "kudos.user_id", "bookmarks.user_id", "feedback.user_id",
            "reader_blocks.user_id", "stories.added_by", "posts.posted_by"} <= set(before)
    others_before = await rows_holding(raw, OTHER)

    touched = await store.feedback_writes.forget_user(USER)  # one transaction, the writer's

    assert await rows_holding(raw, USER) == {}
    # says exactly how many rows it touched (personal tables by name, attributions as t.col)
    assert touched == {k.removesuffix(".user_id"): v for k, v in before.items()}
    assert await rows_holding(raw, OTHER) == others_before  # nobody else's data went
    assert await raw.count("stories") == 1  # the story stays


async def test_a_table_added_later_is_forgotten_too(store: Store, raw: RawDatabase) -> None:
    await raw.execute("CREATE TABLE reading_lists (user_id BIGINT, story_id INTEGER, "
                      "shared_by BIGINT)")
    await raw.execute("INSERT INTO reading_lists VALUES (?, 1, NULL), (?, 2, ?)",
                      USER, OTHER, USER)
    touched = await store.feedback_writes.forget_user(USER)
    assert touched == {"reading_lists": 1, "reading_lists.shared_by": 1}
    assert await rows_holding(raw, USER) == {}
