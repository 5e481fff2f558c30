"""The story text rules of lxml_text's walk, with libxslt doing the walking.

A walk in Python costs a few calls per element and per string: for a small story that is
four times lxml's parse. Here one XSLT transform (C) writes an element's text in document
order with marker characters (C1 controls) where the walk would act (a block's edges, an
<hr>, a <br>, an emphasis tag's start and end), and a few whole-chapter str and regex passes
apply the rules: whitespace collapsed, Markdown escaped, emphasis closed on each line,
blocks and line breaks made paragraphs, ornaments made scene breaks, line starts escaped.

It gives exactly the walk's text (the importer tests and a comparison over every fixture
and thousands of generated documents are the judge). Where these passes would need the
walk's state, `converted` returns None and the walk (lxml_text.LxmlStoryText) runs: a
text that holds a marker character itself, a <br> inside an emphasis tag (each line gets
its own markers), an element nested too deeply (the walk's clear error), and small
elements (a summary: the transform's set-up costs more than the walk).
"""

from __future__ import annotations

import re
import threading
from typing import TypeAlias

from lxml import etree

from bot.importers.html_rules import (
    BLOCK_TAGS,
    EMPHASIS_MARKERS,
    MAX_NESTING,
    NON_TEXT_TAGS,
    _may_be_ornament,
    _plain,
    join_paragraphs,
)
from bot.importers.text_rules import ORNAMENT_MAX_LENGTH, is_scene_break
from bot.library.models import PARAGRAPH_SEPARATOR, SCENE_BREAK

Element: TypeAlias = etree._Element

# Markers: C1 control characters, which no story text needs (a text that has one takes
# the walk) and an XML stylesheet may hold. Below U+0100, so a chapter's str keeps one byte
# a character: with private-use markers (U+E000) it took two, and every pass below read and
# wrote twice the bytes (the conversion took 0.89 of the time with these).
_BLOCK = "\x80"  # a block's start or end: the walk's "\n\n"
_RULE = "\x81"  # <hr>
_LINE_BREAK = "\x82"  # <br>
_WALK_INSTEAD = "\x83"  # a <br> inside emphasis: the walk closes emphasis per line
# Emphasis: one start and one end character per marker ("*", "**", "__", "~~"). (Not
# U+0085, which str.split and strip take for whitespace.)
_MARKERS = sorted(set(EMPHASIS_MARKERS.values()), key=lambda m: (len(m), m))
_STARTS = {marker: chr(0x90 + n) for n, marker in enumerate(_MARKERS)}
_ENDS = {marker: chr(0x98 + n) for n, marker in enumerate(_MARKERS)}
# Less text than this (bytes) is converted by the walk: a transform costs about as much
# to set up as walking a few hundred bytes of text.
_SMALL = 512
# Any C1 control character (U+0080-U+009F) in UTF-8: a text holding one takes the walk.
_MARKER_BYTES = re.compile(b"\xc2[\x80-\x9f]")
# Whitespace as str.split (the walk) sees it, but the space: each is made a space, then
# runs of spaces one. Looked for in the text's UTF-8 bytes, without the other ASCII bytes
# (a multi-byte character is all non-ASCII bytes, so none is cut or made up).
_WHITESPACE = [(char, char.encode()) for char in map(chr, range(0x3001))
               if char.isspace() and char != " "]
_ASCII_BUT_WHITESPACE = bytes(code for code in range(128)
                              if (chr(code), bytes([code])) not in _WHITESPACE)
# The characters escape_markdown escapes anywhere, the backslash first.
_ESCAPED = ("\\", "*", "_", "~", "`", "|")

# Every pass below is a str method or a regex with a literal start (the regex engine skips
# to it): a pattern that may start anywhere tries each character and costs more than the
# walk it replaces.
# Per emphasis marker: its spaces to move (a start before spaces or before its own end,
# an end after a space), its start and end characters.
_Passes: TypeAlias = tuple[re.Pattern[str], re.Pattern[str], str, str]
_PASSES: dict[str, _Passes] = {
    marker: (re.compile(f"{_STARTS[marker]}( +|(?={_ENDS[marker]}))"),
             re.compile(f"{_ENDS[marker]}(?<= {_ENDS[marker]})"),
             _STARTS[marker], _ENDS[marker])
    for marker in _MARKERS
}
# Two spaces or more (a literal start: the engine skips to each "  ").
_SPACES = re.compile("   *")
_MAX_ROUNDS = 8
_MARKER_OF = {_STARTS[marker]: marker for marker in _MARKERS}
# A paragraph (after its "\n\n") that may be an ornament: its first line holds no run of
# ORNAMENT_MAX_LENGTH + 3 characters that all stay in its plain text (a run that long
# keeps more than ORNAMENT_MAX_LENGTH characters after strip: not an ornament).
_MAYBE_ORNAMENT = re.compile(
    rf"\n\n(?![^\n]*?[^*_~\\\n]{{{ORNAMENT_MAX_LENGTH + 3}}})[^\n]*+(?:\n(?!\n)[^\n]*+)*+")
# escape_markdown's line-start rule at a line start (after its "\n"): lines are stripped
# and hold no whitespace but single spaces (html_rules._escape_line_start).
_SPECIAL_LINE_START = re.compile(r"\n(?=[>#]|-(?= )|\d+\.(?= ))")


def _stylesheet() -> etree._Element:
    block_or_rule = " or ".join(f"self::{name}" for name in sorted(BLOCK_TAGS | {"hr"}))
    emphasis_tag = " or ".join(f"self::{name}" for name in sorted(EMPHASIS_MARKERS))
    emphasis = "".join(
        f'<xsl:template match="{"|".join(_tags_of(marker))}"><xsl:choose>'
        f'<xsl:when test="descendant::*[{block_or_rule}]"><xsl:apply-templates/></xsl:when>'
        f"<xsl:otherwise>{_STARTS[marker]}<xsl:apply-templates/>{_ENDS[marker]}"
        "</xsl:otherwise></xsl:choose></xsl:template>"
        for marker in _MARKERS
    )
    text = (
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text" encoding="UTF-8"/>'
        # The root's content only, as the walk: the root's own tag is a container.
        '<xsl:template match="/"><xsl:apply-templates select="*/node()"/></xsl:template>'
        f'<xsl:template match="{"|".join(sorted(BLOCK_TAGS))}">'
        f"{_BLOCK}<xsl:apply-templates/>{_BLOCK}</xsl:template>"
        f"{emphasis}"
        f'<xsl:template match="{"|".join(sorted(NON_TEXT_TAGS))}"/>'
        f'<xsl:template match="hr">{_RULE}</xsl:template>'
        f'<xsl:template match="br"><xsl:choose><xsl:when test="ancestor::*[{emphasis_tag}]">'
        f"{_WALK_INSTEAD}</xsl:when><xsl:otherwise>{_LINE_BREAK}</xsl:otherwise>"
        "</xsl:choose><xsl:apply-templates/></xsl:template>"
        "</xsl:stylesheet>"
    )
    return etree.XML(text.encode("utf-8"))


def _tags_of(marker: str) -> list[str]:
    return sorted(name for name, its in EMPHASIS_MARKERS.items() if its == marker)


_STYLESHEET = _stylesheet()
# The walk rejects an element nested deeper than MAX_NESTING. A template call per level:
# libxslt stops (XSLTApplyError) before that depth, and the walk then gives its error.
# (The limit is libxslt's, for the process: storybot runs no other stylesheet.)
etree.XSLT.set_global_max_depth(MAX_NESTING)
# One compiled transform per thread: an XSLT object is not to be run by two at once.
_per_thread = threading.local()


def _transform() -> etree.XSLT:
    transform: etree.XSLT | None = getattr(_per_thread, "transform", None)
    if transform is None:
        transform = _per_thread.transform = etree.XSLT(_STYLESHEET)
    return transform


def converted(root: Element, *, scene_breaks: bool, min_bytes: int = _SMALL) -> str | None:
    """The walk's chapter text of root's content, or None where the walk must run (also
    when root holds less than min_bytes of text)."""
    data = etree.tostring(root, method="text", encoding="utf-8", with_tail=False)
    if len(data) < min_bytes or (b"\xc2" in data and _MARKER_BYTES.search(data)):
        return None  # the walk costs less than a transform's set-up; or a marker in the text
    try:
        text = str(_transform()(root))
    except etree.XSLTApplyError:  # nested too deeply (or any other failure): the walk says
        return None
    if _WALK_INSTEAD in text:
        return None
    # The walk collapses every run of whitespace in a string: each is made a space here.
    whitespace = data.translate(None, _ASCII_BUT_WHITESPACE)
    if whitespace:
        for space in (set(whitespace.decode("ascii")) if whitespace.isascii() else
                      {space for space, utf8 in _WHITESPACE if utf8 in whitespace}):
            text = text.replace(space, " ")
    for char in _ESCAPED:
        if char in text:
            text = text.replace(char, "\\" + char)
    emphasised = _emphasis(text)
    if emphasised is None:
        return None
    text = emphasised
    if _RULE in text:
        text = text.replace(_RULE, f"{_BLOCK}{SCENE_BREAK}{_BLOCK}" if scene_breaks else _BLOCK)
    if _LINE_BREAK in text:
        paragraphs = [paragraph for block in text.split(_BLOCK)
                      for paragraph in _paragraphs_of_lines(block)]
    else:  # most text: a block is a paragraph, and one of only spaces is none
        paragraphs = list(filter(None, map(str.strip, text.split(_BLOCK))))
    # "\n\n" before the first paragraph too, for the passes that look for paragraph starts.
    text = PARAGRAPH_SEPARATOR + PARAGRAPH_SEPARATOR.join(paragraphs)
    if "  " in text:  # runs of whitespace, strings' edge spaces side by side
        text = _SPACES.sub(" ", text)
    if scene_breaks:
        text = _MAYBE_ORNAMENT.sub(_ornament_or_paragraph, text)
    text = _SPECIAL_LINE_START.sub("\n\\\\", text)[2:]
    if SCENE_BREAK in text:  # no break at the ends or twice in a row
        text = join_paragraphs(text.split(PARAGRAPH_SEPARATOR))
    return text


def _emphasis(text: str) -> str | None:
    """Emphasis markers as Discord's: spaces at a run's inside edges moved outside (as
    html_rules._emphasised does, innermost first), a run around nothing dropped, then each
    start and end character made its marker. None when that takes too many rounds."""
    present = [_PASSES[marker] for marker in _MARKERS if _STARTS[marker] in text]
    if any(start_then_space.search(text) or space_then_end.search(text)
           for start_then_space, space_then_end, _, _ in present):
        moved = _moved_spaces(text, present)
        if moved is None:
            return None
        text = moved
    for _, _, start, end in present:
        marker = _MARKER_OF[start]
        text = text.replace(start, marker).replace(end, marker)
    return text


def _moved_spaces(text: str, present: list[_Passes]) -> str | None:
    """Repeated until nothing moves: a run's spaces go out one marker at a time. Each round
    scans the whole chapter, so spaced emphasis nested deeper than a few rounds (no story
    has it; a hostile file might) is left to the walk, whose cost is per element."""
    for _round in range(_MAX_ROUNDS):
        changed = False
        for start_then_space, space_then_end, start, end in present:
            if start_then_space.search(text) is not None:
                text, changed = start_then_space.sub(rf"\1{start}", text), True
            if space_then_end.search(text) is not None:
                text, changed = _spaces_after(end, text), True
            if start + end in text:
                text, changed = text.replace(start + end, ""), True
        if not changed:
            return text
    return None


def _spaces_after(end: str, text: str) -> str:
    """The spaces before each `end` moved after it (str.replace would scan for each space)."""
    pieces = text.split(end)
    for number in range(len(pieces) - 1):
        piece = pieces[number]
        if piece.endswith(" "):
            kept = piece.rstrip(" ")
            pieces[number] = kept
            pieces[number + 1] = piece[len(kept):] + pieces[number + 1]
    return end.join(pieces)


def _paragraphs_of_lines(block: str) -> list[str]:
    """A block's lines (<br>) as paragraphs: an empty line (a double <br>) splits it."""
    paragraphs: list[str] = []
    group: list[str] = []
    for line in [*block.split(_LINE_BREAK), ""]:
        line = line.strip()
        if line:
            group.append(line)
        elif group:
            paragraphs.append("\n".join(group))
            group = []
    return paragraphs


def _ornament_or_paragraph(match: re.Match[str]) -> str:
    lines = match.group()[2:].split("\n")
    if _may_be_ornament(lines) and is_scene_break(
            " ".join(_plain(line).strip() for line in lines)):
        return PARAGRAPH_SEPARATOR + SCENE_BREAK
    return match.group()
