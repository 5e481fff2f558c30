"""A file's own rating wins over a curator's option; lowering it needs its own word."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bootstrap import open_services
from bot.importers.sidecar import add_metadata
from bot.library.errors import ImportRejected
from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.rating_change import RatingChange, merge_rating
from bot.library.visibility import ALL_GUILDS
from tests.conftest import FIXTURES

EXPLICIT_AO3 = FIXTURES / "ao3" / "and-the-big-wheel-keep.html"  # rated Explicit by AO3

G, T, M, E, NR = (Rating.GENERAL, Rating.TEEN, Rating.MATURE, Rating.EXPLICIT,
                  Rating.NOT_RATED)


@pytest.mark.parametrize(
    ("file_rating", "asked", "change", "stored"),
    [
        (None, G, RatingChange.FILL, G),  # a file without a rating takes the option's
        (E, None, RatingChange.FILL, E),
        (E, G, RatingChange.FILL, E),  # the file wins
        (T, E, RatingChange.FILL, T),  # even against a stricter option, unless asked
        (T, E, RatingChange.OVERRIDE, E),
        (E, NR, RatingChange.OVERRIDE, NR),  # Not Rated counts as Explicit: not lower
        (E, G, RatingChange.LOWER, G),
        (M, M, RatingChange.OVERRIDE, M),
    ],
)
def test_merge_rating(file_rating: Rating | None, asked: Rating | None,
                      change: RatingChange, stored: Rating) -> None:
    assert merge_rating(file_rating, asked, change) is stored


@pytest.mark.parametrize(("file_rating", "asked"), [(E, G), (NR, T), (M, T)])
def test_override_alone_never_lowers(file_rating: Rating, asked: Rating) -> None:
    with pytest.raises(ImportRejected, match=f"the file is rated {file_rating.value}; "
                       f"lowering it to {asked.value} needs the explicit lower-rating"):
        merge_rating(file_rating, asked, RatingChange.OVERRIDE)


def test_options_fill_only_what_the_file_lacks() -> None:
    draft = StoryDraft(title="Own", authors=["Writer"], chapters=[Chapter(1, "", "Text.")],
                       rating=Rating.EXPLICIT, summary="Own summary.", fandoms=["F"])
    merged = add_metadata(draft, {"title": "Other", "author": "Someone", "rating": "G",
                                  "summary": "Other.", "language": "English", "fandom": "G"})
    assert (merged.title, merged.authors, merged.rating, merged.summary) == (
        "Own", ["Writer"], Rating.EXPLICIT, "Own summary.")
    assert merged.language == "English" and merged.fandoms == ["F", "G"]


async def test_an_explicit_ao3_file_stays_explicit_with_a_general_option(
    tmp_path: Path,
) -> None:
    async with open_services(tmp_path / "library.db") as services:
        catalog = services.catalog
        story = await catalog.import_path(EXPLICIT_AO3,
                                          metadata={"rating": "General Audiences"})
        assert story.rating is Rating.EXPLICIT
        await catalog.remove(story.id, ALL_GUILDS)
        with pytest.raises(ImportRejected, match="lowering it to General Audiences"):
            await catalog.import_path(EXPLICIT_AO3, metadata={"rating": "General Audiences"},
                                      rating_change=RatingChange.OVERRIDE)
        lowered = await catalog.import_path(EXPLICIT_AO3,
                                            metadata={"rating": "General Audiences"},
                                            rating_change=RatingChange.LOWER)
        assert lowered.rating is Rating.GENERAL
