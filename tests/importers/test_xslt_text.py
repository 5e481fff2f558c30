"""The XSLT conversion (bot.importers.xslt_text) gives exactly the text of the lxml walk
(bot.importers.lxml_text.LxmlStoryText), or None where the walk has to run: on every real
HTML file, on the cases the text rules exist for, and on generated documents that mix
them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from lxml import etree

from bot.importers import lxml_text, xslt_text
from bot.library.errors import ImportRejected

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
HTML_FILES = sorted(FIXTURES.glob("*/*.html"))
WALKS = {True: lxml_text.LxmlStoryText(), False: lxml_text.LxmlStoryText(scene_breaks=False)}

RULE_CASES = [
    "<p>Plain words.</p><p>Two <i>emphasised <b>and bold</b></i> words.</p>",
    "<p>a <i> spaced </i> b <b><i> nested </i> </b>c<u></u>d<s> </s>e</p>",
    "<p><em>x</em><em>y</em> <strong>  </strong> <i><b><u>deep</u></b></i></p>",
    "<div>a<!-- a comment -->b <em>it</em><br>next line<br><br>new paragraph<br></div>",
    "<p>before</p><hr><p>* * *</p><p>o.O.o</p><p>after</p><hr><hr>",
    "<hr><p>x</p><p>~*~</p><p>\\* \\* \\*</p><p>-x-</p><p>xXx</p><hr>",
    "<div><i><p>emphasis around paragraphs</p><p>is dropped</p></i></div>",
    "<p>1. not a list</p><p># not a heading</p><p>- not a bullet</p><p>&gt; no quote</p>",
    "<p>12.5 stays</p><p>-no space</p><p>1.</p><p>x<br>2. second line<br>- third</p>",
    "<p>under_scores * stars ~tildes~ `ticks` | pipes \\ backslash</p>",
    "<blockquote>quoted<table><tr><td>cell</td><td>two</td></tr></table></blockquote>",
    "<p>  spaced \n\t out   text  </p><p>&nbsp;</p><p>caf&eacute; &amp; co&#8195;x\u3000y</p>",
    "<p>no&nbsp;&nbsp;break <i>&nbsp;lead</i>&#12;form feed</p>",
    "<head><title>not text</title></head><body><img src=x>text<u>under</u><s>gone</s></body>",
    "<i>x<head><p>inside head</p></head>y</i><b>z<img>w</b>",
    "<span>inline</span> <a href=x>link</a><font>font</font><o:p>office</o:p><P>UPPER</P>",
    "<p>Short.</p><p>Oh.</p><p>***</p><p>* * * * * * * * * * * * * * * * * *</p>",
    "<p>text ⁂</p><p>⁂</p><p>⁂</p><p>end</p><p>⁂</p>",
    "<p>private-use characters: &#xE000; <i>&#xE011;</i>\ue002</p>",
    # References to C1 code points: the parser reads them as windows-1252's characters.
    "<p>references: &#x80; <b>&#x91;</b>&#x85;</p>",
]
WALK_ONLY_CASES = [
    "<p><i>a line<br>and the next</i></p>",  # each line gets its own markers
    "<p>control characters (the conversion's markers): \x80 <i>\x90</i> \x9f</p>",
    # Spaced emphasis nested past a few rounds of moving spaces (a hostile file's shape).
    "<p>" + "<i> " * 20 + "deep" + " </i>" * 20 + "</p>",
]


def both(root: lxml_text.Element, scene_breaks: bool) -> tuple[str | None, str]:
    return (xslt_text.converted(root, scene_breaks=scene_breaks, min_bytes=0),
            WALKS[scene_breaks].story_text(root))


def body_of(snippet: str) -> lxml_text.Element:
    root = lxml_text.parse_document(f"<html><body>{snippet}</body></html>")
    assert root is not None
    return next(lxml_text.elements(root, "body"))


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda path: path.name)
def test_every_real_html_file_converts_as_the_walk(path: Path) -> None:
    root = lxml_text.parse_document(path.read_bytes())
    assert root is not None
    for tag in ("body", "div", "blockquote", "td"):
        for element in lxml_text.elements(root, tag):
            for scene_breaks in (True, False):
                new, walked = both(element, scene_breaks)
                assert new is None or new == walked


@pytest.mark.parametrize("snippet", RULE_CASES)
@pytest.mark.parametrize("scene_breaks", [True, False])
def test_the_text_rules_hold(snippet: str, scene_breaks: bool) -> None:
    new, walked = both(body_of(snippet), scene_breaks)
    assert new == walked


@pytest.mark.parametrize("snippet", WALK_ONLY_CASES)
def test_what_needs_the_walk_is_left_to_it(snippet: str) -> None:
    body = body_of(snippet)
    assert xslt_text.converted(body, scene_breaks=True, min_bytes=0) is None
    assert lxml_text.story_text(body) == WALKS[True].story_text(body)


def test_small_elements_are_left_to_the_walk() -> None:
    body = body_of("<p>A short summary.</p>")
    assert xslt_text.converted(body, scene_breaks=False) is None
    assert lxml_text.summary_text(body) == "A short summary."


def test_nesting_deeper_than_the_walk_allows_gets_its_error() -> None:
    depth = 400  # beyond MAX_NESTING; lxml's HTML parser stops at 256, XML's allows it
    parser = etree.XMLParser(huge_tree=True)
    root = etree.fromstring("<div>" + "<span>" * depth + "x" + "</span>" * depth + "</div>",
                            parser)
    assert xslt_text.converted(root, scene_breaks=True, min_bytes=0) is None
    with pytest.raises(ImportRejected, match="nested too deeply"):
        lxml_text.story_text(root)


def _generated(rng: random.Random, depth: int = 0) -> str:
    """A random mix of the tags, strings and whitespace the rules treat differently."""
    words = ["word", "Oh.", "* * *", "o.O.o", "# h", "> q", "- i", "1. l", "12.", "a_b", "x*y",
             "`c`", "p|q", "back\\slash", "⁂", "café", "’q’", "xXx", "-", ""]
    spaces = [" ", "  ", "\n", "\t", "&nbsp;", "&#8195;", "&#12;", "\n \n", ""]
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return "".join(rng.choice(spaces) + rng.choice(words) for _ in range(rng.randint(0, 4)))
    if roll < 0.45:
        return rng.choice(["<br>", "<hr>", "<!-- c -->", "<img>", "<title>t</title>"])
    tag = rng.choice(["p", "div", "blockquote", "td", "i", "em", "b", "u", "s", "span", "a"])
    inner = "".join(_generated(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    return f"<{tag}>{inner}</{tag}>"


def test_generated_documents_convert_as_the_walk() -> None:
    rng = random.Random(13)
    converted = 0
    for _ in range(400):
        body = body_of("".join(_generated(rng) for _ in range(rng.randint(1, 6))))
        for scene_breaks in (True, False):
            new, walked = both(body, scene_breaks)
            if new is not None:
                converted += 1
                assert new == walked
    assert converted > 400  # most go through the transform, not the walk
