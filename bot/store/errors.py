"""Errors any store backend raises, as one line for the person who ran the command."""

from __future__ import annotations

from bot.library.errors import StoryBotError


class StoreUnavailable(StoryBotError):
    """The database could not be reached, even after retrying for a while (one line). A
    caller may try again later: nothing half-done was kept."""


class LibraryUnopenable(StoryBotError):
    """A SQLite library file that cannot be created or opened where it was named (a folder
    that cannot exist, no permission, not a database): one line, nothing written."""


class SchemaTooNew(StoryBotError):
    """The database was migrated by a newer storybot than this one."""


def schema_too_new(current: int, newest: int) -> SchemaTooNew:
    return SchemaTooNew(
        f"the database is at schema version {current}, but this storybot knows versions up "
        f"to {newest}: upgrade storybot before using it")
