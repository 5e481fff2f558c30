"""HTML -> chapter text over BeautifulSoup's tree, for the EPUB and generic HTML importers.

`StoryTextConverter` walks the parsed tree itself (a Markdown converter's generic rules are
not a story's) and gives its pieces to html_rules.ParagraphRules, which holds the story
text rules every walk shares. Only the importers that read BeautifulSoup's tree (epub_read,
generic_html_read) import this module, and only when they parse a file: importing
BeautifulSoup costs 0.1-0.2 s of CPU, which every folder import's workers would pay.
"""

from __future__ import annotations

from collections.abc import Iterable

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag
from bs4.element import Doctype, ProcessingInstruction

from bot.importers.base import decode_text
from bot.importers.html_rules import (
    _BLOCK_OR_RULE,
    _DROPPED,
    _ESCAPED_ANYWHERE,
    _KNOWN_NAMES,
    _LINE_BREAK,
    _WHITESPACE,
    _XML_DECLARATION,
    BLOCK_TAGS,
    EMPHASIS_MARKERS,
    MAX_NESTING,
    NON_TEXT_TAGS,
    ParagraphRules,
    _emphasised,
    drop_internal_subset,
)
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK

# Strings in the tree that are markup, not text.
_NON_TEXT_STRINGS = (Comment, Doctype, ProcessingInstruction)


def parse_html(data: bytes | str) -> BeautifulSoup:
    """Parse an HTML document with lxml and remove active content before anyone reads it."""
    text = decode_text(data) if isinstance(data, bytes) else data
    text = drop_internal_subset(_XML_DECLARATION.sub("", text, count=1))
    soup = BeautifulSoup(text, "lxml")
    strip_active_content(soup)
    return soup


def strip_active_content(root: Tag) -> None:
    # One pass over the tree (find_all per kind costs a third of the parse): collect, then
    # remove; what lay inside an already removed tag is skipped.
    doomed = [
        node for node in root.descendants
        if isinstance(node, Comment) or (isinstance(node, Tag) and node.name in _DROPPED)
    ]
    for node in doomed:
        if node.decomposed:
            continue
        if isinstance(node, Tag):
            node.decompose()
        else:
            node.extract()


def plain_text(node: Tag | None) -> str:
    """The visible text of an element, whitespace collapsed (for titles, tags, names)."""
    if node is None:
        return ""
    return _WHITESPACE.sub(" ", node.get_text(" ")).strip()


class StoryTextConverter(ParagraphRules):
    """A direct walk over the parsed tree with the story paragraph rules (html_rules).

    Only the tags in html_rules' tables are converted; any other tag (links, images,
    code, tables, lists...) is unwrapped to its text. It replaces a markdownify subclass
    that produced the same text: markdownify's generic machinery (per-node parent lookups,
    whitespace bookkeeping we discard anyway) cost three times the parse of the document.
    """

    def story_text(self, root: Tag) -> str:
        """Chapter text of root's content: "\\n\\n"-joined paragraphs, scene breaks marked."""
        # The content only: the root's own tag (often the <div> or <blockquote> an importer
        # picked) is a container, and an inline root must not wrap the whole text.
        parts: list[str] = []
        try:
            for child in root.contents:
                self._convert(child, parts, 1)
        except RecursionError:
            raise ImportRejected("the HTML is nested too deeply to read") from None
        return self._joined(parts)

    def _convert(self, node: PageElement, out: list[str], depth: int) -> bool:
        """Append node's converted text to out; True when it holds a block or a rule (so an
        emphasis around it is dropped: Discord cannot show emphasis across paragraphs)."""
        if type(node) is not Tag:
            if isinstance(node, NavigableString):
                if type(node) is NavigableString or not isinstance(node, _NON_TEXT_STRINGS):
                    text = _collapse_whitespace(node)
                    if text:
                        out.append(_escape_mid_line(text))
                return False
            if not isinstance(node, Tag):  # a subclass of Tag (the document) is converted
                return False
        if depth > MAX_NESTING:
            raise ImportRejected("the HTML is nested too deeply to read")
        name = node.name if node.name in _KNOWN_NAMES else node.name.lower()
        if name in BLOCK_TAGS:
            out.append("\n\n")
            self._convert_children(node, out, depth)
            out.append("\n\n")
            return True
        marker = EMPHASIS_MARKERS.get(name)
        if marker is not None:
            inner: list[str] = []
            if self._convert_children(node, inner, depth):
                out.extend(inner)  # emphasis around whole paragraphs: Discord cannot show it
                return True
            out.append(_emphasised("".join(inner), marker))
            return False
        if name in NON_TEXT_TAGS:
            return bool(node.contents) and node.find(_BLOCK_OR_RULE) is not None
        if name == "hr":
            out.append(f"\n\n{SCENE_BREAK}\n\n" if self.scene_breaks else "\n\n")
            return True
        if name == "br":
            out.append(_LINE_BREAK)
        return self._convert_children(node, out, depth)

    def _convert_children(self, node: Tag, out: list[str], depth: int) -> bool:
        holds_block = False
        for child in node.contents:
            if type(child) is NavigableString:  # most nodes: plain text, handled right here
                if child.isspace():
                    out.append(" ")
                elif child:
                    out.append(_escape_mid_line(_collapse_whitespace(child)))
            elif self._convert(child, out, depth + 1):
                holds_block = True
        return holds_block


def _collapse_whitespace(text: str) -> str:
    """Each run of whitespace -> one space (the same as _WHITESPACE.sub(" ", text): str.split
    and a regex's \\s use the same notion of whitespace) at a quarter of the cost."""
    words = text.split()
    if not words:
        return " " if text else ""
    collapsed = " ".join(words)
    # str's own indexing: a bs4 string overrides [] with a slower Python method.
    if str.__getitem__(text, 0).isspace():
        collapsed = " " + collapsed
    if str.__getitem__(text, -1).isspace():
        collapsed += " "
    return collapsed


def _escape_mid_line(text: str) -> str:
    """escape_markdown for text that does not start a line (it never holds a newline here):
    only the characters escaped anywhere; story_text applies the line-start rule later."""
    if _ESCAPED_ANYWHERE.search(text) is None:
        return text  # most text nodes
    return _ESCAPED_ANYWHERE.sub(r"\\\1", text)


_STORY_CONVERTER = StoryTextConverter()
_SUMMARY_CONVERTER = StoryTextConverter(scene_breaks=False)


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
