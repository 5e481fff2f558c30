"""A channel's view of the library's titles, for answers that name a few stories."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.library.gate import Gate, Shown
from bot.library.records import TitleRow


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
