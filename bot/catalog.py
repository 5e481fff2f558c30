"""The library as the command line and the cogs use it: import, browse, remove.

It joins the importers (bytes -> StoryDraft), segmentation (StoryDraft -> passages) and the
store (SQL). Nothing here knows about Discord.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from bot.catalog_lines import LineCache
from bot.catalog_lookup import CatalogLookup
from bot.folder_import import FolderImport, ImportOutcome, ImportReport
from bot.importers import read_story, read_story_file
from bot.importers.base import ImportLimits
from bot.importers.sidecar import add_metadata
from bot.library.clock import Clock, SystemClock
from bot.library.draft_checks import MAX_TITLE_LENGTH, check_draft, check_tag_name
from bot.library.errors import (
    InvalidInput,
    StoryNotFound,
)
from bot.library.gate import Gate, Shown, title_matches
from bot.library.models import ListedStory, Passage, Rating, Story, StoryDraft, Tag, TagKind
from bot.library.overlay import TagOverlay, lines_seen_through
from bot.library.rating_change import RatingChange
from bot.library.records import (
    SearchHits,
    SortOrder,
    StoryFilter,
    TagCount,
    TitleRow,
)
from bot.library.segmentation import segment_chapters
from bot.library.tags import clean_tag_name, tag_key
from bot.library.visibility import ALL_GUILDS, Visibility, can_see
from bot.store.protocol import Store
from bot.story_files import story_files


class Catalog:
    def __init__(self, store: Store, limits: ImportLimits | None = None,
                 clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._stories = store.stories
        self._tags = store.tags
        self._bulk = store.bulk
        self.limits = limits or ImportLimits()
        # Titles and tag names in memory, for autocomplete and typed titles; told of every
        # add, edit and remove made here.
        self._lookup = CatalogLookup(store.stories, store.tags, store.write_count)
        # List lines in memory (pages, searches and recommendations show the same ones
        # again and again); dropped with every change the listeners hear of.
        self._lines = LineCache()
        # Called with a story id after it was added, edited or removed (e.g. to keep the
        # recommendation index in step). Listeners must not raise.
        self.change_listeners: list[Callable[[int], Awaitable[None]]] = []

    async def _changed(self, story_id: int) -> None:
        self._lines.drop((story_id,))
        for listener in self.change_listeners:
            await listener(story_id)

    # -- importing ---------------------------------------------------------------------

    async def add_draft(
        self, draft: StoryDraft, *, guild_id: int | None, added_by: int | None = None
    ) -> Story:
        check_draft(draft)
        passages = await asyncio.to_thread(segment_chapters, draft.chapters)
        story = await self._stories.add(draft, passages, guild_id=guild_id, added_by=added_by,
                                        now=self.clock.now())
        await self._added(story)
        return story

    async def _added(self, story: Story) -> None:
        """A new story: into the title index, then to the listeners."""
        self._lookup.set_title(story.id, story.guild_id, story.title, story.rating)
        await self._changed(story.id)

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
        added_by: int | None = None,
        on_file: Callable[[ImportOutcome], None] | None = None,
        rating_change: RatingChange = RatingChange.FILL,
        workers: int | None = None,
    ) -> ImportReport:
        """Import every file, going on past bad ones (bot.folder_import: parsed in a process
        pool, stored in batches); each story is all-or-nothing, and `on_file` hears of a
        file once its story is committed (or refused)."""
        run = FolderImport(self._bulk, self.clock, self.limits, check_draft, self._added,
                           guild_id=guild_id, added_by=added_by, metadata=metadata,
                           rating_change=rating_change, on_file=on_file, workers=workers)
        return await run.run(list(story_files(paths)))

    async def ensure_demo_library(self, folder: Path) -> ImportReport | None:
        """Build the bundled demo library the first time the database is opened."""
        if await self._stories.count(None) > 0 or not folder.is_dir():
            return None
        return await self.import_paths([folder], guild_id=None)

    # -- browsing ----------------------------------------------------------------------

    async def get(self, story_id: int, visibility: Visibility) -> Story:
        return await self._stories.get(story_id, visibility)

    async def get_many(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[Story]:
        """The visible ones, in the order given (a story removed meanwhile is left out)."""
        return await self._stories.get_many(story_ids, visibility)

    async def lines_of(self, story_ids: Sequence[int], visibility: Visibility
                       ) -> builtins.list[ListedStory]:
        """`get_many`, as list lines (authors, rating, length, fandoms and warnings): the
        visible ones, in the order given."""
        found = await self._lines.lines_of(story_ids, self._read_lines)
        return [line for story_id in story_ids
                if (line := found.get(story_id)) is not None
                and can_see(visibility, line.guild_id)]

    async def _read_lines(self, story_ids: builtins.list[int]) -> builtins.list[ListedStory]:
        return await self._stories.lines_of(story_ids, ALL_GUILDS)

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
                     limit: int = 25) -> SearchHits[Story]:
        if not query.strip():
            raise InvalidInput("the search is empty: give a word or two")
        return await self._stories.search(visibility, query, limit=limit)

    async def remove(self, story_id: int, visibility: Visibility) -> Story:
        story = await self._stories.remove(story_id, visibility)
        self._lookup.drop_title(story_id)
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
        cleaned = [Tag(t.kind, clean_tag_name(check_tag_name(t.name))) for t in add_tags]
        await self._stories.update(
            story_id, title=title and title.strip(), summary=summary, rating=rating,
            add_tags=cleaned, remove_tag_keys=[(t.kind, tag_key(t.name)) for t in remove_tags],
        )
        self._lines.drop((story_id,))  # at once: no page shows the old rating after the write
        story = await self._stories.get(story_id, visibility)
        self._lookup.set_title(story.id, story.guild_id, story.title, story.rating)
        await self._changed(story.id)
        return story

    # -- a channel's view (bot/library/gate.py decides what it may show) ----------------

    async def list_shown(
        self,
        gate: Gate,
        *,
        tag_groups: Sequence[frozenset[int]] = (),
        sort: SortOrder = "title",
        limit: int = 100,
    ) -> builtins.list[ListedStory]:
        """Stories a channel may list, optionally carrying a tag of every group, as a list
        shows them: a line each (no summaries, no tags but fandoms and warnings)."""
        return lines_seen_through(
            await self._lines_listed(gate, tag_groups=tag_groups, sort=sort, limit=limit),
            gate.overlay)

    async def _lines_listed(self, gate: Gate, *, tag_groups: Sequence[frozenset[int]],
                            sort: SortOrder = "title", limit: int) -> builtins.list[ListedStory]:
        """`list_shown`'s lines with the shared tag names."""
        listed = gate.listed
        shown = StoryFilter(listed.ratings, listed.without_tag_ids, tuple(tag_groups))
        story_ids = await self._stories.list_ids(gate.visibility, sort=sort, limit=limit,
                                                 shown=shown)
        return await self.lines_of(story_ids, ALL_GUILDS)  # the page is in view already

    async def search_shown(self, query: str, gate: Gate,
                           limit: int = 25) -> SearchHits[ListedStory]:
        """A search in a channel, a line of each story found (a list shows no more): a
        restricted story matches on its title alone."""
        if not query.strip():
            raise InvalidInput("the search is empty: give a word or two")
        hits = await self._stories.search_ids(gate.visibility, query, limit=limit,
                                              shown=gate.listed)
        found = await self.lines_of(hits, gate.visibility)
        # The server's own tag names (renames, merges) are not in the shared search index:
        # a search naming one finds the stories carrying that tag here, first.
        group = gate.overlay.group_named(query)
        if group:
            tagged = await self._lines_listed(gate, tag_groups=[group], limit=limit)
            found = list({story.id: story for story in [*tagged, *found]}.values())[:limit]
        return SearchHits[ListedStory](
            lines_seen_through((story for story in found
                                if gate.shows(story.id, story.guild_id, story.rating)
                                is Shown.FULL or title_matches(query, story.title)),
                               gate.overlay),
            newest_only=hits.newest_only)

    # -- finding a story from what someone typed (bot/catalog_lookup.py) ---------------

    async def story_count(self) -> int:
        """Stories in the whole library (reads the title rows once, as autocomplete does)."""
        return len(await self._lookup.rows())

    async def titles(self, view: Visibility | Gate) -> dict[int, str]:
        """Titles of the stories in view (for a Gate: those the channel may name)."""
        return await self._lookup.titles(view)

    async def shown_titles(self, gate: Gate) -> Mapping[int, str]:
        """The titles a channel may name, looked up at the same cost at any library size."""
        return await self._lookup.shown_titles(gate)

    async def own_titles(self, guild_id: int) -> dict[int, str]:
        """Titles of the stories one server added (not the demo library)."""
        return await self._lookup.own_titles(guild_id)

    async def chapters_appended(self, story_id: int) -> None:
        """A story grew chapters from its site (bot/services/story_links.py): its length
        changed, and its passages."""
        await self._changed(story_id)

    def vocabulary_changed(self) -> None:
        """The shared tag names changed (a merge or a rename, here or in another process):
        lines show fandoms and warnings by them. Rare enough to drop every line."""
        self._lines.clear()

    async def forget_stories(self, story_ids: Sequence[int]) -> None:
        """Stories deleted behind the catalog's back (a server's data purged): drop them
        from the title index and tell the listeners."""
        for story_id in story_ids:
            self._lookup.drop_title(story_id)
            await self._changed(story_id)

    async def reread_titles(self, story_ids: Sequence[int] | None) -> None:
        """Stories another process added, edited or removed (None: any may have changed):
        their title rows are read again, and the tag rows later."""
        if story_ids is None:
            self._lines.clear()
        else:
            self._lines.drop(story_ids)
        await self._lookup.reread(story_ids)

    async def story_choices(
        self, query: str, view: Visibility | Gate
    ) -> builtins.list[tuple[int, str]]:
        """Autocomplete of a story's title, among those in view."""
        return await self._lookup.story_choices(query, view)

    async def tag_choices(self, query: str, kind: TagKind | None = None,
                          overlay: TagOverlay | None = None) -> builtins.list[str]:
        """Tag names (canonical and synonyms, and a server's own names) for autocomplete."""
        return await self._lookup.tag_choices(query, kind, overlay)

    async def resolve(self, text: str, view: Visibility | Gate) -> Story:
        """The story someone meant: an id (what autocomplete sends) or a title typed exactly.

        Never a guess: anything else is "no story called …" with up to three visible
        suggestions."""
        row = await self.resolve_title(text, view)
        try:
            return await self._stories.get(row.story_id,
                                           view.visibility if isinstance(view, Gate) else view)
        except StoryNotFound:  # removed by another process since its title row was read
            raise StoryNotFound(text.strip()[:100]) from None

    async def resolve_title(self, text: str, view: Visibility | Gate) -> TitleRow:
        """`resolve` from the title rows kept in memory, without reading the story: for
        callers that need only its id, title, server and rating."""
        return await self._lookup.resolve_title(text, view)

    async def passages(
        self, story_id: int, visibility: Visibility
    ) -> builtins.list[Passage]:
        await self._stories.get(story_id, visibility)
        return await self._stories.passages(story_id)

    async def tag_counts(self, kind: TagKind | None = None, *, limit: int | None = None,
                         offset: int = 0) -> builtins.list[TagCount]:
        """The shared tags over the whole library (the operator's view), a page at a time."""
        return await self._tags.counts(kind, limit=limit, offset=offset)
