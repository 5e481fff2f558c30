"""The gateway websocket (/gateway): HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE,
RESUME, REQUEST_GUILD_MEMBERS, and dispatch of events to every identified connection,
filtered by the connection's intents and, for a sharded connection, by the shard that owns
the event's guild (see sharding.py). Speaks JSON, optionally with zlib-stream transport
compression (one compressor per connection, every message ended with Z_SYNC_FLUSH)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .entities import JsonDict
from .sharding import INVALID_SHARD, SHARDING_REQUIRED, InvalidShard, event_guild_id, parse_shard
from .snowflake import shard_of
from .state import SandboxState

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT = 0, 1, 2, 3, 4, 6, 7
REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_MESSAGE_CONTENT = 1 << 15

# Which intent an event needs; events not listed (READY, INTERACTION_CREATE, ...) always go out.
EVENT_INTENTS = {
    "GUILD_CREATE": INTENT_GUILDS,
    "CHANNEL_CREATE": INTENT_GUILDS,
    "CHANNEL_DELETE": INTENT_GUILDS,
    "CHANNEL_UPDATE": INTENT_GUILDS,
    "THREAD_CREATE": INTENT_GUILDS,
    "THREAD_UPDATE": INTENT_GUILDS,
    "THREAD_DELETE": INTENT_GUILDS,
    "MESSAGE_CREATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_UPDATE": INTENT_GUILD_MESSAGES,
    "MESSAGE_DELETE": INTENT_GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": INTENT_GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": INTENT_GUILD_MESSAGE_REACTIONS,
}
HEARTBEAT_INTERVAL_MS = 41_250


REPLAY_LIMIT = 2000  # events a session keeps for a RESUME (Discord keeps a window, too)
AUTHENTICATION_FAILED = 4004


@dataclass
class GatewaySession:
    """Survives a dropped connection so the bot can RESUME it: every event sent in the
    session is kept (up to REPLAY_LIMIT) so a RESUME replays what the bot missed."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None = None  # (shard_id, shard_count) from IDENTIFY
    sequence: int = 0
    sent: list[JsonDict] = field(default_factory=list)
    closed: bool = False  # the bot closed it on purpose (1000/1001): no RESUME, no buffering

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session gets an event of this guild: an unsharded session gets every
        guild; a shard gets its guilds by Discord's formula, and events of no guild (DMs)
        only on shard 0."""
        if self.shard is None:
            return True
        shard_id, shard_count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, shard_count) == shard_id

    def receives(self, event: str) -> bool:
        """Whether its intents let this event through (events needing none always do)."""
        needed = EVENT_INTENTS.get(event, 0)
        return not needed or bool(self.intents & needed)


@dataclass
class GatewayConnection:
    ws: web.WebSocketResponse
    compressor: Any | None  # zlib compressobj for zlib-stream, else None (plain text frames)
    session: GatewaySession | None = None
    guild_sent: bool = False  # READY and every GUILD_CREATE of the IDENTIFY are written
    ready_marker: JsonDict | None = None  # the last of those payloads
    dropped_by_server: bool = False
    outbox: asyncio.Queue[JsonDict | None] = field(default_factory=asyncio.Queue)

    async def write(self, payload: JsonDict) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        if self.compressor is None:
            await self.ws.send_str(text)
        else:
            data = self.compressor.compress(text.encode())
            data += self.compressor.flush(zlib.Z_SYNC_FLUSH)  # ends in 00 00 ff ff
            await self.ws.send_bytes(data)


class GatewayHub:
    """All gateway connections of one sandbox; `dispatch` fans an event out to them."""

    def __init__(self, state: SandboxState, gateway_url: str = "") -> None:
        self.state = state
        self.gateway_url = gateway_url
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.identify_payloads: list[JsonDict] = []
        self.connect_queries: list[dict[str, str]] = []  # ?v=&encoding=&compress= per connection
        self.resume_payloads: list[JsonDict] = []
        # Discord closes an IDENTIFY that would get more guilds than this with 4011.
        self.max_guilds_per_session = 2500
        # Cleared during an outage: new connections wait before HELLO until it is set again.
        self.accepting = asyncio.Event()
        self.accepting.set()
        state.dispatch = self.dispatch
        state.listening = self.listening

    def ready_connections(self) -> list[GatewayConnection]:
        return [c for c in self.connections if c.guild_sent and not c.ws.closed]

    def sessions_serving(self, guild_id: int | None) -> list[GatewaySession]:
        """Live sessions that get this guild's events."""
        return [s for s in self.sessions.values() if not s.closed and s.serves(guild_id)]

    def listening(self, event: str, guild_id: int | None) -> bool:
        return any(session.receives(event) for session in self.sessions_serving(guild_id))

    def dispatch(self, event: str, data: JsonDict) -> None:
        """Send an event to every live session that serves its guild; a session whose
        connection dropped keeps it for its RESUME."""
        for session in self.sessions_serving(event_guild_id(event, data)):
            connection = next((c for c in self.connections if c.session is session), None)
            self._queue_session(session, connection, event, data)

    def _queue(self, connection: GatewayConnection, event: str, data: JsonDict
               ) -> JsonDict | None:
        assert connection.session is not None
        return self._queue_session(connection.session, connection, event, data)

    def _queue_session(self, session: GatewaySession, connection: GatewayConnection | None,
                       event: str, data: JsonDict) -> JsonDict | None:
        """Queue one event for a session; returns the payload (None: filtered out)."""
        if not session.receives(event):
            return None
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & (
            INTENT_MESSAGE_CONTENT
        ):
            data = _without_content(data, self.state.users.bot.id)
        if event == "GUILD_CREATE" and not session.intents & INTENT_GUILD_MEMBERS:
            bot_id = str(self.state.users.bot.id)
            data = {**data, "members": [m for m in data.get("members", [])
                                        if m["user"]["id"] == bot_id]}
        session.sequence += 1
        payload = {"op": DISPATCH, "t": event, "s": session.sequence, "d": data}
        session.sent.append(payload)
        del session.sent[:-REPLAY_LIMIT]
        if connection is not None:
            connection.outbox.put_nowait(payload)
        return payload

    async def close_all(self, code: int = 4000) -> None:
        """Drop every connection (the bot will reconnect and RESUME), as Discord sometimes does."""
        for connection in list(self.connections):
            connection.dropped_by_server = True
            await connection.ws.close(code=code, message=b"sandbox restart")

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.connect_queries.append(dict(request.query))
        compress = request.query.get("compress")
        compressor = zlib.compressobj() if compress == "zlib-stream" else None
        connection = GatewayConnection(ws, compressor)
        await self.accepting.wait()  # an outage holds new connections before HELLO
        self.connections.append(connection)
        writer = asyncio.create_task(self._write_loop(connection))
        hello = {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}
        await connection.outbox.put({"op": HELLO, "d": hello, "s": None, "t": None})
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._receive(connection, json.loads(message.data))
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            self.connections.remove(connection)
            if connection.session is not None and ws.close_code in (1000, 1001) and (
                    not connection.dropped_by_server):
                connection.session.closed = True  # closed by the bot: the session ends
            connection.outbox.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            self.state.notify()
        return ws

    async def _write_loop(self, connection: GatewayConnection) -> None:
        while (payload := await connection.outbox.get()) is not None:
            if connection.ws.closed:
                return
            try:
                await connection.write(payload)
            except (ConnectionError, RuntimeError):
                return
            if payload is connection.ready_marker:
                connection.guild_sent = True
                self.state.notify()

    async def _receive(self, connection: GatewayConnection, message: JsonDict) -> None:
        op, data = message.get("op"), message.get("d")
        if op == HEARTBEAT:
            await connection.outbox.put({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            self._identify(connection, data or {})
        elif op == RESUME:
            self._resume(connection, data or {})
        elif op == REQUEST_MEMBERS and connection.session is not None:
            self._queue(connection, "GUILD_MEMBERS_CHUNK", self._members_chunk(data or {}))
        elif op in (PRESENCE, VOICE):
            pass  # presence and voice are not simulated
        else:
            log.warning("sandbox gateway: unhandled op %s", op)

    def _close(self, connection: GatewayConnection, code: int, reason: bytes) -> None:
        asyncio.get_running_loop().create_task(connection.ws.close(code=code, message=reason))

    def _identify(self, connection: GatewayConnection, data: JsonDict) -> None:
        self.identify_payloads.append(data)
        if self.state.bot_token is not None and data.get("token") != self.state.bot_token:
            self._close(connection, AUTHENTICATION_FAILED, b"Authentication failed.")
            return
        try:
            shard = parse_shard(data.get("shard"))
        except InvalidShard as exc:
            log.warning("sandbox gateway: IDENTIFY refused, %s", exc)
            self._close(connection, INVALID_SHARD, b"Invalid shard.")
            return
        session = GatewaySession(secrets.token_hex(16), int(data.get("intents", 0)), shard)
        guilds = [g for g in self.state.guilds.values() if session.serves(g.id)]
        if len(guilds) > self.max_guilds_per_session:
            self._close(connection, SHARDING_REQUIRED, b"Sharding required.")
            return
        self.sessions[session.session_id] = session
        self.state.session_starts += 1
        connection.session = session
        state = self.state
        bot = state.users.bot.to_payload()
        bot.update(verified=True, mfa_enabled=False, email=None, bot=True)
        ready: JsonDict = {
            "v": 10,
            "user": bot,
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(state.application.id), "flags": (1 << 15) | (1 << 19)},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["sandbox"],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        connection.ready_marker = self._queue(connection, "READY", ready)
        for guild in guilds:
            created = self._queue(connection, "GUILD_CREATE", guild.to_payload(
                include_members=bool(session.intents & INTENT_GUILD_MEMBERS),
                bot_user_id=state.users.bot.id,
            ))
            connection.ready_marker = created or connection.ready_marker

    def _resume(self, connection: GatewayConnection, data: JsonDict) -> None:
        """Replay every event after the client's last sequence number, then RESUMED."""
        self.resume_payloads.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        token_ok = self.state.bot_token is None or data.get("token") == self.state.bot_token
        last_seq = data.get("seq")
        if session is None or session.closed or not token_ok or not isinstance(last_seq, int):
            connection.outbox.put_nowait({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        for other in self.connections:  # a session has one connection at a time
            if other is not connection and other.session is session:
                other.session = None
        connection.session = session
        connection.guild_sent = True  # the bot still has the guild from before
        for payload in session.sent:
            if payload["s"] > last_seq:
                connection.outbox.put_nowait(payload)
        self._queue(connection, "RESUMED", {"_trace": ["sandbox"]})
        self.state.notify()

    def _members_chunk(self, data: JsonDict) -> JsonDict:
        guild = self.state.guilds.get(int(data.get("guild_id") or self.state.guild.id),
                                      self.state.guild)
        members = list(guild.members.values())
        wanted = data.get("user_ids")
        if wanted:
            ids = {int(x) for x in (wanted if isinstance(wanted, list) else [wanted])}
            members = [m for m in members if m.user.id in ids]
        elif data.get("query"):
            members = [m for m in members if m.user.username.startswith(data["query"].lower())]
        return {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }


def _without_content(data: JsonDict, bot_id: int) -> JsonDict:
    """Without the Message Content intent, Discord blanks content of others' messages."""
    author_id = int(data.get("author", {}).get("id", 0))
    mentioned = any(int(u["id"]) == bot_id for u in data.get("mentions", []))
    if author_id == bot_id or mentioned:
        return data
    return {**data, "content": "", "embeds": [], "attachments": [], "components": []}
