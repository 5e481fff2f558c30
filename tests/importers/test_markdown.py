"""Markdown with YAML front matter: the demo stories and files the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.importers import read_story
from bot.importers.base import ImportLimits
from bot.importers.markdown import MarkdownImporter
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK, Rating, StoryDraft, paragraphs

DEMO_STORIES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "data" / "stories").glob("*.md")
    if path.name != "README.md"
)

STORY = """---
title: The Lighthouse Keeper
author: salt_and_ink
rating: teen
warnings: No Archive Warnings Apply
categories: [Gen]
fandom: Original Work
relationships: "Keeper & Gull, Keeper/Sea"
characters:
  - The Keeper
  - The Gull
tags: [Found Family, Slow Burn, Found Family]
language: English
summary: A keeper, a gull, a storm.
notes: For the *winter* prompt.
end_notes: Thanks for reading.
complete: false
series: Coastlines
source: https://example.org/lighthouse
---
The lamp was *lit* before dusk,
as it always was.

## The Storm

Waves hit the rocks.

* * *

The gull came **back**.

# Morning

---

Calm.
"""


def _draft(text: str, filename: str = "story.md") -> StoryDraft:
    return read_story(text.encode("utf-8"), filename)


def test_front_matter_fills_every_field() -> None:
    draft = _draft(STORY, "story.txt")
    assert draft.format == "markdown"
    assert draft.title == "The Lighthouse Keeper"
    assert draft.authors == ["salt_and_ink"]
    assert draft.rating is Rating.TEEN
    assert draft.warnings == ["No Archive Warnings Apply"]
    assert draft.categories == ["Gen"]
    assert draft.fandoms == ["Original Work"]
    assert draft.relationships == ["Keeper & Gull", "Keeper/Sea"]
    assert draft.characters == ["The Keeper", "The Gull"]
    assert draft.freeform == ["Found Family", "Slow Burn"]
    assert draft.language == "English"
    assert draft.summary == "A keeper, a gull, a storm."
    assert draft.notes == "For the *winter* prompt."
    assert draft.end_notes == "Thanks for reading."
    assert draft.complete is False
    assert draft.series == "Coastlines"
    assert draft.source == "https://example.org/lighthouse"


def test_headings_split_chapters_and_ornaments_are_breaks() -> None:
    draft = _draft(STORY)
    assert [(c.number, c.title) for c in draft.chapters] == [
        (1, ""),
        (2, "The Storm"),
        (3, "Morning"),
    ]
    # Soft-wrapped lines join as Markdown renders them; emphasis is kept as written.
    assert draft.chapters[0].text == "The lamp was *lit* before dusk, as it always was."
    assert paragraphs(draft.chapters[1].text) == [
        "Waves hit the rocks.",
        SCENE_BREAK,
        "The gull came **back**.",
    ]
    # A break at a chapter's start separates nothing and is dropped by normalisation.
    assert draft.chapters[2].text == "Calm."


def test_single_top_heading_names_the_story_when_chapters_use_level_two() -> None:
    text = "---\nauthor: x\n---\n# Tide Tables\n\n## One\n\nFirst.\n\n## Two\n\nSecond."
    draft = _draft(text)
    assert draft.title == "Tide Tables"
    assert [c.title for c in draft.chapters] == ["One", "Two"]


def test_code_fences_keep_their_lines_and_hide_headings() -> None:
    text = "---\ntitle: T\n---\nBefore.\n\n```\n# not a heading\nline two\n```\n\nAfter."
    draft = _draft(text)
    assert len(draft.chapters) == 1
    assert "```\n# not a heading\nline two\n```" in draft.chapters[0].text


@pytest.mark.parametrize(
    ("written", "rating"),
    [
        ("General Audiences", Rating.GENERAL),
        ("general", Rating.GENERAL),
        ("TEEN AND UP AUDIENCES", Rating.TEEN),
        ("mature", Rating.MATURE),
        ("Explicit", Rating.EXPLICIT),
        ("not rated", Rating.NOT_RATED),
        ("Not_Rated", Rating.NOT_RATED),
    ],
)
def test_rating_names(written: str, rating: Rating) -> None:
    draft = _draft(f"---\ntitle: T\nrating: {written}\n---\nText.")
    assert draft.rating is rating


def test_authors_list_and_unknown_keys() -> None:
    draft = _draft("---\ntitle: T\nauthors: [a, b]\nlayout: post\n---\nText.")
    assert draft.authors == ["a", "b"]


def test_unknown_rating_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="unknown rating 'spicy'"):
        _draft("---\ntitle: T\nrating: spicy\n---\nText.")


def test_bad_yaml_is_rejected_in_one_line() -> None:
    with pytest.raises(ImportRejected) as caught:
        _draft("---\ntitle: [unclosed\nauthor: x\n---\nText.", "story.txt")
    message = str(caught.value)
    assert "front matter is not valid YAML" in message
    assert "\n" not in message


def test_front_matter_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="mapping"):
        _draft("---\n- a\n- b\n---\nText.", "story.md")


def test_sniff() -> None:
    importer = MarkdownImporter()
    assert importer.sniff(b"---\ntitle: T\n---\nText.", "x.txt")
    assert importer.sniff(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nText.", "x.txt")
    assert not importer.sniff(b"---\nauthor: T\n---\nText.", "x.txt")
    assert not importer.sniff(b"Just text.", "x.txt")
    # A plain story that opens with a "---" break is not front matter.
    assert not importer.sniff(b"---\n\nShe ran.\n\n---\n\nHe ran.", "x.txt")
    assert importer.sniff(b"No front matter at all.", "notes.md")


def test_markdown_without_front_matter_takes_title_from_file_name() -> None:
    draft = MarkdownImporter().parse(b"Some *text*.", "sea_glass.md", ImportLimits())
    assert draft.title == "sea glass"
    assert draft.authors == []
    assert draft.chapters[0].text == "Some *text*."


@pytest.mark.skipif(not DEMO_STORIES, reason="no demo stories in data/stories yet")
@pytest.mark.parametrize("path", DEMO_STORIES, ids=lambda p: p.name)
def test_demo_stories_import(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    front = yaml.safe_load(raw.split("---\n")[1])
    draft = read_story(path.read_bytes(), path.name)
    assert draft.format == "markdown"
    assert draft.title == front["title"]
    assert draft.authors
    assert draft.rating is not None
    body = raw.split("---\n", 2)[2]
    assert abs(draft.words - len(body.split())) <= 0.05 * len(body.split())
    for chapter in draft.chapters:
        assert "\n\n\n" not in chapter.text
        assert chapter.text == chapter.text.strip()
