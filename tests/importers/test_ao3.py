"""AO3 "Download -> HTML" importer, on the real downloads in ../shared/fixtures/ao3."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.importers.ao3 import AO3HtmlImporter
from bot.importers.base import ImportLimits
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK, Rating, StoryDraft

AO3_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ao3"
FANDOM = "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"
SERIES = "A Wheel Inside a Wheel"

# file -> (title, rating, chapter count, complete, expected chapters)
EXPECTED = {
    "a-funeral-shroud-for.html": (
        "A Funeral Shroud for Laertes - A Preface to the Third Edition of A Wheel Inside a Wheel",
        Rating.GENERAL, 1, True, 1,
    ),
    "and-the-big-wheel-keep.html": (
        "And the Big Wheel Keep On Turning (Neon Burning Up Above)", Rating.EXPLICIT, 3, True, 3,
    ),
    "first-as-farce.html": ("First as Farce", Rating.TEEN, 1, True, 1),
    "keep-the-home-fires.html": ("Keep the Home Fires (Burning)", Rating.TEEN, 3, True, 3),
    "those-few-whove-slipped.html": (
        "Those Few Who’ve Slipped the Surly Bonds", Rating.NOT_RATED, 3, False, None,
    ),
}


def parse(name: str) -> StoryDraft:
    return AO3HtmlImporter().parse((AO3_DIR / name).read_bytes(), name, ImportLimits())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_parses_with_its_preface_metadata(name: str) -> None:
    title, rating, chapters, complete, expected = EXPECTED[name]
    draft = parse(name)
    assert draft.title == title
    assert draft.authors == ["natsinator"]
    assert draft.rating is rating
    assert len(draft.chapters) == chapters
    assert [c.number for c in draft.chapters] == list(range(1, chapters + 1))
    assert draft.complete is complete
    assert draft.expected_chapters == expected
    assert draft.fandoms == [FANDOM]
    assert draft.language == "English"
    assert draft.series == SERIES
    assert draft.format == "ao3-html"
    assert re.fullmatch(r"https://archiveofourown\.org/works/\d+", draft.source or "")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_word_count_matches_the_stats_ao3_printed(name: str) -> None:
    data = (AO3_DIR / name).read_bytes()
    match = re.search(rb"Words:\s*([\d,]+)", data)
    assert match is not None
    ao3_words = int(match.group(1).replace(b",", b""))
    assert abs(parse(name).words - ao3_words) <= ao3_words * 0.01


def test_plural_labels_and_several_values() -> None:
    draft = parse("and-the-big-wheel-keep.html")  # Categories / Relationships / Characters
    assert draft.categories == ["F/M", "M/M", "Multi"]
    assert draft.relationships[1] == "Wolfgang Mittermeyer/Oskar von Reuenthal/Yang Wenli"
    assert len(draft.relationships) == 3
    assert len(draft.characters) == 6
    assert draft.warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert "length: novella" in draft.freeform
    assert "actually there is a tiny little bit of plot in there b/c like. well i can't resist." \
        in draft.freeform


def test_archive_warnings_plural_and_no_relationship_tags() -> None:
    draft = parse("those-few-whove-slipped.html")
    assert draft.warnings == ["Creator Chose Not To Use Archive Warnings", "Major Character Death"]
    assert draft.relationships == []
    assert draft.characters == []
    assert draft.categories == ["Gen"]


def test_summary_notes_and_end_notes() -> None:
    draft = parse("and-the-big-wheel-keep.html")
    assert draft.summary.startswith('"Deleted" scenes from *A Wheel Inside a Wheel*.')
    assert draft.notes.startswith("Chapter 1 - Yang/Reuenthal/Mittermeyer.")
    assert "\nChapter 2 - Magdalena/Yang." in draft.notes  # <br/> kept as a line break
    assert draft.end_notes == 'Title of the fic from "Tunnel of Love" by Dire Straits lol'


def test_notes_that_only_point_to_the_end_are_empty() -> None:
    draft = parse("first-as-farce.html")
    assert draft.notes == ""
    assert draft.end_notes.startswith("I'm sorry I know this is literally unhinged.")
    assert draft.summary.endswith("to get 90% of this.)")


def test_work_without_summary_or_notes() -> None:
    draft = parse("a-funeral-shroud-for.html")
    assert (draft.summary, draft.notes, draft.end_notes) == ("", "", "")
    assert draft.source == "https://archiveofourown.org/works/35152225"
    assert draft.chapters[0].text.startswith("**A Funeral Shroud for Laertes**")


def test_chapter_titles_and_dropped_chapter_notes() -> None:
    draft = parse("keep-the-home-fires.html")
    assert [c.title for c in draft.chapters] == [
        "With Your Grandfather in the Ground",
        "The Family and the Fishing Net",
        "Oskar von Reuenthal Was Born Innocent",
    ]
    first = draft.chapters[0].text
    assert first.startswith("*June 486 I.C., Odin*\n\n")
    assert "Chapter Notes" not in first and "chapter title is from" not in first
    assert SCENE_BREAK in first
    assert f"{SCENE_BREAK}\n\n{SCENE_BREAK}" not in first


def test_largest_fixture_keeps_all_its_words() -> None:
    # Its import speed is measured by benchmarks/bench_import.py, not by a timed test.
    data = (AO3_DIR / "keep-the-home-fires.html").read_bytes()
    draft = AO3HtmlImporter().parse(data, "keep-the-home-fires.html", ImportLimits())
    assert draft.words == 32_900  # AO3's own "Words:" figure for this work


def test_anonymous_byline_without_author_links(tmp_path: Path) -> None:
    data = (AO3_DIR / "a-funeral-shroud-for.html").read_bytes()
    data = re.sub(rb'<div class="byline">.*?</div>', b'<div class="byline">by Anonymous</div>',
                  data, flags=re.S)
    assert AO3HtmlImporter().parse(data, "x.html", ImportLimits()).authors == ["Anonymous"]


def test_sniff_uses_content_not_the_name() -> None:
    importer = AO3HtmlImporter()
    data = (AO3_DIR / "first-as-farce.html").read_bytes()
    assert importer.sniff(data, "story.txt")
    assert not importer.sniff(b"<html><body><p>Archive of Our Own</p></body></html>", "a.html")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "preface"),
        (b'<div id="preface"><div class="meta"><h1>T</h1></div></div>', "chapters"),
        (
            b'<div id="preface"><div class="meta"><h1>T</h1></div></div>'
            b'<div id="chapters"><div class="userstuff"><p> </p></div></div>',
            "no story text",
        ),
    ],
)
def test_bad_input_is_rejected_with_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ImportRejected, match=message) as caught:
        AO3HtmlImporter().parse(data, "x.html", ImportLimits())
    assert "\n" not in str(caught.value)
