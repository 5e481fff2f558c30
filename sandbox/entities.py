"""The sandbox's guild objects (users, roles, members, channels, guild) and their Discord
payloads, shaped as in Discord's API reference (User, Role, Guild Member, Channel, Guild)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .permissions import Overwrite, apply_overwrites, base_permissions
from .snowflake import snowflake_time_ms

JsonDict = dict[str, Any]

# Channel types used by the sandbox (Discord's CHANNEL_TYPE values).
GUILD_TEXT = 0
GUILD_CATEGORY = 4
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = (PUBLIC_THREAD, PRIVATE_THREAD)


def iso_timestamp(snowflake_or_ms: int, *, is_snowflake: bool = True) -> str:
    """ISO 8601 timestamp (what Discord sends) of a snowflake or of unix milliseconds."""
    millis = snowflake_time_ms(snowflake_or_ms) if is_snowflake else snowflake_or_ms
    moment = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC)
    return moment.isoformat()


@dataclass
class SandboxUser:
    """A Discord user (a person or the bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JsonDict:
        payload: JsonDict = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            payload["bot"] = True
        return payload


@dataclass
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None  # set on the bot's managed integration role

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> JsonDict:
        payload: JsonDict = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color, "secondary_color": None, "tertiary_color": None
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            payload["tags"] = {"bot_id": str(self.bot_id)}
        return payload


@dataclass
class Member:
    """A user's membership of the guild."""

    user: SandboxUser
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at_ms: int = 1_700_000_000_000

    def to_payload(self, *, permissions: int | None = None, with_user: bool = True) -> JsonDict:
        payload: JsonDict = {
            "roles": [str(role_id) for role_id in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso_timestamp(self.joined_at_ms, is_snowflake=False),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class Channel:
    """A guild text channel or a thread (threads have a parent_id and thread metadata)."""

    id: int
    name: str
    guild_id: int
    type: int = GUILD_TEXT
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    parent_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    owner_id: int | None = None  # thread creator
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    message_count: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def to_payload(self) -> JsonDict:
        payload: JsonDict = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.is_thread:
            payload.update(
                owner_id=str(self.owner_id) if self.owner_id else None,
                message_count=self.message_count,
                member_count=1,
                total_message_sent=self.message_count,
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": iso_timestamp(self.id),
                    "locked": self.locked,
                    "create_timestamp": iso_timestamp(self.id),
                },
            )
        else:
            payload.update(
                position=self.position,
                topic=self.topic,
                nsfw=self.nsfw,
                permission_overwrites=[ow.to_payload() for ow in self.overwrites],
                default_auto_archive_duration=1440,
            )
        return payload


@dataclass
class Guild:
    """The one sandbox guild with its roles, channels, threads and members (by id)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def text_channels(self) -> list[Channel]:
        return [ch for ch in self.channels.values() if not ch.is_thread]

    def threads(self) -> list[Channel]:
        return [ch for ch in self.channels.values() if ch.is_thread]

    def guild_permissions(self, member: Member) -> int:
        return base_permissions(
            is_owner=member.user.id == self.owner_id,
            everyone_permissions=self.roles[self.id].permissions,
            role_permissions=(self.roles[rid].permissions for rid in member.role_ids),
        )

    def channel_permissions(self, member: Member, channel: Channel) -> int:
        """Effective permissions of a member in a channel; threads use their parent's overwrites."""
        source = self.channels[channel.parent_id] if channel.parent_id else channel
        return apply_overwrites(
            self.guild_permissions(member),
            guild_id=self.id,
            member_id=member.user.id,
            member_role_ids=member.role_ids,
            overwrites=source.overwrites,
        )

    def to_payload(self, *, include_members: bool, bot_user_id: int) -> JsonDict:
        """The full GUILD_CREATE payload (guild object plus the gateway-only extra fields)."""
        members = [
            m.to_payload()
            for m in self.members.values()
            if include_members or m.user.id == bot_user_id
        ]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": "A sandbox server for sharing stories",
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [role.to_payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
            # gateway-only GUILD_CREATE fields
            "joined_at": iso_timestamp(self.id),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": members,
            "channels": [ch.to_payload() for ch in self.text_channels()],
            "threads": [ch.to_payload() for ch in self.threads()],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
