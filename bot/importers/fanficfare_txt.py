"""FanFicFare's plain-text output.

Layout: title, "by Authors" (wrapped), a block of "Label: value" lines whose long values wrap
onto following lines (the Summary may hold blank-line paragraphs), "TABLE OF CONTENTS" with
one title per line, then each chapter as a heading indented by 8 spaces (wrapped too)
followed by the chapter rendered by html2text (Markdown: `_em_`, `**strong**`, `* * *`,
two trailing spaces = line break). The file ends with "End file.".
"""

from __future__ import annotations

import re

from bot.importers.base import (
    ImportLimits,
    decode_text,
    has_words,
    looks_binary,
    normalise_newlines,
)
from bot.importers.fanficfare import KNOWN_LABELS, apply_fields
from bot.importers.html_rules import join_paragraphs, plain_text_to_markdown
from bot.importers.text_rules import is_scene_break
from bot.library.errors import ImportRejected
from bot.library.models import SCENE_BREAK, Chapter, StoryDraft

_LABEL_LINE = re.compile(
    r"^(" + "|".join(re.escape(label) for label in KNOWN_LABELS) + r"):(?:\s(.*))?$", re.I
)
_TOC = "TABLE OF CONTENTS"
_CHAPTER_HEADING = re.compile(r"^ {8}(\S.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_UNDERSCORE_EM = re.compile(r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)")
# html2text puts a space between closing emphasis and punctuation ("*italics* ,").
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\S)(\*{1,2}|~~|__) (?=[,.;:!?])")
_END_MARK = "End file."
_SIGNATURE_LABELS = ("packaged", "story url", "publisher")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def looks_like_fanficfare_txt(text: str) -> bool:
    lines = [line for line in text.split("\n")[:80] if line.strip()]
    if len(lines) < 4 or lines[0].lstrip().startswith("<") or not lines[1].startswith("by "):
        return False
    labels = {m.group(1).lower() for line in lines if (m := _LABEL_LINE.match(line))}
    return len(labels) >= 3 and any(label in labels for label in _SIGNATURE_LABELS)


class FanFicFareTxtImporter:
    name = "fanficfare-txt"

    def sniff(self, data: bytes, filename: str) -> bool:
        head = data[:16384]
        if looks_binary(head):
            return False
        return looks_like_fanficfare_txt(normalise_newlines(head.decode("utf-8", "replace")))

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        if len(data) > limits.max_bytes:
            raise ImportRejected("the file is larger than the import limit")
        if looks_binary(data):
            raise ImportRejected("the file is not text")
        lines = normalise_newlines(decode_text(data)).split("\n")
        if not looks_like_fanficfare_txt("\n".join(lines)):
            raise ImportRejected("this is not a FanFicFare text file (no title/label header)")
        title, authors, rest = _title_and_authors(lines)
        fields, rest = _header_fields(rest)
        toc, rest = _table_of_contents(rest)
        draft = StoryDraft(title=title, authors=authors, chapters=_chapters(rest, toc),
                           format=self.name)
        if not has_words(draft.chapters):
            raise ImportRejected("this FanFicFare file has no story text")
        summary = plain_text_to_markdown(fields.pop("summary", ""))
        apply_fields(draft, {k: _squash(v) for k, v in fields.items()}, summary)
        return draft


def _title_and_authors(lines: list[str]) -> tuple[str, list[str], list[str]]:
    index = 0
    while lines[index].strip() == "":
        index += 1
    title = lines[index].strip()
    index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    byline: list[str] = []
    while index < len(lines) and lines[index].strip():
        byline.append(lines[index].strip())
        index += 1
    names = _squash(" ".join(byline)).removeprefix("by ")
    return title, [name.strip() for name in names.split(",") if name.strip()], lines[index:]


def _header_fields(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Label lines, each value continued by the wrapped lines after it."""
    fields: dict[str, str] = {}
    current: str | None = None
    index = 0
    for index, line in enumerate(lines):  # noqa: B007 (index is used after the loop)
        if line.strip() == _TOC or _CHAPTER_HEADING.match(line):
            break
        match = _LABEL_LINE.match(line)
        if match:
            current = match.group(1).lower()
            fields[current] = match.group(2) or ""
        elif current is not None and (line.strip() or current == "summary"):
            # Only the summary holds paragraphs; a blank line ends every other value.
            fields[current] += "\n" + line
        elif not line.strip():
            current = None
    else:
        index = len(lines)
    return fields, lines[index:]


def _table_of_contents(lines: list[str]) -> tuple[list[str], list[str]]:
    if not lines or lines[0].strip() != _TOC:
        return [], lines
    titles: list[str] = []
    for index, line in enumerate(lines[1:], start=1):
        if _CHAPTER_HEADING.match(line):
            return titles, lines[index:]
        if line.strip():
            titles.append(_squash(line))
    return titles, []


def _chapters(lines: list[str], toc: list[str]) -> list[Chapter]:
    """Split at the indented headings; with a table of contents, only its titles count."""
    found: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        match = _CHAPTER_HEADING.match(lines[index])
        expected = toc[len(found)] if len(found) < len(toc) else None
        if match and (not toc or expected is not None):
            heading = [match.group(1)]
            probe = index + 1
            while probe < len(lines) and lines[probe].strip():
                heading.append(lines[probe])
                probe += 1
            title = _squash(" ".join(heading))
            if expected is None or title == expected:
                found.append((title, []))
                index = probe
                continue
        if found:
            found[-1][1].append(lines[index])
        index += 1
    if not found:
        raise ImportRejected("this FanFicFare file has no chapters")
    return [Chapter(n, title, markdown_to_text(body)) for n, (title, body) in
            enumerate(found, start=1)]


def markdown_to_text(lines: list[str]) -> str:
    """html2text's Markdown -> our chapter convention (same result as from the HTML)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines and lines[-1].strip() == _END_MARK:
        lines = lines[:-1]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
        elif block:
            paragraphs.append(_paragraph(block))
            block = []
    return join_paragraphs(paragraphs)


def _paragraph(block: list[str]) -> str:
    if is_scene_break(" ".join(block)):
        return SCENE_BREAK
    out: list[str] = []
    current = ""
    for line in block:
        hard_break = line.endswith("  ")
        text = _MD_HEADING.sub("", line.strip())
        current = f"{current} {text}" if current else text
        if hard_break:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    joined = "\n".join(_squash(part) for part in out)
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _UNDERSCORE_EM.sub(r"*\1*", joined))
