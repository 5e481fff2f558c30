"""What both store backends read the same way from a reader's feedback rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.library.feedback import ReaderSignals, StorySignals


def reader_signals_of(rows: Sequence[Sequence[Any]], recent: int) -> ReaderSignals:
    """Rows of (story id, kudos, bookmarks, reactions, negative reactions, stars total,
    stars count), newest first: the first `recent` in full, and every story given kudos.
    A reader's rows can be hundreds; only the recent ones are worth a record each."""
    return ReaderSignals(
        recent={int(sid): StorySignals(bool(kudos), int(bookmarks), int(reactions),
                                       int(negative), int(stars_total), int(stars_count))
                for sid, kudos, bookmarks, reactions, negative, stars_total, stars_count
                in rows[:recent]},
        kudos=frozenset(int(row[0]) for row in rows if row[1]))
