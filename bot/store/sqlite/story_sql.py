"""The SQL pieces the story repository builds its statements from: a view's WHERE clause,
a channel's filters, passage rows, the content fingerprint and the text forms of dates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, datetime

from bot.library.models import (
    Chapter,
)
from bot.library.records import PassageLike, StoryFilter
from bot.library.visibility import ALL_GUILDS, OwnLibrary, Visibility

# bot.library.segmentation.Cut.PARAGRAPH: the cut stored for passages that do not say.
_PARAGRAPH_CUT = 3


def passage_row(story_id: int, passage: PassageLike) -> tuple[object, ...]:
    """A passages row; where a passage was cut (mid-sentence or not) defaults to a paragraph."""
    return (story_id, passage.seq, passage.chapter, passage.text, passage.words,
            int(getattr(passage, "cut_before", _PARAGRAPH_CUT)),
            int(getattr(passage, "cut_after", _PARAGRAPH_CUT)))


PASSAGE_INSERT = ("INSERT INTO passages (story_id, seq, chapter, text, words, cut_before, "
                  "cut_after) VALUES (?, ?, ?, ?, ?, ?, ?)")

ORDER_BY: dict[str, str] = {
    "title": "s.title COLLATE NOCASE, s.id",
    "newest": "s.added_at DESC, s.id DESC",
    "words": "s.words DESC, s.id",
}


def content_hash(chapters: Sequence[Chapter]) -> str:
    """A fingerprint of the story's words alone.

    Markup, emphasis, punctuation, case and chapter boundaries are left out, so the same
    story downloaded as EPUB, HTML or TXT is recognised as one story.
    """
    digest = hashlib.sha256()
    for chapter in chapters:
        words = re.findall(r"\w+", chapter.text.casefold())
        digest.update(" ".join(words).encode("utf-8"))
        digest.update(b" ")
    return digest.hexdigest()


def is_web_link(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def iso_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def day_of(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def moment_of(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def visibility_clause(visibility: Visibility, *,
                      by_title: bool = False) -> tuple[str, tuple[object, ...]]:
    """SQL for a view. `by_title`: a page in title order, where walking the title index
    beats gathering the demo library by server first (`+` keeps SQLite off that index)."""
    if isinstance(visibility, OwnLibrary):
        return "s.guild_id = ?", (visibility.guild_id,)
    if visibility == ALL_GUILDS:
        return "1", ()
    if visibility is None:
        return "s.guild_id IS NULL", ()
    if by_title:
        return "(+s.guild_id IS NULL OR +s.guild_id = ?)", (visibility,)
    return "(s.guild_id IS NULL OR s.guild_id = ?)", (visibility,)


def _carrying(ids: frozenset[int]) -> tuple[str, list[object]]:
    """Stories carrying one of these canonical tags or a synonym. The tag rows are found
    first (tags' primary key and canonical index), then their stories (story_tags' tag
    index), so the query never scans every story's tags."""
    marks = ",".join("?" * len(ids)) or "NULL"
    ordered = sorted(ids)
    return (f"""s.id IN (SELECT st.story_id FROM story_tags st
                         WHERE st.tag_id IN (SELECT id FROM tags WHERE id IN ({marks})
                                             UNION SELECT id FROM tags
                                                    WHERE canonical_id IN ({marks})))""",
            [*ordered, *ordered])


def filter_clauses(shown: StoryFilter | None) -> tuple[list[str], list[object]]:
    """SQL for what a channel may list: ratings, blocked tags, required tag groups."""
    clauses: list[str] = []
    args: list[object] = []
    if shown is None:
        return clauses, args
    if shown.ratings is not None:
        clauses.append(f"s.rating IN ({','.join('?' * len(shown.ratings)) or 'NULL'})")
        args.extend(sorted(r.value for r in shown.ratings))
    for group, negated in ((shown.without_tag_ids, True),
                           *((group, False) for group in shown.tag_groups)):
        if negated and not group:
            continue
        clause, group_args = _carrying(group)
        clauses.append(("NOT " if negated else "") + clause)
        args.extend(group_args)
    return clauses, args


