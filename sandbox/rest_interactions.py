"""REST routes for answering interactions: the callback (types 1, 4-9) and the interaction
webhook (follow-ups, @original and follow-up message get/edit/delete), with Discord's rules:
one callback per interaction, a 3-second deadline, and the first follow-up after a "thinking"
defer replacing the loading message."""

from __future__ import annotations

import time

from aiohttp import web

from .entities import JsonDict
from .http_util import DiscordError, json_response, no_content, not_found, read_body, snowflake
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    PING,
    InteractionRecord,
)
from .messages import EPHEMERAL, LOADING, MESSAGE_CHAT_INPUT_COMMAND, MessageRecord
from .state import SandboxState
from .validation import InvalidBody, check_choices, check_message, check_modal

PONG, CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

# Which callback types each interaction type accepts (Discord's interaction response rules).
ALLOWED_CALLBACKS = {
    PING: {PONG},
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}


def add_interaction_routes(app: web.Application, state: SandboxState) -> None:
    r = app.router
    bot = state.users.bot

    def invalid(exc: InvalidBody) -> DiscordError:
        payload = exc.payload()
        return DiscordError(400, exc.code, payload["message"], payload)

    def interaction_message(record: InteractionRecord, body: JsonDict, uploads: dict,
                            flags: int = 0, *, followup: bool = False) -> MessageRecord:
        metadata = interaction_metadata(record)
        if followup and record.response_message is not None:
            metadata["original_response_message_id"] = str(record.response_message.id)
        return state.create_message(
            record.channel, bot, {**body, "flags": int(body.get("flags") or 0) | flags}, uploads,
            type=MESSAGE_CHAT_INPUT_COMMAND if record.type == APPLICATION_COMMAND else 0,
            webhook_id=state.application.id, application_id=state.application.id,
            interaction_metadata=metadata,
        )

    def interaction_metadata(record: InteractionRecord) -> JsonDict:
        """Message Interaction Metadata as Discord attaches it to a response message."""
        metadata: JsonDict = {
            "id": str(record.id),
            "type": record.type,
            "user": record.user.to_payload(),
            "authorizing_integration_owners": {"0": str(record.channel.guild_id)},
        }
        data = record.payload.get("data") or {}
        if record.type == APPLICATION_COMMAND and data.get("target_id"):
            if data.get("type") == 3:
                metadata["target_message_id"] = str(data["target_id"])
            else:
                target = state.user(int(data["target_id"]))
                if target is not None:
                    metadata["target_user"] = target.to_payload()
        if record.type == MESSAGE_COMPONENT and record.source_message is not None:
            metadata["interacted_message_id"] = str(record.source_message.id)
        if record.type == MODAL_SUBMIT and record.opened_by is not None:
            metadata["triggering_interaction_metadata"] = interaction_metadata(record.opened_by)
        return metadata

    async def callback(request: web.Request) -> web.Response:
        record = state.interactions_by_id.get(snowflake(request, "interaction_id"))
        if record is None or record.token != request.match_info["token"]:
            raise not_found("interaction", 10062)
        if time.monotonic() - record.created > state.interaction_deadline and not record.callbacks:
            raise not_found("interaction", 10062)
        if record.callbacks:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body, uploads = await read_body(request)
        kind = int(body.get("type", 0))
        data: JsonDict = body.get("data") or {}
        if kind not in ALLOWED_CALLBACKS[record.type]:
            allowed = sorted(ALLOWED_CALLBACKS[record.type])
            error = {"code": "BASE_TYPE_CHOICES", "message": f"Value must be one of {allowed}."}
            raise DiscordError(400, 50035, "Invalid Form Body",
                               {"errors": {"type": {"_errors": [error]}}})
        try:
            if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
                check_message(data, has_files=bool(uploads), creating=kind == CHANNEL_MESSAGE)
            elif kind == AUTOCOMPLETE_RESULT:
                check_choices(data.get("choices") or [])
            elif kind == MODAL:
                check_modal(data)
        except InvalidBody as exc:
            raise invalid(exc) from exc

        message: MessageRecord | None = None
        if kind == CHANNEL_MESSAGE:
            message = interaction_message(record, data, uploads)
        elif kind == DEFERRED_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            message = interaction_message(record, {"content": ""}, {}, flags)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            message = record.source_message
            if kind == UPDATE_MESSAGE and message is not None:
                state.edit_message(message, data, uploads)
        record.response_message = message
        record.callbacks.append(body)
        state.notify()
        if request.query.get("with_response") not in ("true", "True", "1"):
            return no_content()  # Discord answers 204 unless asked for the response
        return json_response(callback_response(record, kind, message))

    def callback_response(record: InteractionRecord, kind: int, message: MessageRecord | None
                          ) -> JsonDict:
        """The Interaction Callback Response: the interaction, and the created resource only
        for a message sent or updated (a defer creates a loading message, not a resource)."""
        info: JsonDict = {"id": str(record.id), "type": record.type}
        if message is not None and kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE, UPDATE_MESSAGE):
            info.update(response_message_id=str(message.id),
                        response_message_loading=bool(message.flags & LOADING),
                        response_message_ephemeral=message.ephemeral)
        response: JsonDict = {"interaction": info}
        if message is not None and kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            response["resource"] = {"type": kind, "message": state.message_payload(message)}
        return response

    def interaction_of(request: web.Request) -> InteractionRecord:
        record = state.interactions.get(request.match_info["token"])
        if record is None or snowflake(request, "app_id") != state.application.id:
            raise not_found("Webhook", 10015)
        return record

    def target_message(request: web.Request, record: InteractionRecord) -> MessageRecord:
        ref = request.match_info["message_id"]
        if ref == "@original":
            if record.response_message is None:
                raise not_found("Message", 10008)
            return record.response_message
        message = next((m for m in record.followups if m.id == int(ref)), None)
        if message is None or message.deleted:
            raise not_found("Message", 10008)
        return message

    async def followup(request: web.Request) -> web.Response:
        record = interaction_of(request)
        if not record.callbacks:
            raise not_found("Webhook", 10015)  # no follow-ups before the interaction is answered
        body, uploads = await read_body(request)
        try:
            check_message(body, has_files=bool(uploads), creating=True)
        except InvalidBody as exc:
            raise invalid(exc) from exc
        original = record.response_message
        if (record.callback_type == DEFERRED_MESSAGE and original is not None
                and original.flags & LOADING):
            body.pop("flags", None)  # the loading message keeps the ephemerality of the defer
            message = state.edit_message(original, body, uploads)
        else:
            message = interaction_message(record, body, uploads, followup=True)
        record.followups.append(message)
        state.notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(state.message_payload(message))
        return no_content()

    async def webhook_message(request: web.Request) -> web.Response:
        record = interaction_of(request)
        message = target_message(request, record)
        if request.method == "GET":
            return json_response(state.message_payload(message))
        if request.method == "DELETE":
            state.delete_message(message)
            return no_content()
        body, uploads = await read_body(request)
        try:
            check_message(body, has_files=bool(uploads), creating=False)
        except InvalidBody as exc:
            raise invalid(exc) from exc
        state.edit_message(message, body, uploads)
        return json_response(state.message_payload(message))

    api = "/api/v{version}"
    r.add_post(f"{api}/interactions/{{interaction_id}}/{{token}}/callback", callback)
    r.add_post(f"{api}/webhooks/{{app_id}}/{{token}}", followup)
    r.add_route("*", f"{api}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}",
                webhook_message)
