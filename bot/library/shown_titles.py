"""A channel's view of the library's titles: for answers that name a few stories, and for
finding the story someone named."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.library.errors import InvalidInput, StoryNotFound
from bot.library.gate import Gate, Shown
from bot.library.lookup import exact_title, suggestions
from bot.library.records import TitleRow
from bot.library.visibility import Visibility, can_see


def titles_in_view(rows: Mapping[int, TitleRow], view: Visibility | Gate) -> dict[int, str]:
    """Titles of the stories in view (for a Gate: those the channel may name)."""
    if isinstance(view, Gate):
        return {row.story_id: row.title for row in rows.values()
                if view.shows(row.story_id, row.guild_id, row.rating) is not Shown.HIDDEN}
    return {row.story_id: row.title for row in rows.values() if can_see(view, row.guild_id)}


def title_named(text: str, rows: Mapping[int, TitleRow], view: Visibility | Gate) -> TitleRow:
    """The story someone meant: an id (what autocomplete sends) or a title typed exactly.

    Never a guess: anything else is "no story called …" with up to three visible
    suggestions; a story the channel may not show says why."""
    visibility = view.visibility if isinstance(view, Gate) else view
    if text.strip().isdigit():  # the common case: no need to scan every title
        row = rows.get(int(text))
        if row is not None and can_see(visibility, row.guild_id):
            if not isinstance(view, Gate) or view.shows(
                    row.story_id, row.guild_id, row.rating) is not Shown.HIDDEN:
                return row
            if exact_title(text, titles_in_view(rows, view)) is None:
                raise InvalidInput(view.why_hidden(row.story_id, row.guild_id, row.rating))
    titles = titles_in_view(rows, view)
    story_id = exact_title(text, titles)
    if story_id is None and text.strip().isdigit():  # an id, from an old autocomplete
        raise StoryNotFound(int(text))
    if story_id is None:
        nearest = suggestions(text, titles, 3)
        hint = ("; did you mean " + " or ".join(f"“{name}”" for name in nearest) + "?"
                if nearest else "")
        raise InvalidInput(f"no story called “{text.strip()[:100]}”{hint}")
    return rows[story_id]


class ShownTitles(Mapping[int, str]):
    """Titles of the stories a gate does not hide, looked up one at a time."""

    def __init__(self, rows: Mapping[int, TitleRow], gate: Gate) -> None:
        self._rows, self._gate = rows, gate

    def __getitem__(self, story_id: int) -> str:
        row = self._rows[story_id]
        if self._gate.shows(row.story_id, row.guild_id, row.rating) is Shown.HIDDEN:
            raise KeyError(story_id)
        return row.title

    def __contains__(self, story_id: object) -> bool:
        return isinstance(story_id, int) and self.get(story_id) is not None

    def __iter__(self) -> Iterator[int]:
        return (sid for sid in list(self._rows) if sid in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)
