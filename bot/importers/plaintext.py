"""Plain text as readers paste it: no metadata, paragraphs, scene breaks, maybe chapters.

The curator gives title, author and tags (command options or a sidecar); this importer
only finds the story's structure: author's notes at either end, chapter headings, scene
breaks, and paragraphs however the file separates them.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from bot.importers.base import ImportLimits, decode_text, normalise_newlines
from bot.importers.text_rules import escape_markdown, is_scene_break
from bot.library.models import PARAGRAPH_SEPARATOR, SCENE_BREAK, Chapter, StoryDraft

# "Author's Notes:", "A/N:", "AN:", "Author's Note:", "Authors Note -" ... A separator is
# required so that prose starting with "An" is never taken for a note.
_NOTE_LABEL = re.compile(
    r"^\s*[(\[]?\s*(?:author'?s?'?\s+notes?|a\s*/\s*n|an)\s*[)\]]?\s*[:\-–—]+\s*",
    re.IGNORECASE,
)

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    "eighty|ninety|hundred"
)
_NUMBER_WORD = rf"(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*"
_CHAPTER_HEADING = re.compile(
    rf"^chapter\s+(?:\d+|[ivxlc]+|{_NUMBER_WORD})\s*(?:[:.\-–—]\s*(?P<title>.*?))?\s*$",
    re.IGNORECASE,
)
_NAMED_HEADING = re.compile(r"^(?P<title>prologue|epilogue)\s*[:.]?\s*$", re.IGNORECASE)
_MAX_HEADING_LENGTH = 120

# Hard-wrapped text (every line cut near one width) is joined back into paragraphs;
# shorter lines are deliberate line breaks (poems, text messages) and are kept.
_WRAP_MIN, _WRAP_MAX = 55, 100


def title_from_filename(filename: str) -> str:
    stem = PurePath(filename).stem if filename else ""
    return " ".join(stem.replace("_", " ").split()) or "Untitled"


def chapter_heading_title(line: str) -> str | None:
    """The title of a chapter heading line ("" for a bare "Chapter 3"), None if not one."""
    text = line.strip()
    if len(text) > _MAX_HEADING_LENGTH:
        return None
    match = _CHAPTER_HEADING.match(text) or _NAMED_HEADING.match(text)
    if match is None:
        return None
    return (match.group("title") or "").strip()


def strip_note_label(paragraph: str) -> str | None:
    """The note without its "A/N:" label, or None when the paragraph is not a note."""
    match = _NOTE_LABEL.match(paragraph)
    if match is None:
        return None
    return paragraph[match.end() :].strip()


def _is_hard_wrapped(blocks: list[list[str]]) -> bool:
    inner_lengths = [len(line) for block in blocks for line in block[:-1]]
    if len(inner_lengths) < 3:
        return False
    near_width = sum(1 for length in inner_lengths if _WRAP_MIN <= length <= _WRAP_MAX)
    return near_width >= 0.8 * len(inner_lengths)


def _blocks_by_blank_lines(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _blocks_by_lines(lines: list[str]) -> tuple[list[list[str]], bool]:
    """Files without blank lines between paragraphs: an indented line starts a paragraph when
    the file indents paragraphs (then returns True); otherwise every line is one."""
    nonblank = [line for line in lines if line.strip()]
    indented = sum(1 for line in nonblank if line[:1] in (" ", "\t", "\u3000"))
    indent_style = 0.2 * len(nonblank) <= indented < len(nonblank)
    blocks: list[list[str]] = []
    for line in lines:
        if not line.strip():
            blocks.append([])
            continue
        starts_paragraph = (
            not indent_style
            or line[:1] in (" ", "\t", "\u3000")
            or not blocks
            or not blocks[-1]
            or is_scene_break(line)
            or chapter_heading_title(line) is not None
            or is_scene_break(blocks[-1][-1])
        )
        if starts_paragraph:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [block for block in blocks if block], indent_style


def split_paragraphs(text: str) -> list[str]:
    """Raw paragraphs of a story, whichever way the file separates them."""
    lines = [line.rstrip() for line in text.split("\n")]
    nonblank = sum(1 for line in lines if line.strip())
    blocks = _blocks_by_blank_lines(lines)
    joiner = " " if _is_hard_wrapped(blocks) else "\n"
    # Blank lines only here and there (around scene breaks, after a title): the file
    # really separates paragraphs by single newlines.
    if nonblank > 8 and len(blocks) * 4 < nonblank:
        blocks, indent_style = _blocks_by_lines(lines)
        # Continuation lines of an indented paragraph are the file's wrapping, never breaks.
        joiner = " " if indent_style else "\n"
    return [joiner.join(line.strip() for line in block) for block in blocks]


def _split_heading_lines(raw_paragraphs: list[str]) -> list[str]:
    """A heading written directly above its first paragraph becomes a paragraph of its own."""
    out: list[str] = []
    for paragraph in raw_paragraphs:
        first, sep, rest = paragraph.partition("\n")
        if sep and chapter_heading_title(first) is not None:
            out.extend([first, rest])
        else:
            out.append(paragraph)
    return out


def _take_notes(body: list[str]) -> tuple[str, list[str], str]:
    """(opening notes, remaining paragraphs, closing notes)."""
    notes = end_notes = ""
    # A file that is one paragraph is the story, whatever its first words.
    if len(body) > 1:
        opening = strip_note_label(body[0])
        if opening is not None:
            body = body[1:]
            if not opening and body:  # the label on its own line, the note below it
                opening, body = body[0], body[1:]
            notes = opening
    if len(body) > 1:
        closing = strip_note_label(body[-1])
        if closing:
            end_notes, body = closing, body[:-1]
    return notes, body, end_notes


def _chapter_text(raw_paragraphs: list[str]) -> str:
    rendered = [
        SCENE_BREAK if is_scene_break(paragraph) else escape_markdown(paragraph)
        for paragraph in raw_paragraphs
    ]
    return PARAGRAPH_SEPARATOR.join(rendered)


def build_chapters(body: list[str]) -> list[Chapter]:
    """Split paragraphs at chapter headings; text before the first heading is a chapter."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for paragraph in body:
        heading = chapter_heading_title(paragraph) if "\n" not in paragraph else None
        if heading is not None:
            sections.append((heading, []))
        else:
            sections[-1][1].append(paragraph)
    if not sections[0][1] and len(sections) > 1:
        sections = sections[1:]
    return [
        Chapter(number=number, title=title, text=_chapter_text(paragraphs))
        for number, (title, paragraphs) in enumerate(sections, start=1)
    ]


def parse_plain_text(text: str, title: str) -> StoryDraft:
    raw = _split_heading_lines(split_paragraphs(normalise_newlines(text)))
    notes, body, end_notes = _take_notes(raw)
    return StoryDraft(
        title=title,
        authors=[],
        chapters=build_chapters(body),
        notes=escape_markdown(notes),
        end_notes=escape_markdown(end_notes),
        complete=None,
    )


class PlainTextImporter:
    """The fallback: any text that no other importer claimed."""

    name = "plaintext"

    def sniff(self, data: bytes, filename: str) -> bool:
        return True

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        draft = parse_plain_text(decode_text(data), title_from_filename(filename))
        draft.format = self.name
        draft.title_from_file_name = True
        return draft
