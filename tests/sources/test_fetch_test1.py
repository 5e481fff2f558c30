"""Whole works fetched from FanFicFare's offline test site, through our importers."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.library.clock import FakeClock
from bot.library.models import Rating
from bot.sources import (
    AdultWork,
    DailyLimitReached,
    FetchFailed,
    Finished,
    PoliteRules,
    Started,
    StorySources,
    WorkLocked,
    WorkNotFound,
)

# An AO3-shaped work: test1.com takes any metadata an ini section lists, so the site
# metadata AO3 keeps apart (fandoms, categories, additional tags) is declared here.
AO3_SHAPED = """
[test1.com]
add_to_extra_valid_entries:,fandoms,ao3categories,freeformtags,chapterslashtotal

[teststory:2001]
valid_entries:title,author_list,storyUrl,datePublished,dateUpdated,status,series,rating,
 warnings_list,ships_list,characters_list,fandoms_list,ao3categories_list,
 freeformtags_list,chapterslashtotal,language
title:Shaped Like AO3
author_list:First Author,Second Author
storyUrl:http://test1.com?sid=2001
datePublished:2024-02-03
dateUpdated:2025-06-07
status:In-Progress
series:A Wheel [3]
rating:Explicit
warnings_list:Major Character Death
ships_list:A/B
characters_list:A,B
fandoms_list:Legend of the Galactic Heroes
ao3categories_list:M/M,Gen
freeformtags_list:Angst,Slow Burn
chapterslashtotal:2/5
language:English
chaptertitles:One,Two
"""


def sources(clock: FakeClock, **kwargs: object) -> StorySources:
    return StorySources(clock=clock, rules=PoliteRules(min_interval=timedelta(seconds=0.01)),
                        extra_settings=AO3_SHAPED, **kwargs)  # type: ignore[arg-type]


async def test_a_complete_work_comes_with_its_site_metadata(clock: FakeClock) -> None:
    work = await sources(clock).fetch("http://test1.com?sid=2")
    draft = work.draft
    assert draft is not None and not work.from_cache
    assert draft.title == "Test Story Title 2" and draft.authors == ["Test Author aa"]
    assert len(draft.chapters) == 9 and draft.complete is True
    assert draft.expected_chapters == 9
    assert draft.source == "http://test1.com?sid=2" and draft.format == "fanficfare-html"
    assert (draft.series, draft.series_part) == ("The Great Test", 2)
    assert (draft.published, draft.updated) == (date(1975, 3, 15), date(1975, 4, 15))
    assert draft.warnings == ["Swearing", "Violence"]
    assert "Harry Potter" in draft.fandoms
    # The site's own rating "Tweenie" is unknown: Not Rated, the original kept as a tag.
    assert draft.rating is Rating.NOT_RATED and "Rating: Tweenie" in draft.freeform
    assert work.meta.chapters == 9 and work.meta.site == "test1.com"


async def test_an_odd_story_is_a_work_in_progress(clock: FakeClock) -> None:
    work = await sources(clock).fetch("http://test1.com?sid=3")
    assert work.draft is not None
    assert work.draft.complete is False and work.draft.expected_chapters is None


async def test_ao3s_seven_tag_kinds_stay_apart(clock: FakeClock) -> None:
    work = await sources(clock).fetch("http://test1.com?sid=2001")
    draft = work.draft
    assert draft is not None
    assert draft.rating is Rating.EXPLICIT
    assert draft.warnings == ["Major Character Death"]
    assert draft.categories == ["Gen", "M/M"] or draft.categories == ["M/M", "Gen"]
    assert draft.fandoms == ["Legend of the Galactic Heroes"]
    assert draft.relationships == ["A/B"] and draft.characters == ["A", "B"]
    assert sorted(draft.freeform) == ["Angst", "Slow Burn"]
    assert draft.authors == ["First Author", "Second Author"]
    assert (draft.complete, draft.expected_chapters) == (False, 5)
    assert (draft.series, draft.series_part) == ("A Wheel", 3)
    assert (draft.published, draft.updated) == (date(2024, 2, 3), date(2025, 6, 7))
    assert draft.language == "English"


@pytest.mark.parametrize(("sid", "error", "words"), [
    (666, WorkNotFound, "there is no work at http://test1.com?sid=666"),
    (665, AdultWork, "marked adult on its site; only a curator can add it"),
    (668, WorkLocked, "only for the site's registered users"),
    (667, FetchFailed, "could not fetch http://test1.com?sid=667: Error downloading Chapter"),
])
async def test_each_bad_work_is_one_clear_line(clock: FakeClock, sid: int,
                                               error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        await sources(clock).fetch(f"http://test1.com?sid={sid}")
    assert words in str(caught.value) and "\n" not in str(caught.value)


async def test_an_adult_work_comes_only_with_consent_and_is_restricted(
    clock: FakeClock,
) -> None:
    library = sources(clock)
    work = await library.fetch("http://test1.com?sid=712", allow_adult=True)
    assert work.meta.adult and work.draft is not None
    assert work.draft.rating is not None and work.draft.rating.needs_age_restricted_channel
    with pytest.raises(AdultWork):  # the cached copy does not skip the consent
        await library.fetch("http://test1.com?sid=712")


async def test_a_work_is_not_fetched_twice_within_the_hour(clock: FakeClock) -> None:
    library = sources(clock, daily_cap=1)
    first = await library.fetch("http://test1.com?sid=4", guild_id=7)
    again = await library.fetch("http://test1.com?sid=4&", guild_id=7)  # same work
    assert again.from_cache and again.draft == first.draft
    with pytest.raises(DailyLimitReached):  # a new work is over the cap; the cache was free
        await library.fetch("http://test1.com?sid=6", guild_id=7)
    await library.fetch("http://test1.com?sid=6", guild_id=8)
    clock.advance(timedelta(hours=1))
    assert library.cache.get("http://test1.com?sid=4") is None


async def test_two_requests_for_one_work_share_one_fetch(clock: FakeClock) -> None:
    library = sources(clock)
    first, second = await asyncio.gather(library.fetch("http://test1.com?sid=8"),
                                         library.fetch("http://test1.com?sid=8"))
    assert [first.from_cache, second.from_cache].count(True) == 1
    assert first.draft == second.draft


async def test_progress_events_end_with_the_work(clock: FakeClock) -> None:
    events = [event async for event in sources(clock).fetch_events("http://test1.com?sid=10")]
    assert events[0] == Started("http://test1.com?sid=10")
    assert isinstance(events[-1], Finished) and events[-1].work.draft is not None
