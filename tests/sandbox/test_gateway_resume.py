"""The gateway's session rules on the wire: IDENTIFY needs the bot token, a dropped session
RESUMEs with every missed event replayed in order, and an unknown session is invalid."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from sandbox.control import Sandbox

Json = dict[str, Any]
INTENTS = (1 << 0) | (1 << 9) | (1 << 15)  # guilds, guild messages, message content


async def receive(ws: aiohttp.ClientWebSocketResponse) -> Json:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    payload: Json = message.json()
    return payload


async def identify(ws: aiohttp.ClientWebSocketResponse, token: str | None) -> None:
    assert (await receive(ws))["op"] == 10  # HELLO
    await ws.send_json({"op": 2, "d": {"token": token, "intents": INTENTS,
                                       "properties": {"os": "linux"}}})


async def test_a_dropped_session_resumes_with_the_missed_events(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(sandbox.gateway_url + "?v=10&encoding=json") as ws:
            await identify(ws, sandbox.token)
            ready = await receive(ws)
            assert ready["t"] == "READY"
            session_id, seq = ready["d"]["session_id"], ready["s"]
            guild = await receive(ws)
            assert guild["t"] == "GUILD_CREATE"
            seq = guild["s"]
            async with sandbox.faults.gateway_outage():
                closed = await ws.receive(timeout=5)
                assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                first = await sandbox.say(sandbox.users.reader, "general", "while you were away")
                second = await sandbox.say(sandbox.users.reader2, "general", "and this")
        async with http.ws_connect(sandbox.gateway_url + "?v=10&encoding=json") as ws:
            assert (await receive(ws))["op"] == 10
            await ws.send_json({"op": 6, "d": {"token": sandbox.token, "session_id": session_id,
                                               "seq": seq}})
            replayed = [await receive(ws) for _ in range(3)]
    assert [(p["t"], p["s"]) for p in replayed] == [
        ("MESSAGE_CREATE", seq + 1), ("MESSAGE_CREATE", seq + 2), ("RESUMED", seq + 3)]
    assert [p["d"]["id"] for p in replayed[:2]] == [str(first.id), str(second.id)]


async def test_an_unknown_session_is_invalid(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sandbox.gateway_url) as ws:
        assert (await receive(ws))["op"] == 10
        await ws.send_json({"op": 6, "d": {"token": sandbox.token, "session_id": "nope",
                                           "seq": 3}})
        assert await receive(ws) == {"op": 9, "d": False, "s": None, "t": None}


async def test_identify_with_the_wrong_token_is_closed_4004(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(sandbox.gateway_url) as ws:
        await identify(ws, "not-the-token")
        closed = await ws.receive(timeout=5)
        assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 4004
    assert not sandbox.server.hub.ready_connections()


async def test_a_message_event_goes_only_to_a_session_with_the_messages_intent(
        sandbox: Sandbox) -> None:
    """Without the guild messages intent a session gets no MESSAGE_CREATE (Discord's rule),
    and the stand-in does not build one for nobody (`listening`)."""
    guild_id = sandbox.guild().id
    url = sandbox.gateway_url + "?v=10&encoding=json"
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        assert (await receive(ws))["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": sandbox.token, "intents": 1,
                                           "properties": {"os": "linux"}}})
        assert [(await receive(ws))["t"] for _ in range(2)] == ["READY", "GUILD_CREATE"]
        assert not sandbox.state.listening("MESSAGE_CREATE", guild_id)
        await sandbox.say(sandbox.users.reader, "general", "nobody is listening")
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=0.3)
        async with http.ws_connect(url) as other:
            await identify(other, sandbox.token)
            assert [(await receive(other))["t"] for _ in range(2)] == ["READY", "GUILD_CREATE"]
            assert sandbox.state.listening("MESSAGE_CREATE", guild_id)
            said = await sandbox.say(sandbox.users.reader, "general", "now someone is")
            event = await receive(other)
            assert (event["t"], event["d"]["id"]) == ("MESSAGE_CREATE", str(said.id))
