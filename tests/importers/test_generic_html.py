"""Generic HTML importer, and which of the HTML/EPUB importers claims which fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importers.ao3 import AO3HtmlImporter
from bot.importers.base import ImportLimits
from bot.importers.epub import EpubImporter
from bot.importers.fanficfare_html import FanFicFareHtmlImporter
from bot.importers.fanficfare_txt import FanFicFareTxtImporter
from bot.importers.generic_html import GenericHtmlImporter
from bot.library.errors import ImportRejected
from bot.library.models import Rating

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
MY_IMPORTERS = [
    EpubImporter(), AO3HtmlImporter(), FanFicFareHtmlImporter(), GenericHtmlImporter(),
    FanFicFareTxtImporter(),
]

STORY = b"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Page title</title>
  <meta name="title" content="Tea at the Edge of Things">
  <meta name="author" content="Mira Holt">
  <meta name="author" content="J. Quill">
  <meta name="description" content="Two old friends, one kettle.">
  <meta name="rating" content="General Audiences">
  <meta name="warnings" content="No Archive Warnings Apply">
  <meta name="categories" content="Gen">
  <meta name="fandoms" content="Original Work">
  <meta name="relationships" content="Mira &amp; June">
  <meta name="characters" content="Mira, June">
  <meta name="keywords" content="Tea, Friendship, Fluff">
  <meta name="complete" content="false">
  <style>body { color: red } .secret::after { content: "STYLE-TEXT" }</style>
  <script>var stolen = "SCRIPT-TEXT";</script>
</head>
<body>
  <h1>Tea at the Edge of Things</h1>
  <section><h2>The Kettle</h2><p>The kettle <em>sang</em>.</p>
    <script>document.write("SCRIPT-IN-BODY")</script></section>
  <section><h2>The Cups</h2><p>Two cups, one chipped.</p><p>~ ~ ~</p><p>Later.</p></section>
</body>
</html>
"""


def test_meta_tags_and_sections() -> None:
    draft = GenericHtmlImporter().parse(STORY, "story.html", ImportLimits())
    assert draft.title == "Tea at the Edge of Things"
    assert draft.authors == ["Mira Holt", "J. Quill"]
    assert draft.summary == "Two old friends, one kettle."
    assert draft.rating is Rating.GENERAL
    assert draft.warnings == ["No Archive Warnings Apply"]
    assert draft.categories == ["Gen"]
    assert draft.fandoms == ["Original Work"]
    assert draft.relationships == ["Mira & June"]
    assert draft.characters == ["Mira", "June"]
    assert draft.freeform == ["Tea", "Friendship", "Fluff"]
    assert draft.complete is False
    assert draft.language == "en-GB"
    assert draft.format == "html"
    assert [(c.number, c.title) for c in draft.chapters] == [(1, "The Kettle"), (2, "The Cups")]
    assert draft.chapters[0].text == "The kettle *sang*."
    assert draft.chapters[1].text == "Two cups, one chipped.\n\n⁂\n\nLater."


def test_scripts_and_styles_are_never_stored() -> None:
    draft = GenericHtmlImporter().parse(STORY, "story.html", ImportLimits())
    stored = " ".join([draft.title, draft.summary, *(c.text for c in draft.chapters)])
    for marker in ("SCRIPT", "STYLE", "stolen", "color"):
        assert marker not in stored


def test_h2_blocks_are_chapters_and_title_falls_back_to_title_tag() -> None:
    html = (b"<html><head><title>Plain Title</title></head><body><h1>Plain Title</h1>"
            b"<p>A foreword.</p><h2>One</h2><p>First.</p><h2>Two</h2><p>Second.</p></body></html>")
    draft = GenericHtmlImporter().parse(html, "s.html", ImportLimits())
    assert draft.title == "Plain Title"
    assert [(c.title, c.text) for c in draft.chapters] == [
        ("", "A foreword."), ("One", "First."), ("Two", "Second."),
    ]
    assert draft.authors == [] and draft.rating is None and draft.complete is None


def test_whole_body_is_one_chapter_and_h1_is_the_title() -> None:
    html = b"<html><body><h1>Only Heading</h1><p>Just text.</p><p>More.</p></body></html>"
    draft = GenericHtmlImporter().parse(html, "s.html", ImportLimits())
    assert draft.title == "Only Heading"
    assert [c.text for c in draft.chapters] == ["Just text.\n\nMore."]


def test_unknown_rating_is_not_rated_and_kept_as_a_tag() -> None:
    html = (b'<html><head><title>T</title><meta name="rating" content="Tweenie">'
            b'<meta name="complete" content="true"></head><body><p>x y</p></body></html>')
    draft = GenericHtmlImporter().parse(html, "s.html", ImportLimits())
    assert draft.rating is Rating.NOT_RATED
    assert draft.freeform == ["Rating: Tweenie"]
    assert draft.complete is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><head><title>T</title></head><body><script>x()</script></body></html>",
         "no story text"),
        (b"<html><body><p>text without any title</p></body></html>", "no title"),
    ],
)
def test_bad_html_is_rejected(data: bytes, message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        GenericHtmlImporter().parse(data, "s.html", ImportLimits())


def _fixture_cases() -> list[tuple[Path, str]]:
    cases = [(path, "ao3-html") for path in sorted((FIXTURES / "ao3").glob("*.html"))]
    for ext, name in (("epub", "epub"), ("html", "fanficfare-html"), ("txt", "fanficfare-txt")):
        cases += [(path, name) for path in sorted((FIXTURES / "fanficfare").glob(f"*.{ext}"))]
    cases += [(path, "") for path in sorted((FIXTURES / "seed").glob("*.txt"))]
    return cases


@pytest.mark.parametrize(("path", "owner"), _fixture_cases(), ids=lambda v: getattr(v, "name", v))
def test_each_fixture_is_claimed_by_exactly_its_own_importer(path: Path, owner: str) -> None:
    data = path.read_bytes()
    claimed = [importer.name for importer in MY_IMPORTERS if importer.sniff(data, "upload.bin")]
    assert claimed == ([owner] if owner else [])


def test_generic_sniff_claims_our_own_html() -> None:
    assert [i.name for i in MY_IMPORTERS if i.sniff(STORY, "x")] == ["html"]
