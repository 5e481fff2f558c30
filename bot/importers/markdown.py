"""Markdown with YAML front matter: the format of the demo stories in data/stories/*.md.

The body is already Discord Markdown, so emphasis is kept as written; only the structure
is read: `#`/`##` headings start chapters, ornament paragraphs become scene breaks, and
soft-wrapped lines are joined as Markdown renders them.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from bot.importers.base import ImportLimits, decode_text, normalise_newlines
from bot.importers.plaintext import title_from_filename
from bot.importers.sidecar import metadata_fields, parse_yaml_mapping
from bot.importers.text_rules import is_scene_break
from bot.library.errors import ImportRejected
from bot.library.models import PARAGRAPH_SEPARATOR, SCENE_BREAK, Chapter, StoryDraft

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# The first line of a front matter block looks like "key:" even when the YAML is broken,
# which tells a metadata block with a typo from a story that opens with a "---" break.
_YAML_KEY_LINE = re.compile(r"^\s*[A-Za-z_][\w \-]*:(?:\s|$)")
_HEADING = re.compile(r"^(?P<hashes>#{1,2})[ \t]+(?P<title>.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Lines that Markdown keeps on their own line: list items, quotes, headings, tables.
_BLOCK_LINE = re.compile(r"^\s*(?:[-*+][ \t]|\d+[.)][ \t]|>|#|\|)")
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML text of the front matter or None, body)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text
    return match.group("yaml") or "", text[match.end() :]


def _looks_like_metadata(yaml_text: str) -> bool:
    first = next((line for line in yaml_text.splitlines() if line.strip()), "")
    return bool(_YAML_KEY_LINE.match(first))


def _join_soft_wraps(lines: list[str]) -> str:
    """One paragraph's lines, joined the way Markdown renders them: a single newline is a
    space, except after a hard break (two spaces or a backslash) and around block lines."""
    out = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index == 0:
            out = stripped
            continue
        previous = lines[index - 1]
        hard_break = previous.endswith("  ") or previous.rstrip().endswith("\\")
        if hard_break or _BLOCK_LINE.match(line) or _BLOCK_LINE.match(previous):
            out = out.rstrip("\\").rstrip() + "\n" + stripped
        else:
            out += " " + stripped
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of one chapter; fenced code blocks are kept whole."""
    out: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            text = "\n".join(current) if in_fence else _join_soft_wraps(current)
            out.append(SCENE_BREAK if is_scene_break(text) else text)
            current.clear()

    for line in lines:
        if _FENCE.match(line):
            if not in_fence:
                flush()
            current.append(line.rstrip())
            if in_fence:
                flush()  # flush while still "in fence" so the block keeps its newlines
            in_fence = not in_fence
        elif in_fence:
            current.append(line.rstrip())
        elif line.strip():
            current.append(line)
        else:
            flush()
    flush()
    return out


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of every `#`/`##` heading outside code fences."""
    found: list[tuple[int, int, str]] = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _HEADING.match(line)):
            found.append((index, len(match.group("hashes")), match.group("title").strip()))
    return found


def parse_markdown_body(body: str) -> tuple[str | None, list[Chapter]]:
    """(story title from a lone leading `# Title`, or None; chapters)."""
    lines = normalise_newlines(body).split("\n")
    headings = _headings(lines)
    story_title: str | None = None
    # "# Story" then "## Chapter"s: the single top heading names the story, not a chapter.
    levels = [level for _, level, _ in headings]
    if levels.count(1) == 1 and levels[0] == 1 and 2 in levels:
        first_line = headings[0][0]
        if not any(line.strip() for line in lines[:first_line]):
            story_title = headings[0][2]
            lines = lines[first_line + 1 :]
            headings = _headings(lines)
    sections: list[tuple[str, list[str]]] = []
    start = 0
    title = ""
    for index, _level, heading_title in headings:
        sections.append((title, lines[start:index]))
        title, start = heading_title, index + 1
    sections.append((title, lines[start:]))
    chapters: list[Chapter] = []
    for section_title, section_lines in sections:
        text = PARAGRAPH_SEPARATOR.join(_paragraphs(section_lines))
        if text.strip() or section_title:
            chapters.append(Chapter(number=len(chapters) + 1, title=section_title, text=text))
    return story_title, chapters


class MarkdownImporter:
    name = "markdown"

    def sniff(self, data: bytes, filename: str) -> bool:
        if PurePath(filename).suffix.lower() in _MARKDOWN_SUFFIXES:
            return True
        if not data.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
            return False
        try:
            text = decode_text(data)
        except ImportRejected:
            return False
        yaml_text, _ = split_front_matter(normalise_newlines(text))
        if yaml_text is None:
            return False
        try:
            meta = parse_yaml_mapping(yaml_text, "front matter")
        except ImportRejected:
            # Broken YAML that is clearly meant as metadata: claim the file so that parse
            # reports the YAML problem instead of importing the block as story text.
            return _looks_like_metadata(yaml_text)
        return "title" in {key.strip().lower() for key in meta}

    def parse(self, data: bytes, filename: str, limits: ImportLimits) -> StoryDraft:
        text = normalise_newlines(decode_text(data))
        yaml_text, body = split_front_matter(text)
        meta = parse_yaml_mapping(yaml_text, "front matter") if yaml_text is not None else {}
        fields = metadata_fields(meta)
        heading_title, chapters = parse_markdown_body(body)
        named_after_file = "title" not in fields and not heading_title
        fields.setdefault("title", heading_title or title_from_filename(filename))
        fields.setdefault("authors", [])
        draft = StoryDraft(chapters=chapters, **fields)  # type: ignore[arg-type]
        draft.title_from_file_name = named_after_file
        draft.format = self.name
        return draft
