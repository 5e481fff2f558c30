"""Finding a story or a tag from what someone typed: the catalog's title rows and tag names,
kept in memory so that autocomplete and a typed title answer at any library size.

The catalog (bot/catalog.py) tells this of every story it adds, edits or removes; stories
changed by another process are read again (`reread`). Nothing here knows about Discord.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

from bot.library.errors import StoryNotFound
from bot.library.gate import Gate, Shown
from bot.library.lookup import AUTOCOMPLETE_LIMIT, fuzzy_matches
from bot.library.models import Rating, TagKind
from bot.library.overlay import TagOverlay
from bot.library.records import TagRow, TitleRow
from bot.library.shown_titles import ShownTitles, title_named, titles_in_view
from bot.library.tag_names import tag_name_choices, tag_name_index
from bot.library.title_index import FUZZY_LIMIT, TitleIndex
from bot.library.visibility import ALL_GUILDS, Visibility
from bot.store.protocol import StoryStore, TagStore

# Gates whose nameable titles are kept: each typing reader has their own gate, and each
# entry holds up to FUZZY_LIMIT titles (about 0.5 MB), so a few, for those typing now.
SHOWN_TITLES_KEPT = 16


class CatalogLookup:
    def __init__(self, stories: StoryStore, tags: TagStore,
                 write_count: Callable[[], int]) -> None:
        self._stories = stories
        self._tags = tags
        # id -> (id, guild_id, title, rating) of every story, for instant autocomplete; kept
        # in step with every add, edit and remove made through the catalog.
        self._titles: dict[int, TitleRow] | None = None
        # The same titles by prefix, for autocomplete at any library size (built on first
        # use, off the event loop; kept in step with `_titles`).
        self._title_index: TitleIndex | None = None
        self._title_index_building = asyncio.Lock()
        # Bumped by every change to the title rows; the titles a channel may name are kept
        # per gate until it moves (a small library's autocomplete matches all of them on
        # every keystroke, and working out which a channel may name was most of that).
        self._titles_version = 0
        self._shown_by_gate: dict[int, tuple[Gate, int, dict[int, str]]] = {}
        # Tag rows for autocomplete, with the store's write count when they were read.
        self._write_count = write_count
        self._tag_rows: tuple[int, list[TagRow]] | None = None
        # Those rows' names by prefix, per kind (None: every kind), for tag autocomplete.
        self._tag_indexes: tuple[list[TagRow], dict[TagKind | None, TitleIndex]] | None = None

    # -- kept in step with the library ---------------------------------------------------

    async def rows(self) -> dict[int, TitleRow]:
        """Every story's title row (read once, then kept in step)."""
        if self._titles is None:
            self._titles = {row.story_id: row for row in await self._stories.titles()}
            self._titles_version += 1
        return self._titles

    def set_title(self, story_id: int, guild_id: int | None, title: str,
                  rating: Rating) -> None:
        """A story added or edited: its title row, in every copy kept."""
        if self._titles is not None:
            self._titles[story_id] = TitleRow(story_id, guild_id, title, rating)
        if self._title_index is not None:
            self._title_index.set(story_id, guild_id, title)
        self._titles_version += 1

    def drop_title(self, story_id: int) -> None:
        if self._titles is not None:
            self._titles.pop(story_id, None)
        if self._title_index is not None:
            self._title_index.discard(story_id)
        self._titles_version += 1

    async def reread(self, story_ids: Sequence[int] | None) -> None:
        """Stories another process added, edited or removed (None: any may have changed):
        their title rows are read again, and the tag rows (a story brings new tags) later."""
        self._tag_rows = None
        if story_ids is None:
            self._titles = self._title_index = None
            self._titles_version += 1
        for story_id in story_ids or ():
            try:
                story = await self._stories.get(story_id, ALL_GUILDS)
            except StoryNotFound:
                self.drop_title(story_id)
                continue
            self.set_title(story_id, story.guild_id, story.title, story.rating)

    # -- titles in a view ------------------------------------------------------------------

    async def titles(self, view: Visibility | Gate) -> dict[int, str]:
        """Titles of the stories in view (for a Gate: those the channel may name)."""
        return titles_in_view(await self.rows(), view)

    async def shown_titles(self, gate: Gate) -> Mapping[int, str]:
        """The titles a channel may name, as a view over the title rows: a lookup costs the
        same at any library size (`titles` copies every one)."""
        return ShownTitles(await self.rows(), gate)

    async def own_titles(self, guild_id: int) -> dict[int, str]:
        """Titles of the stories one server added (not the demo library)."""
        return {row.story_id: row.title for row in (await self.rows()).values()
                if row.guild_id == guild_id}

    async def resolve_title(self, text: str, view: Visibility | Gate) -> TitleRow:
        """The title row of the story someone meant: an id or a title typed exactly (see
        Catalog.resolve)."""
        return title_named(text, await self.rows(), view)

    async def _shown(self, gate: Gate) -> dict[int, str]:
        """`titles(gate)`, kept while the gate (the same object: gates are cached while
        what they are made of is unchanged) and the title rows are."""
        rows = await self.rows()
        kept = self._shown_by_gate.get(id(gate))
        if kept is not None and kept[0] is gate and kept[1] == self._titles_version:
            return kept[2]
        shown = titles_in_view(rows, gate)
        if len(self._shown_by_gate) >= SHOWN_TITLES_KEPT:
            self._shown_by_gate.clear()
        self._shown_by_gate[id(gate)] = (gate, self._titles_version, shown)
        return shown

    # -- autocomplete ----------------------------------------------------------------------

    async def story_choices(self, query: str, view: Visibility | Gate) -> list[tuple[int, str]]:
        """Fuzzy in a small library; past that, titles (and title words) starting with what
        was typed, from the prefix index, filtered by the view."""
        rows = await self.rows()
        if len(rows) < FUZZY_LIMIT:
            named = await self._shown(view) if isinstance(view, Gate) else await self.titles(view)
            return fuzzy_matches(query, named)
        index = await self._prefix_index(rows)
        if not isinstance(view, Gate):
            return index.choices(query, view)
        found = index.choices(query, view.visibility, limit=4 * AUTOCOMPLETE_LIMIT)
        shown = [(sid, title) for sid, title in found if sid in rows
                 and view.shows(sid, rows[sid].guild_id, rows[sid].rating) is not Shown.HIDDEN]
        return shown[:AUTOCOMPLETE_LIMIT]

    async def _prefix_index(self, rows: dict[int, TitleRow]) -> TitleIndex:
        async with self._title_index_building:  # one build, however many keystrokes wait
            if self._title_index is None:
                listed = [(row.story_id, row.guild_id, row.title) for row in rows.values()]
                self._title_index = await asyncio.to_thread(TitleIndex, listed)
        return self._title_index

    async def tag_choices(self, query: str, kind: TagKind | None = None,
                          overlay: TagOverlay | None = None) -> list[str]:
        """Tag names (canonical and synonyms, and a server's own names)."""
        local: dict[int, str] = {}
        if overlay is not None:  # local names first, under ids no tag row uses
            local = {-tag_id: name for tag_id, name in overlay.renamed.items()
                     if tag_id in overlay.rows and (kind is None
                                                    or overlay.rows[tag_id].kind is kind)}
        return tag_name_choices(query, await self._tag_index(kind), local)

    async def _all_tags(self) -> list[TagRow]:
        """Every tag row, read again only after the library was written (each keystroke of
        a tag autocomplete would otherwise read them all)."""
        written = self._write_count()
        if self._tag_rows is None or self._tag_rows[0] != written:
            self._tag_rows = (written, await self._tags.all())
        return self._tag_rows[1]

    async def _tag_index(self, kind: TagKind | None) -> TitleIndex:
        """Tag names of one kind (or all) by prefix, built off the event loop once per
        change of the vocabulary: a keystroke never walks every tag."""
        rows = await self._all_tags()
        if self._tag_indexes is None or self._tag_indexes[0] is not rows:
            self._tag_indexes = (rows, {})
        built = self._tag_indexes[1]
        if kind not in built:
            built[kind] = await asyncio.to_thread(tag_name_index, rows, kind)
        return built[kind]
