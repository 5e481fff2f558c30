"""/stats names its stories through a view of the title rows: the same titles a channel may
name, without copying every title of the library."""

from __future__ import annotations

from bot.library.gate import Gate
from bot.library.models import Rating
from bot.library.records import TitleRow
from bot.library.shown_titles import ShownTitles

ROWS = {1: TitleRow(1, None, "Demo Story", Rating.GENERAL),
        2: TitleRow(2, 5, "Ours", Rating.TEEN),
        3: TitleRow(3, 6, "Another Server's", Rating.GENERAL),
        4: TitleRow(4, 5, "Ours, Blocked", Rating.GENERAL),
        5: TitleRow(5, 5, "Ours, Explicit", Rating.EXPLICIT)}


def test_the_view_holds_what_the_channel_may_name() -> None:
    gate = Gate(5, 5, frozenset({Rating.GENERAL, Rating.TEEN}), frozenset({Rating.EXPLICIT}),
                blocked_story_ids=frozenset({4}))
    shown = ShownTitles(ROWS, gate)
    assert dict(shown) == {1: "Demo Story", 2: "Ours", 5: "Ours, Explicit"}
    assert 3 not in shown and 4 not in shown and 99 not in shown and "1" not in shown
    assert shown.get(3, "hidden") == "hidden" and shown[2] == "Ours"
    assert len(shown) == 3
