"""Sidecar metadata (`X.meta.yaml`) and the metadata mapping the CLI options become."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.importers import read_story_file
from bot.importers.sidecar import apply_metadata, load_sidecar, metadata_fields
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, Rating, StoryDraft

STORY_TEXT = "A/N: for my sister.\n\nThe kettle sang.\n\n~~~\n\nThe tea was cold.\n"


def _write_story(folder: Path, sidecar: str | None, name: str = "tea") -> Path:
    story = folder / f"{name}.txt"
    story.write_text(STORY_TEXT, encoding="utf-8")
    if sidecar is not None:
        (folder / f"{name}.meta.yaml").write_text(sidecar, encoding="utf-8")
    return story


def test_no_sidecar(tmp_path: Path) -> None:
    story = _write_story(tmp_path, None)
    assert load_sidecar(story) is None
    draft = read_story_file(story)
    assert draft.title == "tea" and draft.authors == []


def test_sidecar_sets_the_metadata_of_a_plain_text_story(tmp_path: Path) -> None:
    story = _write_story(
        tmp_path,
        "title: Cold Tea\nauthor: kettle_whistle\nrating: general\n"
        "fandom: Original Work\ntags: Domestic, Fluff\ncomplete: yes\n",
    )
    draft = read_story_file(story)
    assert draft.title == "Cold Tea"
    assert draft.authors == ["kettle_whistle"]
    assert draft.rating is Rating.GENERAL
    assert draft.fandoms == ["Original Work"]
    assert draft.freeform == ["Domestic", "Fluff"]
    assert draft.complete is True
    assert draft.notes == "for my sister."  # read from the text, not lost
    assert draft.format == "plaintext"


def test_bad_sidecar_is_rejected_naming_the_file(tmp_path: Path) -> None:
    story = _write_story(tmp_path, "title: [oops\n")
    with pytest.raises(ImportRejected, match=r"tea\.meta\.yaml is not valid YAML"):
        read_story_file(story)


def test_cli_options_as_a_mapping_override_a_draft() -> None:
    draft = StoryDraft(
        title="old",
        authors=["someone"],
        chapters=[Chapter(1, "", "Text.")],
        freeform=["Angst"],
        rating=Rating.EXPLICIT,
    )
    options = {
        "title": "  New   Title ",
        "author": "Alice, Bob",  # one author: a pseud may contain a comma
        "rating": "Teen And Up Audiences",
        "warning": ["No Archive Warnings Apply"],
        "fandom": ["A", "B", "A"],
        "relationship": ["A/B"],
        "character": ["A"],
        "tag": ["Fluff"],
    }
    updated = apply_metadata(draft, options)
    assert updated.title == "New Title"
    assert updated.authors == ["Alice, Bob"]
    assert updated.rating is Rating.TEEN
    assert updated.warnings == ["No Archive Warnings Apply"]
    assert updated.fandoms == ["A", "B"]
    assert updated.relationships == ["A/B"]
    assert updated.characters == ["A"]
    assert updated.freeform == ["Fluff"]
    assert updated.chapters == draft.chapters
    assert draft.title == "old"  # the original is not changed


def test_keys_left_empty_change_nothing() -> None:
    assert metadata_fields({"title": None, "summary": None, "series": ""}) == {"series": None}


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"complete": "maybe"}, "'complete' must be true or false"),
        ({"tags": {"a": 1}}, "'tags' must be a list"),
        ({"rating": "R"}, "unknown rating"),
        ({"summary": ["a"]}, "'summary' must be a text"),
    ],
)
def test_wrong_values_are_rejected(meta: dict[str, object], message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        metadata_fields(meta)


DEMO_TEXT_STORIES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "data" / "stories").glob("*.txt")
    if path.with_name(path.stem + ".meta.yaml").is_file()
)


@pytest.mark.skipif(not DEMO_TEXT_STORIES, reason="no .txt demo stories with sidecars yet")
@pytest.mark.parametrize("story", DEMO_TEXT_STORIES, ids=lambda p: p.name)
def test_demo_text_stories_take_their_metadata_from_the_sidecar(story: Path) -> None:
    meta = yaml.safe_load(story.with_name(story.stem + ".meta.yaml").read_text(encoding="utf-8"))
    draft = read_story_file(story)
    assert draft.format == "plaintext"
    assert draft.title == meta["title"]
    assert draft.authors == meta["authors"]
    assert draft.rating is not None and draft.rating.value == meta["rating"]
    assert draft.freeform == meta["tags"]
    assert draft.words > 500


def test_added_metadata_extends_lists_and_only_fills_what_the_file_lacks() -> None:
    from bot.importers.sidecar import add_metadata
    from bot.library.models import Chapter, Rating, StoryDraft

    draft = StoryDraft(title="Old", authors=["A"], chapters=[Chapter(1, "", "Text.")],
                       freeform=["Fluff", "Angst"], rating=Rating.GENERAL)
    merged = add_metadata(draft, {"tag": ["angst", "Found Family"], "title": "New",
                                  "rating": "Mature", "author": "B", "summary": "Filled."})
    assert merged.freeform == ["Fluff", "Angst", "Found Family"]
    # The file's own title, author and rating win; what it lacks (a summary) is filled.
    assert merged.title == "Old" and merged.rating is Rating.GENERAL
    assert merged.authors == ["A"]
    assert merged.summary == "Filled."


def test_a_title_made_from_the_file_name_is_replaced_by_the_option() -> None:
    from bot.importers import read_story
    from bot.importers.sidecar import add_metadata

    draft = read_story(b"Just a story with some words.\n", "untitled_draft.txt")
    assert draft.title == "untitled draft"
    assert add_metadata(draft, {"title": "The Real Title"}).title == "The Real Title"
