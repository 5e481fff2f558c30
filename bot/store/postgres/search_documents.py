"""The search documents of stories (tsvector rows in story_search), written from what is
stored: by a story's add or edit, a bulk import and `storybot db copy`."""

from __future__ import annotations

from bot.store.postgres import search
from bot.store.postgres.database import Executor


async def write_search_documents(conn: Executor, first_id: int, last_id: int) -> None:
    """(Re)write the search documents of stories first_id..last_id from what is stored."""
    stories = await conn.fetch(
        "SELECT id, title, summary FROM stories WHERE id BETWEEN $1 AND $2 ORDER BY id",
        first_id, last_id,
    )
    await conn.execute("DELETE FROM story_search WHERE story_id BETWEEN $1 AND $2",
                       first_id, last_id)
    if not stories:
        return
    tag_rows = await conn.fetch(
        """SELECT st.story_id,
                  CASE WHEN c.id = t.id THEN t.name ELSE t.name || ' · ' || c.name END
             FROM story_tags st JOIN tags t ON t.id = st.tag_id
             JOIN tags c ON c.id = COALESCE(t.canonical_id, t.id)
            WHERE st.story_id BETWEEN $1 AND $2 ORDER BY st.story_id, st.position""",
        first_id, last_id,
    )
    chapter_rows = await conn.fetch(
        """SELECT story_id, text FROM chapters WHERE story_id BETWEEN $1 AND $2
            ORDER BY story_id, number""",
        first_id, last_id,
    )
    tags: dict[int, list[str]] = {}
    for story_id, name in tag_rows:
        tags.setdefault(story_id, []).append(name)
    texts: dict[int, list[str]] = {}
    for story_id, text in chapter_rows:
        texts.setdefault(story_id, []).append(text)
    documents = [
        (row[0], *search.document_parts(row[1], row[2], tags.get(row[0], ()),
                                        texts.get(row[0], [])))
        for row in stories
    ]
    await conn.executemany(
        f"""INSERT INTO story_search (story_id, document, title_document)
            VALUES ($1, {search.DOCUMENT_SQL}, {search.TITLE_DOCUMENT_SQL})""",
        documents,
    )
