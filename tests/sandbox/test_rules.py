"""The sandbox's Discord rules on their own: permission bits and maths, mention parsing,
body limits, snowflakes."""

from __future__ import annotations

import time

import aiohttp
import discord

from sandbox import permissions as p
from sandbox.control import Sandbox
from sandbox.messages import resolve_pings
from sandbox.snowflake import SnowflakeFactory, snowflake_time_ms

from .conftest import bot_headers


def test_permission_bits_match_discord_py() -> None:
    names = {
        "ADD_REACTIONS": "add_reactions", "VIEW_CHANNEL": "view_channel",
        "SEND_MESSAGES": "send_messages", "MANAGE_MESSAGES": "manage_messages",
        "EMBED_LINKS": "embed_links", "ATTACH_FILES": "attach_files",
        "READ_MESSAGE_HISTORY": "read_message_history", "MANAGE_GUILD": "manage_guild",
        "MANAGE_THREADS": "manage_threads", "CREATE_PUBLIC_THREADS": "create_public_threads",
        "SEND_MESSAGES_IN_THREADS": "send_messages_in_threads", "ADMINISTRATOR": "administrator",
        "USE_APPLICATION_COMMANDS": "use_application_commands",
        "MODERATE_MEMBERS": "moderate_members", "MENTION_EVERYONE": "mention_everyone",
    }
    for ours, theirs in names.items():
        assert getattr(p, ours) == getattr(discord.Permissions, theirs).flag, ours


def test_overwrites_follow_discord_order() -> None:
    guild_id, role_id, member_id = 1, 2, 3
    overwrites = [
        p.Overwrite(guild_id, p.OVERWRITE_ROLE, deny=p.SEND_MESSAGES),
        p.Overwrite(role_id, p.OVERWRITE_ROLE, allow=p.SEND_MESSAGES),
        p.Overwrite(member_id, p.OVERWRITE_MEMBER, deny=p.ADD_REACTIONS),
    ]
    base = p.VIEW_CHANNEL | p.SEND_MESSAGES | p.ADD_REACTIONS
    with_role = p.apply_overwrites(base, guild_id=guild_id, member_id=member_id,
                                   member_role_ids=[role_id], overwrites=overwrites)
    assert with_role == p.VIEW_CHANNEL | p.SEND_MESSAGES
    without = p.apply_overwrites(base, guild_id=guild_id, member_id=99, member_role_ids=[],
                                 overwrites=overwrites)
    assert without == p.VIEW_CHANNEL | p.ADD_REACTIONS
    hidden = [p.Overwrite(guild_id, p.OVERWRITE_ROLE, deny=p.VIEW_CHANNEL)]
    assert p.apply_overwrites(base, guild_id=guild_id, member_id=member_id,
                              member_role_ids=[], overwrites=hidden) == 0
    assert p.base_permissions(is_owner=False, everyone_permissions=p.ADMINISTRATOR,
                              role_permissions=[]) == p.ALL_PERMISSIONS


def test_pings_respect_allowed_mentions() -> None:
    text = "<@11> <@!12> <@&21> @everyone"
    assert resolve_pings(text, None).users == (11, 12)
    assert resolve_pings(text, None).everyone
    assert not resolve_pings(text, {"parse": []}).anyone
    only = resolve_pings(text, {"parse": [], "users": ["12"], "roles": ["21"]})
    assert only.users == (12,) and only.roles == (21,) and not only.everyone


def test_snowflakes_are_time_based_and_increasing() -> None:
    factory = SnowflakeFactory()
    ids = [factory.next() for _ in range(5000)]
    assert ids == sorted(set(ids))
    assert abs(snowflake_time_ms(ids[0]) - time.time() * 1000) < 5000


async def test_too_long_content_is_invalid_form_body(sandbox: Sandbox) -> None:
    url = f"{sandbox.api_base}/channels/{sandbox.channels['general'].id}/messages"
    async with aiohttp.ClientSession(headers=bot_headers(sandbox)) as session:
        async with session.post(url, json={"content": "x" * 2001}) as response:
            body = await response.json()
            assert response.status == 400 and body["code"] == 50035
            assert "content" in body["errors"]
        async with session.post(url, json={"content": ""}) as response:
            assert (await response.json())["code"] == 50006
    assert sandbox.messages("general") == []
