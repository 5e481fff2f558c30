"""The polite fetcher against a scripted site on 127.0.0.1: pacing, Retry-After, backoff,
timeouts and hostile pages. Waits go through the fake clock (SleepRecorder), not time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.library.clock import FakeClock
from bot.sources import (
    BackingOff,
    FetchTimedOut,
    PoliteRules,
    SiteRateLimited,
    SiteUnavailable,
    StorySources,
    UnreadablePage,
    WorkNotFound,
)
from bot.sources.polite_fetcher import page_depth
from bot.sources.queue import FetchProgress
from tests.sources.conftest import SleepRecorder
from tests.sources.local_site import Answer, LocalSite, chapter_page

ONE = chapter_page("<p>The first chapter, where the ship leaves port at dawn.</p>")
TWO = chapter_page("<p>The second chapter, where a storm finds the ship.</p>")
THREE = chapter_page("<p>The third chapter, where the harbour is a memory.</p>")


def library(site: LocalSite, clock: FakeClock, sleeper: SleepRecorder, story: str,
            **rules: object) -> StorySources:
    return StorySources(clock=clock, sleep=sleeper, extra_settings=story,
                        rules=PoliteRules(**rules))  # type: ignore[arg-type]


async def test_requests_to_a_site_are_two_seconds_apart(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    for path, page in (("/1", ONE), ("/2", TWO), ("/3", THREE)):
        local_site.serve(path, Answer(body=page))
    story = local_site.story_ini(5001, [("One", "/1"), ("Two", "/2"), ("Three", "/3")])
    work = await library(local_site, clock, sleeper, story).fetch("http://test1.com?sid=5001")
    assert work.draft is not None
    assert [c.title for c in work.draft.chapters] == ["One", "Two", "Three"]
    assert "storm finds the ship" in work.draft.chapters[1].text
    assert local_site.requests == ["/1", "/2", "/3"]
    assert sleeper.waits == [2.0, 2.0]


async def test_a_429_with_retry_after_is_waited_out_and_the_requester_told(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    local_site.serve("/1", Answer(body=ONE))
    local_site.serve("/2", Answer(429, b"slow down", {"Retry-After": "7"}), Answer(body=TWO))
    story = local_site.story_ini(5002, [("One", "/1"), ("Two", "/2")])
    events: list[FetchProgress] = []
    work = await library(local_site, clock, sleeper, story).fetch(
        "http://test1.com?sid=5002", on_progress=events.append)
    assert work.draft is not None and len(work.draft.chapters) == 2
    assert local_site.requests == ["/1", "/2", "/2"]
    assert sleeper.waits == [2.0, 7.0]
    assert BackingOff(timedelta(seconds=7)) in events


async def test_a_site_that_stays_down_is_reported_after_backing_off(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    local_site.serve("/1", Answer(503, b"down"))
    story = local_site.story_ini(5003, [("One", "/1")])
    with pytest.raises(SiteUnavailable) as caught:
        await library(local_site, clock, sleeper, story).fetch("http://test1.com?sid=5003")
    assert str(caught.value) == "127.0.0.1 is not answering (HTTP 503); try again in 20 s"
    assert local_site.requests == ["/1"] * 3
    assert sleeper.waits == [5.0, 10.0]  # no Retry-After: 5 s, then 10 s


async def test_a_site_asking_for_an_hour_is_not_waited_for(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    local_site.serve("/1", Answer(429, b"", {"Retry-After": "3600"}))
    story = local_site.story_ini(5004, [("One", "/1")])
    sources = library(local_site, clock, sleeper, story)
    with pytest.raises(SiteRateLimited) as caught:
        await sources.fetch("http://test1.com?sid=5004")
    assert str(caught.value) == "127.0.0.1 asks bots to slow down; try again in 1 h"
    assert caught.value.retry_after == timedelta(hours=1)
    assert sources.pacer.wait_for("127.0.0.1") == timedelta(hours=1)
    assert sleeper.waits == []


async def test_a_work_that_takes_too_long_times_out(local_site: LocalSite) -> None:
    local_site.serve("/1", Answer(body=ONE, delay=3))
    story = local_site.story_ini(5005, [("One", "/1")])
    sources = StorySources(extra_settings=story,
                           rules=PoliteRules(work_timeout=timedelta(seconds=0.5)))
    with pytest.raises(FetchTimedOut) as caught:
        await sources.fetch("http://test1.com?sid=5005")
    assert str(caught.value) == ("fetching http://test1.com?sid=5005 took longer than 0.5 s; "
                                 "nothing was added, try again later")


async def test_a_missing_chapter_page_means_the_work_is_gone(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    story = local_site.story_ini(5006, [("One", "/nowhere")])
    with pytest.raises(WorkNotFound):
        await library(local_site, clock, sleeper, story).fetch("http://test1.com?sid=5006")


async def test_an_oversized_page_is_refused(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    local_site.serve("/1", Answer(body=chapter_page("<p>" + "word " * 100_000 + "</p>")))
    story = local_site.story_ini(5007, [("One", "/1")])
    with pytest.raises(UnreadablePage) as caught:
        await library(local_site, clock, sleeper, story,
                      max_page_bytes=64 * 1024).fetch("http://test1.com?sid=5007")
    assert "the site sent a page over" in str(caught.value)


async def test_a_hostile_page_is_cleaned_or_refused_never_a_traceback(
    local_site: LocalSite, clock: FakeClock, sleeper: SleepRecorder
) -> None:
    nested = "<div>" * 5_000 + "deep" + "</div>" * 5_000
    local_site.serve("/1", Answer(body=chapter_page(
        "<p>Kept text.</p><script>alert('x')</script><style>p{}</style>"
        "<iframe src='http://127.0.0.1/'></iframe>")))
    local_site.serve("/2", Answer(body=chapter_page(nested)))
    sources = library(local_site, clock, sleeper,
                      local_site.story_ini(5008, [("One", "/1")])
                      + local_site.story_ini(5009, [("One", "/2")]))
    work = await sources.fetch("http://test1.com?sid=5008")
    assert work.draft is not None
    text = work.draft.chapters[0].text
    assert "Kept text." in text and "alert" not in text and "p{}" not in text
    with pytest.raises(UnreadablePage) as caught:
        await sources.fetch("http://test1.com?sid=5009")
    assert str(caught.value) == ("the work at http://test1.com?sid=5009 could not be read as "
                                 "a story: a page is nested too deeply")


def test_ordinary_pages_are_not_deep() -> None:
    sloppy = b"<div><p>one<p>two<ul><li>a<li>b</ul><br><img src=x></div>" * 500
    assert page_depth(sloppy) == 2
    assert page_depth(b"<div>" * 1500) == 1500


async def test_a_site_that_refuses_connections_is_down(
    clock: FakeClock, sleeper: SleepRecorder
) -> None:
    closed = LocalSite()  # never started: its port takes no connections
    story = closed.story_ini(5010, [("One", "/1")])
    closed.refuse_connections()
    with pytest.raises(SiteUnavailable) as caught:
        await StorySources(clock=clock, sleep=sleeper, extra_settings=story).fetch(
            "http://test1.com?sid=5010")
    assert str(caught.value) == "127.0.0.1 is not answering (no connection); try again later"
