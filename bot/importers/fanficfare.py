"""FanFicFare's metadata vocabulary, shared by its HTML, TXT and EPUB outputs.

FanFicFare writes the same labelled list ("Category: ...", "Genre: ...") on the title page
of every format; the format modules only find the label/value pairs, and `apply_fields`
turns them into StoryDraft fields the same way for all three, so one story gives one draft.

Vocabulary: category = fandoms, genre = freeform tags, relationships (ships) =
relationships, warnings = archive warnings, characters = characters, status -> complete,
summary (description) -> summary, series "Name [3]" -> "Name", story URL -> source.

Ratings: FanFicFare passes the site's own rating through. Known ones map to the nearest AO3
rating (see RATING_NAMES: FFN's K/K+ and G/PG -> General, T/PG-13 -> Teen, M/R -> Mature,
MA/NC-17/adult -> Explicit). An unknown one (the test site's "Tweenie") becomes Not Rated,
the safe choice (shown only in age-restricted channels), and the original is kept as a
freeform tag "Rating: Tweenie" so a curator can see what the site said and fix it.
"""

from __future__ import annotations

import re

from bot.library.models import Rating, StoryDraft

_NORMALISED = {
    "general audiences": Rating.GENERAL,
    "teen and up audiences": Rating.TEEN,
    "mature": Rating.MATURE,
    "explicit": Rating.EXPLICIT,
    "not rated": Rating.NOT_RATED,
}
RATING_NAMES: dict[str, Rating] = {
    **_NORMALISED,
    "general": Rating.GENERAL, "g": Rating.GENERAL, "pg": Rating.GENERAL, "k": Rating.GENERAL,
    "k+": Rating.GENERAL, "fiction k": Rating.GENERAL, "fiction k+": Rating.GENERAL,
    "all ages": Rating.GENERAL, "everyone": Rating.GENERAL, "gen": Rating.GENERAL,
    "teen": Rating.TEEN, "teens": Rating.TEEN, "t": Rating.TEEN, "fiction t": Rating.TEEN,
    "pg-13": Rating.TEEN, "pg13": Rating.TEEN, "13+": Rating.TEEN,
    "m": Rating.MATURE, "fiction m": Rating.MATURE, "r": Rating.MATURE, "16+": Rating.MATURE,
    "ma": Rating.EXPLICIT, "fiction ma": Rating.EXPLICIT, "nc-17": Rating.EXPLICIT,
    "nc17": Rating.EXPLICIT, "x": Rating.EXPLICIT, "xxx": Rating.EXPLICIT,
    "adult": Rating.EXPLICIT, "adults only": Rating.EXPLICIT, "18+": Rating.EXPLICIT,
}


def rating_from_label(label: str) -> Rating | None:
    """The AO3 rating nearest to a site's rating name; None when the name is unknown."""
    return RATING_NAMES.get(re.sub(r"\s+", " ", label).strip().lower())


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


_SERIES_INDEX = re.compile(r"\s*\[\d+(?:\.\d+)?\]\s*$")

# The title-page labels FanFicFare writes by default, lower-cased.
KNOWN_LABELS = (
    "series", "series url", "category", "genre", "language", "characters", "relationships",
    "status", "published", "updated", "packaged", "rating", "warnings", "chapters", "words",
    "publisher", "story url", "author url", "summary", "author", "authors", "title", "site",
    "extra tags", "story id", "author id", "description",
)


def apply_fields(draft: StoryDraft, fields: dict[str, str], summary: str) -> None:
    """Fill a draft from FanFicFare's label -> plain-text value pairs (labels lower case)."""
    draft.fandoms = split_list(fields.get("category", ""))
    draft.freeform = split_list(fields.get("genre", ""))
    draft.relationships = split_list(fields.get("relationships", ""))
    draft.characters = split_list(fields.get("characters", ""))
    draft.warnings = split_list(fields.get("warnings", ""))
    rating_name = fields.get("rating", "").strip()
    if rating_name:
        rating = rating_from_label(rating_name)
        if rating is None:
            draft.rating = Rating.NOT_RATED
            draft.freeform.append(f"Rating: {rating_name}")
        else:
            draft.rating = rating
    status = fields.get("status", "").strip().lower()
    if status:
        draft.complete = status.startswith("complete")
        draft.expected_chapters = len(draft.chapters) if draft.complete else None
    draft.language = fields.get("language", "").strip() or None
    series = _SERIES_INDEX.sub("", fields.get("series", "")).strip()
    draft.series = series or None
    draft.source = fields.get("story url", "").strip() or draft.source
    draft.summary = summary
