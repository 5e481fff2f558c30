"""SandboxState: everything the fake Discord knows — the world, messages, files, threads,
reactions, application commands, interactions and a log of every request the bot made.
Gateway events are pushed through `dispatch`, which the gateway hub installs."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .auth import SANDBOX_BOT_TOKEN
from .entities import PUBLIC_THREAD, Channel, Guild, JsonDict, Member, SandboxUser
from .faults import FaultPlan
from .files import StoredFiles
from .messages import MessageRecord, StoredFile, number_components
from .ratelimits import RateLimits
from .request_log import LoggedRequest
from .snowflake import SnowflakeFactory
from .world import PRIMARY_GUILD_NAME, SandboxRoles, build_guild, build_world

if TYPE_CHECKING:
    from .interactions import InteractionRecord
    from .spec import DiscordSpec, SpecViolation

Dispatcher = Callable[[str, JsonDict], None]
# Whether any live session would receive this event of this guild (its intents allow it).
Listening = Callable[[str, int | None], bool]


class SandboxState(StoredFiles):
    """The in-memory Discord. All mutation goes through here so events and waiters stay right."""

    def __init__(self, world_time_ms: int | None = None) -> None:
        self.ids = SnowflakeFactory()
        # With a world time the guild, its channels, roles and members get the same ids in
        # every run (see sandbox/world_file.py); what happens in the run gets fresh ids.
        self.world_ids = self.ids if world_time_ms is None else SnowflakeFactory(
            fixed_time_ms=world_time_ms)
        self.application, self.guild, self.users, self.roles = build_world(self.world_ids)
        # Every guild the bot is in, the primary one (`guild`, `roles`) first.
        self.guilds: dict[int, Guild] = {self.guild.id: self.guild}
        self.guild_roles: dict[int, SandboxRoles] = {self.guild.id: self.roles}
        # What GET /gateway/bot recommends (None: one shard per 1000 guilds, as Discord).
        self.recommended_shards: int | None = None
        self.session_starts = 0  # successful IDENTIFYs (GET /gateway/bot's session_start_limit)
        self.base_url = "http://127.0.0.1:0"  # set by the server once its port is known
        self.messages: dict[int, MessageRecord] = {}
        self.files: dict[int, StoredFile] = {}
        self.global_commands: dict[int, JsonDict] = {}
        self.guild_commands: dict[int, dict[int, JsonDict]] = {}
        self.interactions: dict[str, InteractionRecord] = {}  # by token
        self.interactions_by_id: dict[int, InteractionRecord] = {}
        self.requests: list[LoggedRequest] = []
        self.unknown_routes: list[str] = []
        # Discord drops an interaction not answered within 3 s (404 Unknown interaction).
        self.interaction_deadline = 3.0
        # The token REST calls and IDENTIFY must carry (None: any "Bot <token>" will do).
        self.bot_token: str | None = SANDBOX_BOT_TOKEN
        self.rate_limits = RateLimits()
        self.faults = FaultPlan()
        # Validation mode: every request and response checked against Discord's spec.
        self.spec: DiscordSpec | None = None
        self.spec_violations: list[SpecViolation] = []
        self.dispatch: Dispatcher = lambda event, data: None
        self.listening: Listening = lambda event, guild_id: False
        self._changed = asyncio.Condition()
        # The loop on which a wake-up is scheduled and has not run yet.
        self._waking: asyncio.AbstractEventLoop | None = None

    def unexplained_spec_violations(self) -> list[SpecViolation]:
        """Spec violations that no entry of spec_allowlist.py explains."""
        from .spec import unexplained

        return unexplained(self.spec_violations)

    # ----- change notification (tests wait on the state instead of sleeping)

    def notify(self) -> None:
        """Wake everything waiting in `wait_for` (called after every mutation). Mutations
        in one step of the loop share one wake-up: waiters look at the state as it is then."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no running loop: nobody can be waiting
            return
        if self._waking is loop:
            return

        async def wake() -> None:
            self._waking = None
            async with self._changed:
                self._changed.notify_all()

        loop.create_task(wake())
        self._waking = loop

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() returns something truthy and return it."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while True:
                    result = predicate()
                    if result:
                        return result
                    # Also re-check every 20 ms: predicates may look at things outside the
                    # state (e.g. what a bot in this process recorded).
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.02)

    # ----- guilds

    def add_guild(self, name: str | None = None, *, shard: tuple[int, int] | None = None
                  ) -> Guild:
        """Another guild of the world's shape (same people, roles and channel names, fresh
        ids), on shard `(shard_id, shard_count)` by Discord's formula when given. Ids come
        from the world's id source, so a saved world gets the same guilds again."""
        guild_id = self.world_ids.next_on_shard(*shard) if shard else self.world_ids.next()
        guild, roles = build_guild(self.world_ids, guild_id,
                                   name or f"{PRIMARY_GUILD_NAME} {len(self.guilds) + 1}",
                                   self.users)
        self.guilds[guild.id] = guild
        self.guild_roles[guild.id] = roles
        # The bot joins it: the shard that owns it hears GUILD_CREATE, as on Discord, without
        # `unavailable` (that marks a guild of READY being filled in, not a join).
        joined = guild.to_payload(include_members=True, bot_user_id=self.users.bot.id)
        del joined["unavailable"]
        self.dispatch("GUILD_CREATE", joined)
        self.notify()
        return guild

    def guild_of(self, guild_id: int | None) -> Guild:
        """A guild by id (None: the primary guild)."""
        if guild_id is None:
            return self.guild
        try:
            return self.guilds[int(guild_id)]
        except KeyError:
            raise KeyError(f"the bot is in no guild {guild_id}") from None

    def find_channel(self, channel_id: int) -> Channel | None:
        """A channel or thread by id, in whichever guild it is."""
        for guild in self.guilds.values():
            channel = guild.channels.get(channel_id)
            if channel is not None:
                return channel
        return None

    # ----- lookups

    def member(self, user_id: int, guild_id: int | None = None) -> Member | None:
        """A user's membership of a guild (None: the primary guild)."""
        return self.guild_of(guild_id).members.get(user_id)

    def user(self, user_id: int) -> SandboxUser | None:
        return self.users_by_id().get(user_id)

    def channel(self, ref: int | str | Channel, guild: int | None = None) -> Channel:
        """A channel or thread by id, by name ("stories" or "#stories") in `guild` (None: the
        primary guild) or itself."""
        if isinstance(ref, Channel):
            return ref
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            found = self.find_channel(int(ref))
            if found is None or (guild is not None and found.guild_id != guild):
                raise KeyError(f"no channel {ref} in guild {guild or self.guild.id}")
            return found
        name = ref.removeprefix("#")
        for channel in self.guild_of(guild).channels.values():
            if channel.name == name:
                return channel
        raise KeyError(f"no channel named {ref!r}")

    def permissions(self, user_id: int, channel: Channel) -> int:
        guild = self.guilds.get(channel.guild_id)
        member = guild.members.get(user_id) if guild else None
        return guild.channel_permissions(member, channel) if guild and member else 0

    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list[
        MessageRecord
    ]:
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id
            and not m.deleted
            and (include_ephemeral or not m.ephemeral)
        ]

    # ----- messages

    def message_payload(self, record: MessageRecord) -> JsonDict:
        thread = self.find_channel(record.thread_id) if record.thread_id else None
        pings = record.pings  # worked out once: the text is searched for every mention kind
        payload = record.to_payload(thread=thread.to_payload() if thread else None, pings=pings)
        users = self.users_by_id()
        payload["mentions"] = [users[uid].to_payload() for uid in pings.users if uid in users]
        return payload

    def users_by_id(self) -> dict[int, SandboxUser]:
        return {user.id: user for user in self.users.all()}

    def create_message(
        self,
        channel: Channel,
        author: SandboxUser,
        body: JsonDict,
        uploads: dict[int, tuple[str, bytes]] | None = None,
        **fields: Any,
    ) -> MessageRecord:
        """Store a message built from a Create Message / webhook body and announce it."""
        embeds = body.get("embeds") or ([body["embed"]] if body.get("embed") else [])
        record = MessageRecord(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=body.get("content") or "",
            embeds=list(embeds),
            components=number_components(list(body.get("components") or [])),
            flags=int(body.get("flags") or 0),
            allowed_mentions=body.get("allowed_mentions"),
            tts=bool(body.get("tts", False)),
            message_reference=body.get("message_reference"),
            extra={k: body[k] for k in ("poll", "sticker_ids") if k in body},
            nonce=body.get("nonce"),
            **fields,
        )
        if record.message_reference:
            record.type = max(record.type, 19) if record.type == 0 else record.type
        record.attachments = (
            self.attachments_from_request(body, uploads or {}, channel.id) or []
        )
        self.messages[record.id] = record
        if channel.is_thread:
            channel.message_count += 1
        # The event is built only for a session that gets it: a bot without the messages
        # intent would drop it, and the round-trip benchmark would charge the build to the
        # bot whose answer is a public message.
        if not record.ephemeral and self.listening("MESSAGE_CREATE", record.guild_id):
            self.dispatch("MESSAGE_CREATE", self.gateway_message(record))
        self.notify()
        return record

    def edit_message(
        self, record: MessageRecord, body: JsonDict, uploads: dict[int, tuple[str, bytes]] | None
    ) -> MessageRecord:
        """Apply an Edit Message body: fields present replace, absent fields stay."""
        if "content" in body:
            record.content = body["content"] or ""
        if "embeds" in body or "embed" in body:
            embeds = body.get("embeds")
            record.embeds = list(embeds if embeds is not None else [body["embed"]] if body.get(
                "embed") else [])
        if "components" in body:
            record.components = number_components(list(body["components"] or []))
        if "flags" in body and body["flags"] is not None:
            keep = record.flags & 64  # ephemeral cannot be changed by an edit
            record.flags = (int(body["flags"]) & ~64) | keep
        if "allowed_mentions" in body:
            record.allowed_mentions = body["allowed_mentions"]
        attachments = self.attachments_from_request(
            body, uploads or {}, record.channel_id, record.attachments
        )
        if attachments is not None:
            record.attachments = attachments
        record.flags &= ~128  # an edit ends the "thinking" state
        record.edited_ms = int(time.time() * 1000)
        if not record.ephemeral and self.listening("MESSAGE_UPDATE", record.guild_id):
            self.dispatch("MESSAGE_UPDATE", self.gateway_message(record))
        self.notify()
        return record

    def delete_message(self, record: MessageRecord) -> None:
        record.deleted = True
        if not record.ephemeral:
            self.dispatch(
                "MESSAGE_DELETE",
                {"id": str(record.id), "channel_id": str(record.channel_id),
                 "guild_id": str(record.guild_id)},
            )
        self.notify()

    def gateway_message(self, record: MessageRecord) -> JsonDict:
        """A message as MESSAGE_CREATE/UPDATE carry it: the REST object plus the
        gateway-only `guild_id` and the author's partial `member`."""
        payload = self.message_payload(record)
        if record.guild_id is not None:
            payload["guild_id"] = str(record.guild_id)
        member = self.member(int(payload["author"]["id"]), record.guild_id)
        if member is not None and "webhook_id" not in payload:
            payload["member"] = member.to_payload(with_user=False)
        return payload

    def find_nonce(self, channel_id: int, author_id: int, nonce: str | int) -> MessageRecord | None:
        """A recent message with this nonce from this author (for `enforce_nonce`)."""
        return next((m for m in reversed(list(self.messages.values()))
                     if m.channel_id == channel_id and m.author.id == author_id
                     and m.nonce == nonce and not m.deleted), None)

    # ----- threads, reactions, channels

    def create_thread(
        self,
        parent: Channel,
        name: str,
        owner: SandboxUser,
        *,
        from_message: MessageRecord | None = None,
        thread_type: int = PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        thread_id = from_message.id if from_message else self.ids.next()  # Discord reuses the id
        thread = Channel(
            thread_id, name, parent.guild_id, type=thread_type, parent_id=parent.id,
            owner_id=owner.id, auto_archive_duration=auto_archive_duration,
        )
        self.guild_of(parent.guild_id).channels[thread.id] = thread
        if from_message is not None:
            from_message.thread_id = thread.id
        payload = thread.to_payload()
        payload["newly_created"] = True
        self.dispatch("THREAD_CREATE", payload)
        self.notify()
        return thread

    def set_reaction(
        self, record: MessageRecord, user_id: int, emoji: JsonDict, *, added: bool
    ) -> bool:
        """Add or remove one user's reaction; returns whether anything changed. Dispatches the
        raw MESSAGE_REACTION_ADD / _REMOVE event like Discord does."""
        key = emoji["name"] if not emoji.get("id") else f"{emoji['name']}:{emoji['id']}"
        _, users = record.reactions.setdefault(key, (emoji, []))
        if added == (user_id in users):
            return False
        if added:
            users.append(user_id)
        else:
            users.remove(user_id)
        event: JsonDict = {
            "user_id": str(user_id),
            "channel_id": str(record.channel_id),
            "message_id": str(record.id),
            "guild_id": str(record.guild_id),
            "emoji": emoji,
            "burst": False,
            "type": 0,
        }
        member = self.member(user_id, record.guild_id)
        if added:
            event["message_author_id"] = str(record.author.id)
            event["burst_colors"] = []
            if member is not None:
                event["member"] = member.to_payload()
        self.dispatch("MESSAGE_REACTION_ADD" if added else "MESSAGE_REACTION_REMOVE", event)
        self.notify()
        return True

    def delete_channel(self, channel: Channel) -> None:
        guild = self.guild_of(channel.guild_id)
        guild.channels.pop(channel.id, None)
        for thread in [t for t in guild.threads() if t.parent_id == channel.id]:
            guild.channels.pop(thread.id, None)
        self.dispatch("CHANNEL_DELETE", channel.to_payload())
        self.notify()

    # ----- application commands

    def commands_for(self, guild_id: int | None) -> dict[int, JsonDict]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, {})

    def find_command(self, name: str, guild_id: int | None = None) -> JsonDict | None:
        """A registered chat-input command by top-level name (guild commands win)."""
        scopes = ([self.commands_for(guild_id)] if guild_id else []) + [self.global_commands]
        for scope in scopes:
            for command in scope.values():
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None
