"""Terminal escapes and control characters never reach the library's stored metadata."""

from __future__ import annotations

from pathlib import Path

from bot.importers import read_story, read_story_file
from bot.importers.sidecar import add_metadata
from bot.library.text_safety import clean_line, printable
from tests.hostile.helpers import STORY_BODY

CLEAR_SCREEN = "\x1b[2J\x1b[H"
RETITLE_WINDOW = "\x1b]0;pwned\x07"


def _has_controls(text: str) -> bool:
    return any(ord(char) < 0x20 and char not in "\n\t" or 0x7F <= ord(char) <= 0x9F
               for char in text)


def _every_field(draft: object) -> list[str]:
    texts: list[str] = []
    for value in vars(draft).values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(item if isinstance(item, str) else item.title + item.text
                         for item in value)
    return texts


def test_front_matter_fields_are_stored_without_escapes() -> None:
    # YAML double-quoted escapes: \e is ESC, \a is BEL, \x9b the 8-bit CSI.
    front_matter = (
        "---\n"
        'title: "Evil\\e[2J\\e[H title"\n'
        'authors: ["\\e[31mRed", "Bell\\a"]\n'
        'tags: ["\\e]0;pwned\\atag"]\n'
        'fandoms: ["\\x9b2JFandom"]\n'
        'summary: "Line one\\e[1A\\e[K\\nline two"\n'
        "---\n"
    )
    draft = read_story(front_matter.encode() + STORY_BODY, "evil.md")
    assert draft.title == "Evil title"
    assert draft.authors == ["Red", "Bell"]
    assert draft.freeform == ["tag"]
    assert draft.fandoms == ["Fandom"]
    assert draft.summary == "Line one\nline two"
    assert not any(_has_controls(text) for text in _every_field(draft))


def test_sidecar_and_options_are_cleaned_too(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(STORY_BODY)
    (tmp_path / "story.meta.yaml").write_text(
        'title: "Side\\e[2Jcar"\nauthors: ["A\\e]0;x\\aB"]\n', encoding="utf-8")
    draft = read_story_file(story)
    assert (draft.title, draft.authors) == ("Sidecar", ["AB"])
    merged = add_metadata(draft, {"tags": ["x\x1b[5mblink"], "summary": "S\x1bc\x00."})
    assert merged.freeform == ["xblink"] and merged.summary == "S."


def test_story_text_and_chapter_titles_lose_escapes() -> None:
    data = (f"Chapter 1: Dark{CLEAR_SCREEN}ness\n\n"
            f"A paragraph{RETITLE_WINDOW} with words.\x07\n\n").encode() + STORY_BODY * 10
    draft = read_story(data, "story.txt")
    assert draft.chapters[0].title == "Darkness"
    assert draft.chapters[0].text.startswith("A paragraph with words.")
    assert not any(_has_controls(text) for text in _every_field(draft))


def test_clean_line_and_printable() -> None:
    assert clean_line("a\x1b[2Jb\nc\x9b31md") == "ab cd"
    assert printable("x\x1b[2J\ny") == "x\\x1b[2J\\ny"
    assert printable("caf\udce9") == "caf\\xe9"


def test_a_bidi_override_cannot_make_a_title_read_backwards() -> None:
    draft = read_story('---\ntitle: "abc\u202edcba"\n---\n'.encode() + STORY_BODY, "bidi.md")
    assert draft.title == "abcdcba"
    assert printable("abc\u202edcba") == "abc\\u202edcba"
