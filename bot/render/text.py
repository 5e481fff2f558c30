"""Fitting text into Discord's limits without cutting mid-word, and keeping it inert."""

from __future__ import annotations

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELDS_MAX = 25
ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """`text` if it fits, else cut at the last word boundary with "…" (always ≤ limit)."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[:room]
    boundary = cut.rstrip().rfind(" ")
    if boundary > room // 2:
        cut = cut[:boundary]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def join_limited(items: list[str], limit: int, separator: str = ", ") -> str:
    """Join whole items while they fit; say how many more were left out."""
    shown: list[str] = []
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        candidate = separator.join([*shown, item])
        tail = f"{separator}+{rest} more" if rest else ""
        if len(candidate) + len(tail) > limit:
            more = f"+{len(items) - len(shown)} more"
            return truncate(separator.join([*shown, more]) if shown else more, limit)
        shown.append(item)
    return separator.join(shown)


def spoiler(text: str) -> str:
    return f"||{text}||" if text else text
