"""What a site says about a work, read from FanFicFare's story object.

The story text goes through our importers (FanFicFare's HTML output -> read_story), but
that file flattens some of what AO3 says: it merges AO3's categories and additional tags
into one "Genre" line, and fandoms into "Category". FanFicFare's metadata keeps them apart
(`fandoms`, `ao3categories`, `freeformtags`), so the draft takes AO3's seven tag kinds
from here, and everything else a site reports (status, chapter count, dates, series).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.importers.fanficfare import rating_from_label
from bot.library.models import Rating, StoryDraft

_SERIES = re.compile(r"^(?P<name>.*?)\s*\[(?P<part>\d+(?:\.\d+)?)\]\s*$")


@dataclass
class SiteMetadata:
    """A work's facts as its site reports them (lists in the site's order)."""

    url: str
    site: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    rating: str = ""
    complete: bool | None = None
    chapters: int = 0
    # AO3's "5/12" -> 12; None when the site does not know ("5/?") or does not say.
    expected_chapters: int | None = None
    published: date | None = None
    updated: date | None = None
    series: str | None = None
    series_part: int | None = None
    fandoms: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeform: list[str] = field(default_factory=list)
    language: str | None = None
    # The site asked for adult consent before showing the work.
    adult: bool = False


def read_site_metadata(story: Any, url: str, site: str, adult: bool) -> SiteMetadata:
    """FanFicFare's Story -> SiteMetadata (plain text, entities resolved)."""

    def text(key: str) -> str:
        value = story.getMetadata(key, removeallentities=True)
        return " ".join(str(value).split()) if value else ""

    def items(key: str) -> list[str]:
        return [" ".join(str(v).split()) for v in story.getList(key, removeallentities=True)
                if str(v).strip()]

    status = text("status").lower()
    series, part = _series(text("series"))
    is_ao3_like = bool(items("fandoms") or items("ao3categories") or items("freeformtags"))
    return SiteMetadata(
        url=text("storyUrl") or url,
        site=site,
        title=text("title"),
        authors=items("author"),
        rating=text("rating"),
        complete=status.startswith("complete") if status else None,
        chapters=int(story.getChapterCount()),
        expected_chapters=_expected_chapters(text("chapterslashtotal")),
        published=_day(story.getMetadataRaw("datePublished")),
        updated=_day(story.getMetadataRaw("dateUpdated")),
        series=series,
        series_part=part,
        fandoms=items("fandoms") if is_ao3_like else items("category"),
        warnings=items("warnings"),
        categories=items("ao3categories"),
        relationships=items("ships"),
        characters=items("characters"),
        freeform=items("freeformtags") if is_ao3_like else items("genre"),
        language=text("language") or None,
        adult=adult,
    )


def apply_site_metadata(draft: StoryDraft, meta: SiteMetadata) -> StoryDraft:
    """The draft read from FanFicFare's file, with what only the metadata keeps apart.
    Lists the file already had are replaced only by non-empty site lists."""
    draft.source = meta.url
    draft.published = meta.published
    draft.updated = meta.updated
    if meta.series:
        draft.series = meta.series
        draft.series_part = meta.series_part
    if meta.complete is not None:
        draft.complete = meta.complete
    if meta.complete:
        draft.expected_chapters = len(draft.chapters)
    elif meta.expected_chapters is not None:
        draft.expected_chapters = meta.expected_chapters
    unknown_rating = [tag for tag in draft.freeform if tag.startswith("Rating: ")]
    # The site's tags replace what its download carried, kind by kind.
    draft.fandoms = list(meta.fandoms) or draft.fandoms
    draft.warnings = list(meta.warnings) or draft.warnings
    draft.categories = list(meta.categories) or draft.categories
    draft.relationships = list(meta.relationships) or draft.relationships
    draft.characters = list(meta.characters) or draft.characters
    if meta.freeform:
        draft.freeform = [*meta.freeform, *unknown_rating]
    if meta.rating and draft.rating is None:
        draft.rating = rating_from_label(meta.rating) or Rating.NOT_RATED
    if meta.adult and (draft.rating is None or not draft.rating.needs_age_restricted_channel):
        # The site itself gates the work behind adult consent: whatever its rating label,
        # it is shown only where Mature/Explicit stories are (Not Rated is that rule).
        draft.rating = Rating.NOT_RATED
    return draft


def _series(value: str) -> tuple[str | None, int | None]:
    if not value:
        return None, None
    match = _SERIES.match(value)
    if match is None:
        return value, None
    return match.group("name") or None, int(float(match.group("part")))


def _expected_chapters(value: str) -> int | None:
    """AO3's "chapters/total": "3/5" -> 5, "3/?" -> None."""
    _, _, total = value.partition("/")
    total = total.replace(",", "").strip()
    return int(total) if total.isdigit() else None


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
