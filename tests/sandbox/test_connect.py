"""Login, READY, GUILD_CREATE, command sync, reconnects and a second bot process."""

from __future__ import annotations

import aiohttp
import discord

from sandbox import permissions as p
from sandbox.control import Sandbox

from .conftest import bot_headers, start_bot, stop_bot
from .sample_bot import SampleBot


async def test_bot_sees_guild_channels_and_members(sandbox: Sandbox, bot: SampleBot) -> None:
    assert bot.user is not None and bot.user.id == sandbox.users.bot.id
    assert bot.application_id == sandbox.users.bot.id
    [query] = sandbox.server.hub.connect_queries
    assert query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    [guild] = bot.guilds
    assert guild.name == "Story Circle"
    assert guild.owner_id == sandbox.users.owner.id
    names = {c.name for c in guild.text_channels}
    assert {"general", "stories", "book-club", "after-dark", "announcements"} <= names
    assert "curators" in names  # listed, even though the bot may not view it
    after_dark = discord.utils.get(guild.text_channels, name="after-dark")
    stories = discord.utils.get(guild.text_channels, name="stories")
    assert after_dark.is_nsfw() and not stories.is_nsfw()
    curator = guild.get_member(sandbox.users.curator.id)
    assert curator is not None and "Curator" in [r.name for r in curator.roles]
    assert guild.chunked and len(guild.members) == 5
    # discord.py's own permission maths agrees with the sandbox's
    announcements = discord.utils.get(guild.text_channels, name="announcements")
    assert not announcements.permissions_for(guild.me).send_messages
    assert announcements.permissions_for(curator).send_messages
    hidden = discord.utils.get(guild.text_channels, name="curators")
    assert not hidden.permissions_for(guild.me).view_channel
    assert sandbox.state.permissions(sandbox.users.bot.id, sandbox.channels["curators"]) == 0


async def test_command_sync_lands_in_registered_commands(sandbox: Sandbox, bot: SampleBot
                                                         ) -> None:
    commands = {c["name"]: c for c in sandbox.registered_commands(guild=False)}
    assert {"ping", "echo", "slow", "pick", "feedback", "upload", "library"} <= set(commands)
    [group] = [o for o in commands["library"]["options"] if o["name"] == "tags"]
    assert group["type"] == 2 and group["options"][0]["name"] == "merge"
    assert sandbox.registered_commands(guild=True) == []
    # discord.py can read them back
    fetched = await bot.tree.fetch_commands()
    assert {c.name for c in fetched} == set(commands)


async def test_member_permissions_in_interaction_payload(sandbox: Sandbox, bot: SampleBot
                                                         ) -> None:
    as_curator = await sandbox.slash(sandbox.users.curator, "library who",
                                     {"member": sandbox.users.reader2}, channel="after-dark")
    assert as_curator.content == "priya reads|manage_guild=True|nsfw=True"
    as_reader = await sandbox.slash(sandbox.users.reader, "library who",
                                    {"member": sandbox.users.curator}, channel="stories")
    assert as_reader.content == "Ines the Curator|manage_guild=False|nsfw=False"
    perms = int(as_reader.record.payload["member"]["permissions"])
    assert perms & p.SEND_MESSAGES and not perms & p.MANAGE_GUILD
    app_perms = int(as_reader.record.payload["app_permissions"])
    assert discord.Permissions(app_perms).create_public_threads


async def test_second_bot_connects_after_first_stops(sandbox: Sandbox) -> None:
    first, task = await start_bot(sandbox)
    reply = await sandbox.slash(sandbox.users.reader, "echo", {"text": "before restart"})
    await stop_bot(first, task)
    second, task = await start_bot(sandbox)
    try:
        assert second.guilds[0].name == "Story Circle"
        reply2 = await sandbox.slash(sandbox.users.reader, "echo", {"text": "after restart"})
        assert reply2.content == "after restart"
        # state persisted across bot processes
        assert [m.content for m in sandbox.messages("general")] == [reply.content, reply2.content]
        assert len(sandbox.server.hub.identify_payloads) == 2
    finally:
        await stop_bot(second, task)


async def test_gateway_restart_resumes(sandbox: Sandbox, bot: SampleBot) -> None:
    await sandbox.restart_gateway()
    await sandbox.wait_until_bot_ready()
    result = await sandbox.slash(sandbox.users.reader, "echo", {"text": "still here"})
    assert result.content == "still here"
    assert len(sandbox.server.hub.identify_payloads) == 1  # resumed, not re-identified


async def test_unknown_route_is_404_with_discord_shape(sandbox: Sandbox) -> None:
    url = f"{sandbox.api_base}/no/such/route"
    async with aiohttp.ClientSession(headers=bot_headers(sandbox)) as session, session.get(
            url) as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
        assert await response.json() == {"message": "404: Not Found", "code": 0}
        assert "X-RateLimit-Remaining" in response.headers
    assert sandbox.unknown_routes == ["GET /api/v10/no/such/route"]
    # Validation mode names it too; this one was on purpose.
    assert sandbox.spec_problems() == [
        "request GET /api/v10/no/such/route (?) at path: no such operation in the spec"]
    sandbox.state.spec_violations.clear()
