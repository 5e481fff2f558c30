"""HTML -> chapter text in the project's convention (Discord Markdown, "\\n\\n" paragraphs).

Every HTML-based importer (AO3, FanFicFare, EPUB, generic HTML) goes through here, so a story
reads the same whichever file it came from. The tree walk is markdownify's
(`MarkdownConverter`); `StoryMarkdownConverter` extends it because a story excerpt needs
paragraph rules markdownify does not have:

- every block is a plain paragraph (no headings, bullets, quotes, tables, links or images in
  the output: Discord would render them, and they are not story text);
- an ornament-only paragraph (o.O.o, * * *) or an <hr> is a scene break, SCENE_BREAK;
- <br> is a line break and a double <br> splits the paragraph;
- emphasis is Discord's (*i*, **b**, __u__, ~~s~~) and is closed on each line, since
  Discord's emphasis does not span lines;
- plain text is escaped with text_rules.escape_markdown, whose '>', '#', '- ', '1. ' rule
  only applies at a line start: markdownify converts bottom-up and cannot know where a
  line starts, so text is escaped mid-line first and line starts once the lines are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag
from bs4.element import Doctype, ProcessingInstruction
from markdownify import MarkdownConverter

from bot.importers.base import decode_text
from bot.importers.text_rules import escape_markdown, is_scene_break
from bot.library.errors import ImportRejected
from bot.library.models import PARAGRAPH_SEPARATOR, SCENE_BREAK

# Active or embedded content: removed as soon as a document is parsed, never stored.
DROPPED_TAGS = (
    "script", "style", "iframe", "object", "embed", "form", "noscript", "template", "svg",
    "canvas", "button", "input", "select", "textarea", "audio", "video", "map", "applet",
    "frame", "frameset",
)
# Kept in the tree (importers read their metadata) but never part of the text.
NON_TEXT_TAGS = frozenset({"head", "title", "meta", "link", "img", "base"})

BLOCK_TAGS = frozenset({
    "p", "div", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "main", "aside", "nav", "body", "html",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "pre", "center",
    "figure", "figcaption", "address", "details", "summary", "fieldset", "hgroup",
})
_BLOCK_OR_RULE = BLOCK_TAGS | {"hr"}

# Inline tags that become Discord emphasis; every other inline tag is unwrapped to its text.
EMPHASIS_MARKERS = {
    "i": "*", "em": "*", "cite": "*", "var": "*",
    "b": "**", "strong": "**",
    "u": "__", "ins": "__",
    "s": "~~", "del": "~~", "strike": "~~",
}

_WHITESPACE = re.compile(r"\s+")
# Paragraph boundaries in the converted string: blocks add "\n\n" (markdownify's own
# convention); text never holds a newline since its whitespace is collapsed.
_PARAGRAPH_BOUNDARY = re.compile(r"\n+")
# A <br> inside a paragraph. A vertical tab is whitespace, so no text node can carry one
# (text whitespace is collapsed to spaces), and markdownify's newline collapsing ignores it.
_LINE_BREAK = "\v"
_SPACES = re.compile(r" {2,}")
# In converted text every literal \ * _ ~ ` | is backslash-escaped, so an unescaped * _ ~
# is emphasis markup: dropping those and unescaping the rest gives back the plain text.
_MARKUP_OR_ESCAPE = re.compile(r"\\(.)|[*_~]")
# The characters escape_markdown backslash-escapes anywhere; the line-start rule never
# involves them, so a line's escaped head is the run before the first of them.
_LINE_HEAD = re.compile(r"[^\\*_~`|]*")
# EPUB documents are XHTML. lxml's HTML parser reads them well (and tolerates broken ones);
# without the XML declaration BeautifulSoup does not warn that it looks like XML.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(data: bytes | str) -> BeautifulSoup:
    """Parse an HTML document with lxml and remove active content before anyone reads it."""
    text = decode_text(data) if isinstance(data, bytes) else data
    soup = BeautifulSoup(_XML_DECLARATION.sub("", text, count=1), "lxml")
    strip_active_content(soup)
    return soup


def strip_active_content(root: Tag) -> None:
    for tag in root.find_all(DROPPED_TAGS):
        tag.decompose()
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()


def plain_text(node: Tag | None) -> str:
    """The visible text of an element, whitespace collapsed (for titles, tags, names)."""
    if node is None:
        return ""
    return _WHITESPACE.sub(" ", node.get_text(" ")).strip()


class StoryMarkdownConverter(MarkdownConverter):
    """markdownify with the story paragraph rules (see the module docstring).

    Only the tags in this module's tables are converted; any other tag, including those
    markdownify knows (links, images, code, tables, lists), is unwrapped to its text.
    """

    if TYPE_CHECKING:  # markdownify's stub declares only its public conversion entry points
        def process_element(self, node: PageElement, parent_tags: set[str] | None = None) -> str:
            ...

    def __init__(self, *, scene_breaks: bool = True) -> None:
        super().__init__()
        # False for summaries and notes: <hr> is dropped and an ornament stays text.
        self.scene_breaks = scene_breaks

    def get_conv_fn(self, tag_name: str) -> Callable[[Tag, str, set[str]], str] | None:
        """markdownify's per-tag dispatch, restricted to the tags in this module's tables."""
        name = tag_name.lower()
        if name in NON_TEXT_TAGS:
            return self.convert_non_text
        if name in BLOCK_TAGS:
            return self.convert_block
        if name in EMPHASIS_MARKERS:
            return self.convert_emphasis
        if name == "br":
            return self.convert_br
        if name == "hr":
            return self.convert_hr
        return None

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        # Text inside <pre>/<code> is story text too: collapsed and escaped like any other.
        if isinstance(el, (Comment, Doctype, ProcessingInstruction)):
            return ""
        return self.escape(_WHITESPACE.sub(" ", str(el)), parent_tags or set())

    def escape(self, text: str, parent_tags: set[str]) -> str:
        # Mid-line escape: the neutral prefix keeps the line-start rule from firing here;
        # story_text applies it where lines really start.
        return escape_markdown("x" + text)[1:] if text else ""

    def convert_non_text(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return ""

    def convert_block(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text}\n\n"

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _LINE_BREAK + text

    def convert_hr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{SCENE_BREAK}\n\n" if self.scene_breaks else "\n\n"

    def convert_emphasis(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Wrap each line of the run in the tag's marker, spaces kept outside the markers."""
        if el.find(_BLOCK_OR_RULE) is not None:
            return text  # emphasis around whole paragraphs: Discord cannot show that
        marker = EMPHASIS_MARKERS[el.name.lower()]
        lines = []
        for line in text.split(_LINE_BREAK):
            core = line.strip(" ")
            if not core:
                lines.append(line)
                continue
            lead = " " if line.startswith(" ") else ""
            trail = " " if line.endswith(" ") else ""
            lines.append(f"{lead}{marker}{core}{marker}{trail}")
        return _LINE_BREAK.join(lines)

    def story_text(self, root: Tag) -> str:
        """Chapter text of root's content: "\\n\\n"-joined paragraphs, scene breaks marked."""
        # The content only: the root's own tag (often the <div> or <blockquote> an importer
        # picked) is a container, and an inline root must not wrap the whole text.
        parent_tags = {root.name}
        try:
            converted = "".join(
                self.process_element(child, parent_tags) for child in root.children
            )
        except RecursionError:
            # markdownify recurses a few frames per nesting level; real stories nest a few
            # dozen levels deep.
            raise ImportRejected("the HTML is nested too deeply to read") from None
        paragraphs: list[str] = []
        for block in _PARAGRAPH_BOUNDARY.split(converted):
            paragraphs.extend(self._paragraphs_of_block(block))
        return join_paragraphs(paragraphs)

    def _paragraphs_of_block(self, block: str) -> list[str]:
        """A block's lines -> paragraphs: an empty line (double <br>) splits it."""
        paragraphs: list[str] = []
        group: list[str] = []
        for line in [*block.split(_LINE_BREAK), ""]:
            line = _SPACES.sub(" ", line).strip()
            if _plain(line).strip():
                group.append(line)
            elif group:
                paragraphs.append(self._paragraph(group))
                group = []
        return paragraphs

    def _paragraph(self, lines: list[str]) -> str:
        plain = " ".join(_plain(line).strip() for line in lines)
        if self.scene_breaks and is_scene_break(plain):
            return SCENE_BREAK
        return "\n".join(_escape_line_start(line) for line in lines)


def _plain(converted: str) -> str:
    return _MARKUP_OR_ESCAPE.sub(lambda m: m.group(1) or "", converted)


def _escape_line_start(line: str) -> str:
    """Apply escape_markdown's line-start rule to an already escaped line."""
    head = _LINE_HEAD.match(line)
    end = head.end() if head else 0
    return escape_markdown(line[:end]) + line[end:]


_STORY_CONVERTER = StoryMarkdownConverter()
_SUMMARY_CONVERTER = StoryMarkdownConverter(scene_breaks=False)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs -> chapter text: no empty ones, no break at the ends or twice in a row."""
    out: list[str] = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        if paragraph == SCENE_BREAK and (not out or out[-1] == SCENE_BREAK):
            continue
        out.append(paragraph)
    while out and out[-1] == SCENE_BREAK:
        out.pop()
    return PARAGRAPH_SEPARATOR.join(out)


def html_to_markdown(node: Tag | str | bytes, *, scene_breaks: bool = True) -> str:
    """Chapter text of an element (or an HTML string): Markdown paragraphs joined by "\\n\\n"."""
    root = parse_html(node) if isinstance(node, (str, bytes)) else node
    converter = _STORY_CONVERTER if scene_breaks else _SUMMARY_CONVERTER
    return converter.story_text(root)


def html_nodes_to_markdown(nodes: Iterable[PageElement]) -> str:
    """Like html_to_markdown, for a run of sibling nodes (a chapter between two headings)."""
    wrapper = BeautifulSoup("", "lxml").new_tag("div")
    for node in list(nodes):
        wrapper.append(node.extract())
    return _STORY_CONVERTER.story_text(wrapper)


def html_summary(node: Tag | str | bytes | None) -> str:
    """Summary or notes: the same Markdown (emphasis kept, text escaped), no scene breaks."""
    if node is None:
        return ""
    return html_to_markdown(node, scene_breaks=False)


def plain_text_to_markdown(text: str) -> str:
    """Plain text (wrapped lines, blank-line paragraphs) -> escaped Markdown paragraphs."""
    blocks = re.split(r"\n[ \t\xa0]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for block in blocks:
        collapsed = _WHITESPACE.sub(" ", block).strip()
        if collapsed:
            out.append(escape_markdown(collapsed))
    return PARAGRAPH_SEPARATOR.join(out)
