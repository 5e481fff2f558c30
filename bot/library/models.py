"""Plain data the whole application passes around.

Chapter text is Discord-flavoured Markdown: paragraphs separated by one blank line, and a
scene break written as a paragraph holding only SCENE_BREAK, so it is kept as a break and
never counted or shown as story text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum

SCENE_BREAK = "⁂"
PARAGRAPH_SEPARATOR = "\n\n"


class TagKind(StrEnum):
    RATING = "rating"
    WARNING = "warning"
    CATEGORY = "category"
    FANDOM = "fandom"
    RELATIONSHIP = "relationship"
    CHARACTER = "character"
    FREEFORM = "freeform"


class Rating(StrEnum):
    """AO3's ratings, in increasing order of explicitness (NOT_RATED treated as explicit)."""

    GENERAL = "General Audiences"
    TEEN = "Teen And Up Audiences"
    MATURE = "Mature"
    EXPLICIT = "Explicit"
    NOT_RATED = "Not Rated"

    @property
    def needs_age_restricted_channel(self) -> bool:
        return self in (Rating.MATURE, Rating.EXPLICIT, Rating.NOT_RATED)


# Kinds and ratings by their stored text. A read builds hundreds of tags (a list page, about
# 800): a dict lookup is several times cheaper than TagKind(text), which runs Enum's
# constructor each time.
TAG_KIND_OF: dict[str, TagKind] = {kind.value: kind for kind in TagKind}
RATING_OF: dict[str, Rating] = {rating.value: rating for rating in Rating}


# A word: a whole run of word characters, apostrophes and hyphens holding a letter or digit
# ([^\W_]). Anchored at the run's start and lazy up to its first letter, so it stays linear.
_WORD = re.compile(r"(?<![\w'’-])[\w'’-]*?[^\W_][\w'’-]*")


def count_words(text: str) -> int:
    """Words as readers count them: runs of letters/digits, apostrophes and hyphens inside."""
    return len(_WORD.findall(text))


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split(PARAGRAPH_SEPARATOR) if p.strip()]


def body_words(text: str) -> int:
    """Words of a chapter body, leaving scene-break markers out."""
    return sum(count_words(p) for p in paragraphs(text) if p.strip() != SCENE_BREAK)


@dataclass(frozen=True)
class Tag:
    kind: TagKind
    name: str


@dataclass
class Chapter:
    number: int
    title: str
    text: str

    @property
    def words(self) -> int:
        return body_words(self.text)


@dataclass
class StoryDraft:
    """A story as an importer read it, before it has an id."""

    title: str
    authors: list[str]
    chapters: list[Chapter]
    rating: Rating | None = None
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeform: list[str] = field(default_factory=list)
    language: str | None = None
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    # None when the file does not say; importers that know set True/False.
    complete: bool | None = None
    # Planned chapter count when the file says (AO3 "3/?" -> None, "3/5" -> 5).
    expected_chapters: int | None = None
    series: str | None = None
    source: str | None = None
    format: str = ""
    # True when the file carries no title and `title` was made from its name: a curator's
    # title option may then replace it (options only fill what a file lacks).
    title_from_file_name: bool = False
    # From a story's site (bot/sources): when it was first posted and last updated there,
    # and its place in `series` ("Name [3]" -> 3).
    published: date | None = None
    updated: date | None = None
    series_part: int | None = None

    @property
    def words(self) -> int:
        return sum(chapter.words for chapter in self.chapters)

    def listed_tags(self) -> tuple[tuple[TagKind, list[str]], ...]:
        """The tag names of each listed kind (the rating aside), in AO3's order of kinds."""
        return (
            (TagKind.WARNING, self.warnings),
            (TagKind.CATEGORY, self.categories),
            (TagKind.FANDOM, self.fandoms),
            (TagKind.RELATIONSHIP, self.relationships),
            (TagKind.CHARACTER, self.characters),
            (TagKind.FREEFORM, self.freeform),
        )

    def tags(self) -> list[Tag]:
        """Every tag of the draft, rating included, in AO3's order of kinds."""
        out: list[Tag] = []
        if self.rating is not None:
            out.append(Tag(TagKind.RATING, self.rating.value))
        for kind, names in self.listed_tags():
            out.extend(Tag(kind, name) for name in names)
        return out


@dataclass
class Story:
    """A stored story. Chapters are loaded only when asked for (they can be large)."""

    id: int
    guild_id: int | None
    title: str
    authors: list[str]
    rating: Rating
    tags: list[Tag]
    language: str | None
    summary: str
    notes: str
    end_notes: str
    words: int
    chapter_count: int
    complete: bool | None
    series: str | None
    source: str | None
    format: str
    added_by: int | None
    added_at: datetime
    chapters: list[Chapter] = field(default_factory=list)
    # From a story's site (bot/sources); None for files that did not say.
    published: date | None = None
    updated: date | None = None
    series_part: int | None = None
    # When the site was last asked for new chapters, and when it stopped having the work.
    source_checked_at: datetime | None = None
    source_gone_at: datetime | None = None

    @property
    def follows_source(self) -> bool:
        """Checked for new chapters: it has a source that still has it, and is not complete."""
        return bool(self.source) and self.complete is not True and self.source_gone_at is None

    def tag_names(self, kind: TagKind) -> list[str]:
        return [tag.name for tag in self.tags if tag.kind is kind]

    @property
    def warnings(self) -> list[str]:
        return self.tag_names(TagKind.WARNING)

    @property
    def fandoms(self) -> list[str]:
        return self.tag_names(TagKind.FANDOM)

    def to_json(self) -> dict[str, object]:
        """The story record the CLI prints (DESIGN.md, "The command line")."""
        return {
            "id": self.id,
            "title": self.title,
            "authors": self.authors,
            "rating": self.rating.value,
            "warnings": self.warnings,
            "categories": self.tag_names(TagKind.CATEGORY),
            "fandoms": self.fandoms,
            "relationships": self.tag_names(TagKind.RELATIONSHIP),
            "characters": self.tag_names(TagKind.CHARACTER),
            "tags": self.tag_names(TagKind.FREEFORM),
            "language": self.language,
            "summary": self.summary,
            "notes": self.notes,
            "end_notes": self.end_notes,
            "words": self.words,
            "chapters": self.chapter_count,
            "complete": self.complete,
            "series": self.series,
            "source": self.source,
            "format": self.format,
            "guild_id": self.guild_id,
        }


@dataclass(slots=True)
class ListedStory:
    """What one line of a story list shows (bot/render/story_cards.py): who wrote it, its
    first fandom, rating and length, and its warnings for a restricted line. A list reads
    only these, not a whole Story with every tag."""

    id: int
    guild_id: int | None
    title: str
    authors: list[str]
    rating: Rating
    words: int
    fandoms: list[str]
    warnings: list[str]


class Cut(IntEnum):
    """Where a passage boundary falls; a higher value is a cleaner place to cut."""

    INSIDE_WORD = 0  # a whitespace-free run over a limit was split
    WORD = 1  # between two words of one sentence
    SENTENCE = 2  # between two sentences (or lines) of one paragraph
    PARAGRAPH = 3  # between two paragraphs of one scene
    SCENE = 4  # start or end of a scene or chapter

    @property
    def mid_sentence(self) -> bool:
        return self <= Cut.WORD


@dataclass(frozen=True)
class Passage:
    """An excerpt unit of a story, stored with a stable id that reactions and feedback
    attach to, with where it was cut (the card shows "…" at a mid-sentence cut)."""

    id: int
    story_id: int
    seq: int
    chapter: int
    text: str
    words: int
    cut_before: Cut = Cut.PARAGRAPH
    cut_after: Cut = Cut.PARAGRAPH
    story_passage_count: int = 0  # how many passages the story has (0: not read)
