"""Hostile input: a DOCTYPE with an internal subset (`<!DOCTYPE html [ <!ENTITY …> ]>`).

lxml's HTML parser does not read the subset, so before the fix its closing "]>" and the
references to its entities ("&e;") ended up in the story text. The entities must never be
expanded either: no external file (XXE), no billion laughs.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bot.importers import read_story, read_story_file
from bot.importers.html_rules import drop_internal_subset

SUBSET = """<!DOCTYPE html [
  <!ENTITY e "boom ]> still inside">
  <!ENTITY % param "only used in the subset">
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY xxe SYSTEM "file:///etc/hostname">
  <!ENTITY nbsp "&#160;">
]>"""
BODY = ("<p>Before &e; after, &lol3; and &xxe; then&nbsp;more.</p>"
        "<p>A real &amp; ampersand &lt;stays&gt; text.</p>")
EXPECTED = "Before after, and then more.\n\nA real & ampersand <stays> text."


def assert_clean(text: str) -> None:
    for leftover in ("]>", "&e;", "&lol", "&xxe;", "boom", "still inside", "lollol"):
        assert leftover not in text
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in text


def test_html_file_with_an_internal_subset_keeps_only_its_text() -> None:
    html = (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- exported -->\n{SUBSET}\n'
            f"<html><head><title>Subset</title></head><body>{BODY}</body></html>")
    draft = read_story(html.encode(), "subset.html")
    assert draft.title == "Subset"
    assert draft.chapters[0].text == EXPECTED
    assert_clean(draft.chapters[0].text)


@pytest.mark.parametrize("doctype", ["<!doctype html [ ]>", "<!DOCTYPE html PUBLIC "
                                     '"-//W3C//DTD XHTML 1.1//EN" "x.dtd" [\n]>'])
def test_an_empty_subset_leaves_nothing_behind(doctype: str) -> None:
    html = f"{doctype}<html><head><title>Empty</title></head><body><p>Just text.</p></body></html>"
    assert read_story(html.encode(), "empty.html").chapters[0].text == "Just text."


CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""
OPF = """<?xml version="1.0" encoding="utf-8"?>
<package version="3.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="uid">urn:x</dc:identifier>
<dc:title>Subset Book</dc:title><dc:creator>Ann Author</dc:creator></metadata>
<manifest><item id="c1" href="one.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="c1"/></spine></package>"""


def test_epub_chapter_with_an_internal_subset_keeps_only_its_text(tmp_path: Path) -> None:
    chapter = (f'<?xml version="1.0" encoding="utf-8"?>\n{SUBSET}\n'
               '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head>'
               f"<body>{BODY}</body></html>")
    path = tmp_path / "subset.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", OPF)
        archive.writestr("OEBPS/one.xhtml", chapter)
    draft = read_story_file(path)
    assert draft.title == "Subset Book"
    assert [chapter.text for chapter in draft.chapters] == [EXPECTED]
    assert_clean(draft.chapters[0].text)


@pytest.mark.parametrize("prolog", [
    "<!DOCTYPE html [ <!ENTITY e 'never closed'> " + "x" * 50_000,
    "<!-- never closed " + " " * 50_000 + "<!DOCTYPE html [ ]>",
    "<!---->" * 20_000,
])
def test_a_subset_that_does_not_parse_leaves_the_document_alone(prolog: str) -> None:
    html = f"{prolog}<html><body><p>Text.</p></body></html>"
    assert drop_internal_subset(html) == html
