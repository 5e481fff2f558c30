"""HTML -> chapter text rules, on small HTML written for each rule."""

from __future__ import annotations

import pytest

from bot.importers.html_text import (
    html_summary,
    html_to_markdown,
    parse_html,
    plain_text_to_markdown,
)
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a <i>b</i> <em>c</em></p>", "a *b* *c*"),
        ("<p><b>b</b> <strong>s</strong></p>", "**b** **s**"),
        ("<p><u>u</u> <s>s</s> <del>d</del> <strike>k</strike></p>", "__u__ ~~s~~ ~~d~~ ~~k~~"),
        ("<p><b>bold <i>both</i></b></p>", "**bold *both***"),
        ("<p><span class='x'>plain</span> <a href='http://x'>link</a></p>", "plain link"),
        ("<p>word<em> spaced </em>word</p>", "word *spaced* word"),
        ("<p><em>   </em>x</p>", "x"),
    ],
)
def test_inline_tags_become_discord_markdown(html: str, expected: str) -> None:
    assert html_to_markdown(html) == expected


def test_plain_markdown_characters_are_escaped_so_they_show_as_written() -> None:
    text = html_to_markdown("<p>2*3*4 snake_case ~tilde~ `code` a|b back\\slash</p>")
    assert text == "2\\*3\\*4 snake\\_case \\~tilde\\~ \\`code\\` a\\|b back\\\\slash"


def test_line_start_markers_are_escaped_only_at_a_line_start() -> None:
    html = "<p># not a heading</p><p>> not a quote<br>- not a list</p><p>a - b</p>"
    text = html_to_markdown(html)
    assert text == "\\# not a heading\n\n\\> not a quote\n\\- not a list\n\na - b"


def test_br_is_a_line_break_and_double_br_splits_the_paragraph() -> None:
    text = html_to_markdown("<p>one<br/>two<br/><br/>three</p>")
    assert text == "one\ntwo\n\nthree"


def test_emphasis_across_a_line_break_is_closed_on_each_line() -> None:
    assert html_to_markdown("<p><i>first<br>second</i></p>") == "*first*\n*second*"


def test_blocks_become_paragraphs_and_whitespace_collapses() -> None:
    html = """<div>
        <h2>Heading</h2>
        <p>  lots   of
           space </p>
        <blockquote>quoted</blockquote>
        <ul><li>item one</li><li>item two</li></ul>
        <div><p>nested</p>loose text</div>
    </div>"""
    assert html_to_markdown(html).split("\n\n") == [
        "Heading", "lots of space", "quoted", "item one", "item two", "nested", "loose text",
    ]


def test_no_empty_paragraphs() -> None:
    text = html_to_markdown("<p>a</p><p> </p><p>&nbsp;</p><p><span></span></p><p>b</p>")
    assert text == "a\n\nb"


def test_hr_and_ornaments_are_scene_breaks_and_consecutive_breaks_collapse() -> None:
    html = "<p>before</p><hr/><p>* * *</p><hr><p><b>o.O.o</b></p><p>after</p><hr/>"
    assert html_to_markdown(html) == f"before\n\n{SCENE_BREAK}\n\nafter"


def test_leading_break_is_dropped() -> None:
    assert html_to_markdown("<hr/><p>start</p>") == "start"


def test_active_content_is_never_stored() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>steal()</script></head><body>"
        "<p>story</p><script>alert('x')</script><iframe src='x'>frame text</iframe>"
        "<form><input value='v'>form text</form><object>obj</object><noscript>ns</noscript>"
        "</body></html>"
    )
    soup = parse_html(html)
    assert soup.find(["script", "style", "iframe", "form", "object"]) is None
    assert html_to_markdown(soup) == "story"


def test_summary_helper_keeps_emphasis_and_drops_scene_breaks() -> None:
    summary = html_summary("<blockquote><p>A <i>tale</i>.</p><hr/><p>More.</p></blockquote>")
    assert summary == "A *tale*.\n\nMore."
    assert html_summary(None) == ""


def test_plain_text_summary_unwraps_lines_and_escapes() -> None:
    text = "First line\nwrapped *here*\n\n  \nSecond   para"
    assert plain_text_to_markdown(text) == "First line wrapped \\*here\\*\n\nSecond para"


def test_absurdly_deep_nesting_is_rejected_not_crashing() -> None:
    html = "<div><i>" * 5000 + "deep" + "</i></div>" * 5000
    with pytest.raises(ImportRejected, match="nested too deeply"):
        html_to_markdown(html)
