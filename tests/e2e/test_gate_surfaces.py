"""One gate for every surface (bot/library/gate.py): a server-blocked tag's stories are
hidden, and an Explicit story's summary never shows outside age-restricted channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.library.clock import FakeClock
from sandbox.control import InteractionResult, Sandbox
from sandbox.session import RunningBot, start_bot
from tests.e2e.test_story_commands import embed_text

TREK = {"Dead Reckoning", "Shore Leave"}  # the demo's Star Trek stories
TRUE_NORTH_SUMMARY = "Every soul is born with a compass"
TRUE_NORTH_AUTHOR = "cartographer_of_feelings"
RESTRICTED = {"True North", "What the Lyre Remembers", "Last Seen Online"}


async def block_star_trek(sandbox: Sandbox) -> None:
    blocked = await sandbox.slash(sandbox.users.curator, "config block-tag", {"tag": "Star Trek"})
    assert blocked.ephemeral and "Blocked Star Trek" in blocked.content, blocked.content


def text_of(result: InteractionResult) -> str:
    return "\n".join([result.content, *(embed_text(embed) for embed in result.embeds)])


def buttons(result: InteractionResult) -> dict[str, str]:
    return {item["label"]: item["custom_id"]
            for row in result.components for item in row.get("components", [])}


async def test_story_list(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    before = text_of(await sandbox.slash(reader, "story list", channel="stories"))
    assert all(title in before for title in TREK)
    await block_star_trek(sandbox)
    listed = text_of(await sandbox.slash(reader, "story list", channel="stories"))
    assert not any(title in listed for title in TREK)
    # True North by title, rating and warnings only here; in full after dark.
    line = next(line for line in listed.splitlines() if "True North" in line)
    assert "Explicit" in line and "No Archive Warnings Apply" in line
    assert TRUE_NORTH_AUTHOR not in line and "Original Work" not in line
    after_dark = text_of(await sandbox.slash(reader, "story list", channel="after-dark"))
    assert TRUE_NORTH_AUTHOR in after_dark
    by_tag = text_of(await sandbox.slash(reader, "story list", {"tag": "Star Trek"}))
    assert not any(title in by_tag for title in TREK)
    await sandbox.slash(sandbox.users.curator, "config restricted-stories", {"show": "hide"})
    hidden = text_of(await sandbox.slash(reader, "story list", channel="stories"))
    assert not any(title in hidden for title in RESTRICTED)


async def test_story_search(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    assert "Shore Leave" in text_of(await sandbox.slash(reader, "story search",
                                                        {"query": "jollof"}))
    await block_star_trek(sandbox)
    assert "Shore Leave" not in text_of(await sandbox.slash(reader, "story search",
                                                            {"query": "jollof"}))
    # A restricted story is not found by its summary outside age-restricted channels ...
    sfw = text_of(await sandbox.slash(reader, "story search", {"query": "compass"},
                                      channel="stories"))
    assert "True North" not in sfw
    nsfw = text_of(await sandbox.slash(reader, "story search", {"query": "compass"},
                                       channel="after-dark"))
    assert "True North" in nsfw
    # ... but by its title, shown as title, rating and warnings.
    titled = text_of(await sandbox.slash(reader, "story search", {"query": "true north"},
                                         channel="stories"))
    assert "True North" in titled and TRUE_NORTH_AUTHOR not in titled


async def test_story_info(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    await block_star_trek(sandbox)
    hidden = await sandbox.slash(reader, "story info", {"story": "Dead Reckoning"})
    assert hidden.ephemeral and hidden.content.startswith("no story called “Dead Reckoning”")
    card = await sandbox.slash(reader, "story info", {"story": "True North"}, channel="stories")
    (embed,) = card.embeds
    shown = embed_text(embed)
    assert embed["title"] == "True North" and "Explicit" in shown
    assert "No Archive Warnings Apply" in shown
    for secret in (TRUE_NORTH_SUMMARY, "Enemies to Lovers", "Lighthouses", TRUE_NORTH_AUTHOR):
        assert secret not in shown
    full = await sandbox.slash(reader, "story info", {"story": "True North"},
                               channel="after-dark")
    assert TRUE_NORTH_SUMMARY in text_of(full) and "Lighthouses" in text_of(full)


async def test_autocomplete(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader

    async def names(query: str) -> list[str]:
        found = await sandbox.autocomplete(reader, "story info", {"story": query},
                                           focused="story")
        return [choice["name"] for choice in found]

    assert "Dead Reckoning" in await names("dead reck")
    await block_star_trek(sandbox)
    assert not TREK & set(await names("")) and "Dead Reckoning" not in await names("dead reck")
    assert "True North" in await names("true")  # its title only
    await sandbox.slash(sandbox.users.curator, "config restricted-stories", {"show": "hide"})
    assert not RESTRICTED & set(await names(""))


async def test_excerpt(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    await block_star_trek(sandbox)
    named = await sandbox.slash(reader, "excerpt", {"story": "Shore Leave"})
    assert named.ephemeral and "no story called “Shore Leave”" in named.content
    for _ in range(6):
        card = await sandbox.slash(reader, "excerpt", channel="stories")
        assert card.embeds[0]["title"] not in TREK | RESTRICTED


async def test_recommend(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    await block_star_trek(sandbox)
    found = text_of(await sandbox.slash(reader, "recommend", {"tags": "Soulmates"},
                                        channel="stories"))
    assert "The Ghost in Flat 4B" in found
    assert not any(title in found for title in TREK | RESTRICTED)
    assert TRUE_NORTH_SUMMARY not in found
    liked = await sandbox.slash(reader, "recommend", {"like": "Shore Leave"})
    assert liked.ephemeral and "no story called “Shore Leave”" in liked.content


async def test_the_daily_post(sandbox: Sandbox, settings: Settings) -> None:
    clock = FakeClock(datetime(2026, 1, 15, 8, 59, tzinfo=UTC))
    running = await start_bot(sandbox, settings, clock=clock)
    try:
        await sandbox.wait_for_commands("daily", "config")
        await block_star_trek(sandbox)
        reply = await sandbox.slash(sandbox.users.curator, "daily set",
                                    {"channel": "stories", "time": "09:00", "timezone": "UTC"})
        assert "Daily post set" in reply.content, reply.content
        daily = running.bot.services.daily
        assert daily is not None
        clock.advance(timedelta(minutes=1, seconds=5))
        for day in range(5):
            if day:
                clock.advance(timedelta(days=1))
            (outcome,) = await daily.tick()
            assert outcome.error is None, outcome.error
        posts = [m for m in sandbox.messages("stories") if m.author.id == sandbox.users.bot.id
                 and m.embeds]
        assert len(posts) == 5
        for post in posts:
            assert post.embeds[0]["title"] not in TREK | RESTRICTED
    finally:
        await running.stop()


async def test_buttons(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    recommended = await sandbox.slash(reader, "recommend", {"tags": "Soulmates"},
                                      channel="stories")
    order = [field["name"].split(". ", 1)[1] for field in recommended.embeds[0]["fields"]]
    excerpt = await sandbox.slash(reader, "excerpt", {"story": "Dead Reckoning"},
                                  channel="stories")
    assert excerpt.message is not None and recommended.message is not None
    await block_star_trek(sandbox)
    for number, title in enumerate(order, start=1):
        clicked = await sandbox.click(reader, recommended.message.id,
                                      buttons(recommended)[f"Excerpt of #{number}"])
        if title in TREK:
            assert clicked.ephemeral and "blocked" in clicked.content, clicked.content
        else:
            assert clicked.embeds and clicked.embeds[0]["title"] == title
    following = await sandbox.click(reader, excerpt.message.id,
                                    buttons(excerpt)["Next passage"])
    assert following.ephemeral and "blocked" in following.content, following.content
