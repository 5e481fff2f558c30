"""REST routes for channels, channel messages (JSON and multipart), threads and reactions,
with Discord's permission checks for the bot (403 Missing Access / Missing Permissions)."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web

from . import permissions as p
from .entities import PRIVATE_THREAD, PUBLIC_THREAD, Channel, JsonDict
from .http_util import (
    DiscordError,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    not_found,
    read_body,
    snowflake,
)
from .messages import MessageRecord
from .state import SandboxState
from .validation import InvalidBody, check_message


def parse_emoji(raw: str) -> JsonDict:
    """A reaction emoji from its URL form: a unicode emoji or "name:id" for a custom one."""
    text = unquote(raw)
    if ":" in text:
        name, _, emoji_id = text.rpartition(":")
        return {"id": emoji_id, "name": name.removeprefix("a:"), "animated": name.startswith("a:")}
    return {"id": None, "name": text}


def add_message_routes(app: web.Application, state: SandboxState) -> None:
    r = app.router
    bot = state.users.bot

    def channel_of(request: web.Request, *, need: int = 0) -> Channel:
        channel_id = snowflake(request, "channel_id")
        channel = state.find_channel(channel_id)
        if channel is None:
            raise not_found("Channel", 10003)
        granted = state.permissions(bot.id, channel)
        if not granted & p.VIEW_CHANNEL:
            raise missing_access()
        if need and granted & need != need:
            raise missing_permissions()
        return channel

    def message_of(request: web.Request, channel: Channel) -> MessageRecord:
        record = state.messages.get(snowflake(request, "message_id"))
        if record is None or record.deleted or record.channel_id != channel.id or record.ephemeral:
            raise not_found("Message", 10008)
        return record

    def validate(body: JsonDict, *, has_files: bool, creating: bool) -> None:
        try:
            check_message(body, has_files=has_files, creating=creating)
        except InvalidBody as exc:
            raise DiscordError(400, exc.code, exc.payload()["message"], exc.payload()) from exc

    async def get_channel(request: web.Request) -> web.Response:
        return json_response(channel_of(request).to_payload())

    async def delete_channel(request: web.Request) -> web.Response:
        channel = channel_of(request)
        need = p.MANAGE_THREADS if channel.is_thread else p.MANAGE_CHANNELS
        if not state.permissions(bot.id, channel) & need:
            raise missing_permissions()
        state.delete_channel(channel)
        return json_response(channel.to_payload())

    async def edit_channel(request: web.Request) -> web.Response:
        channel = channel_of(request)
        body, _ = await read_body(request)
        if not channel.is_thread and not state.permissions(bot.id, channel) & p.MANAGE_CHANNELS:
            raise missing_permissions()
        for key in ("name", "topic", "nsfw", "archived", "locked", "auto_archive_duration"):
            if key in body:
                setattr(channel, key, body[key])
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        state.dispatch(event, channel.to_payload())
        state.notify()
        return json_response(channel.to_payload())

    async def create_message(request: web.Request) -> web.Response:
        channel = channel_of(request)
        send = p.SEND_MESSAGES_IN_THREADS if channel.is_thread else p.SEND_MESSAGES
        granted = state.permissions(bot.id, channel)
        body, uploads = await read_body(request)
        if not granted & send or (uploads and not granted & p.ATTACH_FILES):
            raise missing_permissions()
        if channel.is_thread and channel.archived and not channel.locked:
            channel.archived = False  # sending unarchives, as on Discord
        validate(body, has_files=bool(uploads), creating=True)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord returns the message already created with this nonce instead of a copy.
            earlier = state.find_nonce(channel.id, bot.id, nonce)
            if earlier is not None:
                return json_response(state.message_payload(earlier))
        if body.get("message_reference"):
            ref = body["message_reference"]
            if int(ref.get("message_id", 0)) not in state.messages and ref.get(
                "fail_if_not_exists", True
            ):
                raise DiscordError(400, 50035, "Invalid Form Body")
            body["message_reference"] = {**ref, "channel_id": str(channel.id),
                                         "guild_id": str(channel.guild_id)}
        record = state.create_message(channel, bot, body, uploads)
        return json_response(state.message_payload(record))

    async def list_messages(request: web.Request) -> web.Response:
        channel = channel_of(request, need=p.READ_MESSAGE_HISTORY)
        limit = min(int(request.query.get("limit", 50)), 100)
        records = sorted(state.channel_messages(channel.id), key=lambda m: m.id, reverse=True)
        if "before" in request.query:
            records = [m for m in records if m.id < int(request.query["before"])]
        if "after" in request.query:
            records = [m for m in records if m.id > int(request.query["after"])][-limit:]
        return json_response([state.message_payload(m) for m in records[:limit]])

    async def get_message(request: web.Request) -> web.Response:
        channel = channel_of(request, need=p.READ_MESSAGE_HISTORY)
        return json_response(state.message_payload(message_of(request, channel)))

    async def edit_message(request: web.Request) -> web.Response:
        channel = channel_of(request)
        record = message_of(request, channel)
        if record.author.id != bot.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body, uploads = await read_body(request)
        validate(body, has_files=bool(uploads), creating=False)
        state.edit_message(record, body, uploads)
        return json_response(state.message_payload(record))

    async def delete_message(request: web.Request) -> web.Response:
        channel = channel_of(request)
        record = message_of(request, channel)
        if record.author.id != bot.id and not state.permissions(bot.id, channel) & (
            p.MANAGE_MESSAGES
        ):
            raise missing_permissions()
        state.delete_message(record)
        return no_content()

    async def typing(request: web.Request) -> web.Response:
        channel_of(request, need=p.SEND_MESSAGES)
        return no_content()

    async def thread_from_message(request: web.Request) -> web.Response:
        channel = channel_of(request, need=p.CREATE_PUBLIC_THREADS)
        record = message_of(request, channel)
        if record.thread_id is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body, _ = await read_body(request)
        thread = state.create_thread(
            channel, body["name"][:100], bot, from_message=record,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        return json_response(thread.to_payload(), 201)

    async def thread_without_message(request: web.Request) -> web.Response:
        channel = channel_of(request)
        body, _ = await read_body(request)
        kind = int(body.get("type") or PRIVATE_THREAD)
        need = p.CREATE_PUBLIC_THREADS if kind == PUBLIC_THREAD else p.CREATE_PRIVATE_THREADS
        if not state.permissions(bot.id, channel) & need:
            raise missing_permissions()
        thread = state.create_thread(
            channel, body["name"][:100], bot, thread_type=kind,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        return json_response(thread.to_payload(), 201)

    async def own_reaction(request: web.Request) -> web.Response:
        channel = channel_of(request, need=p.READ_MESSAGE_HISTORY)
        record = message_of(request, channel)
        emoji = parse_emoji(request.match_info["emoji"])
        added = request.method == "PUT"
        if added and not state.permissions(bot.id, channel) & p.ADD_REACTIONS:
            raise missing_permissions()
        state.set_reaction(record, bot.id, emoji, added=added)
        return no_content()

    async def reaction_users(request: web.Request) -> web.Response:
        channel = channel_of(request, need=p.READ_MESSAGE_HISTORY)
        record = message_of(request, channel)
        emoji = parse_emoji(request.match_info["emoji"])
        key = emoji["name"] if not emoji.get("id") else f"{emoji['name']}:{emoji['id']}"
        _, user_ids = record.reactions.get(key, (emoji, []))
        users = [state.user(uid) for uid in user_ids]
        return json_response([u.to_payload() for u in users if u is not None])

    base = "/api/v{version}/channels/{channel_id}"
    r.add_get(base, get_channel)
    r.add_delete(base, delete_channel)
    r.add_patch(base, edit_channel)
    r.add_post(f"{base}/typing", typing)
    r.add_post(f"{base}/messages", create_message)
    r.add_get(f"{base}/messages", list_messages)
    r.add_get(f"{base}/messages/{{message_id}}", get_message)
    r.add_patch(f"{base}/messages/{{message_id}}", edit_message)
    r.add_delete(f"{base}/messages/{{message_id}}", delete_message)
    r.add_post(f"{base}/messages/{{message_id}}/threads", thread_from_message)
    r.add_post(f"{base}/threads", thread_without_message)
    r.add_put(f"{base}/messages/{{message_id}}/reactions/{{emoji}}/@me", own_reaction)
    r.add_delete(f"{base}/messages/{{message_id}}/reactions/{{emoji}}/@me", own_reaction)
    r.add_get(f"{base}/messages/{{message_id}}/reactions/{{emoji}}", reaction_users)
