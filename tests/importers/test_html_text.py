"""HTML -> chapter text rules, on small HTML written for each rule."""

from __future__ import annotations

import pytest

from bot.importers.html_rules import plain_text_to_markdown
from bot.importers.html_text import html_summary, html_to_markdown, parse_html
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


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # markdownify would write these as Markdown syntax; a story excerpt keeps the text.
        ("<p><a href='http://x'>http://x</a> <img alt='pic' src='s.png'> <q>q</q></p>",
         "http://x q"),
        ("<p><code>x*y</code> <kbd>k_k</kbd> H<sub>2</sub>O</p>", "x\\*y k\\_k H2O"),
        ("<pre>  a *b*\n   c</pre>", "a \\*b\\* c"),
        ("<table><tr><th>h</th></tr><tr><td>a</td><td>b</td></tr></table>", "h\n\na\n\nb"),
        ("<ol><li># one</li></ol><h1>Title</h1><blockquote><p>q</p></blockquote>",
         "\\# one\n\nTitle\n\nq"),
    ],
)
def test_tags_markdownify_would_format_become_plain_text(html: str, expected: str) -> None:
    assert html_to_markdown(html) == expected


def test_spaces_from_neighbouring_nodes_collapse_to_one() -> None:
    assert html_to_markdown("<p>he <i>was </i> here, <span> really</span></p>") == (
        "he *was* here, really"
    )
    assert html_to_markdown("<p>a<i> </i>b</p>") == "a b"


def test_line_start_escape_sees_text_split_over_several_nodes() -> None:
    assert html_to_markdown("<p><span>1</span>. not a list<br><b></b>- nor this</p>") == (
        "\\1. not a list\n\\- nor this"  # escape_markdown's form for "1. "
    )
    assert html_to_markdown("<p><i># x</i> and - y</p>") == "*# x* and - y"


def test_br_breaks_lines_inside_headings_and_cells_too() -> None:
    assert html_to_markdown("<h2>one<br>two</h2><table><tr><td>a<br><br>b</td></tr></table>") == (
        "one\ntwo\n\na\n\nb"
    )


def test_emphasis_around_whole_paragraphs_is_dropped() -> None:
    assert html_to_markdown("<b><p>x</p><p>y</p></b>") == "x\n\ny"


def test_summary_keeps_ornament_text_as_text() -> None:
    assert html_summary("<p>before</p><p>* * *</p><p>after</p>") == (
        "before\n\n\\* \\* \\*\n\nafter"
    )


def test_an_element_root_contributes_only_its_content() -> None:
    soup = parse_html("<div><i>whole <b>run</b></i></div>")
    assert html_to_markdown(soup.find("i")) == "whole **run**"
