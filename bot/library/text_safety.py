"""Text from files, file names and options is untrusted: keep it inert everywhere it goes.

Two uses, two rules:
- `clean_text` / `clean_line` for what is *stored* (titles, authors, tags, summaries):
  terminal escape sequences and control characters are removed, so a title can never
  clear a screen, move a cursor or retitle a terminal window when it is shown later.
- `printable` for what the command line *prints* (file names, errors, stored fields of
  an older database): every control character is shown as a visible escape (`\\x1b`,
  `\\n`), and bytes of a non-UTF-8 file name as `\\xe9`, so one report stays one line.
"""

from __future__ import annotations

import re

# ECMA-48 sequences a terminal acts on: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# the string commands DCS/SOS/PM/APC, two-character escapes (ESC c resets the terminal),
# and the 8-bit forms of CSI and OSC.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?
    | \x1b[ -/]*[0-~]?
    | \x9b[0-?]*[ -/]*[@-~]?
    | \x9d[^\x07\x9c]*[\x07\x9c]?
    """,
    re.VERBOSE,
)
# C0 and C1 controls and DEL, except tab and newline (text keeps its layout), and the
# bidi overrides, which make a title read backwards ("Trojan Source" spoofing).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202d\u202e]")
# Lone surrogates: what Python makes of a file name's non-UTF-8 bytes. SQLite cannot
# store them (UnicodeEncodeError), and no terminal can print them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
# What clean_text acts on in ASCII text: every control but tab and newline (an escape
# sequence starts with ESC, a carriage return or form feed is one). Text without them,
# most titles, names and tags, is clean as it is: one scan instead of clean_text's six.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean_ascii(text: str) -> bool:
    """Whether clean_text would leave text as it is, told by one scan."""
    return text.isascii() and _ASCII_CONTROL.search(text) is None


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte 0x80-0xff
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def clean_text(text: str) -> str:
    """Multi-line text safe to store: escape sequences and controls removed, a form feed
    or carriage return becomes a newline, tabs and newlines kept."""
    return text if _clean_ascii(text) else _cleaned(text)


def _cleaned(text: str) -> str:
    """clean_text's passes, each made whatever the text."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _SURROGATE.sub(_escape_surrogate, text)
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """One-line text safe to store (a title, a name, a tag): `clean_text` with every run of
    whitespace, newlines included, made one space."""
    if _clean_ascii(text):
        # The whitespace left is spaces, tabs and newlines, which str.split takes as the
        # regex does.
        return " ".join(text.split())
    return _line_cleaned(text)


def _line_cleaned(text: str) -> str:
    """clean_line's passes, each made whatever the text."""
    return _WHITESPACE.sub(" ", _cleaned(text)).strip()


def safe_file_name(name: str) -> str:
    """A file name as it can be stored and shown: its non-UTF-8 bytes as `\\xNN`, escape
    sequences and controls as visible escapes, on one line."""
    return printable(name)


def _visible_control(match: re.Match[str]) -> str:
    char = match.group()
    if ord(char) > 0xFF:
        return f"\\u{ord(char):04x}"
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02x}")


_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_ANY_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_PRINT_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Text as the command line may print it: nothing in it acts on the terminal. Control
    characters (ESC included) are shown as `\\x1b`-style escapes, so the reader sees that
    they were there; newlines are shown as `\\n` unless `keep_newlines`."""
    text = _SURROGATE.sub(_escape_surrogate, text)
    pattern = _PRINT_CONTROL if keep_newlines else _ANY_CONTROL
    return pattern.sub(_visible_control, text)
