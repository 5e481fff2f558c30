"""Start-up, command sync, restarts, mentions, /help and the error path of the real bot."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app import COGS, StoryBot
from bot.bootstrap import build_services
from bot.config import Settings
from sandbox.control import Sandbox
from sandbox.session import RunningBot, start_bot


def command_syncs(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_start_up_syncs_commands_once_and_not_again_after_a_restart(
    sandbox: Sandbox, settings: Settings
) -> None:
    first = await start_bot(sandbox, settings)
    await sandbox.wait_for_commands("story", "help", "config")
    names = {c["name"] for c in sandbox.registered_commands()}
    assert {"story", "help", "config"} <= names
    assert command_syncs(sandbox) == 1
    # A story removed while the bot runs: its stop saves the recommendation index again,
    # so the next start loads it rather than building it.
    await first.bot.services.recommendations.ready()
    story = await first.bot.services.catalog.resolve("Last Seen Online", sandbox.guild_id)
    await first.bot.services.catalog.remove(story.id, sandbox.guild_id)
    await first.stop()
    second = await start_bot(sandbox, settings)
    try:
        result = await sandbox.slash(sandbox.users.reader, "help")
        assert result.ephemeral
        assert command_syncs(sandbox) == 1, "an unchanged tree is not synced again"
        recommendations = await second.bot.services.recommendations.ready()
        assert recommendations.index_start.loaded_from_snapshot
        assert story.id not in recommendations.index
    finally:
        await second.stop()


async def test_the_bot_asks_for_no_privileged_intents(storybot: RunningBot) -> None:
    intents = storybot.bot.intents
    assert not intents.message_content and not intents.members and not intents.presences
    assert intents.guilds and intents.guild_reactions


async def test_every_message_the_bot_sends_pings_no_one(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    # A demo story quotes a chat log with @everyone, a user and a role mention.
    story = await storybot.bot.services.catalog.resolve("Last Seen Online", sandbox.guild_id)
    await storybot.bot.services.catalog.edit(story.id, "all",
                                             summary="@everyone look <@&111111111111111111> <@42>")
    await sandbox.slash(sandbox.users.reader, "story info", {"story": str(story.id)})
    await sandbox.slash(sandbox.users.reader, "story search", {"query": "everyone"})
    bodies = [
        r.json.get("data", r.json) for r in sandbox.requests
        if r.method in ("POST", "PATCH") and isinstance(r.json, dict)
    ]
    messages = [b for b in bodies if isinstance(b, dict) and ("content" in b or "embeds" in b)]
    assert messages, "the bot answered"
    for body in messages:
        assert body.get("allowed_mentions") == {"parse": []}, body
    assert not any(m.pings.anyone for m in sandbox.bot_messages())


async def test_help_shows_curator_commands_only_to_curators(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    reader = await sandbox.slash(sandbox.users.reader, "help")
    curator = await sandbox.slash(sandbox.users.curator, "help")
    reader_text = str(reader.embeds[0])
    curator_text = str(curator.embeds[0])
    assert "/story info" in reader_text and "/story add" not in reader_text
    assert "/story add" in curator_text and "★" in curator_text


async def test_curator_role_can_be_set_and_then_curates(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    result = await sandbox.slash(sandbox.users.curator, "config curator-role",
                                 {"role": str(sandbox.roles.readers.id)})
    assert result.ephemeral and "Curators are now" in result.content
    assert result.allowed_mentions == {"parse": []}
    shown = await sandbox.slash(sandbox.users.reader, "config show")
    assert str(sandbox.roles.readers.id) in str(shown.embeds[0])
    # Readers now hold the curator role, so the server-side check lets them in.
    help_now = await sandbox.slash(sandbox.users.reader, "help")
    assert "/story add" in str(help_now.embeds[0])


async def test_a_failing_handler_gets_one_private_line_and_the_bot_goes_on(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    @app_commands.command(name="explode", description="fails on purpose")
    async def explode(interaction: discord.Interaction[StoryBot]) -> None:
        raise RuntimeError("boom")

    storybot.bot.tree.add_command(explode)
    await storybot.bot.tree.sync()
    await sandbox.wait_for_commands("explode")
    failed = await sandbox.slash(sandbox.users.reader, "explode")
    assert failed.ephemeral and "Something went wrong" in failed.content
    still = await sandbox.slash(sandbox.users.reader, "story list")
    assert still.embeds


async def test_an_unknown_button_gets_a_clear_answer(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    # A post made by an older version, whose button this version no longer knows.
    old_view = discord.ui.View()
    old_view.add_item(discord.ui.Button(label="Old", custom_id="v0:retired-action:9"))
    channel = storybot.bot.get_channel(sandbox.channels["stories"].id)
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("an old post", view=old_view)
    old_view.stop()  # forget it, as a restart would
    result = await sandbox.click(sandbox.users.reader, posted.id, "v0:retired-action:9")
    assert result.ephemeral and "no longer works" in result.content


async def test_every_cog_loads_and_command_names_are_unique(settings: Settings) -> None:
    bot = StoryBot(settings)
    # As in setup_hook: the services exist before the cogs load.
    bot.services = await build_services(settings.storybot_db, client=bot)
    try:
        for extension in COGS:
            await bot.load_extension(extension)
        names = [c.qualified_name for c in bot.tree.walk_commands()]
        assert len(names) == len(set(names)), names
        assert {"story add", "story info", "story list", "story search", "story edit",
                "story remove", "help", "config show", "config curator-role", "excerpt",
                "daily set", "recommend", "tags merge", "me block", "me forget", "stats",
                "feedback", "export feedback"} <= set(names)
        for command in bot.tree.walk_commands():
            assert command.description, command.qualified_name
    finally:
        for extension in COGS:
            await bot.unload_extension(extension)
        await bot.services.close()


async def test_a_development_server_gets_its_commands_directly(
    sandbox: Sandbox, settings: Settings
) -> None:
    dev = settings.model_copy(update={"dev_guild_id": sandbox.guild_id})
    running = await start_bot(sandbox, dev)
    try:
        await sandbox.wait_for_commands("story")
        assert {"story", "help"} <= {c["name"] for c in sandbox.registered_commands(guild=True)}
        assert sandbox.registered_commands(guild=False) == []
    finally:
        await running.stop()
