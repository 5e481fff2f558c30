"""FanFicFare HTML/TXT/EPUB: one story in three formats gives one draft, matching meta.json."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from bot.importers.base import ImportLimits
from bot.importers.epub import EpubImporter
from bot.importers.fanficfare import rating_from_label
from bot.importers.fanficfare_html import FanFicFareHtmlImporter
from bot.importers.fanficfare_txt import FanFicFareTxtImporter
from bot.library.errors import ImportRejected
from bot.library.models import Rating, StoryDraft

FFF_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "fanficfare"
STORIES = ("ffn-sid1", "ffn-sid2", "ffn-sid673")
IMPORTERS = {
    "html": FanFicFareHtmlImporter(),
    "txt": FanFicFareTxtImporter(),
    "epub": EpubImporter(),
}
COMPARED = (
    "title", "authors", "rating", "warnings", "categories", "fandoms", "relationships",
    "characters", "freeform", "language", "complete", "summary", "notes", "source", "series",
)


def parse(story: str, ext: str) -> StoryDraft:
    data = (FFF_DIR / f"{story}.{ext}").read_bytes()
    return IMPORTERS[ext].parse(data, f"{story}.{ext}", ImportLimits())


def meta(story: str) -> dict[str, str]:
    return json.loads((FFF_DIR / f"{story}.meta.json").read_text(encoding="utf-8"))


def listed(value: str) -> list[str]:
    return [html.unescape(item.strip()) for item in value.split(",") if item.strip()]


@pytest.mark.parametrize("story", STORIES)
def test_three_formats_give_the_same_draft(story: str) -> None:
    drafts = {ext: parse(story, ext) for ext in IMPORTERS}
    reference = drafts["html"]
    for ext, draft in drafts.items():
        for name in COMPARED:
            assert getattr(draft, name) == getattr(reference, name), (ext, name)
        assert [c.title for c in draft.chapters] == [c.title for c in reference.chapters], ext
        for mine, theirs in zip(draft.chapters, reference.chapters, strict=True):
            assert abs(mine.words - theirs.words) <= theirs.words * 0.01, (ext, mine.number)
        assert draft.format == IMPORTERS[ext].name


@pytest.mark.parametrize("ext", sorted(IMPORTERS))
@pytest.mark.parametrize("story", STORIES)
def test_each_format_matches_what_fanficfare_reported(story: str, ext: str) -> None:
    reported = meta(story)
    draft = parse(story, ext)
    assert draft.title == reported["title"]
    assert draft.authors == listed(reported["author"])
    assert draft.fandoms == listed(reported["category"])
    assert draft.relationships == listed(reported["ships"])
    assert "Harry Potter & Hermione Granger" in draft.relationships
    assert draft.characters == listed(reported["characters"])
    assert draft.warnings == listed(reported["warnings"])
    # genre = freeform; the unknown site rating is kept as one more freeform tag
    assert draft.freeform == [*listed(reported["genre"]), f"Rating: {reported['rating']}"]
    assert draft.rating is Rating.NOT_RATED
    assert draft.categories == []
    assert draft.language == (reported["language"] or None)
    assert draft.complete is (reported["status"] == "Completed")
    assert draft.expected_chapters == (9 if draft.complete else None)
    assert len(draft.chapters) == int(reported["numChapters"])
    assert draft.source == reported["storyUrl"]
    assert draft.series == (re.sub(r"\s*\[\d+\]$", "", reported["series"]) or None)
    assert draft.summary == (
        "Description tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)] Done"
        '\n\nSome more longer description. "I suck at summaries!" "Better than it sounds!" '
        'A span! "My first fic"'
    )
    assert draft.notes == ""


def test_chapter_titles_and_text() -> None:
    draft = parse("ffn-sid673", "txt")
    assert draft.chapters[0].title == (
        "Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]"
    )
    assert draft.chapters[6].title == "Chapter A & B < C > D"
    second = draft.chapters[1].text
    assert "*italics*, **bold**, underline, ~~Strike through~~" in second
    assert "⁂\n\nhorizontal rules\n\n⁂" in second
    assert "End file." not in draft.chapters[-1].text


def test_wrapped_header_values_are_joined() -> None:
    draft = parse("ffn-sid673", "txt")
    assert "Once Upon a Time (TV)" in draft.fandoms  # "(TV)" wrapped to the next line
    assert draft.authors[-1] == "Author From List o"  # the byline wraps over 6 lines
    assert len(draft.authors) == 20


@pytest.mark.parametrize(
    ("label", "rating"),
    [
        ("K", Rating.GENERAL), ("K+", Rating.GENERAL), ("PG", Rating.GENERAL),
        ("T", Rating.TEEN), ("PG-13", Rating.TEEN), ("Teen And Up Audiences", Rating.TEEN),
        ("M", Rating.MATURE), ("R", Rating.MATURE),
        ("MA", Rating.EXPLICIT), ("NC-17", Rating.EXPLICIT), ("Explicit", Rating.EXPLICIT),
        ("Tweenie", None),
    ],
)
def test_rating_mapping(label: str, rating: Rating | None) -> None:
    assert rating_from_label(label) is rating


def test_sniffs_claim_only_their_own_format() -> None:
    html_importer, txt_importer = IMPORTERS["html"], IMPORTERS["txt"]
    for story in STORIES:
        html_data = (FFF_DIR / f"{story}.html").read_bytes()
        txt_data = (FFF_DIR / f"{story}.txt").read_bytes()
        assert html_importer.sniff(html_data, "x.txt") and not txt_importer.sniff(html_data, "x")
        assert txt_importer.sniff(txt_data, "x.html") and not html_importer.sniff(txt_data, "x")
    assert not txt_importer.sniff(b"Just a story.\n\nIt was a dark night.\n", "story.txt")


@pytest.mark.parametrize("ext", ["html", "txt"])
def test_empty_or_textless_files_are_rejected(ext: str) -> None:
    importer = IMPORTERS[ext]
    with pytest.raises(ImportRejected):
        importer.parse(b"", f"x.{ext}", ImportLimits())
    data = (FFF_DIR / f"ffn-sid1.{ext}").read_bytes()
    if ext == "html":
        headless = data[: data.index(b'<a name="TOCTOP">')]
    else:
        headless = data[: data.index(b"TABLE OF CONTENTS")]
    with pytest.raises(ImportRejected, match="no chapters"):
        importer.parse(headless, f"x.{ext}", ImportLimits())
