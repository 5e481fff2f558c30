"""The lxml walk (bot.importers.lxml_text) gives exactly the text of BeautifulSoup's
(bot.importers.html_text) on the same document: every real HTML file, and the cases the
text rules exist for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importers import html_text, lxml_text

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
HTML_FILES = sorted(FIXTURES.glob("*/*.html"))

SNIPPETS = [
    "<p>Plain words.</p><p>Two <i>emphasised <b>and bold</b></i> words.</p>",
    "<div>a<!-- a comment -->b <em>it</em><br>next line<br><br>new paragraph</div>",
    "<p>before</p><hr><p>* * *</p><p>o.O.o</p><p>after</p>",
    "<div><i><p>emphasis around paragraphs</p><p>is dropped</p></i></div>",
    "<p>1. not a list</p><p># not a heading</p><p>- not a bullet</p><p>&gt; no quote</p>",
    "<p>under_scores * stars ~tildes~ `ticks` | pipes \\ backslash</p>",
    "<p>x<script>alert(1)</script>y<style>p{}</style>z</p><iframe>gone</iframe>tail",
    "<blockquote>quoted<table><tr><td>cell</td><td>two</td></tr></table></blockquote>",
    "<p>  spaced \n\t out   text  </p><p>&nbsp;</p><p>caf&eacute; &amp; co</p>",
    "<head><title>not text</title></head><body><img src=x>text<u>under</u><s>gone</s></body>",
    '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY e "boom">]><p>&e;kept</p>',
]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda path: path.name)
def test_every_real_html_file_reads_the_same(path: Path) -> None:
    data = path.read_bytes()
    soup, root = html_text.parse_html(data), lxml_text.parse_document(data)
    assert root is not None
    for tag in ("body", "div", "blockquote"):
        ours = list(lxml_text.elements(root, tag))
        theirs = soup.find_all(tag)
        assert len(ours) == len(theirs), tag
        for mine, other in zip(ours, theirs, strict=True):
            assert lxml_text.story_text(mine) == html_text.html_to_markdown(other)
            assert lxml_text.summary_text(mine) == html_text.html_summary(other)
            assert lxml_text.plain_text(mine) == html_text.plain_text(other)


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_the_text_rules_hold_on_the_lxml_tree(snippet: str) -> None:
    document = f"<html><body>{snippet}</body></html>"
    root = lxml_text.parse_document(document)
    assert root is not None
    body = next(lxml_text.elements(root, "body"))
    soup_body = html_text.parse_html(document).find("body")
    assert lxml_text.story_text(body) == html_text.html_to_markdown(soup_body)
    assert lxml_text.plain_text(body) == html_text.plain_text(soup_body)


def test_an_empty_document_has_no_root() -> None:
    assert lxml_text.parse_document(b"") is None
    assert lxml_text.parse_document("  \n ") is None


@pytest.mark.parametrize("declared", [
    '<meta charset="windows-1252">',
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    '<?xml version="1.0" encoding="iso-8859-1"?>',
])
def test_the_text_is_read_as_decoded_whatever_the_page_declares(declared: str) -> None:
    # A UTF-8 page that says it is in a code page (an editor's template, a site's header):
    # decode_text has read the bytes; a parser that then went by the declaration would
    # turn every accent and curly quote into two or three wrong characters.
    words = "Café – “quoted” naïve ½"
    page = f"{declared}<html><head></head><body><p>{words}</p></body></html>"
    root = lxml_text.parse_document(page.encode("utf-8"))
    assert root is not None
    body = next(lxml_text.elements(root, "body"))
    assert lxml_text.plain_text(body) == words
    assert lxml_text.story_text(body) == words
