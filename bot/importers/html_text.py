"""HTML -> chapter text in the project's convention (Discord Markdown, "\\n\\n" paragraphs).

Every HTML-based importer (AO3, FanFicFare, EPUB, generic HTML) goes through here, so a story
reads the same whichever file it came from. The walker is our own rather than markdownify's:
we need paragraph-level rules markdownify does not have (ornament paragraphs become scene
breaks, double <br> splits a paragraph, a line-start-aware escape of plain text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bs4 import (
    BeautifulSoup,
    Comment,
    NavigableString,
    PageElement,
    Tag,
)
from bs4.element import Doctype, ProcessingInstruction

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

# Inline tags that become Discord emphasis; every other inline tag is unwrapped to its text.
EMPHASIS_MARKERS = {
    "i": "*", "em": "*", "cite": "*", "var": "*",
    "b": "**", "strong": "**",
    "u": "__", "ins": "__",
    "s": "~~", "del": "~~", "strike": "~~",
}

_WHITESPACE = re.compile(r"\s+")
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


@dataclass
class _Line:
    marked: str = ""  # Discord Markdown
    plain: str = ""  # the same text without markup, for scene-break checks


@dataclass
class _Paragraph:
    lines: list[_Line] = field(default_factory=lambda: [_Line()])

    @property
    def current(self) -> _Line:
        return self.lines[-1]


class _MarkdownWriter:
    """Collects paragraphs while the tree is walked; flushes one at each block boundary."""

    def __init__(self, scene_breaks: bool, continues_line: bool = False) -> None:
        self.scene_breaks = scene_breaks
        self.paragraphs: list[str] = []
        self.open = _Paragraph()
        # An emphasis run is rendered by a sub-writer that may start in mid-line.
        self.continues_line = continues_line

    def _at_line_start(self) -> bool:
        first_line = len(self.open.lines) == 1
        return not self.open.current.marked.strip() and not (first_line and self.continues_line)

    def text(self, raw: str) -> None:
        collapsed = _WHITESPACE.sub(" ", raw)
        at_line_start = self._at_line_start()
        if at_line_start:
            collapsed = collapsed.lstrip()
        if not collapsed:
            return
        # escape_markdown's line-start rule must only fire at a real line start, so text
        # that continues a line is escaped behind a neutral prefix that is then cut off.
        if at_line_start:
            escaped = escape_markdown(collapsed)
        else:
            escaped = escape_markdown("x" + collapsed)[1:]
        self.open.current.marked += escaped
        self.open.current.plain += collapsed

    def append_emphasis(self, lines: list[_Line], marker: str) -> None:
        """Wrap each line of an emphasis run in its marker (Discord's emphasis is per line)."""
        for index, line in enumerate(lines):
            if index:
                self.line_break()
            core = line.marked.strip()
            if not core:
                self.text(line.plain)
                continue
            current = self.open.current.marked
            needs_space = line.marked[:1].isspace() and not current[-1:].isspace()
            lead = " " if needs_space and not self._at_line_start() else ""
            trail = " " if line.marked[-1:].isspace() else ""
            self.open.current.marked += f"{lead}{marker}{core}{marker}{trail}"
            self.open.current.plain += line.plain

    def line_break(self) -> None:
        self.open.lines.append(_Line())

    def scene_break(self) -> None:
        self.flush()
        if self.scene_breaks:
            self.paragraphs.append(SCENE_BREAK)

    def flush(self) -> None:
        """Close the open paragraph; an empty line inside it (double <br>) splits it."""
        group: list[_Line] = []
        for line in [*self.open.lines, _Line()]:
            if line.plain.strip():
                group.append(line)
            elif group:
                self._emit(group)
                group = []
        self.open = _Paragraph()

    def _emit(self, lines: list[_Line]) -> None:
        plain = " ".join(line.plain.strip() for line in lines)
        if is_scene_break(plain) and self.scene_breaks:
            self.paragraphs.append(SCENE_BREAK)
            return
        self.paragraphs.append("\n".join(line.marked.strip() for line in lines))

    def result(self) -> str:
        self.flush()
        return join_paragraphs(self.paragraphs)


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


def _walk(node: Tag, writer: _MarkdownWriter) -> None:
    for child in node.children:
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            writer.text(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in NON_TEXT_TAGS:
            continue
        if name == "br":
            writer.line_break()
        elif name == "hr":
            writer.scene_break()
        elif name in BLOCK_TAGS:
            writer.flush()
            _walk(child, writer)
            writer.flush()
        elif name in EMPHASIS_MARKERS and not _has_block(child):
            inner = _MarkdownWriter(writer.scene_breaks, continues_line=True)
            _walk(child, inner)
            writer.append_emphasis(inner.open.lines, EMPHASIS_MARKERS[name])
        else:
            _walk(child, writer)


def _walk_guarded(root: Tag, writer: _MarkdownWriter) -> None:
    # The walk recurses once per nesting level; real stories nest a few dozen levels deep.
    try:
        _walk(root, writer)
    except RecursionError:
        raise ImportRejected("the HTML is nested too deeply to read") from None


def _has_block(node: Tag) -> bool:
    return node.find(BLOCK_TAGS | {"hr"}) is not None


def html_to_markdown(node: Tag | str | bytes, *, scene_breaks: bool = True) -> str:
    """Chapter text of an element (or an HTML string): Markdown paragraphs joined by "\\n\\n"."""
    root = parse_html(node) if isinstance(node, (str, bytes)) else node
    writer = _MarkdownWriter(scene_breaks)
    _walk_guarded(root, writer)
    return writer.result()


def html_nodes_to_markdown(nodes: Iterable[PageElement]) -> str:
    """Like html_to_markdown, for a run of sibling nodes (a chapter between two headings)."""
    wrapper = BeautifulSoup("", "lxml").new_tag("div")
    for node in list(nodes):
        wrapper.append(node.extract())
    writer = _MarkdownWriter(scene_breaks=True)
    _walk_guarded(wrapper, writer)
    return writer.result()


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
