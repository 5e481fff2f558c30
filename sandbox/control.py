"""Drive the sandbox as Discord users would: the API tests and the console use.

    async with Sandbox.start() as sb, sb.pointed_at():   # discord.py now talks to the sandbox
        await bot.login("any-token"); asyncio.create_task(bot.connect())
        await sb.wait_until_bot_ready()
        result = await sb.slash(sb.users.reader, "story info", {"story": "3"}, channel="stories")
        assert result.ephemeral and "Chapter" in result.content

Every method that sends an interaction waits (with a timeout) for the bot's callback and
returns an InteractionResult that keeps updating as the bot edits and follows up.

Several guilds: `Sandbox.start(guilds=4, shard_count=2)` (two on each shard of 2) or
`sb.add_guild(shard=(1, 2))`; `sb.guild_ids` lists them, the first is the primary guild every
verb uses unless given `guild=<id>` (channel names are per guild; messages, clicks and
reactions find their guild by the message).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from .control_faults import SandboxFaults
from .discord_pointing import gateway_url_for, point_discord
from .entities import Channel, Guild, JsonDict, SandboxUser
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
    build_command_data,
    build_component_data,
    build_interaction,
    build_message_command_data,
    build_modal_data,
)
from .messages import MessageRecord
from .request_log import LoggedRequest
from .results import InteractionResult, SandboxTimeout
from .server import SandboxServer
from .snowflake import shard_of
from .state import SandboxState
from .world import SandboxRoles, SandboxUsers

ChannelRef = str | int | Channel
MessageRef = MessageRecord | int


class Sandbox:
    """A running sandbox (server + state) and the verbs users have in it."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.state: SandboxState = server.state
        self.faults = SandboxFaults(server)  # fault injection: see control_faults.py

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, port: int = 0, *, validate_spec: bool = False,
                    world_time_ms: int | None = None, guilds: int = 1,
                    shard_count: int | None = None) -> AsyncIterator[Sandbox]:
        """Start on 127.0.0.1 (a free port unless given); stop on exit. State lives as long
        as this context, across any number of bot connections. With `validate_spec` every
        REST request and response is checked against Discord's OpenAPI document and what
        disagrees is collected in `spec_violations`. With `world_time_ms` the guilds and
        everything in them keep the same ids as in earlier runs with that value.
        `guilds` is how many guilds the bot is in; with `shard_count` the added ones are
        spread so every shard of that count holds as many as it can (4 guilds, 2 shards:
        two each), and GET /gateway/bot recommends that count."""
        server = SandboxServer(validate_spec=validate_spec, world_time_ms=world_time_ms)
        sandbox = cls(server)
        for _ in range(guilds - 1):
            sandbox.add_guild(shard=sandbox._emptiest_shard(shard_count) if shard_count else None)
        if shard_count:
            server.state.recommended_shards = shard_count
        await server.start(port)
        try:
            yield sandbox
        finally:
            await server.stop()

    # ----- addresses and discord.py wiring

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def api_base(self) -> str:
        """Value for discord.http.Route.BASE."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY (discord.Client does
        not ask /gateway/bot; it connects to DEFAULT_GATEWAY directly)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def pointed_at(self) -> Iterator[None]:
        """Point the process's discord.py at this sandbox (REST base and gateway), restoring
        the previous values on exit."""
        with point_discord(self.api_base, self.gateway_url):
            yield

    # ----- the world

    @property
    def users(self) -> SandboxUsers:
        """.owner, .curator (has the Curator role), .reader, .reader2, .bot"""
        return self.state.users

    @property
    def roles(self) -> SandboxRoles:
        """.everyone, .curator, .readers, .bot"""
        return self.state.roles

    @property
    def guild_id(self) -> int:
        """The primary guild's id."""
        return self.state.guild.id

    @property
    def guild_ids(self) -> list[int]:
        """Every guild the bot is in, the primary one first."""
        return list(self.state.guilds)

    def guild(self, guild: int | None = None) -> Guild:
        """A guild by id (None: the primary guild): .name, .channels, .roles, .members."""
        return self.state.guild_of(guild)

    def add_guild(self, name: str | None = None, *, shard: tuple[int, int] | None = None
                  ) -> int:
        """Put the bot in another guild of the world's shape and return its id; with
        `shard=(shard_id, shard_count)` its id lands on that shard. A connected shard that
        owns it gets GUILD_CREATE."""
        return self.state.add_guild(name, shard=shard).id

    def guilds_on_shard(self, shard_id: int, shard_count: int) -> list[int]:
        """The guild ids a connection identified as `[shard_id, shard_count]` serves."""
        return [g for g in self.state.guilds if shard_of(g, shard_count) == shard_id]

    def _emptiest_shard(self, shard_count: int) -> tuple[int, int]:
        held = Counter(shard_of(g, shard_count) for g in self.state.guilds)
        return min(range(shard_count), key=lambda s: (held[s], s)), shard_count

    @property
    def recommended_shards(self) -> int | None:
        """What GET /gateway/bot recommends as `shards` (None: one per 1000 guilds)."""
        return self.state.recommended_shards

    @recommended_shards.setter
    def recommended_shards(self, count: int | None) -> None:
        self.state.recommended_shards = count

    def roles_in(self, guild: int | None = None) -> SandboxRoles:
        """A guild's .everyone, .curator, .readers, .bot roles (None: the primary guild)."""
        return self.state.guild_roles[self.state.guild_of(guild).id]

    @property
    def channels(self) -> dict[str, Channel]:
        """Channels and threads by name: general, stories, book-club, after-dark (nsfw),
        announcements (the bot may not post), curators (the bot cannot see it)."""
        return self.channels_in(None)

    def channels_in(self, guild: int | None) -> dict[str, Channel]:
        """A guild's channels and threads by name (None: the primary guild)."""
        return {ch.name: ch for ch in self.state.guild_of(guild).channels.values()}

    def channel(self, ref: ChannelRef, guild: int | None = None) -> Channel:
        """A channel by id (any guild), by name in `guild` (None: primary) or itself."""
        return self.state.channel(ref, guild)

    def messages(self, channel: ChannelRef, *, include_ephemeral: bool = False,
                 guild: int | None = None) -> list[MessageRecord]:
        """Messages in a channel, oldest first (ephemeral ones only if asked)."""
        return self.state.channel_messages(self.channel(channel, guild).id,
                                           include_ephemeral=include_ephemeral)

    def message(self, ref: MessageRef) -> MessageRecord:
        return ref if isinstance(ref, MessageRecord) else self.state.messages[int(ref)]

    def registered_commands(self, *, guild: bool | None = None,
                            guild_id: int | None = None) -> list[JsonDict]:
        """Registered commands: global (guild=False), guild (guild=True) or both (None);
        guild commands of `guild_id` (None: the primary guild)."""
        found: list[JsonDict] = []
        if guild in (None, False):
            found += list(self.state.global_commands.values())
        if guild in (None, True):
            found += list(self.state.commands_for(guild_id or self.guild_id).values())
        return found

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every REST call the bot made: .method, .path, .route, .json, .status, .files."""
        return self.state.requests

    @property
    def unknown_routes(self) -> list[str]:
        return self.state.unknown_routes

    @property
    def token(self) -> str | None:
        """The bot token the sandbox accepts (`Authorization: Bot <token>`, IDENTIFY)."""
        return self.state.bot_token

    def spec_problems(self) -> list[str]:
        """Spec violations no allowlist entry explains, one line each (validation mode)."""
        return [str(v) for v in self.state.unexplained_spec_violations()]

    def bot_messages(self) -> list[MessageRecord]:
        """Everything the bot posted anywhere (incl. ephemeral and interaction replies)."""
        return [m for m in self.state.messages.values() if m.author.id == self.users.bot.id]

    # ----- waiting

    async def wait_until_bot_ready(self, timeout: float = 10.0, *, shards: int | None = None
                                   ) -> None:
        """Wait until a bot is connected, identified and has been sent its guilds; with
        `shards=N`, until every shard 0..N-1 of N has such a connection (in any process)."""
        hub = self.server.hub

        def ready() -> bool:
            connected = {c.session.shard for c in hub.ready_connections() if c.session}
            if shards is None:
                return bool(connected)
            return all((shard_id, shards) in connected for shard_id in range(shards))
        try:
            await self.state.wait_for(ready, timeout)
        except TimeoutError:
            what = f"all {shards} shards" if shards else "no bot"
            raise SandboxTimeout(f"{what} connected to the gateway within {timeout}s") from None

    def connected_shards(self) -> list[tuple[int, int] | None]:
        """The shard of every ready gateway connection (None: unsharded)."""
        hub = self.server.hub
        return [c.session.shard for c in hub.ready_connections() if c.session]

    async def wait_for_commands(self, *names: str, timeout: float = 10.0,
                                guild: int | None = None) -> None:
        """Wait until every named top-level command is registered (global or as a command
        of `guild`, None: the primary guild)."""
        def synced() -> bool:
            have = {c["name"] for c in self.registered_commands(guild_id=guild)}
            return all(name in have for name in names)
        try:
            await self.state.wait_for(synced, timeout)
        except TimeoutError:
            raise SandboxTimeout(f"commands {names} not registered within {timeout}s") from None

    async def wait_for_message(self, channel: ChannelRef,
                               predicate: Callable[[MessageRecord], bool] = lambda m: True,
                               timeout: float = 5.0, *, guild: int | None = None
                               ) -> MessageRecord:
        """Wait for a (non-ephemeral) message in the channel matching predicate; newest first."""
        target = self.channel(channel, guild)

        def find() -> MessageRecord | None:
            return next((m for m in reversed(self.messages(target)) if predicate(m)), None)
        try:
            return await self.state.wait_for(find, timeout)
        except TimeoutError:
            raise SandboxTimeout(f"no matching message in #{target.name} in {timeout}s") from None

    async def _send(self, record: InteractionRecord, timeout: float | None) -> InteractionResult:
        serving = self.server.hub.sessions_serving(record.channel.guild_id)
        record.delivered_to = [session.shard for session in serving]
        self.state.dispatch("INTERACTION_CREATE", record.payload)
        result = InteractionResult(record, self.state)
        if timeout:
            await result.wait(lambda r: r.record.callbacks, timeout, "an interaction callback")
        return result

    # ----- what users do

    async def slash(self, user: SandboxUser, command: str, options: dict[str, Any] | None = None,
                    *, channel: ChannelRef = "general", timeout: float | None = 5.0,
                    as_client: bool = True, guild: int | None = None) -> InteractionResult:
        """Run a registered slash command ("story info", "tags merge", ...) as `user`.
        Option values are plain Python values, converted by the registered option type:
        str/int/float/bool, SandboxUser or id, Channel or name, Role or id, and for attachment
        options the payload from `upload()`. Waits for the bot's callback unless timeout=None.
        Options breaking the command's declared rules raise OptionRefused, as Discord's client
        never sends them; `as_client=False` sends them anyway (to test the bot's own bounds).
        `guild` picks the guild a channel name is in (None: the primary guild)."""
        target = self.channel(channel, guild)
        data = build_command_data(self.state, command, options or {}, user, target,
                                  as_client=as_client)
        record = build_interaction(self.state, APPLICATION_COMMAND, user, target, data)
        return await self._send(record, timeout)

    async def message_command(self, user: SandboxUser, name: str, message: MessageRef, *,
                              timeout: float | None = 5.0) -> InteractionResult:
        """Run a message context-menu command (right-click → Apps → `name`) on a message."""
        target = self.message(message)
        data = build_message_command_data(self.state, name, target)
        channel = self.channel(target.channel_id)
        record = build_interaction(self.state, APPLICATION_COMMAND, user, channel, data)
        return await self._send(record, timeout)

    async def autocomplete(self, user: SandboxUser, command: str, options: dict[str, Any],
                           focused: str, *, channel: ChannelRef = "general",
                           timeout: float = 5.0, guild: int | None = None) -> list[JsonDict]:
        """Ask for autocomplete choices for option `focused` (its current text is
        options[focused]); returns the bot's choices ([{"name": ..., "value": ...}])."""
        target = self.channel(channel, guild)
        data = build_command_data(self.state, command, options, user, target, focused=focused)
        result = await self._send(
            build_interaction(self.state, AUTOCOMPLETE, user, target, data), timeout)
        return result.choices or []

    async def click(self, user: SandboxUser, message: MessageRef, custom_id: str,
                    values: list[str] | None = None, *, timeout: float | None = 5.0
                    ) -> InteractionResult:
        """Click a button (or choose `values` in a select menu) on a message."""
        record_message = self.message(message)
        data = build_component_data(record_message, custom_id, values)
        channel = self.channel(record_message.channel_id)
        record = build_interaction(self.state, MESSAGE_COMPONENT, user, channel, data,
                                   message=record_message)
        return await self._send(record, timeout)

    async def submit_modal(self, user: SandboxUser, custom_id: str, values: dict[str, Any],
                           *, timeout: float | None = 5.0) -> InteractionResult:
        """Submit the latest modal with this custom_id that the bot showed to `user`;
        `values` maps each text input's custom_id to what the user typed."""
        opener = next(
            (r for r in reversed(list(self.state.interactions.values()))
             if r.user.id == user.id and r.callback_type == 9
             and (r.callbacks[0].get("data") or {}).get("custom_id") == custom_id),
            None,
        )
        if opener is None:
            raise LookupError(f"the bot never showed {user.username} a modal {custom_id!r}")
        data = build_modal_data(opener.callbacks[0]["data"], values)
        record = build_interaction(self.state, MODAL_SUBMIT, user, opener.channel, data,
                                   message=opener.source_message)
        record.opened_by = opener
        return await self._send(record, timeout)

    async def react(self, user: SandboxUser, message: MessageRef, emoji: str | JsonDict) -> None:
        """Add a reaction: a unicode emoji, "name:id" for a custom one, or an emoji payload."""
        self.state.set_reaction(self.message(message), user.id, _emoji(emoji), added=True)

    async def unreact(self, user: SandboxUser, message: MessageRef, emoji: str | JsonDict
                      ) -> None:
        self.state.set_reaction(self.message(message), user.id, _emoji(emoji), added=False)

    async def say(self, user: SandboxUser, channel: ChannelRef, content: str, *,
                  guild: int | None = None) -> MessageRecord:
        """Post a plain message as a user (MESSAGE_CREATE reaches the bot)."""
        return self.state.create_message(self.channel(channel, guild), user, {"content": content})

    def upload(self, filename: str, data: bytes, *, channel: ChannelRef = "general",
               guild: int | None = None) -> JsonDict:
        """Store a file as a user upload; pass the returned payload as an attachment option."""
        return self.state.store_file(filename, data, self.channel(channel, guild).id).to_payload()

    async def delete_channel(self, channel: ChannelRef, *, guild: int | None = None) -> None:
        """Delete a channel (CHANNEL_DELETE reaches the bot)."""
        self.state.delete_channel(self.channel(channel, guild))

    async def restart_gateway(self) -> None:
        """Drop the bot's gateway connection(s) like a Discord-side restart; the bot
        reconnects and RESUMEs. State is kept."""
        await self.server.hub.close_all(code=4000)


def _emoji(emoji: str | JsonDict) -> JsonDict:
    if isinstance(emoji, dict):
        return emoji
    if ":" in emoji:
        name, _, emoji_id = emoji.rpartition(":")
        return {"id": emoji_id, "name": name.removeprefix("a:"), "animated": name.startswith("a:")}
    return {"id": None, "name": emoji}


__all__ = ["InteractionResult", "Sandbox", "SandboxTimeout", "gateway_url_for", "point_discord"]
