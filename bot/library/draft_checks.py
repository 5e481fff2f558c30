"""What the library refuses in any story, whatever file or site it came from."""

from __future__ import annotations

from bot.library.errors import ImportRejected, InvalidInput
from bot.library.models import StoryDraft
from bot.library.tags import MAX_TAG_LENGTH

MAX_TITLE_LENGTH = 256  # Discord's embed title limit


def check_draft(draft: StoryDraft) -> None:
    if not draft.title.strip():
        raise ImportRejected("the story has no title (give one with --title)")
    if len(draft.title) > MAX_TITLE_LENGTH:
        raise ImportRejected(f"the title is over {MAX_TITLE_LENGTH} characters")
    try:
        for tag in draft.tags():
            check_tag_name(tag.name)
    except InvalidInput as problem:
        raise ImportRejected(str(problem)) from None


def check_tag_name(name: str) -> str:
    """`name` if a tag may be called that (one line saying why not otherwise)."""
    if not name.strip():
        raise InvalidInput("a tag cannot be empty")
    if len(name) > MAX_TAG_LENGTH:
        raise InvalidInput(f"the tag “{name[:40]}…” is over {MAX_TAG_LENGTH} characters")
    return name
