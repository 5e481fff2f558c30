"""clean_text and clean_line skip their passes for ASCII text without controls (most
titles, names and tags): the answer must be what the passes give, for any text."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.library.text_safety import _cleaned, _line_cleaned, clean_line, clean_text

# Letters and spaces, every ASCII control, escape sequences' pieces, Unicode whitespace
# and controls, a bidi override and a lone surrogate: what either path treats specially.
_PIECES = st.sampled_from([
    "a", "Z", " ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\v", "\x1b", "[", "]", "31m",
    "\x07", "\\", "\x00", "\x1c", "\x1f", "\x7f", "\x85", "\x9b", "\x9d", "\xa0", "é",
    "\u2003", "\u3000", "\u202e", "\udc80", "Ω",
])
_TEXTS = st.lists(st.one_of(_PIECES, st.characters(max_codepoint=0x7F)),
                  max_size=40).map("".join)


@given(_TEXTS)
@example("Harry Potter")
@example("  two\tspaced \n lines  ")
@example("\x1b[2Jcleared")
@example("carriage\r\nreturn")
def test_clean_text_is_its_passes(text: str) -> None:
    assert clean_text(text) == _cleaned(text)


@given(_TEXTS)
@example("Harry Potter")
@example("  two\tspaced \n lines  ")
@example("a\x0bvertical tab")
@example("\x1c\x1dseparators")
def test_clean_line_is_its_passes(text: str) -> None:
    assert clean_line(text) == _line_cleaned(text)


def test_ascii_text_without_controls_is_kept_as_it_is() -> None:
    assert clean_text("Chapter 1\n\n*Hello*, world.\tTab") == "Chapter 1\n\n*Hello*, world.\tTab"
    assert clean_line("  Hurt/Comfort \n ") == "Hurt/Comfort"
    assert clean_line("\x1b]0;title\x07Fluff") == "Fluff"
