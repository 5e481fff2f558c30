"""The story text rules (html_rules) walked on lxml's own tree, as html_text walks BeautifulSoup's.

BeautifulSoup builds its tree in Python, one callback per tag and per string, from lxml's
parse: for a small story that costs 20 times lxml's parse itself, and more than all the
rest of an import. An importer that reads only a few things from a document (FanFicFare's
single-file HTML) walks lxml's tree here instead and gives the same text: the same
paragraph, emphasis, break and escape rules (html_rules), the same active content
removed before anything is read.

story_text and summary_text hand most elements to xslt_text (libxslt walks the tree in C,
then whole-chapter passes apply the same rules); the walk here does the rest and is what
xslt_text is checked against.

In lxml a string is not a node: an element's `text` is the string before its first child
and each child's `tail` the string after it, so "contents" are text, then (child, tail)
pairs. Comments and processing instructions are nodes whose tag is not a string; their
tails are text like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TypeAlias

from lxml import etree

from bot.importers.base import decode_text
from bot.importers.html_rules import (
    _BLOCK_OR_RULE,
    _DROPPED,
    _ESCAPED_ANYWHERE,
    _KNOWN_NAMES,
    _LINE_BREAK,
    _XML_DECLARATION,
    BLOCK_TAGS,
    EMPHASIS_MARKERS,
    MAX_NESTING,
    NON_TEXT_TAGS,
    ParagraphRules,
    _emphasised,
    drop_internal_subset,
)
from bot.importers.xslt_text import converted
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK

Element: TypeAlias = etree._Element


def parse_document(data: bytes | str) -> Element | None:
    """An HTML document's root, active content removed; None when it is empty."""
    text = decode_text(data) if isinstance(data, bytes) else data
    text = drop_internal_subset(_XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        return None
    try:
        # The text, decoded already, goes to libxml2 as UTF-8, which it reads natively: a
        # str goes in Python's own form (up to 4 bytes a character) to be converted first.
        # Told the encoding, the parser ignores a <meta charset> that says otherwise.
        # (A small story: 73 us against 113.)
        root = etree.fromstring(text.encode("utf-8"), _utf8_parser())
    except UnicodeEncodeError:  # a lone surrogate (only from a str caller): as it was
        root = etree.fromstring(text, etree.HTMLParser(recover=True, no_network=True))
    if root is None:
        return None
    for element in list(root.iter(*_DROPPED)):
        if element.getparent() is not None:  # not inside one removed already
            _remove_keeping_tail(element)
    return root


def _utf8_parser() -> etree.HTMLParser:
    """This thread's parser (lxml's are not to be shared by threads; reused, one costs a
    sixth less per document). Comments stay in the tree (the walk skips them) so that the
    strings either side stay two strings, as in BeautifulSoup's tree: plain_text joins
    strings with a space."""
    parser: etree.HTMLParser | None = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = _per_thread.parser = etree.HTMLParser(
            recover=True, no_network=True, encoding="utf-8")
    return parser


_per_thread = threading.local()


def _remove_keeping_tail(element: Element) -> None:
    """Remove an element; the string after it stays a string of its own (held by an empty
    comment in its place), as when BeautifulSoup removes a tag."""
    parent = element.getparent()
    assert parent is not None
    placeholder = etree.Comment("")
    placeholder.tail = element.tail
    parent.replace(element, placeholder)


def elements(root: Element, tag: str | None = None) -> Iterator[Element]:
    """Every element (every `tag` element) below root, in document order: BeautifulSoup's
    find_all. Comments are not elements (lxml's iterator leaves them out, in C)."""
    return root.iterdescendants(tag if tag is not None else etree.Element)


def first(root: Element | None, tag: str | None = None, *, id: str | None = None,
          class_: str | None = None, children_only: bool = False) -> Element | None:
    """BeautifulSoup's find: the first element below root with that tag, id and class."""
    if root is None:
        return None
    found = (child for child in root if isinstance(child.tag, str)
             and (tag is None or child.tag == tag)) if children_only else elements(root, tag)
    for element in found:
        if (id is None or element.get("id") == id) and (
                class_ is None or class_ in classes(element)):
            return element
    return None


def next_sibling(element: Element, tag: str | None = None,
                 class_: str | None = None) -> Element | None:
    """BeautifulSoup's find_next_sibling: the first later sibling element that matches."""
    for sibling in element.itersiblings():
        if isinstance(sibling.tag, str) and (tag is None or sibling.tag == tag) and (
                class_ is None or class_ in classes(sibling)):
            return sibling
    return None


def classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


def remove(element: Element) -> None:
    """BeautifulSoup's decompose: the element goes, the string after it stays."""
    _remove_keeping_tail(element)


def plain_text(element: Element | None) -> str:
    """The visible text of an element, whitespace collapsed (html_text.plain_text)."""
    if element is None:
        return ""
    # Split and joined: the same as collapsing runs of whitespace with _WHITESPACE and
    # stripping (str.split and a regex's \s agree on what whitespace is), in one C pass.
    return " ".join(" ".join(element.itertext()).split())


class LxmlStoryText(ParagraphRules):
    """html_text.StoryTextConverter's walk over an lxml element; the paragraph rules are
    inherited from the same base."""

    def story_text(self, root: Element) -> str:
        parts: list[str] = []
        try:
            self._children(root, parts, 0)
        except RecursionError:
            raise ImportRejected("the HTML is nested too deeply to read") from None
        return self._joined(parts)

    def _element(self, node: Element, out: list[str], depth: int) -> bool:
        """Append node's converted text to out (not its tail); True when it holds a block
        or a rule. The same cases, in the same order, as html_text's
        StoryTextConverter._convert."""
        if depth > MAX_NESTING:
            raise ImportRejected("the HTML is nested too deeply to read")
        tag = node.tag
        if not isinstance(tag, str):  # a comment, processing instruction or entity
            return False
        name = tag if tag in _KNOWN_NAMES else tag.lower()
        if name in BLOCK_TAGS:
            out.append("\n\n")
            self._children(node, out, depth)
            out.append("\n\n")
            return True
        marker = EMPHASIS_MARKERS.get(name)
        if marker is not None:
            inner: list[str] = []
            if self._children(node, inner, depth):
                out.extend(inner)
                return True
            out.append(_emphasised("".join(inner), marker))
            return False
        if name in NON_TEXT_TAGS:
            return any(isinstance(d.tag, str) and d.tag in _BLOCK_OR_RULE
                       for d in node.iterdescendants())
        if name == "hr":
            out.append(f"\n\n{SCENE_BREAK}\n\n" if self.scene_breaks else "\n\n")
            return True
        if name == "br":
            out.append(_LINE_BREAK)
        return self._children(node, out, depth)

    def _children(self, node: Element, out: list[str], depth: int) -> bool:
        holds_block = False
        text = node.text
        if text:
            out.append(_converted(text))
        for child in node:
            # A <p> holding only text and inline tags is most of a story: its case of
            # _element is taken here, without the call.
            tag = child.tag
            if tag == "p" and depth < MAX_NESTING:
                if len(child):
                    out.append("\n\n")
                    self._children(child, out, depth + 1)
                    out.append("\n\n")
                else:  # only text: no call for its (empty) children either
                    inner = child.text
                    out.append(f"\n\n{_converted(inner)}\n\n" if inner else "\n\n\n\n")
                holds_block = True
            elif self._element(child, out, depth + 1):
                holds_block = True
            tail = child.tail
            if tail:
                out.append(_converted(tail))
        return holds_block


def _converted(text: str) -> str:
    """A string of the tree as the walk appends it: whitespace collapsed (a string of only
    whitespace is one space), the characters Markdown would read escaped."""
    words = text.split()
    if not words:
        return " "
    collapsed = " ".join(words)
    if text[0].isspace():
        collapsed = " " + collapsed
    if text[-1].isspace():
        collapsed += " "
    if _ESCAPED_ANYWHERE.search(collapsed) is None:
        return collapsed  # most strings
    return _ESCAPED_ANYWHERE.sub(r"\\\1", collapsed)


_STORY = LxmlStoryText()
_SUMMARY = LxmlStoryText(scene_breaks=False)


def story_text(element: Element) -> str:
    """html_text.html_to_markdown of the same element in BeautifulSoup's tree."""
    text = converted(element, scene_breaks=True)
    return _STORY.story_text(element) if text is None else text


def summary_text(element: Element | None) -> str:
    """html_text.html_summary of the same element in BeautifulSoup's tree."""
    if element is None:
        return ""
    text = converted(element, scene_breaks=False)
    return _SUMMARY.story_text(element) if text is None else text
