"""The stand-in speaks sharding: several guilds, GET /gateway/bot's recommended shard count,
IDENTIFY with `shard: [id, count]` getting only that shard's guilds (and their events), and
Discord's close codes 4010 (invalid shard) and 4011 (sharding required). Real discord.py
AutoShardedClients, one per shard as in two bot processes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import aiohttp
import pytest

from sandbox.control import Sandbox
from sandbox.snowflake import SnowflakeFactory, shard_of
from sandbox.state import SandboxState

from .conftest import assert_spec_clean, bot_headers
from .shard_client import ShardClient, start_clients


@pytest.fixture
async def four_guilds() -> AsyncIterator[Sandbox]:
    """Four guilds, two on each shard of 2, in validation mode."""
    async with Sandbox.start(validate_spec=True, guilds=4, shard_count=2) as sb:
        with sb.pointed_at():
            yield sb
        assert_spec_clean(sb)


def test_ids_chosen_for_a_shard_land_on_it_and_keep_increasing() -> None:
    ids = SnowflakeFactory()
    made = [ids.next_on_shard(shard, count) for count in (2, 3, 7) for shard in range(count)]
    assert [shard_of(i, c) for i, c in zip(made, [2] * 2 + [3] * 3 + [7] * 7, strict=True)] == [
        *range(2), *range(3), *range(7)]
    later = ids.next()
    assert made == sorted(made) and len(set(made)) == len(made) and later > made[-1]
    with pytest.raises(ValueError, match="shard 2 is not one of 0..1"):
        ids.next_on_shard(2, 2)


def test_added_guilds_copy_the_world_with_fresh_ids() -> None:
    state = SandboxState()
    second = state.add_guild("Ink Club", shard=(1, 2))
    primary = state.guild
    assert list(state.guilds) == [primary.id, second.id] and shard_of(second.id, 2) == 1
    assert second.name == "Ink Club" and second.owner_id == primary.owner_id
    assert set(second.members) == set(primary.members)  # the same people
    names = sorted(c.name for c in second.channels.values())
    assert names == sorted(c.name for c in primary.channels.values())
    assert not set(second.channels) & set(primary.channels)
    assert not set(second.roles) & set(primary.roles)
    # the roles of a member are that guild's roles, so permissions are computed per guild
    curator = state.member(state.users.curator.id, second.id)
    assert curator is not None and set(curator.role_ids) <= set(second.roles)
    hidden = state.channel("curators", second.id)
    assert hidden.guild_id == second.id and state.permissions(state.users.bot.id, hidden) == 0
    assert state.channel(hidden.id) is hidden  # by id, whichever guild
    with pytest.raises(KeyError, match="no channel"):
        state.channel(hidden.id, primary.id)
    third = state.add_guild()
    assert third.name == "Story Circle 3"


def test_a_saved_world_gets_the_same_guilds_again() -> None:
    runs = []
    for _ in range(2):
        state = SandboxState(world_time_ms=1_750_000_000_000)
        state.add_guild(shard=(0, 2))
        state.add_guild(shard=(1, 2))
        runs.append([(g.id, sorted(g.channels)) for g in state.guilds.values()])
    assert runs[0] == runs[1]


def seen_two(guild_ids: list[int]) -> bool:
    return len(guild_ids) >= 2


def seen_four(guild_ids: list[int]) -> bool:
    """Two events from each of a shard's two guilds."""
    return len(guild_ids) >= 4


async def test_each_shard_client_sees_only_its_guilds(four_guilds: Sandbox) -> None:
    sb = four_guilds
    on_0, on_1 = sb.guilds_on_shard(0, 2), sb.guilds_on_shard(1, 2)
    assert len(on_0) == len(on_1) == 2 and set(on_0) | set(on_1) == set(sb.guild_ids)
    first, second = ShardClient([0], 2), ShardClient([1], 2)
    running = await start_clients(sb, first, second, shards=2)
    try:
        assert sorted(g.id for g in first.guilds) == sorted(on_0)
        assert sorted(g.id for g in second.guilds) == sorted(on_1)
        assert set(sb.connected_shards()) == {(0, 2), (1, 2)}
        # READY echoes the shard and lists only that shard's guilds
        for session in sb.server.hub.sessions.values():
            ready = session.sent[0]
            assert ready["t"] == "READY" and session.shard is not None
            assert ready["d"]["shard"] == list(session.shard)
            listed = sorted(int(g["id"]) for g in ready["d"]["guilds"])
            assert listed == sorted(sb.guilds_on_shard(*session.shard))
            created = [int(p["d"]["id"]) for p in session.sent if p["t"] == "GUILD_CREATE"]
            assert sorted(created) == listed
        # each client synced guild commands to its own guilds, over REST with their ids
        for guild_id in sb.guild_ids:
            await sb.state.wait_for(partial(sb.registered_commands, guild=True,
                                            guild_id=guild_id))
    finally:
        for item in running:
            await item.stop()


async def test_guild_events_reach_only_the_owning_shard(four_guilds: Sandbox) -> None:
    sb = four_guilds
    first, second = ShardClient([0], 2), ShardClient([1], 2)
    running = await start_clients(sb, first, second, shards=2)
    owner = {0: first, 1: second}
    try:
        for guild_id in sb.guild_ids:
            shard = shard_of(guild_id, 2)
            result = await sb.slash(sb.users.reader, "where", channel="stories", guild=guild_id)
            assert result.content == f"shard {shard} of 2 in process {os.getpid()}"
            assert result.record.delivered_to == [(shard, 2)]
            posted = await sb.wait_for_message("stories", guild=guild_id)
            assert posted.guild_id == guild_id and "is served here" in posted.content
            # answered over REST by the process that got it: callback, then a follow-up
            [followup] = await result.wait_for_followups()
            assert followup.content == f"posted {posted.id}"
            assert followup.channel_id == sb.channel("stories", guild_id).id
            await sb.state.wait_for(partial(getattr, posted, "reactions"))
            await sb.react(sb.users.reader2, posted, "\N{RED APPLE}")
            said = await sb.say(sb.users.curator, "general", "hello", guild=guild_id)
            assert said.guild_id == guild_id
            thread = sb.state.create_thread(sb.channel("book-club", guild_id), "Chapter talk",
                                            sb.users.reader, from_message=None)
            assert thread.guild_id == guild_id and sb.channel(thread.id) is thread
            await sb.delete_channel("after-dark", guild=guild_id)
            assert "after-dark" not in sb.channels_in(guild_id)
        for shard, client in owner.items():
            mine = sorted(sb.guilds_on_shard(shard, 2))
            assert sorted(client.interaction_guilds) == mine
            await sb.state.wait_for(partial(seen_four, client.reaction_guilds))
            await sb.state.wait_for(partial(seen_four, client.message_guilds))
            assert set(client.reaction_guilds) == set(mine)  # own and the reader's
            assert set(client.message_guilds) == set(mine)
            await sb.state.wait_for(partial(seen_two, client.deleted_channel_guilds))
            assert sorted(client.thread_guilds) == sorted(client.deleted_channel_guilds) == mine
        # a guild the bot joins later goes to the shard that owns it, and only there
        joined = sb.add_guild("Late Arrivals", shard=(1, 2))
        await sb.state.wait_for(lambda: second.joined)
        assert second.joined == [joined] and first.joined == []
        assert second.get_guild(joined) is not None and first.get_guild(joined) is None
    finally:
        for item in running:
            await item.stop()


async def test_unsharded_client_follows_the_recommended_count(four_guilds: Sandbox) -> None:
    """Without a shard count discord.py asks GET /gateway/bot and runs that many shards."""
    sb = four_guilds
    client = ShardClient()
    [running] = await start_clients(sb, client, shards=2)
    try:
        assert client.shard_count == 2 and len(client.guilds) == 4
        assert any(r.path.endswith("/gateway/bot") for r in sb.requests)
    finally:
        await running.stop()


async def test_gateway_bot_recommends_a_shard_count() -> None:
    async with Sandbox.start(validate_spec=True) as sb:
        async with aiohttp.ClientSession(headers=bot_headers(sb)) as http:
            async def shards() -> int:
                async with http.get(f"{sb.api_base}/gateway/bot") as response:
                    body = await response.json()
                    assert body["url"] == sb.gateway_url
                    limit = body["session_start_limit"]
                    assert limit["max_concurrency"] == 1 and limit["total"] == 1000
                    assert limit["remaining"] == 1000 - sb.state.session_starts
                    return int(body["shards"])
            assert await shards() == 1  # one per 1000 guilds, at least one
            await identify(sb, [0, 1])
            assert sb.state.session_starts == 1
            for _ in range(1000):
                sb.add_guild()
            assert await shards() == 2
            sb.recommended_shards = 5
            assert await shards() == 5
        assert_spec_clean(sb)


async def identify(sb: Sandbox, shard: object, *, max_guilds: int | None = None
                   ) -> tuple[int | None, list[dict]]:
    """IDENTIFY over a raw websocket; the close code (None: still open) and what came."""
    if max_guilds is not None:
        sb.server.hub.max_guilds_per_session = max_guilds
    payload: dict = {"token": sb.token, "intents": 1, "properties": {}}
    if shard is not None:
        payload["shard"] = shard
    received: list[dict] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(sb.gateway_url) as ws:
        received.append(json.loads((await ws.receive()).data))  # HELLO
        await ws.send_json({"op": 2, "d": payload})
        while True:
            message = await ws.receive(timeout=5)
            if message.type is not aiohttp.WSMsgType.TEXT:
                return ws.close_code, received
            received.append(json.loads(message.data))
            if len(received) == 2 + len(received[1]["d"]["guilds"]):  # READY, GUILD_CREATEs
                return None, received


async def test_invalid_shards_close_with_4010(four_guilds: Sandbox) -> None:
    for bad in ([2, 2], [0, 0], [-1, 2], [1], ["0", "2"], [True, 2], "0,2"):
        code, received = await identify(four_guilds, bad)
        assert code == 4010, bad
        assert [m["op"] for m in received] == [10]  # HELLO, then nothing but the close


async def test_an_unsharded_session_gets_every_guild_unless_too_many(
        four_guilds: Sandbox) -> None:
    code, received = await identify(four_guilds, None)
    assert code is None
    ready = received[1]["d"]
    assert "shard" not in ready
    assert sorted(int(g["id"]) for g in ready["guilds"]) == sorted(four_guilds.guild_ids)
    # past the per-session limit (Discord's is 2,500) IDENTIFY needs shards: 4011
    code, _ = await identify(four_guilds, None, max_guilds=3)
    assert code == 4011
    code, received = await identify(four_guilds, [1, 2], max_guilds=3)
    assert code is None and received[1]["d"]["shard"] == [1, 2]


async def test_routes_of_a_guild_the_bot_is_not_in_answer_missing_access(
        four_guilds: Sandbox) -> None:
    sb = four_guilds
    other = sb.guild_ids[2]
    stranger = SnowflakeFactory().next()
    async with aiohttp.ClientSession(headers=bot_headers(sb)) as http:
        async with http.get(f"{sb.api_base}/guilds/{other}/channels") as response:
            names = {c["name"] for c in await response.json()}
            assert response.status == 200 and "stories" in names
        async with http.get(f"{sb.api_base}/guilds/{other}/members/{sb.users.curator.id}"
                            ) as response:
            roles = set((await response.json())["roles"])
            assert roles and roles <= {str(r) for r in sb.guild(other).roles}
        for path in (f"/guilds/{stranger}", f"/guilds/{stranger}/roles",
                     f"/applications/{sb.users.bot.id}/guilds/{stranger}/commands"):
            async with http.get(sb.api_base + path) as response:
                assert response.status == 403, path
                assert (await response.json())["code"] == 50001


async def test_two_shard_processes_serve_two_guilds_each(four_guilds: Sandbox) -> None:
    """Shards 0 and 1 of 2 in two processes against one sandbox: every guild's interaction
    reaches exactly one of them, the one whose shard owns the guild, which answers it."""
    sb = four_guilds
    processes = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.sandbox.shard_process", sb.api_base, sb.token or "",
        str(shard), "2", cwd=Path(__file__).parents[2]) for shard in (0, 1)]
    try:
        await sb.wait_until_bot_ready(timeout=60, shards=2)
        await sb.wait_for_commands("where", timeout=30)
        answered_by: dict[int, int] = {}
        for guild_id in sb.guild_ids:
            shard = shard_of(guild_id, 2)
            result = await sb.slash(sb.users.reader, "where", channel="stories", guild=guild_id)
            assert result.record.delivered_to == [(shard, 2)]
            assert result.content == f"shard {shard} of 2 in process {processes[shard].pid}"
            answered_by[guild_id] = shard
            await result.wait_for_followups()
        assert sorted(answered_by.values()) == [0, 0, 1, 1]
    finally:
        for process in processes:
            process.terminate()
            await process.wait()
