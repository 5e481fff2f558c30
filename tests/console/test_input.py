"""Whatever arrives on a line becomes clean text; completion offers what Discord would."""

from __future__ import annotations

from sandbox.console_input import Completer, clean_line
from sandbox.console_options import Directory, Named, command_table
from tests.console.test_options import DIRECTORY, REGISTERED


def test_junk_becomes_clean_text() -> None:
    assert clean_line(b"\xff\xfe/story\x00 list\x1b[A\r\n") == "\ufffd\ufffd/story list[A"
    assert clean_line("\t/help\t") == "/help"
    assert clean_line(b"") == ""


def completer(bot_answers: list[str] | None = None) -> Completer:
    def ask_bot(path: str, option: str, typed: str) -> list[str]:
        return [a for a in bot_answers or [] if a.casefold().startswith(typed.casefold())]

    empty = Directory([], [], [])
    return Completer(lambda: command_table(REGISTERED), lambda: DIRECTORY or empty,
                     lambda: ["general", "stories"], ask_bot)


def test_completes_commands_options_and_values() -> None:
    done = completer(["Baker Street Lanterns", "Dead Reckoning"])
    assert done.candidates("/st") == ["/story add ", "/story info "]
    assert done.candidates("/story info ") == ["/story info story:"]
    assert done.candidates("/story info story:Bak") == ["/story info story:Baker Street Lanterns "]
    assert done.candidates("/everything sort:long") == ["/everything sort:longest first "]
    assert done.candidates("/everything private:f") == ["/everything private:false "]
    assert done.candidates("/everything who:t") == ["/everything who:tom "]
    assert done.candidates("/everything sort:title co") == ["/everything sort:title count:"]
    assert done.candidates("as r") == ["as reader", "as reader2"]
    assert done.candidates("clo") == ["clock "]
    assert done.candidates("in st") == ["in stories"]
    assert done.complete("/he", 0) == "/help " and done.complete("/he", 1) is None
    assert isinstance(Named(1, ("x",)).listed, str)
