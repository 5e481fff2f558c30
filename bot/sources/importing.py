"""Links -> stored stories, one after another, for the CLI's `storybot import URL ...`.

Typed against anything with the Catalog's `add_draft`, so this package needs no store.
Each link is all-or-nothing and a bad one never stops the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.importers.sidecar import add_metadata
from bot.library.errors import DuplicateStory, StoryBotError
from bot.library.models import Story, StoryDraft
from bot.sources.service import StorySources


class DraftSink(Protocol):
    async def add_draft(self, draft: StoryDraft, *, guild_id: int | None,
                        added_by: int | None = None) -> Story: ...


@dataclass
class LinkOutcome:
    url: str
    story: Story | None = None
    error: str | None = None
    duplicate_of: int | None = None


def read_urls_file(path: Path) -> list[str]:
    """One link a line; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as problem:
        raise StoryBotError(f"cannot read {path} ({problem.strerror or problem})") from None
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def looks_like_link(argument: str) -> bool:
    return argument.lower().startswith(("http://", "https://"))


async def import_links(
    sink: DraftSink,
    urls: Sequence[str],
    sources: StorySources,
    *,
    metadata: Mapping[str, object] | None = None,
    guild_id: int | None = None,
    allow_adult: bool = False,
    on_link: Callable[[LinkOutcome], None] | None = None,
) -> list[LinkOutcome]:
    outcomes: list[LinkOutcome] = []
    for url in urls:
        outcome = LinkOutcome(url)
        try:
            work = await sources.fetch(url, guild_id=guild_id, allow_adult=allow_adult)
            assert work.draft is not None  # a full fetch always carries the text
            draft = add_metadata(work.draft, metadata) if metadata else work.draft
            outcome.story = await sink.add_draft(draft, guild_id=guild_id)
        except DuplicateStory as duplicate:
            outcome.error, outcome.duplicate_of = str(duplicate), duplicate.existing_id
        except StoryBotError as problem:
            outcome.error = str(problem)
        outcomes.append(outcome)
        if on_link is not None:
            on_link(outcome)
    return outcomes
