"""What both backends' bulk writers decide the same way: which stories of a batch are new
(and which repeat a stored story or an earlier one of the batch), and the rows to write.

The rules are StoryStore.add's, so a story stored in a batch is the story add would have
stored: the same columns, authors and tags in the same positions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from bot.library.errors import DuplicateStory
from bot.library.models import RATING_OF, TAG_KIND_OF, Rating, Story, StoryDraft, Tag, TagKind
from bot.library.records import PassageLike
from bot.library.tags import tag_key
from bot.library.vocabulary import language_code
from bot.store.passage_spans import PassageSpans
from bot.store.search_words import search_words
from bot.store.story_rows import content_hash, day_of, is_web_link, iso_day, passage_row

# value (a fingerprint or a source) -> (id, title) of the first stored story carrying it
Lookup = Callable[[list[str]], Awaitable[dict[str, tuple[int, str]]]]
TagKey = tuple[str, str]


class StoryFacts(NamedTuple):
    """What the writer derives from a story's whole text, worked out ahead (in a parsing
    worker, beside the parse) so that the one writing process does not read it all again."""

    fingerprint: str
    words: int
    # The text's distinct words, as its full-text search row holds them (search_words).
    search_words: str


class StoryRow(NamedTuple):
    """A stories row, its fields in the table's column order."""

    id: int
    guild_id: int | None
    title: str
    summary: str
    notes: str
    end_notes: str
    rating: str
    language: str | None
    words: int
    chapters: int
    complete: int | None
    series: str | None
    source: str | None
    format: str
    content_hash: str
    added_by: int | None
    added_at: str
    published: str | None
    updated: str | None
    series_part: int | None


def story_facts(draft: StoryDraft) -> StoryFacts:
    return StoryFacts(content_hash(draft.chapters), draft.words,
                      search_words(chapter.text for chapter in draft.chapters))


@dataclass
class BatchRows:
    """The rows of a batch's new stories; authors and tags wait for their ids."""

    stories: list[StoryRow] = field(default_factory=list)
    chapters: list[tuple[object, ...]] = field(default_factory=list)
    passages: list[tuple[int, Sequence[PassageLike]]] = field(default_factory=list)
    # Every distinct author name and tag of the batch, in order of first appearance.
    author_names: list[str] = field(default_factory=list)
    tags: dict[TagKey, Tag] = field(default_factory=dict)
    # Per new story: its author names and tag keys, in the order given.
    authors_of: list[tuple[int, list[str]]] = field(default_factory=list)
    tag_keys_of: list[tuple[int, list[TagKey]]] = field(default_factory=list)

    def story_authors(self, author_ids: dict[str, int]) -> list[tuple[int, int, int]]:
        """(story_id, author_id, position): positions as given, a repeated name once."""
        rows = []
        for story_id, names in self.authors_of:
            seen: set[int] = set()
            for position, name in enumerate(names):
                if author_ids[name] not in seen:
                    seen.add(author_ids[name])
                    rows.append((story_id, author_ids[name], position))
        return rows

    def story_tags(self, tag_ids: dict[TagKey, int]) -> list[tuple[int, int, int]]:
        """(story_id, tag_id, position): the rating first, a tag met twice once."""
        rows = []
        for story_id, keys in self.tag_keys_of:
            seen: set[int] = set()
            for position, key in enumerate(keys):
                if tag_ids[key] not in seen:
                    seen.add(tag_ids[key])
                    rows.append((story_id, tag_ids[key], position))
        return rows

    def passage_rows(self) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for story_id, passages in self.passages:
            if isinstance(passages, PassageSpans):
                rows += passages.rows(story_id)
            else:
                rows += [passage_row(story_id, passage) for passage in passages]
        return rows

    def stored_stories(self, tag_ids: dict[TagKey, int],
                       tag_names: dict[int, str]) -> list[Story]:
        """The new stories as StoryRepository.get reads them back once committed, built
        from the rows written (the same values, through the same conversions) instead of
        read again: `tag_names` is each tag id's stored name (a tag already in the library
        keeps its name, whatever case or spacing the draft gave it)."""
        tag_of: dict[int, Tag] = {}
        for (kind, _), tag_id in tag_ids.items():
            tag_of[tag_id] = Tag(TAG_KIND_OF[kind], tag_names[tag_id])
        stories = []
        for row, (_, names), (_, keys) in zip(self.stories, self.authors_of, self.tag_keys_of,
                                              strict=True):
            stories.append(Story(
                id=row.id, guild_id=row.guild_id, title=row.title,
                authors=list(dict.fromkeys(names)), rating=RATING_OF[row.rating],
                tags=[tag_of[tag_id] for tag_id in dict.fromkeys(tag_ids[key] for key in keys)],
                language=row.language, summary=row.summary, notes=row.notes,
                end_notes=row.end_notes, words=row.words, chapter_count=row.chapters,
                complete=None if row.complete is None else bool(row.complete),
                series=row.series, source=row.source, format=row.format,
                added_by=row.added_by, added_at=datetime.fromisoformat(row.added_at),
                published=day_of(row.published), updated=day_of(row.updated),
                series_part=row.series_part,
            ))
        return stories


@dataclass
class BatchPlan:
    """Per story of the batch, in order: its new id, or the duplicate it is."""

    outcomes: list[int | DuplicateStory]
    facts: list[StoryFacts]

    @property
    def new_ids(self) -> list[int]:
        return [outcome for outcome in self.outcomes if isinstance(outcome, int)]

    def search_words(self) -> dict[int, str]:
        """Each new story's id and the words of its search row."""
        return {outcome: facts.search_words
                for outcome, facts in zip(self.outcomes, self.facts, strict=True)
                if isinstance(outcome, int)}

    def rows(self, batch: Sequence[tuple[StoryDraft, Sequence[PassageLike]]], *,
             guild_id: int | None, added_by: int | None, added_at: str) -> BatchRows:
        rows = BatchRows()
        authors: dict[str, None] = {}
        # The stories of a batch share most of their tags: each name is keyed once.
        keys_of: dict[tuple[TagKind, str], TagKey] = {}
        for outcome, (fingerprint, words, _), (draft, passages) in zip(
                self.outcomes, self.facts, batch, strict=True):
            if not isinstance(outcome, int):
                continue
            story_id = outcome
            rating = draft.rating or Rating.NOT_RATED
            rows.stories.append(StoryRow(
                story_id, guild_id, draft.title, draft.summary, draft.notes, draft.end_notes,
                rating.value, language_code(draft.language), words, len(draft.chapters),
                None if draft.complete is None else int(draft.complete), draft.series,
                draft.source, draft.format, fingerprint, added_by, added_at,
                iso_day(draft.published), iso_day(draft.updated), draft.series_part,
            ))
            rows.chapters += [(story_id, c.number, c.title, c.text) for c in draft.chapters]
            rows.passages.append((story_id, passages))
            authors.update(dict.fromkeys(draft.authors))
            rows.authors_of.append((story_id, list(draft.authors)))
            # The rating first (a draft without one is stored Not Rated), then the listed
            # kinds in order, as StoryDraft.tags lists them.
            keys = []
            for kind, names in ((TagKind.RATING, [rating.value]), *draft.listed_tags()):
                for name in names:
                    key = keys_of.get((kind, name))
                    if key is None:
                        key = keys_of[kind, name] = (kind.value, tag_key(name))
                        if key not in rows.tags:
                            rows.tags[key] = Tag(kind, name)
                    keys.append(key)
            rows.tag_keys_of.append((story_id, keys))
        rows.author_names = list(authors)
        return rows


async def plan_batch(
    drafts: Sequence[StoryDraft],
    *,
    next_ids: Callable[[int], Awaitable[list[int]]],
    by_hash: Lookup,
    by_source: Lookup,
    facts: Sequence[StoryFacts] | None = None,
) -> BatchPlan:
    """Decide, inside the writer's transaction, which drafts are new.

    A draft repeats a stored story with its fingerprint, else one from its web source (the
    same work from its site, or another format of it); failing both, an earlier new draft
    of the batch with either. New drafts get ids in order. `facts`, when given, are
    story_facts of each draft."""
    known = list(facts) if facts is not None else [story_facts(draft) for draft in drafts]
    hashes = [story.fingerprint for story in known]
    sources = [draft.source if draft.source and is_web_link(draft.source) else None
               for draft in drafts]
    stored_hash = await by_hash(sorted(set(hashes))) if drafts else {}
    wanted_sources = sorted({source for source in sources if source})
    stored_source = await by_source(wanted_sources) if wanted_sources else {}
    # Per draft: a stored (id, title), the index of an earlier new draft, or None (new).
    first_with_hash: dict[str, int] = {}
    first_with_source: dict[str, int] = {}
    decided: list[tuple[int, str] | int | None] = []
    for index, (fingerprint, source) in enumerate(zip(hashes, sources, strict=True)):
        stored = stored_hash.get(fingerprint) or (stored_source.get(source) if source else None)
        earlier = first_with_hash.get(fingerprint)
        if earlier is None and source:
            earlier = first_with_source.get(source)
        if stored is not None:
            decided.append(stored)
        elif earlier is not None:
            decided.append(earlier)
        else:
            decided.append(None)
            first_with_hash[fingerprint] = index
            if source:
                first_with_source.setdefault(source, index)
    fresh = iter(await next_ids(decided.count(None)) if None in decided else [])
    new_id = {index: next(fresh) for index, what in enumerate(decided) if what is None}
    outcomes: list[int | DuplicateStory] = []
    for index, what in enumerate(decided):
        if what is None:
            outcomes.append(new_id[index])
        elif isinstance(what, int):
            outcomes.append(DuplicateStory(new_id[what], drafts[what].title))
        else:
            outcomes.append(DuplicateStory(*what))
    return BatchPlan(outcomes, known)
