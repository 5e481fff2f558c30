"""The stories a bulk import hands back (to the command line's output, the title index and
the change listeners) are built from the rows it wrote, not read again: they must be what a
read of the same stories returns, on both backends, tags under their stored names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.catalog import Catalog
from bot.library.models import Chapter, Rating, StoryDraft
from bot.library.segmentation import segment_chapters
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store
from tests.conftest import FIXTURES

GUILD = 31
STORY_FILES = sorted(path for path in FIXTURES.glob("*/*")
                     if path.suffix in (".html", ".epub", ".txt"))


def draft(number: int, title: str = "", **fields: object) -> StoryDraft:
    text = "\n\n".join(f"Story {number}, paragraph {n}: the ferry crossed at dawn."
                       for n in range(6))
    return StoryDraft(title=title or f"Story {number}", authors=["Ada", "Brook", "Ada"],
                      chapters=[Chapter(1, "Dawn", text), Chapter(2, "", text + " Again.")],
                      **fields)  # type: ignore[arg-type]


async def test_bulk_imported_stories_are_what_a_read_returns(store: Store) -> None:
    catalog = Catalog(store)
    # Tags already in the library under other spellings keep their stored names.
    first = draft(0, freeform=["slow  burn", "soulmate AU"], fandoms=["Some Fandom"])
    await store.bulk.import_batch([(first, segment_chapters(first.chapters))], guild_id=None)
    batch = [
        draft(1, rating=Rating.MATURE, freeform=["Slow Burn", "Soulmate-AU", "Fluffy",
                                                 "Soulmates", "fluffy"],
              fandoms=["some fandom"], warnings=["No Archive Warnings Apply"],
              relationships=["A/B"], characters=["A", "B", "A"], categories=["F/M"],
              language="English", summary="A summary.", notes="Notes.", end_notes="End.",
              complete=True, series="A Series", series_part=2,
              source="https://example.org/works/1", format="html",
              published=date(2020, 1, 2), updated=date(2021, 3, 4)),
        draft(2, complete=False, language="pt_br", freeform=["Brand New Tag"]),
        draft(3, rating=Rating.NOT_RATED),
        draft(1, title="Repeats story 1"),
    ]
    outcomes = await store.bulk.import_batch(
        [(d, segment_chapters(d.chapters)) for d in batch], guild_id=GUILD, added_by=9,
        now=datetime(2026, 12, 2, 8, 30, 15, 123456, tzinfo=UTC))
    stored = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(stored) == 3 and isinstance(outcomes[-1], Exception)
    for story in stored:
        assert story == await store.stories.get(story.id, ALL_GUILDS)
    assert "slow burn" in [tag.name for tag in stored[0].tags]

    report = await catalog.import_paths(STORY_FILES, guild_id=GUILD, added_by=7, workers=0)
    assert report.imported
    for story in report.imported:
        assert story == await catalog.get(story.id, ALL_GUILDS), story.title

