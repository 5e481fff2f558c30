"""Readers suggest works by link; curators approve (the work is imported, crediting the
first reader who suggested it) or reject with a reason. Discord-free."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence

from bot.importers import read_story
from bot.library.clock import Clock
from bot.library.errors import DuplicateStory, InvalidInput
from bot.library.models import Chapter, Story
from bot.library.source_records import FILE_KEY_PREFIX, SuggestedWork, SuggestionRecord
from bot.services.story_links import StoryLinks
from bot.store.protocol import Store

MAX_NOTE = 300


def text_fingerprint(chapters: Sequence[Chapter]) -> str:
    """The words alone (no markup, case or punctuation): one work's EPUB, HTML and TXT
    suggested by different readers are one card."""
    words = (" ".join(re.findall(r"\w+", c.text.casefold())) for c in chapters)
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


class SuggestionService:
    def __init__(self, store: Store, story_links: StoryLinks, clock: Clock) -> None:
        self.store = store
        self.story_links = story_links
        self.clock = clock

    async def suggest(self, url: str, *, guild_id: int, user_id: int,
                      note: str = "") -> tuple[SuggestedWork, bool]:
        """Record the suggestion (no fetch: the curators decide first). Returns the work
        and whether its card is new (False: another reader suggested it already)."""
        link = await self.story_links.sources.resolve(url)
        found = await self.story_links.existing(link.url, guild_id)
        if found is not None:
            raise DuplicateStory(found.id, found.title)
        return await self._record(link.url, guild_id, user_id, note, None)

    async def suggest_file(self, data: bytes, filename: str, *, guild_id: int, user_id: int,
                           note: str = "") -> tuple[SuggestedWork, bool]:
        """A story file: read now (a bad file is refused at once), kept until decided."""
        draft = await asyncio.to_thread(read_story, data, filename,
                                        self.story_links.catalog.limits)
        if draft.source:
            found = await self.story_links.store.story_sources.find_by_source(draft.source,
                                                                            guild_id)
            if found is not None:
                story = await self.store.stories.get(found, "all")
                raise DuplicateStory(story.id, story.title)
        key = FILE_KEY_PREFIX + text_fingerprint(draft.chapters)
        return await self._record(key, guild_id, user_id, note, (filename, data))

    async def _record(self, work_key: str, guild_id: int, user_id: int, note: str,
                      file: tuple[str, bytes] | None) -> tuple[SuggestedWork, bool]:
        note = " ".join(note.split())
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"the note is over {MAX_NOTE} characters")
        mine = [s for s in await self.store.suggestions.of_user(guild_id, user_id, 200)
                if s.work_key == work_key]
        if mine and mine[0].status == "waiting":
            raise InvalidInput("you already suggested that work; it is waiting for a curator")
        if mine:
            why = f" ({mine[0].reason})" if mine[0].reason else ""
            raise InvalidInput(f"you suggested that work before and it was {mine[0].status}"
                               f"{why}")
        before = await self.store.suggestions.work(guild_id, work_key)
        work, _ = await self.store.suggestions.suggest(guild_id, work_key, user_id, note,
                                                       self.clock.now(), file)
        return work, before is None or before.message_id is None

    async def work_of_card(self, card_id: int) -> SuggestedWork:
        work = await self.store.suggestions.work_of_card(card_id)
        if work is None or not work.suggesters:
            raise InvalidInput("that suggestion was already decided")
        return work

    async def approve(self, card_id: int) -> tuple[SuggestedWork, Story]:
        """Import the work, crediting its first suggester; a work the library got
        meanwhile counts as approved as that story."""
        work = await self.work_of_card(card_id)
        first = work.suggesters[0]
        try:
            if work.is_file:
                file = await self.store.suggestions.file(first.id)
                if file is None:
                    raise InvalidInput("the suggested file is no longer kept")
                story = await self.story_links.catalog.import_bytes(
                    file[1], file[0], guild_id=work.guild_id, added_by=first.user_id)
            else:
                story = await self.story_links.add(
                    work.work_key, guild_id=work.guild_id, added_by=first.user_id,
                    allow_adult=True)  # the approving curator consents for an adult work
        except DuplicateStory as duplicate:
            story = await self.story_links.store.stories.get(duplicate.existing_id, "all")
        await self.store.suggestions.decide(work.guild_id, work.work_key, approved=True,
                                            reason="", story_id=story.id,
                                            at=self.clock.now())
        return work, story

    async def reject(self, card_id: int, reason: str) -> SuggestedWork:
        work = await self.work_of_card(card_id)
        await self.store.suggestions.decide(work.guild_id, work.work_key, approved=False,
                                            reason=" ".join(reason.split())[:MAX_NOTE],
                                            story_id=None, at=self.clock.now())
        return work

    async def of_user(self, guild_id: int, user_id: int) -> list[SuggestionRecord]:
        return await self.store.suggestions.of_user(guild_id, user_id)

    async def waiting(self, guild_id: int) -> list[tuple[str, int]]:
        return await self.store.suggestions.waiting(guild_id)
