"""Stories from links through the stand-in: /story add url:, Apps → "Add to library", and a
work in progress that grows by a chapter (FanFicFare's offline test1.com; no network)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sources import PoliteRules, StorySources
from sandbox.control import Sandbox
from sandbox.results import InteractionResult
from sandbox.session import RunningBot

URL = "http://test1.com?sid=7001"
FETCH_WAIT = 30.0  # FanFicFare's first import alone takes a second or two


def growing_story(chapters: int, status: str = "In-Progress") -> str:
    """test1.com's definition of work 7001 with this many chapters (FanFicFare's ini)."""
    titles = ",".join(f"Part {n}" for n in range(1, chapters + 1))
    return (f"[teststory:7001]\ntitle:Growing Tale\nauthor:Someone\nstatus:{status}\n"
            f"rating:Teen And Up Audiences\nchaptertitles:{titles}\n")


@pytest.fixture
def sources(storybot: RunningBot) -> StorySources:
    """The bot's fetcher with no pause between requests and no cache, so each refresh sees
    test1.com as the test last defined it."""
    fetcher = StorySources(rules=PoliteRules(min_interval=timedelta(0)),
                           cache_for=timedelta(0), extra_settings=growing_story(2))
    services = storybot.bot.services
    services.sources = services.story_links.sources = fetcher
    return fetcher


async def finished(result: InteractionResult, *words: str) -> str:
    """The deferred reply once it says all of `words` (it is edited as the fetch moves)."""
    await result.wait(lambda r: all(w in r.content for w in words), FETCH_WAIT,
                      f"a reply saying {words}")
    return result.content


async def test_a_curator_adds_a_work_by_its_link(
    sandbox: Sandbox, storybot: RunningBot, sources: StorySources
) -> None:
    result = await sandbox.slash(sandbox.users.curator, "story add", {"url": URL})
    assert result.deferred and result.ephemeral
    text = await finished(result, "Added story", "Growing Tale")
    story_id = int(text.split()[2].rstrip(":"))
    story = await storybot.bot.services.store.stories.get(story_id, "all")
    assert (story.source, story.chapter_count, story.complete, story.added_by) == (
        URL, 2, False, sandbox.users.curator.id)
    assert result.embeds and result.embeds[0]["title"].startswith("Growing Tale")
    # The reply was edited as the fetch moved (its progress, then the story).
    edits = [r for r in sandbox.requests if r.method == "PATCH" and "@original" in r.path]
    assert len(edits) >= 2

    again = await sandbox.slash(sandbox.users.curator, "story add", {"url": URL + "&x=1"})
    line = await finished(again, "already in the library")
    assert f"already in the library as story {story_id} (Growing Tale)" in line
    buttons = [c["custom_id"] for row in again.components for c in row["components"]]
    assert buttons == [f"sb:refresh:{story_id}"]
    refreshed = await sandbox.click(sandbox.users.curator, again.message.id,  # type: ignore[union-attr]
                                    f"sb:refresh:{story_id}")
    assert "no new chapters" in await finished(refreshed, "no new chapters")


async def test_add_to_library_from_a_message(
    sandbox: Sandbox, storybot: RunningBot, sources: StorySources
) -> None:
    said = await sandbox.say(sandbox.users.reader, "general", f"You have to read <{URL}>!")
    refused = await sandbox.message_command(sandbox.users.reader, "Add to library", said.id)
    assert refused.ephemeral and refused.content.startswith("Only curators can do that")

    added = await sandbox.message_command(sandbox.users.curator, "Add to library", said.id)
    assert "Growing Tale" in await finished(added, "Added story")
    plain = await sandbox.say(sandbox.users.reader, "general", "no links here")
    nothing = await sandbox.message_command(sandbox.users.curator, "Add to library", plain.id)
    assert nothing.content == "that message has no links in it"


async def test_a_work_in_progress_grows_by_a_chapter_announced_once(
    sandbox: Sandbox, storybot: RunningBot, sources: StorySources
) -> None:
    services = storybot.bot.services
    added = await sandbox.slash(sandbox.users.curator, "story add", {"url": URL})
    story_id = int((await finished(added, "Added story")).split()[2].rstrip(":"))
    before = [p.id for p in await services.store.stories.passages(story_id)]
    config = await sandbox.slash(sandbox.users.curator, "config updates-channel",
                                 {"channel": "stories", "role": sandbox.roles.readers.id})
    assert "announced in" in config.content

    sources.extra_settings = growing_story(3)
    refresh = await sandbox.slash(sandbox.users.curator, "story refresh",
                                  {"story": str(story_id)})
    line = await finished(refresh, "1 new chapter")
    assert line.startswith("Growing Tale: 1 new chapter. Announced in")
    after = [p.id for p in await services.store.stories.passages(story_id)]
    assert after[:len(before)] == before and len(after) > len(before)

    posts = [m for m in sandbox.messages("stories") if m.embeds
             and m.embeds[0].get("title") == "New chapter: Growing Tale"]
    assert len(posts) == 1
    post = posts[0]
    assert post.content == f"<@&{sandbox.roles.readers.id}>"
    assert "Chapter 3: Part 3" in post.embeds[0]["description"]
    read = await sandbox.click(sandbox.users.reader, post.id,
                               f"sb:read-new:{after[len(before)]}")
    card = await read.wait_until_done()
    assert read.ephemeral and card.embeds and "Growing Tale" in str(card.embeds[0])

    # Nothing new: nothing announced again.
    again = await sandbox.slash(sandbox.users.curator, "story refresh", {"story": str(story_id)})
    assert (await finished(again, "no new chapters")) == "Growing Tale: no new chapters."
    assert len([m for m in sandbox.messages("stories") if m.embeds and
                m.embeds[0].get("title") == "New chapter: Growing Tale"]) == 1


@pytest.mark.parametrize(("options", "expected"), [
    ({}, "give either a file or a url (one of them)"),
    ({"url": URL, "title": "Mine"},
     "title, author, rating, fandom and tags are for files; a link brings its site's own"),
    ({"url": "https://example.com/my-story"},
     "Could not add <https://example.com/my-story>: storybot cannot read links from "
     "example.com; it reads "),
    ({"url": "http://test1.com?sid=666"}, "Could not add <http://test1.com?sid=666>: there is "
     "no work at http://test1.com?sid=666 (deleted, hidden, or never posted)"),
])
async def test_bad_links_get_one_line(
    sandbox: Sandbox, storybot: RunningBot, sources: StorySources,
    options: dict[str, str], expected: str,
) -> None:
    result = await sandbox.slash(sandbox.users.curator, "story add", options)
    text = await finished(result, expected)
    assert "\n" not in text and "Traceback" not in text
    assert await storybot.bot.services.store.stories.count("all") == 12


async def test_an_adult_work_is_added_by_a_curator_and_shown_only_after_dark(
    sandbox: Sandbox, storybot: RunningBot, sources: StorySources
) -> None:
    # test1.com's work 665 asks for adult consent, as AO3 does for its adult works.
    added = await sandbox.slash(sandbox.users.curator, "story add",
                                {"url": "http://test1.com?sid=665"})
    story_id = int((await finished(added, "Added story")).split()[2].rstrip(":"))
    story = await storybot.bot.services.store.stories.get(story_id, "all")
    assert story.rating.needs_age_restricted_channel
    here = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": str(story_id)},
                               channel="general")
    assert here.ephemeral and "age-restricted" in (await finished(here, "age-restricted"))
    there = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": str(story_id)},
                                channel="after-dark")
    card = await there.wait_until_done(timeout=FETCH_WAIT)
    assert not there.ephemeral and card.embeds
