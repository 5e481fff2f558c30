"""Reactions, Kudos/Bookmark/Feedback, /feedback, /stats, /export feedback and /me forget,
through the sandbox with the real bot."""

from __future__ import annotations

import asyncio
import csv
import io

from bot.library.visibility import ALL_GUILDS
from bot.services.feedback import FeedbackService
from bot.store.sqlite.database import connect
from bot.store.sqlite.feedback_writer import FeedbackWriter
from bot.store.sqlite.store import SqliteStore
from sandbox.control import InteractionResult, Sandbox
from sandbox.messages import MessageRecord
from sandbox.session import RunningBot
from tests.conftest import FIXTURES
from tests.store.test_privacy import rows_holding


def service(running: RunningBot) -> FeedbackService:
    return running.bot.services.feedback


def writer(running: RunningBot) -> FeedbackWriter:
    """The running bot's feedback writer, for its figures (the SQLite store owns it)."""
    store = running.bot.services.store
    assert isinstance(store, SqliteStore)
    return store.writer


async def personal_rows(running: RunningBot, user_id: int) -> dict[str, int]:
    """Rows holding the user's id, read on a connection of our own to the bot's file."""
    conn = await connect(running.bot.settings.storybot_db)
    try:
        return await rows_holding(conn, user_id)
    finally:
        await conn.close()


async def posted_excerpt(sandbox: Sandbox, running: RunningBot, story: str = "Baker Street Lanterns"
                         ) -> MessageRecord:
    """A reader runs /excerpt; returns the card once the bot has recorded it as a post."""
    story_id = (await running.bot.services.catalog.resolve(story, sandbox.guild_id)).id
    result = await sandbox.slash(sandbox.users.reader, "excerpt", {"story": str(story_id)},
                                 channel="stories")
    message = await result.wait_until_done()
    posts = running.bot.services.store.posts
    for _ in range(100):
        if await posts.get(message.id) is not None:
            return message
        await asyncio.sleep(0.02)
    raise AssertionError("the excerpt was never recorded as a post")


def custom_id(message: MessageRecord, action: str) -> str:
    found = next(c for c in message.custom_ids() if c.startswith(f"sb:{action}:"))
    return found


async def line(result: InteractionResult) -> str:
    message = await result.wait_until_done()
    assert message.ephemeral, message.content
    assert "\n" not in message.content
    return message.content


def attachment_bytes(sandbox: Sandbox, message: MessageRecord) -> tuple[str, bytes]:
    (attachment,) = message.attachments
    stored = sandbox.state.files[int(attachment["id"])]
    return stored.filename, stored.data


async def test_a_reader_reacts_clicks_rates_and_forgets(sandbox: Sandbox,
                                                        storybot: RunningBot) -> None:
    reader, reader2 = sandbox.users.reader, sandbox.users.reader2
    card = await posted_excerpt(sandbox, storybot)

    # Raw reactions: adds, a removal, and a custom emoji from another server.
    await sandbox.react(reader, card, "\N{HEAVY BLACK HEART}")
    await sandbox.react(reader, card, "partyblob:998877")
    await sandbox.react(reader2, card, "\N{HEAVY BLACK HEART}")
    await sandbox.unreact(reader2, card, "\N{HEAVY BLACK HEART}")
    await sandbox.react(reader2, card, "\N{FACE WITH TEARS OF JOY}")
    async def settled() -> list[tuple[int, int, str]]:
        await writer(storybot).flush()
        return await storybot.bot.services.store.feedback.reactions(sandbox.guild_id)
    for _ in range(100):
        if len(await settled()) == 3:
            break
        await asyncio.sleep(0.02)
    assert set(await settled()) == {(card.id, reader.id, "\N{HEAVY BLACK HEART}"),
                                    (card.id, reader.id, "partyblob:998877"),
                                    (card.id, reader2.id, "\N{FACE WITH TEARS OF JOY}")}

    # Kudos toggles, one per reader per story; Bookmark toggles.
    kudos = custom_id(card, "kudos")
    assert (await line(await sandbox.click(reader, card, kudos))).startswith("You left kudos")
    assert "took back" in await line(await sandbox.click(reader, card, kudos))
    assert (await line(await sandbox.click(reader, card, kudos))).startswith("You left kudos")
    bookmark = custom_id(card, "bookmark")
    assert (await line(await sandbox.click(reader, card, bookmark))).startswith("Bookmarked")

    # Feedback: a modal; bad stars and an over-long comment get one clear line each.
    opened = await sandbox.click(reader, card, custom_id(card, "feedback"))
    assert opened.modal is not None
    modal_id = opened.modal["custom_id"]
    bad = await sandbox.submit_modal(reader, modal_id, {"stars": "9", "comment": ""})
    assert await line(bad) == "Stars must be a whole number from 1 to 5."
    long = await sandbox.submit_modal(reader, modal_id, {"stars": "4", "comment": "x" * 5000})
    assert "at most 1,000 characters" in await line(long)
    good = await sandbox.submit_modal(reader, modal_id, {"stars": "5", "comment": "Gorgeous."})
    assert (await line(good)).startswith("Thanks! Saved 5★ and your comment")
    reopened = await sandbox.click(reader, card, custom_id(card, "feedback"))
    assert reopened.modal is not None and "Gorgeous." in str(reopened.modal)  # editable

    # /feedback story: the same modal for the whole story.
    whole = await sandbox.slash(reader2, "feedback", {"story": "Baker Street Lanterns"})
    assert whole.modal is not None
    done = await sandbox.submit_modal(reader2, whole.modal["custom_id"], {"stars": "3"})
    assert "for this story" in await line(done)

    # /stats story: figures and a chart image; a non-author sees counts, not comments.
    stats = await sandbox.slash(reader, "stats", {"story": "Baker Street Lanterns"})
    shown = await stats.wait_for_followups()
    message = shown[0]
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert fields["Kudos"] == "1" and fields["Bookmarks"] == "1"
    assert fields["Comments"] == "1" and fields["Stars"] == "4.0 ★ from 2 ratings"
    assert ":partyblob:" in fields["Reactions"]
    assert "Gorgeous." not in str(message.embeds)
    name, png = attachment_bytes(sandbox, message)
    assert name == "reactions.png" and png.startswith(b"\x89PNG")

    # /stats without a story: the server's most-loved.
    overall = (await (await sandbox.slash(reader, "stats")).wait_for_followups())[0]
    assert "Baker Street Lanterns" in str(overall.embeds[0])

    # /export feedback (curator): a CSV of feedback, reactions and kudos.
    export = await sandbox.slash(sandbox.users.curator, "export feedback")
    exported = (await export.wait_for_followups())[0]
    name, data = attachment_bytes(sandbox, exported)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name.endswith(".csv")
    assert {r["kind"] for r in rows} == {"feedback", "reaction", "kudos"}
    assert any(r["comment"] == "Gorgeous." for r in rows)
    refused = await sandbox.slash(reader, "export feedback")
    assert "Only curators" in await line(refused)

    # /me bookmarks, then /me forget with its confirm button.
    marks = await sandbox.slash(reader, "me bookmarks")
    assert "Baker Street Lanterns" in str((await marks.wait_until_done()).embeds)
    forget = await sandbox.slash(reader, "me forget")
    confirm = await forget.wait_until_done()
    other = await line(await sandbox.click(reader2, confirm, custom_id(confirm, "forget")))
    assert other == "These buttons belong to someone else's command."
    gone = await sandbox.click(reader, confirm, custom_id(confirm, "forget"))
    await gone.wait(lambda r: r.message and r.message.content.startswith("Done"), what="done")
    assert "reactions 2" in gone.message.content and "kudos 1" in gone.message.content  # type: ignore[union-attr]
    assert await personal_rows(storybot, reader.id) == {}
    assert await personal_rows(storybot, reader2.id) != {}


async def test_buttons_of_a_removed_story_and_reactions_on_its_posts(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    card = await posted_excerpt(sandbox, storybot, "Dead Reckoning")
    story_id = (await storybot.bot.services.catalog.resolve("Dead Reckoning",
                                                            sandbox.guild_id)).id
    await storybot.bot.services.catalog.remove(story_id, ALL_GUILDS)
    for action in ("kudos", "bookmark", "feedback"):
        answer = await line(await sandbox.click(sandbox.users.reader, card,
                                                custom_id(card, action)))
        assert answer == "That story was removed from the library; this button no longer works."
    await sandbox.react(sandbox.users.reader, card, "\N{HEAVY BLACK HEART}")  # no error
    await asyncio.sleep(0.05)
    await writer(storybot).flush()
    assert await storybot.bot.services.store.feedback.reactions() == []


async def test_reactions_on_other_messages_are_ignored_without_a_lookup(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    said = await sandbox.say(sandbox.users.reader2, "general", "hello")
    feedback_writer = writer(storybot)
    batches = feedback_writer.committed_changes
    await sandbox.react(sandbox.users.reader, said, "\N{HEAVY BLACK HEART}")
    await asyncio.sleep(0.05)
    await feedback_writer.flush()
    assert feedback_writer.committed_changes == batches  # never even queued


async def test_an_author_sees_comments_on_their_story_and_others_do_not(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    # reader2's server nickname is "priya reads": the curator adds a story by "Priya Reads".
    upload = sandbox.upload("seed.txt", (FIXTURES / "seed" / "000_243aa131780b4f07.txt")
                            .read_bytes(), channel="stories")
    added = await sandbox.slash(sandbox.users.curator, "story add",
                                {"file": upload, "title": "Priya's Story", "author": "Priya Reads"},
                                channel="stories")
    await added.wait_for_followups(1, timeout=15)
    opened = await sandbox.slash(sandbox.users.reader, "feedback", {"story": "Priya's Story"})
    assert opened.modal is not None
    await line(await sandbox.submit_modal(sandbox.users.reader, opened.modal["custom_id"],
                                          {"stars": "4", "comment": "The ending got me."}))

    as_author = (await (await sandbox.slash(sandbox.users.reader2, "stats",
                                            {"story": "Priya's Story"})).wait_for_followups())[0]
    assert as_author.ephemeral and "The ending got me." in str(as_author.embeds)
    as_reader = (await (await sandbox.slash(sandbox.users.reader, "stats",
                                            {"story": "Priya's Story"})).wait_for_followups())[0]
    assert not as_reader.ephemeral and "The ending got me." not in str(as_reader.embeds)
    fields = {f["name"]: f["value"] for f in as_reader.embeds[0]["fields"]}
    assert fields["Comments"] == "1"


async def test_excerpts_and_recommendations_read_our_feedback(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    feedback = service(storybot)
    excerpts = storybot.bot.services.excerpts
    recommend = storybot.bot.services.recommendations
    assert excerpts.passage_weights == feedback.passage_weights
    assert recommend.profile_source == feedback.reader_profile
    card = await posted_excerpt(sandbox, storybot)
    await sandbox.react(sandbox.users.reader, card, "\N{HEAVY BLACK HEART}")
    kudos = custom_id(card, "kudos")
    await line(await sandbox.click(sandbox.users.reader, card, kudos))
    await writer(storybot).flush()
    post = await storybot.bot.services.store.posts.get(card.id)
    assert post is not None and post.passage_id is not None
    weights = await feedback.passage_weights(sandbox.guild_id, [post.passage_id, 10**9])
    assert weights[post.passage_id] > 1.0 and weights[10**9] == 1.0
    profile, kudosed = await feedback.reader_profile(sandbox.guild_id, sandbox.users.reader.id)
    assert kudosed == {post.story_id} and profile[post.story_id] > 0


async def test_me_bookmarks_pages(sandbox: Sandbox, storybot: RunningBot) -> None:
    reader = sandbox.users.reader
    passages = []
    for story in await storybot.bot.services.catalog.list(sandbox.guild_id):
        passages += await storybot.bot.services.catalog.passages(story.id, sandbox.guild_id)
    assert len(passages) >= 12
    for passage in passages[:12]:
        await service(storybot).toggle_bookmark(sandbox.guild_id, reader.id, passage.id)
    first = await (await sandbox.slash(reader, "me bookmarks")).wait_until_done()
    assert first.ephemeral and first.embeds[0]["footer"]["text"] == "page 1 of 2"
    assert first.embeds[0]["description"].count("\n") == 9  # ten to a page
    # The page buttons' ids name the page they open; the one labelled "Next" turns forward.
    next_page = next(item["custom_id"] for row in first.components
                     for item in row.get("components", []) if item.get("label") == "Next")
    turned = await sandbox.click(reader, first, next_page)
    await turned.wait(lambda r: r.message and "page 2 of 2" in str(r.message.embeds),
                      what="page 2")
