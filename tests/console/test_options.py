"""Slash lines read by the declared option types, refused where Discord's client refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.console_options import (
    Directory,
    FileToUpload,
    Named,
    UsageError,
    command_table,
    describe_command,
    split_slash_line,
    typed_options,
)

REGISTERED: list[dict[str, Any]] = [
    {"name": "story", "description": "Stories", "options": [
        {"type": 1, "name": "info", "description": "One story", "options": [
            {"type": 3, "name": "story", "description": "A title", "required": True,
             "autocomplete": True}]},
        {"type": 1, "name": "add", "description": "Add one", "options": [
            {"type": 11, "name": "file", "description": "The file", "required": True},
            {"type": 3, "name": "title", "description": "Title", "min_length": 1,
             "max_length": 10}]}]},
    {"name": "everything", "description": "Every option type", "options": [
        {"type": 3, "name": "text", "description": "Text"},
        {"type": 4, "name": "count", "description": "Whole", "min_value": 1, "max_value": 100},
        {"type": 5, "name": "private", "description": "Flag"},
        {"type": 6, "name": "who", "description": "A member"},
        {"type": 7, "name": "where", "description": "A channel", "channel_types": [0]},
        {"type": 8, "name": "role", "description": "A role"},
        {"type": 9, "name": "ping", "description": "Member or role"},
        {"type": 10, "name": "share", "description": "A fraction", "min_value": 0,
         "max_value": 1},
        {"type": 3, "name": "sort", "description": "Order", "choices": [
            {"name": "longest first", "value": "words"}, {"name": "title", "value": "title"}]},
        {"type": 4, "name": "level", "description": "Level", "choices": [
            {"name": "low", "value": 1}, {"name": "high", "value": 9}]}]},
    {"name": "help", "description": "Help", "options": []},
]
TABLE = command_table(REGISTERED)
DIRECTORY = Directory(
    users=[Named(11, ("tom", "reader", "Tom"), label="tom (reader)"),
           Named(12, ("ines", "curator", "Ines the Curator"))],
    channels=[Named(21, ("stories",), kind=0), Named(22, ("a thread",), kind=11)],
    roles=[Named(31, ("Readers",)), Named(32, ("everyone", "@everyone"))],
)


def typed(line: str) -> dict[str, Any]:
    return typed_options(split_slash_line(line, TABLE), DIRECTORY)


def refused(line: str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        typed(line)
    return caught.value


def test_paths_and_plain_options() -> None:
    assert set(TABLE) == {"story info", "story add", "everything", "help"}
    assert typed("/story info story:Baker Street Lanterns") == {"story": "Baker Street Lanterns"}
    assert typed("/help") == {}
    assert typed('/everything text:"Re: Zero, a title: with colons"') == {
        "text": "Re: Zero, a title: with colons"}
    # A word that is no option of the command stays in the value.
    assert typed("/everything text:Re: Zero") == {"text": "Re: Zero"}


def test_every_type_by_name_mention_or_id() -> None:
    assert typed("/everything count:42 private:false share:0.25") == {
        "count": 42, "private": False, "share": 0.25}
    assert typed("/everything private:TRUE")["private"] is True
    for who in ("tom", "@tom", "reader", "<@11>", "<@!11>", "11", "Tom"):
        assert typed(f"/everything who:{who}") == {"who": 11}, who
    for where in ("stories", "#stories", "<#21>", "21"):
        assert typed(f"/everything where:{where}") == {"where": 21}, where
    for role in ("Readers", "@Readers", "<@&31>", "31", "@everyone"):
        assert typed(f"/everything role:{role}")["role"] in (31, 32), role
    assert typed("/everything ping:<@&31>") == {"ping": 31}
    assert typed("/everything ping:ines") == {"ping": 12}
    assert typed("/everything ping:Readers") == {"ping": 31}


def test_choices_by_label_or_value() -> None:
    assert typed("/everything sort:longest first") == {"sort": "words"}
    assert typed("/everything sort:WORDS") == {"sort": "words"}
    assert typed("/everything level:high") == {"level": 9}
    assert typed("/everything level:1") == {"level": 1}
    assert "longest first | title" in str(refused("/everything sort:shortest"))


def test_attachment_is_a_file_that_exists(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Once upon a time.")
    assert typed(f"/story add file:{story}") == {"file": FileToUpload(story)}
    assert "no file" in str(refused(f"/story add file:{tmp_path / 'missing.txt'}"))


@pytest.mark.parametrize(("line", "says"), [
    ("/story add", "needs file"),
    ("/story info", "needs story"),
    ("/story info story:", "needs a value"),
    ("/everything count:abc", "whole number"),
    ("/everything count:500", "between 1 to 100"),
    ("/everything count:0", "between"),
    ("/everything count:1.5", "whole number"),
    ("/everything share:2", "between"),
    ("/everything share:nan", "finite"),
    ("/everything private:maybe", "true or false"),
    ("/everything who:nobody", "no member"),
    ("/everything where:#nowhere", "no channel"),
    ("/everything where:a thread", "not a kind of channel"),
    ("/everything role:Admins", "no role"),
    ("/everything bogus:1", "has no option 'bogus'"),
    ("/everything count:1 count:2", "given twice"),
    ("/everything 12", "name:value"),
    ("/story info Baker Street", "name:value"),
    ("/nothing here", "unknown command"),
    ("/story", "needs a subcommand: add, info"),
    ("/sto", "did you mean: /story add"),
])
def test_what_discord_would_refuse_gets_one_line_and_a_usage(line: str, says: str) -> None:
    problem = refused(line)
    assert says in str(problem)
    assert "\n" not in str(problem)


def test_too_long_text_is_refused_before_sending(tmp_path: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_text("x")
    problem = refused(f"/story add file:{story} title:{'x' * 11}")
    assert "too long" in str(problem) and problem.usage == (
        "usage: /story add file:<file> [title:<text (up to 10 characters)>]")
    assert "too long" in str(refused(f"/everything text:{'y' * 100_000}"))


def test_help_lists_options_with_types_and_descriptions() -> None:
    parsed = split_slash_line("/everything ?", TABLE)
    assert parsed.wants_help
    text = "\n".join(describe_command(parsed.command))
    assert "count          integer 1-100, optional" in text
    assert "Member or role" in text and "user or role" in text
    assert "longest first | title" in text
