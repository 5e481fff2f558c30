"""Raw reaction events, including for messages the bot never cached."""

from __future__ import annotations

from sandbox.control import Sandbox

from .conftest import start_bot, stop_bot


async def test_raw_reactions_for_uncached_message(sandbox: Sandbox) -> None:
    # Posted before the bot connected, so it is not in the bot's message cache.
    old = await sandbox.say(sandbox.users.curator, "stories", "an old excerpt")
    bot, task = await start_bot(sandbox)
    try:
        assert bot._connection._get_message(old.id) is None
        await sandbox.react(sandbox.users.reader, old, "\N{HEAVY BLACK HEART}")
        await sandbox.react(sandbox.users.reader2, old, "kudos:123456789012345678")
        await sandbox.state.wait_for(lambda: len(bot.raw_reactions) == 2)
        unicode_event, custom_event = bot.raw_reactions
        assert unicode_event.message_id == old.id
        assert unicode_event.user_id == sandbox.users.reader.id
        assert str(unicode_event.emoji) == "\N{HEAVY BLACK HEART}"
        assert unicode_event.member is not None
        assert unicode_event.member.guild.name == "Story Circle"
        assert custom_event.emoji.id == 123456789012345678 and custom_event.emoji.name == "kudos"
        await sandbox.unreact(sandbox.users.reader, old, "\N{HEAVY BLACK HEART}")
        assert old.reactions["\N{HEAVY BLACK HEART}"][1] == []
    finally:
        await stop_bot(bot, task)
