"""Rules for story files people upload and the options that come with them."""

from __future__ import annotations

from pathlib import PurePath

from bot.importers import check_size
from bot.importers.base import ImportLimits
from bot.library.errors import ImportRejected
from bot.library.text_safety import safe_file_name

ACCEPTED_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".markdown", ".html", ".htm",
                               ".xhtml", ".epub"})


def check_upload(filename: str, size: int, max_bytes: int) -> None:
    """Refuse, before downloading, files that are too big or plainly not stories."""
    suffix = PurePath(filename).suffix.lower()
    filename = safe_file_name(filename)  # the reply is one line, whatever the name holds
    if suffix not in ACCEPTED_SUFFIXES:
        raise ImportRejected(
            f"{filename}: {safe_file_name(suffix)} files aren't stories I can read; "
            "send .txt, .md, .html or .epub"
        )
    try:
        check_size(size, ImportLimits(max_bytes=max_bytes))
    except ImportRejected as problem:
        raise ImportRejected(f"{filename}: {problem}") from None


def parse_tag_list(text: str | None) -> list[str]:
    """'a, b,, c' -> ['a', 'b', 'c'] (AO3 tags never contain commas)."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def metadata_from_options(
    *, title: str | None, author: str | None, rating: str | None, fandom: str | None,
    tags: str | None, relationships: str | None = None, characters: str | None = None,
) -> dict[str, object]:
    """Slash-command options -> the metadata mapping importers apply over a file's own."""
    metadata: dict[str, object] = {}
    if title:
        metadata["title"] = title
    if author:
        metadata["authors"] = [author]
    if rating:
        metadata["rating"] = rating
    if fandom:
        metadata["fandoms"] = [fandom]
    if tags:
        metadata["tags"] = parse_tag_list(tags)
    if relationships:
        metadata["relationships"] = parse_tag_list(relationships)
    if characters:
        metadata["characters"] = parse_tag_list(characters)
    return metadata
