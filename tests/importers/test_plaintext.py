"""Plain text as readers paste it, with the real seed story and files the tests write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.importers import read_story
from bot.importers.base import ImportLimits
from bot.importers.plaintext import PlainTextImporter, chapter_heading_title
from bot.library.models import SCENE_BREAK, StoryDraft, paragraphs

SEED = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "fixtures"
    / "seed"
    / "000_243aa131780b4f07.txt"
)
_TOKEN = re.compile(r"\S+")


def _raw_words(text: str) -> int:
    """Words counted straight from the file, with no help from the importer or models."""
    return sum(1 for token in _TOKEN.findall(text) if any(ch.isalnum() for ch in token))


def _import(text: str, filename: str = "story.txt") -> StoryDraft:
    return read_story(text.encode("utf-8"), filename)


def test_seed_story_separates_notes_and_keeps_the_scene_break() -> None:
    raw = SEED.read_text(encoding="utf-8")
    draft = read_story(SEED.read_bytes(), SEED.name)

    assert draft.format == "plaintext"
    assert draft.authors == []
    assert draft.complete is None
    assert draft.title == "000 243aa131780b4f07"
    assert draft.notes.startswith("This is a Soulmate AU")
    assert "Author's Notes" not in draft.notes
    assert len(draft.chapters) == 1
    text = draft.chapters[0].text
    assert "Soulmate AU" not in text
    assert "o.O.o" not in text
    assert text.count(SCENE_BREAK) == 1
    assert SCENE_BREAK in paragraphs(text)
    assert text.startswith("The system was quite simple")
    assert text.endswith("He had work to do.")

    blocks = raw.split("\n\n")
    expected = _raw_words(raw) - _raw_words(blocks[0]) - _raw_words("o.O.o")
    assert abs(draft.words - expected) <= expected * 0.01


@pytest.mark.parametrize(
    "label",
    [
        "Author's Notes:",
        "A/N:",
        "AN:",
        "Author's Note:",
        "Authors Note -",
        "a/n -",
        "AUTHOR'S NOTE:",
    ],
)
def test_opening_note_labels_are_removed(label: str) -> None:
    draft = _import(f"{label} Thanks to my beta.\n\nThe rain fell.\n\nShe waited.")
    assert draft.notes == "Thanks to my beta."
    assert paragraphs(draft.chapters[0].text) == ["The rain fell.", "She waited."]


def test_label_on_its_own_line_takes_the_next_paragraph_as_the_note() -> None:
    draft = _import("A/N:\n\nWritten for a prompt.\n\nThe rain fell.\n\nShe waited.")
    assert draft.notes == "Written for a prompt."
    assert paragraphs(draft.chapters[0].text) == ["The rain fell.", "She waited."]


def test_prose_starting_with_an_is_not_a_note() -> None:
    draft = _import("An hour later: nothing.\n\nShe waited.\n\nAn owl called.")
    assert draft.notes == "" and draft.end_notes == ""
    assert len(paragraphs(draft.chapters[0].text)) == 3


def test_closing_note_becomes_end_notes() -> None:
    draft = _import("The rain fell.\n\nShe waited.\n\nA/N: Thanks for reading!")
    assert draft.end_notes == "Thanks for reading!"
    assert paragraphs(draft.chapters[0].text) == ["The rain fell.", "She waited."]


@pytest.mark.parametrize("ornament", ["o.O.o", "***", "* * *", "~~~", "---", "xXx", "oOo", "#"])
def test_scene_breaks_become_break_paragraphs(ornament: str) -> None:
    draft = _import(f"Before the break.\n\n{ornament}\n\nAfter the break.")
    assert paragraphs(draft.chapters[0].text) == [
        "Before the break.",
        SCENE_BREAK,
        "After the break.",
    ]
    assert draft.words == 6


def test_windows_newlines() -> None:
    draft = read_story(
        b"First paragraph here.\r\n\r\nSecond one.\r\n\r\n* * *\r\n\r\nThird.", "w.txt"
    )
    assert paragraphs(draft.chapters[0].text) == [
        "First paragraph here.",
        "Second one.",
        SCENE_BREAK,
        "Third.",
    ]
    assert "\r" not in draft.chapters[0].text


def test_indented_paragraphs_separated_by_single_newlines() -> None:
    lines = []
    for number in range(1, 7):
        lines.append(f"    Paragraph {number} begins here and runs on for a while until the")
        lines.append(f"line wraps and paragraph {number} ends.")
    draft = _import("\n".join(lines))
    got = paragraphs(draft.chapters[0].text)
    assert len(got) == 6
    assert got[0] == (
        "Paragraph 1 begins here and runs on for a while until the line wraps and paragraph 1 ends."
    )


def test_one_paragraph_per_line_without_blank_lines() -> None:
    text = "\n".join(f"Line {n} is a paragraph of its own." for n in range(12))
    draft = _import(text)
    assert len(paragraphs(draft.chapters[0].text)) == 12


def test_hard_wrapped_paragraphs_are_joined() -> None:
    wrapped = (
        "It was a dark and stormy night, and the rain fell in torrents\n"
        "except at occasional intervals, when it was checked by a violent\n"
        "gust of wind which swept up the streets.\n\n"
        "For it is in London that our scene lies, rattling along the\n"
        "housetops, and fiercely agitating the scanty flame of the lamps\n"
        "that struggled against the darkness."
    )
    got = paragraphs(_import(wrapped).chapters[0].text)
    assert len(got) == 2
    assert "\n" not in got[0] and "torrents except" in got[0]


def test_short_lines_inside_a_paragraph_stay_line_breaks() -> None:
    poem = "Roses are red,\nviolets are blue.\n\nThat was the card.\n\nShe laughed."
    got = paragraphs(_import(poem).chapters[0].text)
    assert got[0] == "Roses are red,\nviolets are blue."


def test_chapter_headings_split_chapters() -> None:
    text = (
        "Chapter 1\n\nIt began.\n\n"
        "Chapter 2: The Fall\n\nIt fell.\n\n"
        "Chapter Twelve\nIt ended.\n\nFor good."
    )
    draft = _import(text)
    assert [(c.number, c.title) for c in draft.chapters] == [(1, ""), (2, "The Fall"), (3, "")]
    assert paragraphs(draft.chapters[2].text) == ["It ended.", "For good."]


def test_heading_detection_is_strict() -> None:
    assert chapter_heading_title("Chapter 3") == ""
    assert chapter_heading_title("CHAPTER XIV - Return") == "Return"
    assert chapter_heading_title("Chapter Twenty-One: Home") == "Home"
    assert chapter_heading_title("Chapter one was the boring part.") is None
    assert chapter_heading_title("The chapter 3 of his life") is None


def test_markdown_characters_are_shown_as_written() -> None:
    draft = _import("She *really* meant it_ok.\n\n> not a quote\n\n- not a list")
    got = paragraphs(draft.chapters[0].text)
    assert got == ["She \\*really\\* meant it\\_ok.", "\\> not a quote", "\\- not a list"]


def test_title_from_the_file_name_and_importer_directly() -> None:
    draft = PlainTextImporter().parse(b"Some words here.", "my_lost_story.txt", ImportLimits())
    assert draft.title == "my lost story"
    assert draft.format == "plaintext"


def test_a_single_paragraph_is_never_taken_for_notes() -> None:
    draft = _import("A/N: this whole file is one long paragraph of story.")
    assert draft.notes == ""
    assert draft.words == 11  # "A/N" counts as two words
