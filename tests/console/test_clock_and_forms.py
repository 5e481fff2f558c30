"""Clock steps, skipped daily posts, and forms filled in from the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.console_clock import next_post_in_status, parse_duration, skipped_by_jump
from sandbox.console_modal import OpenForm
from sandbox.console_options import UsageError

POST = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_clock_steps() -> None:
    assert parse_duration("+1d") == timedelta(days=1)
    assert parse_duration("3h") == timedelta(hours=3)
    assert parse_duration("+30m") == timedelta(minutes=30)
    assert parse_duration("2 days") == timedelta(days=2)
    for bad in ("tomorrow", "-1d", "+1y", "", "+99999999d"):
        with pytest.raises(UsageError):
            parse_duration(bad)


def test_next_post_read_from_daily_status() -> None:
    status = ("Daily post: **on** · <#1> at 18:00 UTC · random\n"
              f"Next post: <t:{int(POST.timestamp())}:F> (<t:{int(POST.timestamp())}:R>)\n"
              "Last post: none yet")
    assert next_post_in_status(status) == POST
    assert next_post_in_status("There is no daily post here. Set one with /daily set.") is None
    assert next_post_in_status("Next post: none (the schedule is off)") is None


def test_a_jump_past_the_grace_skips_posts() -> None:
    assert skipped_by_jump(POST, POST - timedelta(hours=1)) is None
    assert skipped_by_jump(POST, POST + timedelta(hours=5)) is None  # made, within grace
    one = skipped_by_jump(POST, POST + timedelta(hours=7))
    assert one is not None and (one.first, one.count) == (POST, 1)
    # Two days and an hour on: two posts passed by more than 6 h, the third is made.
    two = skipped_by_jump(POST, POST + timedelta(days=2, hours=1))
    assert two is not None and two.count == 2
    assert skipped_by_jump(None, POST) is None


MODAL = {"custom_id": "sb-modal:feedback:3:0", "title": "Feedback: Baker Street", "components": [
    {"type": 1, "components": [{"type": 4, "custom_id": "stars", "label": "Stars (1-5)",
                                "style": 1, "max_length": 1, "required": True}]},
    {"type": 18, "label": "Comment (optional)", "component": {
        "type": 4, "custom_id": "comment", "style": 2, "max_length": 20, "required": False,
        "value": "earlier"}}]}


def test_forms_are_read_and_checked() -> None:
    form = OpenForm.from_modal(MODAL)
    assert [f.custom_id for f in form.fields] == ["stars", "comment"]
    assert "fill stars:… comment:\"…\"" in "\n".join(form.describe())
    assert form.answers('stars:5 comment:"Lovely: really"') == {
        "stars": "5", "comment": "Lovely: really"}
    assert form.answers("stars:4") == {"stars": "4", "comment": "earlier"}  # defaults kept
    for line, says in (("comment:hi", "needs stars"), ("stars:55", "too long"),
                       ("just words", "name:value"), ("stars:5 comment:" + "x" * 21,
                                                      "too long")):
        with pytest.raises(UsageError, match=says):
            form.answers(line)
