"""A flaky Discord, through the sandbox's fault injection, against the real bot: failed and
rate-limited REST calls, late answers and a dropped gateway. Nothing is lost and nothing is
done twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.config import Settings
from bot.library.clock import FakeClock
from sandbox.control import Sandbox
from sandbox.session import RunningBot, start_bot

# The e2e fixtures (a validating sandbox, settings with the demo library, a running bot).
from tests.e2e.test_daily import START, daily_posts, set_daily, tick
from tests.e2e.test_feedback import custom_id, line, posted_excerpt
from tests.e2e.test_story_commands import SEED

POST_MESSAGE = "POST /channels/{channel_id}/messages"
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{app_id}/{token}"


async def _daily_bot(sb: Sandbox, base: Settings) -> tuple[RunningBot, FakeClock]:
    clock = FakeClock(START)
    running = await start_bot(sb, base, clock=clock)
    await sb.wait_for_commands("daily")
    assert "Daily post set" in await set_daily(sb)
    clock.advance(timedelta(minutes=1, seconds=5))  # the post is due
    return running, clock


async def test_the_daily_post_survives_a_500_and_a_429_and_posts_once(
    sandbox: Sandbox, settings: Settings
) -> None:
    running, clock = await _daily_bot(sandbox, settings)
    try:
        sandbox.faults.fail_next(POST_MESSAGE, 500)
        sandbox.faults.fail_next(POST_MESSAGE, 429, retry_after=0.2)
        (outcome,) = await tick(running)
        assert outcome.error is None and outcome.message_id is not None
        assert sandbox.faults.injected == [f"{POST_MESSAGE} -> 500", f"{POST_MESSAGE} -> 429"]
        (post,) = daily_posts(sandbox, "book-club")
        assert post.id == outcome.message_id
        clock.advance(timedelta(minutes=5))
        assert await tick(running) == []
        assert len(daily_posts(sandbox, "book-club")) == 1
    finally:
        await running.stop()


async def test_a_daily_post_that_discord_made_before_failing_is_not_repeated(
    sandbox: Sandbox, settings: Settings
) -> None:
    """Discord stored the message and still answered 500; discord.py retries with the same
    nonce and enforce_nonce, so Discord (and the sandbox) returns the first message."""
    running, _ = await _daily_bot(sandbox, settings)
    try:
        sandbox.faults.fail_next(POST_MESSAGE, 500, after_processing=True)
        (outcome,) = await tick(running)
        assert sandbox.faults.injected == [f"{POST_MESSAGE} -> 500"]
        (post,) = daily_posts(sandbox, "book-club")
        assert outcome.message_id == post.id
        posts = [r for r in sandbox.requests if r.route == "/channels/{channel_id}/messages"
                 and r.json and r.json.get("nonce")]
        assert len(posts) >= 2 and posts[0].json["nonce"] == posts[1].json["nonce"]
    finally:
        await running.stop()


async def test_a_403_on_the_daily_post_is_reported_in_one_line(
    sandbox: Sandbox, settings: Settings
) -> None:
    running, _ = await _daily_bot(sandbox, settings)
    try:
        sandbox.faults.fail_next(POST_MESSAGE, 403)
        (outcome,) = await tick(running)
        assert outcome.message_id is None and outcome.error and "\n" not in outcome.error
        assert daily_posts(sandbox, "book-club") == []
        status = await sandbox.slash(sandbox.users.curator, "daily status", channel="stories")
        assert "Last error" in status.content and "Traceback" not in status.content
    finally:
        await running.stop()


async def test_story_add_survives_a_503_on_its_followup(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    sandbox.faults.fail_next(FOLLOWUP, 503)
    upload = sandbox.upload("seed.txt", SEED.read_bytes(), channel="stories")
    result = await sandbox.slash(
        sandbox.users.curator, "story add", {"file": upload, "title": "Soulmates Reborn"},
        channel="stories")
    (message,) = await result.wait_for_followups(1, timeout=20)
    assert "Added story" in message.content and message.ephemeral
    assert sandbox.faults.injected == [f"{FOLLOWUP} -> 503"]
    # Not Rated: searched only in an age-restricted channel (issue 11's gate)
    found = await sandbox.slash(sandbox.users.reader, "story search", {"query": "Ianto"},
                                channel="after-dark")
    assert str(found.embeds).count("Soulmates Reborn") == 1


async def test_button_clicks_survive_failed_and_rate_limited_callbacks(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    reader = sandbox.users.reader
    card = await posted_excerpt(sandbox, storybot)
    kudos = custom_id(card, "kudos")
    sandbox.faults.fail_next(CALLBACK, 500)
    first = await sandbox.click(reader, card, kudos, timeout=10)
    assert (await line(first)).startswith("You left kudos")
    sandbox.faults.fail_next(CALLBACK, 429, retry_after=0.2)
    second = await sandbox.click(reader, card, kudos, timeout=10)
    assert "took back" in await line(second)  # the first kudos was counted exactly once
    assert sandbox.faults.injected == [f"{CALLBACK} -> 500", f"{CALLBACK} -> 429"]


async def test_a_click_answered_after_the_deadline_fails_alone(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    """The callback reaches Discord after 3 s: Discord refuses it (10062) and the user sees
    "the application did not respond"; the bot carries on with the next click."""
    reader = sandbox.users.reader
    card = await posted_excerpt(sandbox, storybot)
    kudos = custom_id(card, "kudos")
    sandbox.faults.delay_next(CALLBACK, sandbox.state.interaction_deadline + 0.3,
                              after_processing=False)
    late = await sandbox.click(reader, card, kudos, timeout=None)
    await sandbox.state.wait_for(lambda: not sandbox.faults.pending, timeout=10)
    refused = await sandbox.state.wait_for(
        lambda: [r for r in sandbox.requests if r.route.endswith("/callback")
                 and late.record.token in r.path and r.status == 404], timeout=10)
    # Refused (the bot may also try to say so, and is refused again); nothing was answered.
    assert refused and not late.record.callbacks
    again = await sandbox.click(reader, card, kudos, timeout=10)
    assert (await line(again)).startswith(("You left kudos", "You took back"))


async def test_a_dropped_gateway_resumes_and_replays_what_was_missed(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    hub = sandbox.server.hub
    card = await posted_excerpt(sandbox, storybot)
    (session_id,) = [s.session_id for s in hub.sessions.values() if not s.closed]
    async with sandbox.faults.gateway_outage():
        await sandbox.state.wait_for(lambda: not hub.ready_connections(), timeout=5)
        # These happen while the bot is away; the session keeps them.
        await sandbox.react(sandbox.users.reader, card, "\N{HEAVY BLACK HEART}")
        await sandbox.react(sandbox.users.reader2, card, "\N{FIRE}")
        missed = hub.sessions[session_id].sequence
    await sandbox.wait_until_bot_ready(timeout=30)
    (resume,) = hub.resume_payloads
    assert resume["session_id"] == session_id and resume["seq"] < missed
    assert len(hub.identify_payloads) == 1  # resumed, not identified again

    store = storybot.bot.services.store

    async def counted() -> set[tuple[int, int, str]]:
        await store.feedback_writes.flush()
        return set(await store.feedback.reactions(sandbox.guild_id))

    wanted = {(card.id, sandbox.users.reader.id, "\N{HEAVY BLACK HEART}"),
              (card.id, sandbox.users.reader2.id, "\N{FIRE}")}
    for _ in range(200):
        if await counted() == wanted:
            break
        await asyncio.sleep(0.02)
    assert await counted() == wanted
    # And the bot still answers.
    result = await sandbox.slash(sandbox.users.reader, "help")
    assert result.callback_type is not None
