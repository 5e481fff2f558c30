"""/me forget: no table keeps the user's id afterwards, including tables added later.

The tables are found from the schema (sqlite_master + PRAGMA table_info), not from a list in
the code, so a new migration with personal data is checked the day it lands."""

from __future__ import annotations

import re

import aiosqlite

from bot.store.sqlite import feedback as store
from bot.store.sqlite.feedback import FeedbackEntry, ReactionChange
from bot.store.sqlite.feedback_writer import FeedbackWriter
from bot.store.sqlite.privacy import forget_user, user_columns
from tests.store.feedback_helpers import GUILD, story_with_posts

USER = 42  # also the story's added_by and the posts' posted_by
OTHER = 77
AT = "2026-11-21T10:00:00+00:00"
# Any column whose name suggests a Discord user must follow the user_id / *_by convention
# (story_authors.author_id points at the authors table of names, not at a Discord user).
LOOKS_PERSONAL = re.compile(r"user|member|owner|_by$", re.IGNORECASE)


async def schema_columns(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ) as cursor:
        tables = [row[0] for row in await cursor.fetchall()]
    found = []
    for table in tables:
        async with conn.execute(f'PRAGMA table_info("{table}")') as cursor:
            found += [(table, row[1]) for row in await cursor.fetchall()]
    return found


async def rows_holding(conn: aiosqlite.Connection, user_id: int) -> dict[str, int]:
    held = {}
    for table, column in await schema_columns(conn):
        if LOOKS_PERSONAL.search(column):
            async with conn.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = ?', (user_id,)
            ) as cursor:
                count = (await cursor.fetchone())[0]  # type: ignore[index]
            if count:
                held[f"{table}.{column}"] = count
    return held


async def fill_everything(conn: aiosqlite.Connection, user_id: int) -> None:
    story, passages, messages = await story_with_posts(conn)
    writer = FeedbackWriter(conn)
    writer.start()
    for uid in (user_id, OTHER):
        await writer.submit(ReactionChange(messages[0], uid, "❤️", True, AT))
        await writer.run(lambda c, u=uid: store.toggle_kudos(c, story.id, u, GUILD, AT))  # type: ignore[misc]
        await writer.run(lambda c, u=uid: store.toggle_bookmark(  # type: ignore[misc]
            c, u, passages[0].id, story.id, GUILD, AT))
        entry = FeedbackEntry(GUILD, story.id, None, uid, 4, "lovely", AT)
        await writer.run(lambda c, e=entry: store.save_feedback(c, e))  # type: ignore[misc]
    await writer.close()
    await conn.execute("INSERT INTO tags (id, kind, name, key) VALUES (9999, 'freeform', 'x', 'x')")
    await conn.execute("INSERT INTO reader_blocks (user_id, tag_id) VALUES (?, 9999), (?, 9999)",
                       (user_id, OTHER))


async def test_every_personal_column_follows_the_convention(conn: aiosqlite.Connection) -> None:
    for table, column in await schema_columns(conn):
        if LOOKS_PERSONAL.search(column):
            assert column == "user_id" or column.endswith("_by"), (
                f"{table}.{column} holds a person: name it user_id (deleted by /me forget) "
                "or *_by (cleared)")
    found = await user_columns(conn)
    for table in ("reactions", "kudos", "bookmarks", "feedback", "reader_blocks"):
        assert table in found.personal
    assert {("stories", "added_by"), ("posts", "posted_by")} <= set(found.attribution)


async def test_forget_leaves_no_row_with_the_users_id(conn: aiosqlite.Connection) -> None:
    await fill_everything(conn, USER)
    before = await rows_holding(conn, USER)
    assert {"reactions.user_id", "kudos.user_id", "bookmarks.user_id", "feedback.user_id",
            "reader_blocks.user_id", "stories.added_by", "posts.posted_by"} <= set(before)
    others_before = await rows_holding(conn, OTHER)

    await conn.execute("BEGIN IMMEDIATE")
    touched = await forget_user(conn, USER)
    await conn.execute("COMMIT")

    assert await rows_holding(conn, USER) == {}
    # says exactly how many rows it touched (personal tables by name, attributions as t.col)
    assert touched == {k.removesuffix(".user_id"): v for k, v in before.items()}
    assert await rows_holding(conn, OTHER) == others_before  # nobody else's data went
    async with conn.execute("SELECT COUNT(*) FROM stories") as cursor:
        assert (await cursor.fetchone())[0] == 1  # type: ignore[index]  # the story stays


async def test_a_table_added_later_is_forgotten_too(conn: aiosqlite.Connection) -> None:
    await conn.execute("CREATE TABLE reading_lists (user_id INTEGER, story_id INTEGER, "
                       "shared_by INTEGER)")
    await conn.execute("INSERT INTO reading_lists VALUES (?, 1, NULL), (?, 2, ?)",
                       (USER, OTHER, USER))
    touched = await forget_user(conn, USER)
    assert touched == {"reading_lists": 1, "reading_lists.shared_by": 1}
    assert await rows_holding(conn, USER) == {}
