"""Discord permission bits and the documented algorithm that turns roles + overwrites into a
member's effective permissions in a channel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_NICKNAMES = 1 << 27
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40

ALL_PERMISSIONS = (1 << 53) - 1

# Overwrite target types, as in the channel payload.
OVERWRITE_ROLE = 0
OVERWRITE_MEMBER = 1


@dataclass
class Overwrite:
    """One channel permission overwrite (allow/deny bit sets for a role or a member)."""

    target_id: int
    kind: int  # OVERWRITE_ROLE or OVERWRITE_MEMBER
    allow: int = 0
    deny: int = 0

    def to_payload(self) -> dict[str, object]:
        return {
            "id": str(self.target_id),
            "type": self.kind,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


def base_permissions(
    *, is_owner: bool, everyone_permissions: int, role_permissions: Iterable[int]
) -> int:
    """Guild-level permissions: @everyone OR every role the member has; owner/admin get all."""
    if is_owner:
        return ALL_PERMISSIONS
    permissions = everyone_permissions
    for bits in role_permissions:
        permissions |= bits
    if permissions & ADMINISTRATOR:
        return ALL_PERMISSIONS
    return permissions


def apply_overwrites(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Iterable[Overwrite],
) -> int:
    """Channel permissions from guild permissions, in Discord's documented order:
    @everyone overwrite, then all role overwrites together, then the member's own overwrite.
    Losing View Channel removes every permission (Discord's implicit denial)."""
    if base & ADMINISTRATOR:
        return ALL_PERMISSIONS
    by_target = {(ow.kind, ow.target_id): ow for ow in overwrites}
    permissions = base
    everyone = by_target.get((OVERWRITE_ROLE, guild_id))
    if everyone is not None:
        permissions = (permissions & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member_role_ids:
        role_overwrite = by_target.get((OVERWRITE_ROLE, role_id))
        if role_overwrite is not None:
            allow |= role_overwrite.allow
            deny |= role_overwrite.deny
    permissions = (permissions & ~deny) | allow
    own = by_target.get((OVERWRITE_MEMBER, member_id))
    if own is not None:
        permissions = (permissions & ~own.deny) | own.allow
    if not permissions & VIEW_CHANNEL:
        return 0
    return permissions
