"""The detector picks the importer from the content; names are only hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importers.detect import content_importers, detect_importer, is_binary_content
from bot.library.errors import ImportRejected

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
DEMO_STORIES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "data" / "stories").glob("*.md")
    if path.name != "README.md"
)


def _fixture(relative: str) -> Path:
    path = FIXTURES / relative
    assert path.is_file(), f"missing fixture {path}"
    return path


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("seed/000_243aa131780b4f07.txt", "plaintext"),
        ("ao3/first-as-farce.html", "ao3-html"),
        ("ao3/keep-the-home-fires.html", "ao3-html"),
        ("fanficfare/ffn-sid1.epub", "epub"),
        ("fanficfare/ffn-sid1.html", "fanficfare-html"),
        ("fanficfare/ffn-sid1.txt", "fanficfare-txt"),
    ],
)
def test_real_files_go_to_their_importer(relative: str, expected: str) -> None:
    path = _fixture(relative)
    assert detect_importer(path.read_bytes(), path.name).name == expected


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("ao3/first-as-farce.html", "ao3-html"),
        ("fanficfare/ffn-sid2.epub", "epub"),
        ("fanficfare/ffn-sid2.txt", "fanficfare-txt"),
    ],
)
def test_a_misleading_file_name_does_not_matter(relative: str, expected: str) -> None:
    assert detect_importer(_fixture(relative).read_bytes(), "story.txt").name == expected


@pytest.mark.skipif(not DEMO_STORIES, reason="no demo stories in data/stories yet")
def test_demo_story_is_markdown_even_named_txt() -> None:
    assert detect_importer(DEMO_STORIES[0].read_bytes(), "upload.txt").name == "markdown"


def test_generic_html_and_markdown_and_plain_text() -> None:
    html = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hi.</p></body></html>"
    assert detect_importer(html, "page.txt").name == "html"
    assert detect_importer(b"---\ntitle: T\n---\nText.", "a.txt").name == "markdown"
    assert detect_importer(b"Once upon a time.", "a.html").name == "plaintext"


def test_order_is_most_specific_first() -> None:
    assert [importer.name for importer in content_importers()] == [
        "epub",
        "ao3-html",
        "fanficfare-html",
        "html",
        "fanficfare-txt",
        "markdown",
        "plaintext",
    ]


def test_binary_content() -> None:
    assert is_binary_content(b"abc\x00def")
    assert is_binary_content(bytes(range(1, 9)) * 50 + b"text")
    assert not is_binary_content("Ein Mädchen — “quoted”\tand tabbed.\r\n".encode())
    assert not is_binary_content("UTF-16 text".encode("utf-16"))  # NULs, but a BOM


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", "this is a PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(64), "zip archive but not an EPUB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a binary file, not a story"),
    ],
)
def test_binary_files_are_rejected_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        detect_importer(data, "story.txt")
