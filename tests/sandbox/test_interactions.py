"""Slash commands, callbacks, deferrals, follow-ups, components, modals, autocomplete,
attachments and permission errors, all through the unmodified discord.py stack."""

from __future__ import annotations

import hashlib

import aiohttp

from sandbox.control import Sandbox

from .sample_bot import SampleBot


async def test_ephemeral_reply_with_button_then_click(sandbox: Sandbox, bot: SampleBot) -> None:
    reader = sandbox.users.reader
    result = await sandbox.slash(reader, "ping", channel="stories")
    assert result.callback_type == 4
    assert result.content == "pong" and result.ephemeral and result.flags & 64
    assert result.message is not None and result.message.custom_ids() == ["ping:again"]
    assert sandbox.messages("stories") == []  # ephemeral messages are not in the channel
    clicked = await sandbox.click(reader, result.message, "ping:again")
    assert clicked.callback_type == 7
    assert result.message.content == f"pong again for {reader.id}"  # edited in place


async def test_echo_embed_and_allowed_mentions(sandbox: Sandbox, bot: SampleBot) -> None:
    text = f"hello {sandbox.users.curator.mention} @everyone"
    result = await sandbox.slash(sandbox.users.reader, "echo", {"text": text}, channel="stories")
    assert result.content == text and not result.ephemeral
    assert result.embeds[0]["title"] == "Echo" and result.embeds[0]["description"] == text
    assert result.allowed_mentions == {"parse": []}
    assert not result.message.pings.anyone
    [posted] = sandbox.messages("stories")
    assert posted.id == result.message.id and posted.type == 20
    # the bot also received its own message over the gateway
    assert bot.get_partial_messageable(posted.channel_id) is not None


async def test_defer_then_followups(sandbox: Sandbox, bot: SampleBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "slow")
    assert result.callback_type == 5 and result.deferred
    done = await result.wait_until_done()
    assert done.content == "done thinking" and done.ephemeral  # inherits the defer's flags
    followups = await result.wait_for_followups(2)
    assert followups[0] is done
    assert followups[1].content == "and one more" and followups[1].ephemeral
    assert followups[1].id != done.id


async def test_autocomplete_returns_choices(sandbox: Sandbox, bot: SampleBot) -> None:
    choices = await sandbox.autocomplete(sandbox.users.reader, "pick", {"story": "win"},
                                         focused="story")
    assert [c["name"] for c in choices] == ["The Long Winter", "Winter Roses"]
    picked = await sandbox.slash(sandbox.users.reader, "pick", {"story": choices[1]["value"]})
    assert picked.content == "picked Winter Roses"


async def test_subcommand_group_with_typed_options(sandbox: Sandbox, bot: SampleBot) -> None:
    result = await sandbox.slash(sandbox.users.curator, "library tags merge",
                                 {"from_tag": "angst", "into": "Angst", "times": "3"})
    assert result.content == "merged angst into Angst x3"
    [merge_option] = result.record.payload["data"]["options"][0]["options"]
    times = next(o for o in merge_option["options"] if o["name"] == "times")
    assert times == {"name": "times", "type": 4, "value": 3}


async def test_modal_roundtrip(sandbox: Sandbox, bot: SampleBot) -> None:
    reader = sandbox.users.reader2
    opened = await sandbox.slash(reader, "feedback")
    assert opened.callback_type == 9 and opened.modal["title"] == "Feedback"
    custom_id = opened.modal["custom_id"]
    submitted = await sandbox.submit_modal(reader, custom_id, {"stars": "5", "comment": "lovely"})
    assert submitted.content == "thanks: 5 stars, lovely" and submitted.ephemeral


async def test_attachment_upload_is_downloaded_by_bot(sandbox: Sandbox, bot: SampleBot) -> None:
    data = b"Chapter 1\n\nIt was a dark and stormy night.\n" * 50
    attachment = sandbox.upload("story.txt", data)
    result = await sandbox.slash(sandbox.users.curator, "upload", {"file": attachment})
    digest = hashlib.sha256(data).hexdigest()[:12]
    assert result.content == f"story.txt:{len(data)}:{digest}"
    resolved = result.record.payload["data"]["resolved"]["attachments"]
    assert resolved[attachment["id"]]["size"] == len(data)


async def test_missing_permissions_surface_as_forbidden(sandbox: Sandbox, bot: SampleBot) -> None:
    result = await sandbox.slash(sandbox.users.curator, "announce")
    assert result.content == "forbidden 50013"
    [error] = bot.forbidden
    assert error.status == 403 and error.text == "Missing Permissions"
    assert sandbox.messages("announcements") == []


async def test_message_with_file_thread_and_reaction(sandbox: Sandbox, bot: SampleBot) -> None:
    result = await sandbox.slash(sandbox.users.curator, "excerpt", channel="general")
    [followup] = await result.wait_for_followups(1)
    [posted] = sandbox.messages("stories")
    assert followup.content == f"posted {posted.id} thread {posted.thread_id}"
    assert posted.attachments[0]["filename"] == "excerpt.txt"
    thread = sandbox.channel(posted.thread_id)
    assert thread.name == "Discuss: Once" and thread.parent_id == sandbox.channels["stories"].id
    assert bot.guilds[0].get_thread(thread.id) is not None  # THREAD_CREATE reached the bot
    assert list(posted.reactions) == ["\N{BOOK}"]
    url = posted.attachments[0]["url"]
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert await response.read() == b"chapter one"
    create = [r for r in sandbox.requests if r.route.endswith("/channels/{channel_id}/messages")]
    assert create[0].files == ["excerpt.txt"] and create[0].json["content"] == "Once upon a time..."


async def test_second_callback_is_rejected(sandbox: Sandbox, bot: SampleBot) -> None:
    result = await sandbox.slash(sandbox.users.reader, "ping")
    url = f"{sandbox.api_base}/interactions/{result.record.id}/{result.record.token}/callback"
    again = {"type": 4, "data": {"content": "x"}}
    async with aiohttp.ClientSession() as session, session.post(url, json=again) as response:
        assert response.status == 400
        assert (await response.json())["code"] == 40060


async def test_channel_delete_reaches_bot(sandbox: Sandbox, bot: SampleBot) -> None:
    book_club = sandbox.channels["book-club"]
    await sandbox.delete_channel("book-club")
    await sandbox.state.wait_for(lambda: bot.deleted_channels)
    assert bot.deleted_channels == [book_club.id]
    assert bot.guilds[0].get_channel(book_club.id) is None
