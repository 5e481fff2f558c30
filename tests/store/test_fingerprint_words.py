"""A story's fingerprint (story_rows.content_hash) hashes the runs of \\w in each chapter's
casefolded text; its fast forms (bytes passes for ASCII text, and compiled, _words.c) must
find exactly those words, or the same story would stop being recognised as a duplicate."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.importers import read_story_file
from bot.library.models import Chapter
from bot.store.story_rows import ascii_words_in_python, content_hash
from tests.store.test_search_words import STORY_FILES, TRICKY

try:
    from bot.store._words import ascii_words as compiled_words
except ImportError:  # built without a C compiler: the Python form is all there is
    compiled_words = None


def words_by_definition(text: str) -> bytes:
    return " ".join(re.findall(r"\w+", text.casefold())).encode("utf-8")


def hash_by_definition(chapters: list[Chapter]) -> str:
    digest = hashlib.sha256()
    for chapter in chapters:
        digest.update(words_by_definition(chapter.text) + b" ")
    return digest.hexdigest()


def test_every_story_is_fingerprinted_by_its_words() -> None:
    ascii_chapters = 0
    for path in STORY_FILES:
        chapters = read_story_file(path).chapters
        assert content_hash(chapters) == hash_by_definition(chapters), path.name
        for chapter in chapters:
            if chapter.text.isascii():
                ascii_chapters += 1
                data = chapter.text.encode("ascii")
                assert ascii_words_in_python(data) == words_by_definition(chapter.text)
                if compiled_words is not None:
                    assert compiled_words(data) == words_by_definition(chapter.text)
    assert ascii_chapters > 10  # the fast forms were put to the test
    tricky = [Chapter(1, "", TRICKY), Chapter(2, "", "Plain_ASCII words, 3.14 and x86-64.")]
    assert content_hash(tricky) == hash_by_definition(tricky)


@pytest.mark.skipif(compiled_words is None, reason="not compiled here")
@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=200))
def test_the_compiled_words_are_the_words_of_any_ascii_text(text: str) -> None:
    assert compiled_words is not None
    data = text.encode("ascii")
    assert compiled_words(data) == ascii_words_in_python(data) == words_by_definition(text)
