"""New chapters on a story's site: appended, never rewriting what readers reacted to."""

from __future__ import annotations

from datetime import timedelta

from bot.library.clock import FakeClock
from bot.library.models import Chapter
from bot.sources import PoliteRules, StorySources, UpdateKind, compare_chapters
from tests.sources.conftest import SleepRecorder
from tests.sources.local_site import Answer, LocalSite, chapter_page

TEXTS = [
    "Anna leaves the village before sunrise with her brother's map.",
    "The river is higher than the map promised, and the ferryman is gone.",
    "In the mountain pass a stranger offers bread and asks for a name.",
    "The city gates close at dusk; Anna sleeps in the shadow of the wall.",
]


def chapters(*indexes: int) -> list[Chapter]:
    return [Chapter(n, f"Chapter {i + 1}", TEXTS[i]) for n, i in enumerate(indexes, start=1)]


def test_chapters_added_at_the_end_are_new_and_numbered_after_ours() -> None:
    changes = compare_chapters(chapters(0, 1), chapters(0, 1, 2, 3))
    assert changes.only_appended
    assert [(c.number, c.text) for c in changes.new_chapters] == [(3, TEXTS[2]), (4, TEXTS[3])]


def test_a_small_edit_keeps_a_chapter_the_same_chapter() -> None:
    edited = [Chapter(1, "Chapter 1", TEXTS[0].replace("sunrise", "sun-rise")),
              Chapter(2, "Chapter 2", TEXTS[1]), Chapter(3, "Chapter 3", TEXTS[2])]
    changes = compare_chapters(chapters(0, 1), edited)
    assert changes.only_appended and changes.edited == [1]
    assert [c.number for c in changes.new_chapters] == [3]


def test_removed_reordered_and_inserted_chapters_are_reported_not_applied() -> None:
    removed = compare_chapters(chapters(0, 1, 2), chapters(0, 2))
    assert removed.removed == [2] and not removed.reordered and not removed.only_appended
    reordered = compare_chapters(chapters(0, 1, 2), chapters(0, 2, 1))
    assert reordered.reordered and reordered.removed == []
    inserted = compare_chapters(chapters(0, 2), chapters(0, 1, 2, 3))
    assert inserted.inserted == 1 and [c.text for c in inserted.new_chapters] == [TEXTS[3]]


def _story(site: LocalSite, story_id: int, count: int, status: str = "In-Progress") -> str:
    return site.story_ini(story_id, [(f"Chapter {i + 1}", f"/{i + 1}") for i in range(count)],
                          status=status)


def _sources(site: LocalSite, clock: FakeClock, sleeper: SleepRecorder,
             story: str) -> StorySources:
    return StorySources(clock=clock, sleep=sleeper, extra_settings=story,
                        rules=PoliteRules(min_interval=timedelta(seconds=2)))


async def test_a_work_in_progress_grows_by_a_chapter(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    for i, text in enumerate(TEXTS):
        local_site.serve(f"/{i + 1}", Answer(body=chapter_page(f"<p>{text}</p>")))
    url = "http://test1.com?sid=6001"
    added = await _sources(local_site, clock, sleeper, _story(local_site, 6001, 2)).fetch(url)
    assert added.draft is not None
    ours = added.draft.chapters

    # Nothing new: one look at the work's metadata, no chapter downloaded.
    before = len(local_site.requests)
    same = await _sources(local_site, clock, sleeper,
                          _story(local_site, 6001, 2)).check_update(url, ours,
                                                                    was_complete=False)
    assert same.kind is UpdateKind.UNCHANGED and same.draft is None
    assert same.summary() == "no new chapters"
    assert len(local_site.requests) == before

    # The author publishes chapter 3 and finishes the story.
    grown = await _sources(local_site, clock, sleeper,
                           _story(local_site, 6001, 3, status="Completed")).check_update(
        url, ours, was_complete=False)
    assert grown.kind is UpdateKind.NEW_CHAPTERS
    assert [(c.number, c.title, c.text) for c in grown.new_chapters] == [
        (3, "Chapter 3", TEXTS[2])]
    assert grown.complete is True and grown.became_complete
    assert grown.summary() == "1 new chapter; the story is now complete"


async def test_a_removed_chapter_is_reported_and_our_copy_kept(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    for i, text in enumerate(TEXTS):
        local_site.serve(f"/{i + 1}", Answer(body=chapter_page(f"<p>{text}</p>")))
    url = "http://test1.com?sid=6003"
    shrunk = local_site.story_ini(6003, [("Chapter 1", "/1"), ("Chapter 3", "/3")])
    update = await _sources(local_site, clock, sleeper, shrunk).check_update(
        url, chapters(0, 1, 2), was_complete=False)
    assert update.kind is UpdateKind.CHANGED
    assert update.changes.removed == [2] and update.new_chapters == []
    assert update.summary() == "the site removed chapter 2; our copy is kept as it was"


async def test_a_work_deleted_from_its_site_is_gone_not_an_error(
    clock: FakeClock, sleeper: SleepRecorder
) -> None:
    update = await StorySources(clock=clock, sleep=sleeper).check_update(
        "http://test1.com?sid=666", chapters(0), was_complete=False)
    assert update.kind is UpdateKind.GONE
    assert update.summary() == "the work is no longer on its site; our copy is kept"


async def test_a_complete_test1_story_reports_complete(clock: FakeClock) -> None:
    ours = [Chapter(n, f"c{n}", f"text {n}") for n in range(1, 10)]
    update = await StorySources(clock=clock).check_update("http://test1.com?sid=2", ours)
    assert update.kind is UpdateKind.UNCHANGED and update.complete is True
