"""/excerpt and its card through the sandbox: the rules, the buttons, threads, restarts."""

from __future__ import annotations

import asyncio
import math

from bot.config import Settings
from bot.library.records import PostRecord
from sandbox.control import Sandbox
from sandbox.messages import MessageRecord
from sandbox.session import RunningBot, start_bot


def button_ids(message: MessageRecord) -> dict[str, str]:
    """label -> custom_id of the message's buttons."""
    return {item["label"]: item["custom_id"]
            for row in message.components for item in row.get("components", [])}


def footer(message: MessageRecord) -> str:
    return str(message.embeds[0]["footer"]["text"])


async def recorded_post(running: RunningBot, message_id: int) -> PostRecord:
    """The post row, which the bot writes right after answering."""
    posts = running.bot.services.store.posts
    for _ in range(100):
        found = await posts.get(message_id)
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"message {message_id} was never recorded in posts")


async def story_id(running: RunningBot, title: str, sandbox: Sandbox) -> str:
    return str((await running.bot.services.catalog.resolve(title, sandbox.guild_id)).id)


async def test_excerpt_posts_a_spoiler_safe_card_with_its_buttons(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    result = await sandbox.slash(sandbox.users.reader, "excerpt", channel="stories")
    assert not result.ephemeral and result.message is not None
    (embed,) = result.embeds
    assert embed["description"] and embed["title"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert {"Fandom", "Rating", "Length", "Archive warnings"} <= set(fields)
    assert fields["Rating"] in ("General Audiences", "Teen And Up Audiences")
    position, of, chapter = footer(result.message).replace("Passage ", "").replace(
        " of ", "|").replace(" · Chapter ", "|").split("|")
    assert int(position) <= math.ceil(0.6 * int(of)) and int(chapter) >= 1
    buttons = button_ids(result.message)
    assert {"Kudos", "Bookmark", "Feedback", "Discuss"} <= set(buttons)
    passage_id = buttons["Kudos"].rsplit(":", 1)[1]
    assert buttons["Discuss"] == f"sb:discuss:{passage_id}"
    post = await recorded_post(storybot, result.message.id)
    assert post.passage_id == int(passage_id)
    assert post.posted_by == sandbox.users.reader.id and post.kind == "excerpt"
    assert not result.message.pings.anyone


async def test_a_private_excerpt_is_only_for_the_invoker(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    sid = await story_id(storybot, "Baker Street Lanterns", sandbox)
    result = await sandbox.slash(sandbox.users.reader, "excerpt",
                                 {"story": sid, "private": True}, channel="stories")
    assert result.ephemeral and result.embeds[0]["title"] == "Baker Street Lanterns"
    assert "Discuss" not in button_ids(result.message)  # type: ignore[arg-type]


async def test_ratings_and_blocked_tags_keep_stories_out(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    explicit = await story_id(storybot, "True North", sandbox)
    refused = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": explicit},
                                  channel="stories")
    assert refused.ephemeral and "age-restricted channel" in refused.content
    allowed = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": explicit},
                                  channel="after-dark")
    assert not allowed.ephemeral and allowed.embeds[0]["title"] == "True North"

    blocked = await sandbox.slash(sandbox.users.curator, "config block-tag", {"tag": "star trek"})
    assert blocked.ephemeral and "Star Trek" in blocked.content
    trek = await story_id(storybot, "Dead Reckoning", sandbox)
    refused = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": trek})
    assert refused.ephemeral and "blocked" in refused.content
    for _ in range(8):
        shown = await sandbox.slash(sandbox.users.reader, "excerpt")
        fandom = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}["Fandom"]
        assert "Star Trek" not in fandom
    settings = await sandbox.slash(sandbox.users.curator, "config show")
    assert "Star Trek" in str(settings.embeds[0])


async def test_next_shows_the_following_passage_only_to_the_clicker(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    sid = await story_id(storybot, "A Most Unreasonable Blend", sandbox)
    card = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": sid},
                               channel="stories")
    assert card.message is not None
    first = footer(card.message)
    clicked = await sandbox.click(sandbox.users.reader2, card.message,
                                  button_ids(card.message)["Next passage"])
    assert clicked.ephemeral and clicked.message is not None
    number = int(first.split()[1])
    assert footer(clicked.message).startswith(f"Passage {number + 1} of 5")
    assert clicked.embeds[0]["title"] == "A Most Unreasonable Blend"
    # Rules are checked again on click: a tag blocked since the card was posted keeps it out.
    await sandbox.slash(sandbox.users.curator, "config block-tag", {"tag": "F/M"})
    refused = await sandbox.click(sandbox.users.reader2, card.message,
                                  button_ids(card.message)["Next passage"])
    assert refused.ephemeral and "blocked" in refused.content and not refused.embeds


async def test_discuss_opens_one_thread_and_then_links_to_it(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    card = await sandbox.slash(sandbox.users.reader, "excerpt", channel="book-club")
    assert card.message is not None
    discuss = button_ids(card.message)["Discuss"]
    opened = await sandbox.click(sandbox.users.reader, card.message, discuss)
    assert opened.ephemeral and "Opened a discussion" in opened.content
    thread_id = sandbox.message(card.message.id).thread_id
    assert thread_id is not None and f"<#{thread_id}>" in opened.content
    (starter,) = sandbox.messages(thread_id)
    assert "||spoiler||" in starter.content and "To talk about" in starter.content
    again = await sandbox.click(sandbox.users.reader2, card.message, discuss)
    assert again.ephemeral and f"<#{thread_id}>" in again.content
    assert "Opened" not in again.content
    post = await storybot.bot.services.store.posts.get(card.message.id)
    assert post is not None and post.thread_id == thread_id


async def test_old_cards_keep_working_after_a_restart(
    sandbox: Sandbox, settings: Settings
) -> None:
    first = await start_bot(sandbox, settings)
    try:
        sid = await story_id(first, "Baker Street Lanterns", sandbox)
        card = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": sid},
                                   channel="stories")
        assert card.message is not None
    finally:
        await first.stop()
    second = await start_bot(sandbox, settings)
    try:
        clicked = await sandbox.click(sandbox.users.reader, card.message,
                                      button_ids(card.message)["Next passage"])
        assert clicked.ephemeral and clicked.embeds, clicked.content
        assert clicked.embeds[0]["title"] == "Baker Street Lanterns"
        discussed = await sandbox.click(sandbox.users.reader, card.message,
                                        button_ids(card.message)["Discuss"])
        assert "Opened a discussion" in discussed.content
    finally:
        await second.stop()


async def test_config_changes_what_excerpts_show(sandbox: Sandbox, storybot: RunningBot) -> None:
    curator = sandbox.users.curator
    spoiler = await sandbox.slash(curator, "config spoiler-safe", {"percent": 1})
    assert spoiler.ephemeral and "first 1%" in spoiler.content
    card = await sandbox.slash(sandbox.users.reader, "excerpt")
    assert card.message is not None and footer(card.message).startswith("Passage 1 of")
    await sandbox.slash(curator, "config warnings", {"style": "spoiler"})
    warned = await sandbox.slash(sandbox.users.reader, "excerpt")
    fields = {f["name"]: f["value"] for f in warned.embeds[0]["fields"]}
    assert fields["Archive warnings"].startswith("||")
    opened = await sandbox.slash(curator, "config age-restricted",
                                 {"rating": "Mature", "restricted": False})
    assert "Mature stories are now shown in every channel" in opened.content
    lyre = await story_id(storybot, "What the Lyre Remembers", sandbox)
    mature = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": lyre})
    assert not mature.ephemeral and mature.embeds[0]["title"] == "What the Lyre Remembers"
    await sandbox.slash(curator, "config block-tag", {"tag": "Greek Mythology"})
    listed = await sandbox.slash(sandbox.users.reader, "config blocked-tags")
    assert "Greek and Roman Mythology" in listed.content  # blocked as its canonical tag
    refused = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": lyre})
    assert refused.ephemeral and "blocked" in refused.content
    unblocked = await sandbox.slash(curator, "config unblock-tag", {"tag": "greek mythology"})
    assert "Unblocked" in unblocked.content
    unknown = await sandbox.slash(curator, "config block-tag", {"tag": "no such tag at all"})
    assert unknown.ephemeral and "no tag called" in unknown.content
    shown = await sandbox.slash(sandbox.users.reader, "config show")
    text = str(shown.embeds[0])
    assert "first 1%" in text and "spoiler" in text and "Blocked tags" in text
