"""The story text rules every HTML walk shares, whatever tree it walks.

Every HTML-based importer (AO3, FanFicFare, EPUB, generic HTML) gives chapter text in the
project's convention (Discord Markdown, "\\n\\n" paragraphs) with these rules, so a story
reads the same whichever file it came from:

- every block is a plain paragraph (no headings, bullets, quotes, tables, links or images in
  the output: Discord would render them, and they are not story text);
- an ornament-only paragraph (o.O.o, * * *) or an <hr> is a scene break, SCENE_BREAK;
- <br> is a line break and a double <br> splits the paragraph;
- emphasis is Discord's (*i*, **b**, __u__, ~~s~~) and is closed on each line, since
  Discord's emphasis does not span lines;
- plain text is escaped with text_rules.escape_markdown, whose '>', '#', '- ', '1. ' rule
  only applies at a line start: a text node cannot know where its line starts, so text is
  escaped mid-line first and line starts once the lines are known.

The walks themselves live elsewhere: over BeautifulSoup's tree in html_text (EPUB, generic
HTML), over lxml's in lxml_text and xslt_text (AO3, FanFicFare). This module imports
neither tree's library: the lxml importers, which every folder import's workers load, must
not pay for BeautifulSoup's import (0.1-0.2 s of CPU) when they never use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.entities import html5 as html5_entities

from bot.importers.text_rules import ORNAMENT_MAX_LENGTH, escape_markdown, is_scene_break
from bot.library.models import PARAGRAPH_SEPARATOR, SCENE_BREAK

# Active or embedded content: removed as soon as a document is parsed, never stored.
DROPPED_TAGS = (
    "script", "style", "iframe", "object", "embed", "form", "noscript", "template", "svg",
    "canvas", "button", "input", "select", "textarea", "audio", "video", "map", "applet",
    "frame", "frameset",
)
_DROPPED = frozenset(DROPPED_TAGS)
# Kept in the tree (importers read their metadata) but never part of the text.
NON_TEXT_TAGS = frozenset({"head", "title", "meta", "link", "img", "base"})

BLOCK_TAGS = frozenset({
    "p", "div", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "header", "footer", "main", "aside", "nav", "body", "html",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "pre", "center",
    "figure", "figcaption", "address", "details", "summary", "fieldset", "hgroup",
})
_BLOCK_OR_RULE = BLOCK_TAGS | {"hr"}
# Nesting deeper than this is an attack or a broken export; real stories nest a few dozen.
MAX_NESTING = 300

# Inline tags that become Discord emphasis; every other inline tag is unwrapped to its text.
EMPHASIS_MARKERS = {
    "i": "*", "em": "*", "cite": "*", "var": "*",
    "b": "**", "strong": "**",
    "u": "__", "ins": "__",
    "s": "~~", "del": "~~", "strike": "~~",
}

# Tag names as the parser gives them (lower case); any other is lower-cased before lookup.
_KNOWN_NAMES = NON_TEXT_TAGS | _BLOCK_OR_RULE | EMPHASIS_MARKERS.keys() | {"br"}
_WHITESPACE = re.compile(r"\s+")
# Paragraph boundaries in the converted string: blocks add "\n\n"; text never holds a
# newline since its whitespace is collapsed.
_PARAGRAPH_BOUNDARY = re.compile(r"\n+")
# A <br> inside a paragraph. A vertical tab is whitespace, so no text node can carry one
# (text whitespace is collapsed to spaces), and it is not a paragraph boundary.
_LINE_BREAK = "\v"
_SPACES = re.compile(r" {2,}")
# What escape_markdown backslash-escapes wherever it stands.
_ESCAPED_ANYWHERE = re.compile(r"([\\*_~`|])")
# A converted line holds text (not only emphasis markers and spaces) when it holds any other
# character: a backslash always starts an escape of one of \ * _ ~ ` |.
_HAS_TEXT = re.compile(r"[^*_~\s]")
# Matches the start of converted text that has more characters that survive in its plain
# text (any but * _ ~ \\ and space) than an ornament may have.
_LONGER_THAN_ORNAMENT = re.compile(rf"(?:[*_~\\ ]*[^*_~\\ ]){{{ORNAMENT_MAX_LENGTH + 1}}}")
# The first character of a (stripped) line on which escape_markdown's line-start rule fires.
_MAY_START_SPECIAL = re.compile(r"[>#-]|\d")
# In converted text every literal \ * _ ~ ` | is backslash-escaped, so an unescaped * _ ~
# is emphasis markup: dropping those and unescaping the rest gives back the plain text.
_MARKUP_OR_ESCAPE = re.compile(r"\\(.)|[*_~]")
# The characters escape_markdown backslash-escapes anywhere; the line-start rule never
# involves them, so a line's escaped head is the run before the first of them.
_LINE_HEAD = re.compile(r"[^\\*_~`|]*")
# EPUB documents are XHTML. lxml's HTML parser reads them well (and tolerates broken ones);
# without the XML declaration BeautifulSoup does not warn that it looks like XML.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A DOCTYPE with an internal subset at the document's start (after comments and processing
# instructions). The subset is declarations whose quoted values may hold "]" or ">".
# Atomic groups and possessive repeats: a hostile prolog cannot make the match backtrack.
_DOCTYPE_WITH_SUBSET = re.compile(
    r"""(?P<prolog>(?>\s|<!--.*?-->|<\?.*?\?>)*+)
        <!DOCTYPE(?P<name>[^\[>]*+)
        \[(?P<subset>(?:[^\]"']|"[^"]*+"|'[^']*+')*+)\]\s*>""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
# A general entity declared in a subset (parameter entities, "<!ENTITY % n", are used only
# inside the subset, which is dropped whole).
_DECLARED_ENTITY = re.compile(r"<!ENTITY\s+([^\s%\"'>][^\s\"'>]*)", re.IGNORECASE)


def drop_internal_subset(text: str) -> str:
    """Remove a DOCTYPE's internal subset and the references to the entities it declares.

    lxml's HTML parser does not read `<!DOCTYPE html [ <!ENTITY e "..."> ]>`: it would leave
    "]>" and "&e;" in the story text. Nothing declared there is ever expanded (no XXE, no
    entity bomb): the references are dropped. Names HTML itself defines (&nbsp;, which
    XHTML files sometimes declare) are left for the parser, which knows them.
    """
    match = _DOCTYPE_WITH_SUBSET.match(text)
    if match is None:
        return text
    declared = {
        name for name in _DECLARED_ENTITY.findall(match.group("subset"))
        if f"{name};" not in html5_entities
    }
    rest = text[match.end():]
    if declared:
        names = "|".join(re.escape(name) for name in sorted(declared, key=len, reverse=True))
        rest = re.sub(rf"&(?:{names});", "", rest)
    return f"{match.group('prolog')}<!DOCTYPE{match.group('name')}>{rest}"


class ParagraphRules:
    """A walk's converted pieces -> the chapter's paragraphs (module docstring's rules).

    A walk appends "\\n\\n" around blocks, _LINE_BREAK for a <br>, and text escaped
    mid-line; `_joined` makes paragraphs of that, whichever tree it came from.
    """

    def __init__(self, *, scene_breaks: bool = True) -> None:
        # False for summaries and notes: <hr> is dropped and an ornament stays text.
        self.scene_breaks = scene_breaks

    def _joined(self, parts: list[str]) -> str:
        """The converted pieces as the chapter's "\n\n"-joined paragraphs."""
        paragraphs: list[str] = []
        for block in _PARAGRAPH_BOUNDARY.split("".join(parts)):
            if _LINE_BREAK in block:
                paragraphs.extend(self._paragraphs_of_block(block))
                continue
            # Most blocks: one line (_paragraphs_of_block's first case, without the call).
            line = (_SPACES.sub(" ", block) if "  " in block else block).strip()
            if line and _HAS_TEXT.search(line):
                paragraphs.append(self._paragraph([line]))
        return join_paragraphs(paragraphs)

    def _paragraphs_of_block(self, block: str) -> list[str]:
        """A block's lines -> paragraphs: an empty line (double <br>) splits it."""
        if _LINE_BREAK not in block:  # most blocks: one line
            line = (_SPACES.sub(" ", block) if "  " in block else block).strip()
            return [self._paragraph([line])] if _HAS_TEXT.search(line) else []
        paragraphs: list[str] = []
        group: list[str] = []
        for line in [*block.split(_LINE_BREAK), ""]:
            if "  " in line:
                line = _SPACES.sub(" ", line)
            line = line.strip()
            if _HAS_TEXT.search(line):
                group.append(line)
            elif group:
                paragraphs.append(self._paragraph(group))
                group = []
        return paragraphs

    def _paragraph(self, lines: list[str]) -> str:
        if self.scene_breaks and _may_be_ornament(lines):
            plain = " ".join(_plain(line).strip() for line in lines)
            if is_scene_break(plain):
                return SCENE_BREAK
        if len(lines) == 1:
            return _escape_line_start(lines[0])
        return "\n".join([_escape_line_start(line) for line in lines])


def _emphasised(text: str, marker: str) -> str:
    """Wrap each line of the run in the tag's marker, spaces kept outside the markers."""
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


def _may_be_ornament(lines: list[str]) -> bool:
    """False when the lines' plain text is surely too long for an ornament: every character
    but markers, backslashes and spaces survives in it (lines hold no other whitespace)."""
    return _LONGER_THAN_ORNAMENT.match(lines[0] if len(lines) == 1 else "".join(lines)) is None


def _plain(converted: str) -> str:
    if "\\" not in converted:
        # The common case, without a per-match callback.
        return converted.replace("*", "").replace("_", "").replace("~", "")
    return _MARKUP_OR_ESCAPE.sub(lambda m: m.group(1) or "", converted)


def _escape_line_start(line: str) -> str:
    """Apply escape_markdown's line-start rule to an already escaped line."""
    if not _MAY_START_SPECIAL.match(line):
        return line  # most lines: the rule cannot fire
    head = _LINE_HEAD.match(line)
    end = head.end() if head else 0
    return escape_markdown(line[:end]) + line[end:]


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


def plain_text_to_markdown(text: str) -> str:
    """Plain text (wrapped lines, blank-line paragraphs) -> escaped Markdown paragraphs."""
    blocks = re.split(r"\n[ \t\xa0]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for block in blocks:
        collapsed = _WHITESPACE.sub(" ", block).strip()
        if collapsed:
            out.append(escape_markdown(collapsed))
    return PARAGRAPH_SEPARATOR.join(out)
