"""Interaction records (what the bot answered) and builders for INTERACTION_CREATE payloads:
slash commands (with subcommand groups and typed, resolved options), autocomplete, component
clicks and modal submits — shaped as in Discord's Interaction object reference."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .entities import Channel, JsonDict, Role, SandboxUser
from .messages import MessageRecord, StoredFile
from .option_rules import check_options
from .state import SandboxState

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)


@dataclass
class InteractionRecord:
    """One interaction the sandbox sent, and everything the bot did in reply."""

    id: int
    token: str
    type: int
    user: SandboxUser
    channel: Channel
    payload: JsonDict
    created: float = field(default_factory=time.monotonic)
    callbacks: list[JsonDict] = field(default_factory=list)  # raw callback bodies, in order
    response_message: MessageRecord | None = None  # what @original refers to
    followups: list[MessageRecord] = field(default_factory=list)
    source_message: MessageRecord | None = None  # the message a component was clicked on
    opened_by: InteractionRecord | None = None  # for a modal submit: the interaction that opened it
    # The shard of every session it was sent to (None: an unsharded session).
    delivered_to: list[tuple[int, int] | None] = field(default_factory=list)

    @property
    def callback_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def command_name(self) -> str | None:
        data = self.payload.get("data") or {}
        return data.get("name")


def _resolved_user(state: SandboxState, user: SandboxUser, channel: Channel, resolved: JsonDict
                   ) -> None:
    resolved.setdefault("users", {})[str(user.id)] = user.to_payload()
    member = state.member(user.id, channel.guild_id)
    if member is not None:
        permissions = state.permissions(user.id, channel)
        resolved.setdefault("members", {})[str(user.id)] = member.to_payload(
            permissions=permissions, with_user=False
        )


def _resolved_channel(state: SandboxState, target: Channel, user: SandboxUser) -> JsonDict:
    payload: JsonDict = {
        "id": str(target.id),
        "name": target.name,
        "type": target.type,
        "permissions": str(state.permissions(user.id, target)),
    }
    if target.is_thread:
        payload["parent_id"] = str(target.parent_id)
        payload["thread_metadata"] = target.to_payload()["thread_metadata"]
    else:
        payload["nsfw"] = target.nsfw
    return payload


def _convert_option(
    state: SandboxState, definition: JsonDict, value: Any, user: SandboxUser, channel: Channel,
    resolved: JsonDict,
) -> Any:
    """Turn a friendly Python value into the wire value for the option's type and fill
    `resolved` for snowflake-typed options, as Discord does."""
    kind = definition["type"]
    if kind == STRING:
        return str(value)
    if kind == INTEGER:
        return int(value)
    if kind == NUMBER:
        return float(value)
    if kind == BOOLEAN:
        return bool(value)
    if kind in (USER, MENTIONABLE):
        target = value if isinstance(value, SandboxUser) else state.user(int(value))
        if target is not None:
            _resolved_user(state, target, channel, resolved)
            return str(target.id)
    if kind in (ROLE, MENTIONABLE):
        role = value if isinstance(value, Role) else state.guild_of(channel.guild_id).roles[
            int(value)]
        resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
        return str(role.id)
    if kind == CHANNEL:
        picked = state.channel(value, channel.guild_id)
        resolved.setdefault("channels", {})[str(picked.id)] = _resolved_channel(state, picked, user)
        return str(picked.id)
    if kind == ATTACHMENT:
        payload = value.to_payload() if isinstance(value, StoredFile) else dict(value)
        resolved.setdefault("attachments", {})[str(payload["id"])] = payload
        return str(payload["id"])
    raise ValueError(f"cannot convert {value!r} for option type {kind}")


def build_command_data(
    state: SandboxState,
    command_path: str,
    options: dict[str, Any],
    user: SandboxUser,
    channel: Channel,
    *,
    focused: str | None = None,
    as_client: bool = True,
) -> JsonDict:
    """The `data` of a chat-input (or autocomplete, if `focused`) interaction for a registered
    command, e.g. command_path "story info" with options {"story": "3"}. With `as_client`
    (the default) options the Discord client would refuse raise OptionRefused; without it
    they are sent anyway, as a hand-made interaction could be, to test the bot's own checks."""
    words = command_path.split()
    command = state.find_command(words[0], channel.guild_id)
    if command is None:
        known = sorted(c["name"] for c in state.global_commands.values()) + sorted(
            c["name"] for c in state.commands_for(channel.guild_id).values()
        )
        raise LookupError(f"command /{words[0]} is not registered (registered: {known})")
    definitions: list[JsonDict] = command.get("options") or []
    # Walk down subcommand groups / subcommands, building the nested option list as we go.
    root: list[JsonDict] = []
    current = root
    for word in words[1:]:
        match = next((o for o in definitions if o["name"] == word and o["type"] in (1, 2)), None)
        if match is None:
            raise LookupError(f"/{command_path}: no subcommand {word!r}")
        node: JsonDict = {"name": word, "type": match["type"], "options": []}
        current.append(node)
        current = node["options"]
        definitions = match.get("options") or []
    resolved: JsonDict = {}
    by_name = {o["name"]: o for o in definitions}
    options = {
        name: state.channel(value, channel.guild_id)
        if name in by_name and by_name[name]["type"] == CHANNEL and name != focused else value
        for name, value in options.items()
    }
    if as_client:
        check_options(command_path, definitions, options, focused=focused)
    unknown = sorted(set(options) - set(by_name))
    if unknown:
        raise LookupError(f"/{command_path} has no option {unknown[0]!r} (has {sorted(by_name)})")
    for name, value in options.items():
        definition = by_name[name]
        option: JsonDict = {"name": name, "type": definition["type"]}
        if name == focused:
            option["value"] = str(value)
            option["focused"] = True
        else:
            option["value"] = _convert_option(state, definition, value, user, channel, resolved)
        current.append(option)
    data: JsonDict = {
        "id": command["id"],
        "name": command["name"],
        "type": 1,
        "options": root,
    }
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def build_message_command_data(state: SandboxState, name: str,
                               message: MessageRecord) -> JsonDict:
    """The `data` of a message context-menu command (Apps → name) run on `message`; Discord
    sends the whole message in `resolved`, content included, without the content intent."""
    channel = state.find_channel(message.channel_id)
    guild_id = channel.guild_id if channel else message.guild_id
    scopes = [state.commands_for(guild_id), state.global_commands]
    command = next((c for scope in scopes for c in scope.values()
                    if c["name"] == name and c.get("type", 1) == 3), None)
    if command is None:
        raise LookupError(f"no message command {name!r} is registered")
    data: JsonDict = {
        "id": command["id"], "name": name, "type": 3, "target_id": str(message.id),
        "resolved": {"messages": {str(message.id): state.message_payload(message)}},
    }
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data


def build_interaction(
    state: SandboxState,
    kind: int,
    user: SandboxUser,
    channel: Channel,
    data: JsonDict,
    message: MessageRecord | None = None,
) -> InteractionRecord:
    """A full INTERACTION_CREATE payload from a guild member in a channel, stored as a record."""
    guild_id = channel.guild_id
    member = state.member(user.id, guild_id)
    if member is None:
        raise LookupError(f"{user.username} is not a member of guild {guild_id}")
    interaction_id = state.ids.next()
    token = f"sandbox.{interaction_id}.{secrets.token_urlsafe(24)}"
    channel_payload = channel.to_payload()
    channel_payload["permissions"] = str(state.permissions(user.id, channel))
    payload: JsonDict = {
        "id": str(interaction_id),
        "application_id": str(state.application.id),
        "type": kind,
        "data": data,
        "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
        "guild_id": str(guild_id),
        "channel": channel_payload,
        "channel_id": str(channel.id),
        "member": member.to_payload(permissions=state.permissions(user.id, channel)),
        "token": token,
        "version": 1,
        "app_permissions": str(state.permissions(state.users.bot.id, channel)),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if message is not None:
        payload["message"] = state.message_payload(message)
    record = InteractionRecord(
        interaction_id, token, kind, user, channel, payload, source_message=message
    )
    state.interactions[token] = record
    state.interactions_by_id[interaction_id] = record
    return record


def build_component_data(message: MessageRecord, custom_id: str,
                         values: list[str] | None) -> JsonDict:
    component = message.find_component(custom_id)
    if component is None:
        raise LookupError(f"message {message.id} has no component {custom_id!r} "
                          f"(has {message.custom_ids()})")
    data: JsonDict = {"custom_id": custom_id, "component_type": component["type"]}
    if component["type"] != 2:  # selects carry the chosen values
        data["values"] = list(values or [])
        data["resolved"] = {}
    return data


def build_modal_data(modal: JsonDict, values: dict[str, Any]) -> JsonDict:
    """Submitted modal data mirroring the modal the bot sent: action rows of text inputs, or
    labels (type 18) wrapping a text input / select; `values` maps custom_id -> value."""

    def answer(component: JsonDict) -> JsonDict:
        custom_id = component.get("custom_id", "")
        given = values.get(custom_id, component.get("value", ""))
        if component["type"] == 4:
            return {"type": 4, "id": component.get("id", 0), "custom_id": custom_id,
                    "value": str(given)}
        chosen = given if isinstance(given, list) else [given]
        return {"type": component["type"], "id": component.get("id", 0), "custom_id": custom_id,
                "values": [str(v) for v in chosen]}

    rows: list[JsonDict] = []
    for top in modal.get("components", []):
        if top["type"] == 1:
            rows.append({"type": 1, "id": top.get("id", 0),
                         "components": [answer(c) for c in top.get("components", [])]})
        elif top["type"] == 18 and "component" in top:
            rows.append({"type": 18, "id": top.get("id", 0), "component": answer(top["component"])})
    return {"custom_id": modal["custom_id"], "components": rows}
