"""Readers suggest works by link; curators approve or reject on one review card per work."""

from __future__ import annotations

from bot.config import Settings
from sandbox.control import Sandbox
from sandbox.session import RunningBot, start_bot
from tests.e2e.test_story_commands import SEED
from tests.e2e.test_story_links import URL, finished, sources  # noqa: F401 - the fixture

CARD_TITLE = "Suggested for the library"


def buttons(components: list[dict[str, object]]) -> list[str]:
    return [str(c["custom_id"]) for row in components
            for c in row["components"]]  # type: ignore[attr-defined]


async def review_channel(sandbox: Sandbox) -> None:
    done = await sandbox.slash(sandbox.users.curator, "config review-channel",
                               {"channel": "book-club"})
    assert "review card in" in done.content


async def test_suggest_twice_then_approve_imports_it_crediting_the_reader(
    sandbox: Sandbox, storybot: RunningBot, sources: object  # noqa: F811
) -> None:
    await review_channel(sandbox)
    first = await sandbox.slash(sandbox.users.reader, "story suggest",
                                {"url": URL, "note": "Best slow burn of the year"})
    assert "Thanks: you suggested" in await finished(first, "The curators will see it in")
    cards = [m for m in sandbox.messages("book-club") if m.embeds]
    assert len(cards) == 1 and cards[0].embeds[0]["title"] == CARD_TITLE
    card = cards[0]
    approve, reject = buttons(card.components)
    assert approve.startswith("sb:suggest-ok:") and reject.startswith("sb:suggest-no:")

    said = await sandbox.say(sandbox.users.reader2, "general", f"this one! {URL}")
    second = await sandbox.message_command(sandbox.users.reader2, "Suggest for the library",
                                           said.id)
    assert "It is now suggested by 2 readers" in await finished(second, "suggested by 2")
    assert len([m for m in sandbox.messages("book-club") if m.embeds]) == 1
    assert "Suggested by 2 readers" in sandbox.message(card.id).embeds[0]["description"]
    again = await sandbox.slash(sandbox.users.reader, "story suggest", {"url": URL})
    assert await finished(again, "already") == (
        "you already suggested that work; it is waiting for a curator")

    queue = await sandbox.slash(sandbox.users.curator, "story queue")
    assert queue.content == f"Waiting for a curator:\n<{URL}>: suggested by 2 readers"
    refused = await sandbox.click(sandbox.users.reader, card.id, approve)
    assert refused.content.startswith("Only curators can do that")

    approved = await sandbox.click(sandbox.users.curator, card.id, approve)
    line = await finished(approved, "Added story")
    story_id = int(line.split()[2].rstrip(":"))
    story = await storybot.bot.services.store.stories.get(story_id, "all")
    assert story.added_by == sandbox.users.reader.id and story.source == URL
    closed = sandbox.message(card.id)
    assert "approved by" in closed.content and not closed.embeds and not closed.components
    mine = await sandbox.slash(sandbox.users.reader, "me suggestions")
    assert mine.content == f"Your suggestions:\n<{URL}>: approved, story {story_id}"
    late = await sandbox.slash(sandbox.users.reader2, "story suggest", {"url": URL})
    assert await finished(late, "already") == (
        f"that work is already in the library as story {story_id} (Growing Tale)")
    empty = await sandbox.slash(sandbox.users.curator, "story queue")
    assert empty.content == "No suggestions are waiting."


async def test_a_rejected_suggestion_says_why_and_is_forgotten_with_the_reader(
    sandbox: Sandbox, storybot: RunningBot, sources: object  # noqa: F811
) -> None:
    await review_channel(sandbox)
    other = "http://test1.com?sid=3"
    await finished(await sandbox.slash(sandbox.users.reader, "story suggest", {"url": other}),
                   "Thanks")
    card = next(m for m in sandbox.messages("book-club") if m.embeds)
    reject = buttons(card.components)[1]
    opened = await sandbox.click(sandbox.users.curator, card.id, reject)
    assert opened.modal is not None
    card_id = reject.rsplit(":", 1)[1]
    done = await sandbox.submit_modal(sandbox.users.curator, f"suggest-reject:{card_id}",
                                      {"reason": "Not our fandom"})
    assert done.content.startswith("Rejected")
    assert "rejected by" in sandbox.message(card.id).content
    assert "Not our fandom" in sandbox.message(card.id).content
    mine = await sandbox.slash(sandbox.users.reader, "me suggestions")
    assert mine.content == f"Your suggestions:\n<{other}>: rejected: Not our fandom"
    assert await storybot.bot.services.store.stories.count("all") == 12

    # Bad suggestions, each in one line.
    for url, expected in [
        ("https://example.com/x", "storybot cannot read links from example.com"),
        (other, "you suggested that work before and it was rejected (Not our fandom)"),
    ]:
        answer = await sandbox.slash(sandbox.users.reader, "story suggest", {"url": url})
        assert expected in await finished(answer, expected)

    await storybot.bot.services.store.feedback_writes.forget_user(sandbox.users.reader.id)
    forgotten = await sandbox.slash(sandbox.users.reader, "me suggestions")
    assert forgotten.content.startswith("You have not suggested anything here yet")


async def test_the_review_card_still_works_after_a_restart(
    sandbox: Sandbox, settings: Settings
) -> None:
    first = await start_bot(sandbox, settings)
    try:
        await sandbox.wait_for_commands("story", "config")
        await review_channel(sandbox)
        suggested = await sandbox.slash(sandbox.users.reader, "story suggest",
                                        {"url": "http://test1.com?sid=3"})
        await finished(suggested, "Thanks")
    finally:
        await first.stop()
    card = next(m for m in sandbox.messages("book-club") if m.embeds)
    second = await start_bot(sandbox, settings)
    try:
        await sandbox.wait_for_commands("story", "config")
        approved = await sandbox.click(sandbox.users.curator, card.id,
                                       buttons(card.components)[0])
        assert "credited to" in await finished(approved, "Added story")
        assert "approved by" in sandbox.message(card.id).content
    finally:
        await second.stop()


async def test_a_file_suggested_by_two_readers_is_one_card_and_approving_imports_it(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    await review_channel(sandbox)
    for reader in (sandbox.users.reader, sandbox.users.reader2):
        upload = sandbox.upload("seed.txt", SEED.read_bytes())
        answer = await sandbox.slash(reader, "story suggest", {"file": upload})
        await finished(answer, "Thanks: you suggested the file seed.txt")
    cards = [m for m in sandbox.messages("book-club") if m.embeds]
    assert len(cards) == 1
    assert "Suggested by 2 readers" in cards[0].embeds[0]["description"]
    approved = await sandbox.click(sandbox.users.curator, cards[0].id,
                                   buttons(cards[0].components)[0])
    story_id = int((await finished(approved, "Added story")).split()[2].rstrip(":"))
    story = await storybot.bot.services.store.stories.get(story_id, "all")
    assert story.added_by == sandbox.users.reader.id

    neither = await sandbox.slash(sandbox.users.reader, "story suggest", {})
    assert neither.content == "give either a file or a url (one of them)"
    noise = sandbox.upload("story.txt", bytes(range(256)) * 64)
    bad = await sandbox.slash(sandbox.users.reader, "story suggest", {"file": noise})
    assert await finished(bad, "binary") == "this is a binary file, not a story"
