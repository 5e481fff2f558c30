"""A folder import through the process pool and the bulk writer stores what one-by-one
imports store, and refuses duplicates (of the library, and within one batch) per file, on
both backends."""

from __future__ import annotations

from pathlib import Path

from bot.catalog import Catalog
from bot.folder_import import ImportOutcome
from bot.library.models import Chapter, StoryDraft
from bot.library.segmentation import segment_chapters
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store
from bot.store.sqlite.bulk_import import COMPACT_FROM_PIECES, COMPACT_FROM_STORIES
from bot.store.sqlite.store import SqliteStore
from bot.store.sqlite.story_search import SEARCH_TABLES
from tests.conftest import FIXTURES
from tests.store.backends import RawDatabase

BULK_GUILD, SINGLE_GUILD = 11, 22
STORY_FILES = sorted(path for path in FIXTURES.glob("*/*")
                     if path.suffix in (".html", ".epub", ".txt"))


def story_file(folder: Path, name: str, body: str, *, title: str | None = None,
               source: str | None = None) -> Path:
    front = [f"title: {title or name.title()}", "authors: [Ada, Brook, Ada]",
             "rating: Teen And Up Audiences", "tags: [Fluff, Found Family, fluff]"]
    if source:
        front.append(f"source: {source}")
    path = folder / f"{name}.md"
    path.write_text("---\n" + "\n".join(front) + "\n---\n\n" + body + "\n", "utf-8")
    return path


def body(seed: int) -> str:
    return "\n\n".join(f"Paragraph {seed}-{n}: the lantern kept its light for {seed} nights."
                       for n in range(12))


def comparable(story: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in story.items()
            if key not in ("id", "added_at", "guild_id")}


async def test_a_pooled_bulk_import_stores_what_one_by_one_imports_store(store: Store) -> None:
    assert len(STORY_FILES) >= 10, "the shared fixtures are missing"
    catalog = Catalog(store)
    seen: list[ImportOutcome] = []
    report = await catalog.import_paths(STORY_FILES, guild_id=BULK_GUILD, added_by=7,
                                        on_file=seen.append, workers=2)
    assert seen == report.outcomes
    assert [Path(o.path) for o in report.outcomes] == STORY_FILES
    # The fixtures hold one FanFicFare story in three formats: one of each is stored.
    assert {o.duplicate_of for o in report.rejected} <= {s.id for s in report.imported}
    assert all("already in the library" in (o.error or "") for o in report.rejected)
    for outcome in report.outcomes:
        single = await catalog.import_path(Path(outcome.path), guild_id=SINGLE_GUILD,
                                           added_by=7) if outcome.story else None
        if outcome.story is None or single is None:
            continue
        bulk = await catalog.get(outcome.story.id, ALL_GUILDS)
        assert comparable(bulk.to_json()) == comparable(single.to_json()), outcome.path
        assert bulk.tags == single.tags and bulk.authors == single.authors, outcome.path
        assert (bulk.published, bulk.updated, bulk.series_part, bulk.added_by) == (
            single.published, single.updated, single.series_part, single.added_by)
        assert ([(p.seq, p.chapter, p.text, p.words) for p in await catalog.passages(
                    bulk.id, ALL_GUILDS)]
                == [(p.seq, p.chapter, p.text, p.words) for p in await catalog.passages(
                    single.id, ALL_GUILDS)]), outcome.path
        assert (await store.stories.chapters(bulk.id)
                == await store.stories.chapters(single.id)), outcome.path


async def test_duplicates_are_refused_per_file_within_a_batch_and_against_the_library(
    store: Store, raw: RawDatabase, tmp_path: Path,
) -> None:
    catalog = Catalog(store)
    earlier = await catalog.import_path(story_file(tmp_path, "earlier", body(1)))
    folder = tmp_path / "incoming"
    folder.mkdir()
    story_file(folder, "a-first", body(2))
    story_file(folder, "b-same-words", body(2), title="Another Title")
    story_file(folder, "c-stored-before", body(1), title="Stored Before")
    story_file(folder, "d-from-site", body(3), source="https://example.org/works/5")
    story_file(folder, "e-same-site", body(4), source="https://example.org/works/5")
    story_file(folder, "f-fresh", body(5))
    report = await catalog.import_paths([folder])
    by_name = {Path(o.path).stem: o for o in report.outcomes}
    first, from_site = by_name["a-first"].story, by_name["d-from-site"].story
    assert first is not None and from_site is not None
    assert by_name["b-same-words"].duplicate_of == first.id
    assert by_name["b-same-words"].error == f"already in the library as story {first.id} " \
                                            "(A-First)"
    assert by_name["c-stored-before"].duplicate_of == earlier.id
    assert by_name["e-same-site"].duplicate_of == from_site.id
    assert by_name["f-fresh"].story is not None
    assert await raw.count("stories") == 4
    # Repeated authors and tags (by key) are stored once, in the order given.
    assert first.authors == ["Ada", "Brook"]
    assert [t.name for t in first.tags][:3] == ["Teen And Up Audiences", "Fluff",
                                                 "Found Family"]

    again = await catalog.import_paths([folder])
    assert again.imported == []
    assert {o.duplicate_of for o in again.outcomes} == {first.id, earlier.id, from_site.id,
                                                        by_name["f-fresh"].story.id}
    assert await raw.count("stories") == 4


async def test_a_batch_that_repeats_itself_stores_once_and_says_which(store: Store) -> None:
    text = "The same words, twice over, in one batch."
    drafts = [StoryDraft(title=title, authors=["Someone"], chapters=[Chapter(1, "", text)])
              for title in ("One", "Two")]
    outcomes = await store.bulk.import_batch(
        [(draft, segment_chapters(draft.chapters)) for draft in drafts], guild_id=None)
    stored, repeated = outcomes
    assert not isinstance(stored, Exception) and stored.title == "One"
    assert isinstance(repeated, Exception) and f"story {stored.id} (One)" in str(repeated)


async def test_ids_are_never_reused_after_a_removal(store: Store, tmp_path: Path) -> None:
    catalog = Catalog(store)
    first = await catalog.import_path(story_file(tmp_path, "first", body(1)))
    await catalog.remove(first.id, ALL_GUILDS)
    report = await catalog.import_paths([story_file(tmp_path, "second", body(2))])
    assert [story.id for story in report.imported] == [first.id + 1]


def test_the_facts_worked_out_while_parsing_are_the_drafts_own(tmp_path: Path) -> None:
    from benchmarks.bench_folder_import import write_folder
    from bot.importers.parallel import ParsedStory, parse_files
    from bot.store.bulk_rows import story_facts

    write_folder(tmp_path, 40)
    parsed = [result for result in parse_files([*STORY_FILES, *sorted(tmp_path.iterdir())],
                                               workers=0)
              if isinstance(result, ParsedStory)]
    assert len(parsed) == len(STORY_FILES) + 40
    for result in parsed:
        assert result.facts == story_facts(result.draft), result.path.name


async def search_pieces(store: SqliteStore) -> dict[str, int]:
    """How many segments each of SQLite's search tables is in."""
    raw = RawDatabase(store)
    return {table: (await raw.fetch(f"SELECT count(DISTINCT segid) FROM {table}_idx"))[0][0]
            for table in SEARCH_TABLES}


async def one_commit_each(store: SqliteStore, numbers: range) -> None:
    for number in numbers:
        draft = StoryDraft(title=f"Single {number}", authors=["Someone"], chapters=[
            Chapter(1, "", body(number) + f" Keyword{number % 7}.")])
        await store.bulk.import_batch([(draft, segment_chapters(draft.chapters))],
                                      guild_id=None)


async def test_a_large_import_merges_a_search_index_left_in_many_pieces(
    sqlite_store: SqliteStore, tmp_path: Path,
) -> None:
    # Merged from the first story here, not from COMPACT_FROM_STORIES.
    sqlite_store.bulk.compact_from_stories = 1
    # Stories added one commit at a time: each commit's search rows are a piece of their own
    # (until FTS5 merges the sixteenth).
    await one_commit_each(sqlite_store, range(12))
    assert await search_pieces(sqlite_store) == {table: 12 for table in SEARCH_TABLES}
    assert COMPACT_FROM_PIECES < 12
    catalog = Catalog(sqlite_store)
    # One more, under a quarter of the library: nothing is merged.
    one = tmp_path / "one"
    one.mkdir()
    story_file(one, "story-100", body(100) + " Keyword2.")
    assert len((await catalog.import_paths([one], workers=0)).imported) == 1
    assert await search_pieces(sqlite_store) == {table: 13 for table in SEARCH_TABLES}

    five = tmp_path / "five"
    five.mkdir()
    for number in range(200, 205):
        story_file(five, f"story-{number}", body(number) + f" Keyword{number % 7}.")
    assert len((await catalog.import_paths([five], workers=0)).imported) == 5
    assert await search_pieces(sqlite_store) == {table: 1 for table in SEARCH_TABLES}
    hits = await catalog.search("keyword3", ALL_GUILDS, limit=100)
    assert len(hits) == len([n for n in [*range(12), 100, *range(200, 205)] if n % 7 == 3])


async def test_a_small_library_is_left_as_it_is(sqlite_store: SqliteStore) -> None:
    """Under COMPACT_FROM_STORIES a library keeps its pieces, however many: they are short,
    and merging them would cost more than it saves."""
    await one_commit_each(sqlite_store, range(12))
    assert await search_pieces(sqlite_store) == {table: 12 for table in SEARCH_TABLES}
    assert COMPACT_FROM_STORIES > 12
    assert not await sqlite_store.bulk.compact_search(12)
    assert await search_pieces(sqlite_store) == {table: 12 for table in SEARCH_TABLES}


async def test_a_batch_leaves_the_connection_as_it_found_it(sqlite_store: SqliteStore) -> None:
    """The import's settings (checkpoints deferred, statement journals and a larger page
    cache in memory) last as long as its batch: the bot's own queries after it keep the
    connection's."""
    conn = sqlite_store.bulk.conn

    async def settings() -> list[object]:
        found = []
        for pragma in ("wal_autocheckpoint", "temp_store", "cache_size"):
            async with conn.execute(f"PRAGMA {pragma}") as rows:
                found.append((await rows.fetchone() or [None])[0])
        return found

    before = await settings()
    draft = StoryDraft(title="Kept", authors=["Someone"],
                       chapters=[Chapter(1, "", "A few words of a story.")])
    await sqlite_store.bulk.import_batch([(draft, segment_chapters(draft.chapters))],
                                         guild_id=None)
    assert before == [1000, 0, -2000]
    assert await settings() == before
