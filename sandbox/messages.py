"""Messages the sandbox stores, their Discord payloads, uploaded files, and which mentions a
message really pings once `allowed_mentions` is applied (Discord's parsing rules)."""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field

from .entities import JsonDict, SandboxUser, iso_timestamp

EPHEMERAL = 1 << 6
LOADING = 1 << 7
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20
MESSAGE_THREAD_STARTER = 21

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True)
class Pings:
    """Who a message notifies after `allowed_mentions` is applied."""

    users: tuple[int, ...] = ()
    roles: tuple[int, ...] = ()
    everyone: bool = False

    @property
    def anyone(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


def resolve_pings(content: str, allowed_mentions: JsonDict | None) -> Pings:
    """Apply Discord's rules: no `allowed_mentions` means every mention in the text pings;
    otherwise only the kinds in `parse` or the ids listed in `users` / `roles` do."""
    user_ids = [int(x) for x in _USER_MENTION.findall(content)]
    role_ids = [int(x) for x in _ROLE_MENTION.findall(content)]
    mentions_everyone = "@everyone" in content or "@here" in content
    if allowed_mentions is None:
        return Pings(
            tuple(dict.fromkeys(user_ids)), tuple(dict.fromkeys(role_ids)), mentions_everyone
        )
    parse = set(allowed_mentions.get("parse") or [])
    allowed_users = {int(x) for x in allowed_mentions.get("users") or []}
    allowed_roles = {int(x) for x in allowed_mentions.get("roles") or []}
    users = [u for u in user_ids if "users" in parse or u in allowed_users]
    roles = [r for r in role_ids if "roles" in parse or r in allowed_roles]
    return Pings(
        tuple(dict.fromkeys(users)),
        tuple(dict.fromkeys(roles)),
        mentions_everyone and "everyone" in parse,
    )


def number_components(components: list[JsonDict]) -> list[JsonDict]:
    """Components as Discord echoes them: every component gets a numeric `id`; ones the
    sender left out are numbered in order (depth first), skipping ids already taken."""
    copied: list[JsonDict] = json.loads(json.dumps(components))
    taken: set[int] = set()
    order: list[JsonDict] = []

    def walk(items: list[JsonDict]) -> None:
        for item in items:
            order.append(item)
            emoji = item.get("emoji")
            if isinstance(emoji, dict) and emoji.get("id") is None:
                emoji.pop("id", None)  # a unicode emoji comes back with its name alone
            if isinstance(item.get("id"), int):
                taken.add(item["id"])
            for key in ("components", "accessory", "component"):
                child = item.get(key)
                if isinstance(child, list):
                    walk(child)
                elif isinstance(child, dict):
                    walk([child])

    walk(copied)
    next_id = 1
    for item in order:
        if not isinstance(item.get("id"), int):
            while next_id in taken:
                next_id += 1
            item["id"] = next_id
            taken.add(next_id)
    return copied


@dataclass
class StoredFile:
    """Bytes of an uploaded attachment, served back at its url."""

    id: int
    filename: str
    data: bytes
    content_type: str
    url: str
    description: str | None = None

    def to_payload(self) -> JsonDict:
        payload: JsonDict = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            payload["description"] = self.description
        return payload


def guess_content_type(filename: str) -> str:
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


@dataclass
class MessageRecord:
    """One message as the sandbox stores it. `allowed_mentions` is exactly what the sender
    sent (None when the request had no such field), so tests can assert on it."""

    id: int
    channel_id: int
    guild_id: int | None
    author: SandboxUser
    content: str = ""
    embeds: list[JsonDict] = field(default_factory=list)
    components: list[JsonDict] = field(default_factory=list)
    attachments: list[JsonDict] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: JsonDict | None = None
    type: int = MESSAGE_DEFAULT
    tts: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JsonDict | None = None
    message_reference: JsonDict | None = None
    thread_id: int | None = None
    edited_ms: int | None = None
    deleted: bool = False
    # emoji key ("name" or "name:id") -> (emoji payload, user ids who reacted)
    reactions: dict[str, tuple[JsonDict, list[int]]] = field(default_factory=dict)
    extra: JsonDict = field(default_factory=dict)  # any other fields the sender set (poll, ...)
    nonce: str | int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def pings(self) -> Pings:
        return resolve_pings(self.content, self.allowed_mentions)

    def custom_ids(self) -> list[str]:
        """Every custom_id in this message's components (any nesting)."""
        found: list[str] = []

        def walk(items: list[JsonDict]) -> None:
            for item in items:
                if "custom_id" in item:
                    found.append(item["custom_id"])
                for key in ("components", "accessory", "component"):
                    child = item.get(key)
                    if isinstance(child, list):
                        walk(child)
                    elif isinstance(child, dict):
                        walk([child])

        walk(self.components)
        return found

    def find_component(self, custom_id: str) -> JsonDict | None:
        def walk(items: list[JsonDict]) -> JsonDict | None:
            for item in items:
                if item.get("custom_id") == custom_id:
                    return item
                for key in ("components", "accessory", "component"):
                    child = item.get(key)
                    children = child if isinstance(child, list) else [child] if child else []
                    hit = walk(children)
                    if hit is not None:
                        return hit
            return None

        return walk(self.components)

    def to_payload(self, *, thread: JsonDict | None = None, pings: Pings | None = None
                   ) -> JsonDict:
        pings = self.pings if pings is None else pings
        payload: JsonDict = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_payload(),
            "content": self.content,
            "timestamp": iso_timestamp(self.id),
            "edited_timestamp": (
                iso_timestamp(self.edited_ms, is_snowflake=False) if self.edited_ms else None
            ),
            "tts": self.tts,
            "mention_everyone": pings.everyone,
            "mentions": [],  # filled by the world, which knows the users
            "mention_roles": [str(r) for r in pings.roles],
            "attachments": list(self.attachments),
            "embeds": list(self.embeds),
            "components": list(self.components),
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        # No guild_id or member here: those are gateway-only (SandboxState.gateway_message).
        if self.nonce is not None:
            payload["nonce"] = self.nonce
        if self.reactions:
            payload["reactions"] = [
                {
                    "emoji": emoji,
                    "count": len(users),
                    "count_details": {"burst": 0, "normal": len(users)},
                    "me": False,
                    "me_burst": False,
                    "burst_colors": [],
                }
                for emoji, users in self.reactions.values()
                if users
            ]
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            payload["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            payload["interaction_metadata"] = self.interaction_metadata
        if self.message_reference is not None:
            payload["message_reference"] = self.message_reference
        if thread is not None:
            payload["thread"] = thread
        payload.update(self.extra)
        return payload
