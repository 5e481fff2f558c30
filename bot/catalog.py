"""The library as the command line and the cogs use it: import, browse, remove.

It joins the importers (bytes -> StoryDraft), segmentation (StoryDraft -> passages) and the
store (SQL). Nothing here knows about Discord.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.importers import read_story, read_story_file
from bot.importers.base import ImportLimits
from bot.importers.sidecar import add_metadata
from bot.library.clock import Clock, SystemClock
from bot.library.errors import (
    DuplicateStory,
    ImportRejected,
    InvalidInput,
    StoryNotFound,
)
from bot.library.lookup import fuzzy_matches, resolve_name, suggestion
from bot.library.models import Passage, Rating, Story, StoryDraft, Tag, TagKind
from bot.library.rating_change import RatingChange
from bot.library.records import SortOrder, TagCount
from bot.library.segmentation import segment_chapters
from bot.library.tags import MAX_TAG_LENGTH, clean_tag_name, tag_key
from bot.library.title_index import TitleIndex
from bot.library.visibility import Visibility
from bot.store.protocol import Store

MAX_TITLE_LENGTH = 256  # Discord's embed title limit

# Files a folder import passes over: metadata sidecars, READMEs and hidden files.
_SKIPPED_SUFFIXES = (".meta.yaml", ".meta.yml", ".meta.json")


@dataclass
class ImportOutcome:
    path: str
    story: Story | None = None
    error: str | None = None
    duplicate_of: int | None = None


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    @property
    def imported(self) -> list[Story]:
        return [o.story for o in self.outcomes if o.story is not None]

    @property
    def rejected(self) -> list[ImportOutcome]:
        return [o for o in self.outcomes if o.error is not None]



def story_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files named directly, and story files found below folders (sorted, recursive)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and _is_story_candidate(found):
                    yield found
        else:
            yield path


def _is_story_candidate(path: Path) -> bool:
    name = path.name.lower()
    return not (
        name.startswith((".", "readme"))
        or name.endswith(_SKIPPED_SUFFIXES)
        or any(part.startswith(".") for part in path.parts[:-1] if part not in (".", ".."))
    )


class Catalog:
    def __init__(self, store: Store, limits: ImportLimits | None = None,
                 clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._stories = store.stories
        self._tags = store.tags
        self.limits = limits or ImportLimits()
        # id -> (guild_id, title) of every story, for instant autocomplete; kept in step
        # with every add, edit and remove made through this catalog.
        self._titles: TitleIndex | None = None
        self._titles_building = asyncio.Lock()
        # Tag names for autocomplete, and the store's write count when they were read.
        self._write_count = store.write_count
        self._tag_names: tuple[int, TitleIndex] | None = None
        # Called with a story id after it was added, edited or removed (e.g. to keep the
        # recommendation index in step). Listeners must not raise.
        self.change_listeners: list[Callable[[int], Awaitable[None]]] = []

    async def _changed(self, story_id: int) -> None:
        for listener in self.change_listeners:
            await listener(story_id)

    # -- importing ---------------------------------------------------------------------

    async def add_draft(
        self, draft: StoryDraft, *, guild_id: int | None, added_by: int | None = None
    ) -> Story:
        if not draft.title.strip():
            raise ImportRejected("the story has no title (give one with --title)")
        if len(draft.title) > MAX_TITLE_LENGTH:
            raise ImportRejected(f"the title is over {MAX_TITLE_LENGTH} characters")
        try:
            for tag in draft.tags():
                _check_tag(tag.name)
        except InvalidInput as problem:
            raise ImportRejected(str(problem)) from None
        passages = await asyncio.to_thread(segment_chapters, draft.chapters)
        story = await self._stories.add(draft, passages, guild_id=guild_id, added_by=added_by,
                                        now=self.clock.now())
        if self._titles is not None:
            self._titles.set(story.id, story.guild_id, story.title)
        await self._changed(story.id)
        return story

    async def import_bytes(
        self,
        data: bytes,
        filename: str,
        *,
        metadata: Mapping[str, object] | None = None,
        guild_id: int | None,
        added_by: int | None = None,
        rating_change: RatingChange = RatingChange.FILL,
    ) -> Story:
        """An uploaded file -> a stored story. Parsing runs off the event loop."""
        draft = await asyncio.to_thread(read_story, data, filename, self.limits)
        if metadata:
            draft = add_metadata(draft, metadata, rating_change=rating_change)
        return await self.add_draft(draft, guild_id=guild_id, added_by=added_by)

    async def import_path(
        self,
        path: Path,
        *,
        metadata: Mapping[str, object] | None = None,
        guild_id: int | None = None,
        added_by: int | None = None,
        rating_change: RatingChange = RatingChange.FILL,
    ) -> Story:
        draft = await asyncio.to_thread(read_story_file, path, self.limits)
        if metadata:
            draft = add_metadata(draft, metadata, rating_change=rating_change)
        return await self.add_draft(draft, guild_id=guild_id, added_by=added_by)

    async def import_paths(
        self,
        paths: Sequence[Path],
        *,
        metadata: Mapping[str, object] | None = None,
        guild_id: int | None = None,
        on_file: Callable[[ImportOutcome], None] | None = None,
        rating_change: RatingChange = RatingChange.FILL,
    ) -> ImportReport:
        """Import every file, going on past bad ones; each story is all-or-nothing."""
        report = ImportReport()
        for path in story_files(paths):
            outcome = ImportOutcome(str(path))
            try:
                outcome.story = await self.import_path(path, metadata=metadata, guild_id=guild_id,
                                                       rating_change=rating_change)
            except DuplicateStory as duplicate:
                outcome.error, outcome.duplicate_of = str(duplicate), duplicate.existing_id
            except ImportRejected as rejected:
                outcome.error = str(rejected)
            except OSError as problem:
                outcome.error = f"cannot read the file ({problem.strerror or problem})"
            report.outcomes.append(outcome)
            if on_file is not None:
                on_file(outcome)
        return report

    async def ensure_demo_library(self, folder: Path) -> ImportReport | None:
        """Build the bundled demo library the first time the database is opened."""
        if await self._stories.count(None) > 0 or not folder.is_dir():
            return None
        return await self.import_paths([folder], guild_id=None)

    # -- browsing ----------------------------------------------------------------------

    async def get(self, story_id: int, visibility: Visibility) -> Story:
        return await self._stories.get(story_id, visibility)

    async def list(
        self,
        visibility: Visibility,
        *,
        tags: Sequence[str] = (),
        sort: SortOrder = "title",
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Story]:
        keys = [tag_key(t) for t in tags if tag_key(t)]
        return await self._stories.list(visibility, tag_keys=keys, sort=sort, limit=limit,
                                       offset=offset)

    async def search(self, query: str, visibility: Visibility,
                     limit: int = 25) -> builtins.list[Story]:
        if not query.strip():
            raise InvalidInput("the search is empty: give a word or two")
        return await self._stories.search(visibility, query, limit=limit)

    async def remove(self, story_id: int, visibility: Visibility) -> Story:
        story = await self._stories.remove(story_id, visibility)
        if self._titles is not None:
            self._titles.discard(story_id)
        await self._changed(story_id)
        return story

    async def edit(
        self,
        story_id: int,
        visibility: Visibility,
        *,
        title: str | None = None,
        summary: str | None = None,
        rating: Rating | None = None,
        add_tags: Sequence[Tag] = (),
        remove_tags: Sequence[Tag] = (),
    ) -> Story:
        """Fix a story's metadata; tags are added or removed by kind and name."""
        await self._stories.get(story_id, visibility)
        if title is not None and not (0 < len(title.strip()) <= MAX_TITLE_LENGTH):
            raise InvalidInput(f"a title must be 1 to {MAX_TITLE_LENGTH} characters")
        cleaned = [Tag(t.kind, clean_tag_name(_check_tag(t.name))) for t in add_tags]
        await self._stories.update(
            story_id, title=title and title.strip(), summary=summary, rating=rating,
            add_tags=cleaned, remove_tag_keys=[(t.kind, tag_key(t.name)) for t in remove_tags],
        )
        story = await self._stories.get(story_id, visibility)
        if self._titles is not None:
            self._titles.set(story.id, story.guild_id, story.title)
        await self._changed(story.id)
        return story

    # -- finding a story from what someone typed -------------------------------------

    async def _title_index(self) -> TitleIndex:
        async with self._titles_building:  # one build, however many keystrokes wait for it
            if self._titles is None:
                rows = builtins.list(await self._stories.titles())
                # Seconds of sorting at 100k titles: in a thread, so the loop keeps answering.
                self._titles = await asyncio.to_thread(TitleIndex, rows)
        return self._titles

    async def titles(self, visibility: Visibility) -> Mapping[int, str]:
        """id -> title of every story in view: a live window, not a copy."""
        return (await self._title_index()).view(visibility)

    async def story_choices(
        self, query: str, visibility: Visibility
    ) -> builtins.list[tuple[int, str]]:
        return (await self._title_index()).choices(query, visibility)

    async def tag_choices(self, query: str, kind: TagKind | None = None) -> builtins.list[str]:
        """Tag names (canonical and synonyms) for autocomplete, best match first."""
        if kind is not None:
            rows = [row for row in await self._tags.all() if row.kind is kind]
            found = fuzzy_matches(query, {row.id: row.name for row in rows})
        else:  # every keystroke: from memory, read again only after the library changed
            written = self._write_count()
            if self._tag_names is None or self._tag_names[0] != written:
                rows = await self._tags.all()
                self._tag_names = (written, TitleIndex([(r.id, None, r.name) for r in rows]))
            found = self._tag_names[1].choices(query, None)
        return list(dict.fromkeys(name for _, name in found))

    async def resolve(self, text: str, visibility: Visibility) -> Story:
        """The story someone meant: an id (what autocomplete sends) or a title."""
        if text.strip().isdigit():  # the common case: no need to scan every title
            try:
                return await self._stories.get(int(text), visibility)
            except StoryNotFound:
                pass
        titles = await self.titles(visibility)
        story_id = resolve_name(text, titles)
        if story_id is None:
            nearest = suggestion(text, titles)
            hint = f"; did you mean “{nearest}”?" if nearest else ""
            raise InvalidInput(f"no story called “{text.strip()[:100]}”{hint}")
        try:
            return await self._stories.get(story_id, visibility)
        except StoryNotFound:
            raise StoryNotFound(text.strip()[:100]) from None

    async def passages(
        self, story_id: int, visibility: Visibility
    ) -> builtins.list[Passage]:
        await self._stories.get(story_id, visibility)
        return await self._stories.passages(story_id)

    async def tag_counts(self, kind: TagKind | None = None) -> builtins.list[TagCount]:
        return await self._tags.counts(kind)


def _check_tag(name: str) -> str:
    if not name.strip():
        raise InvalidInput("a tag cannot be empty")
    if len(name) > MAX_TAG_LENGTH:
        raise InvalidInput(f"the tag “{name[:40]}…” is over {MAX_TAG_LENGTH} characters")
    return name
