"""A story's text as its full-text search row holds it: each of its words once.

A search asks only whether a story carries its words (bot/store/sqlite/story_search.py):
never how often, nor where, nor beside which other words. So the row need not hold the
whole text, only its distinct words, and a story of 1,200 words has 500 of them or fewer
(the AO3 fixtures: 12-40% of their words; longer works fewer). Each word fewer is one
token fewer for FTS5 to read, and five postings fewer to write (the word's and, with
migration 14's prefixes, its first 3 to 6 letters'): importing 1,000 stories spent half
of its writing time on the search rows.

The words are cut where SQLite's unicode61 tokenizer is certain to cut (whitespace and
every ASCII character but letters and digits) and compared with ASCII capitals made
small (unicode61 folds them the same), so the tokenizer finds in the result exactly the
words it finds in the text. Everything else is left as it is: a piece like "don’t" or
"café" stays whole, and unicode61 cuts and folds it as it would in the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Per byte of UTF-8: an ASCII capital its small letter, any other ASCII byte but a letter
# or digit a space, a byte of a multi-byte character itself (each such byte is >= 0x80, so
# no character is cut or changed).
_FOLDED = bytes(
    ord(chr(byte).lower()) if byte < 0x80 and chr(byte).isalnum()
    else byte if byte >= 0x80
    else ord(" ")
    for byte in range(256)
)


def search_words(texts: Iterable[str]) -> str:
    """The distinct words of these texts, in order of first appearance, one space apart."""
    # surrogatepass both ways: a lone surrogate survives as it came (bytes are only ever
    # cut at ASCII ones), and the store, not this, says what it makes of it.
    data = "\n".join(texts).encode("utf-8", "surrogatepass")
    return _distinct_words(data).decode("utf-8", "surrogatepass")


def distinct_words_in_python(data: bytes) -> bytes:
    """The words of UTF-8 text, folded, each once in order of first appearance: the
    reference the compiled form (_words.c) is held to, and what runs without it."""
    return b" ".join(dict.fromkeys(data.translate(_FOLDED).split()))


_distinct_words: Callable[[bytes], bytes]
try:
    # The same words in one pass, without a bytes object and a dict entry per word: a
    # tenth of a small story's reading time in a folder import.
    from bot.store._words import distinct_words as _distinct_words  # type: ignore[no-redef]
except ImportError:  # built without a C compiler
    _distinct_words = distinct_words_in_python
