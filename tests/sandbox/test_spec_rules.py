"""The sandbox held to Discord's published behaviour: each test here pins one place where the
stand-in used to be looser than Discord (issue 12, item 8)."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import pytest

from sandbox.control import Sandbox
from sandbox.interactions import APPLICATION_COMMAND, build_interaction
from sandbox.option_rules import OptionRefused
from sandbox.spec import DiscordSpec, unexplained

from .conftest import bot_headers

Json = dict[str, Any]


async def call(sandbox: Sandbox, method: str, path: str, *, auth: bool = True,
               **kwargs: Any) -> tuple[int, Any, Any]:
    """One raw REST call: (status, parsed JSON or text, headers)."""
    headers = bot_headers(sandbox) if auth else {}
    async with aiohttp.ClientSession(headers=headers) as session, session.request(
            method, sandbox.api_base + path, **kwargs) as response:
        text = await response.text()
        is_json = response.content_type == "application/json"
        body = (await response.json()) if is_json and text else text
        return response.status, body, response.headers


def take_problems(sandbox: Sandbox) -> list[str]:
    """The spec violations so far, cleared: for tests that break the spec on purpose."""
    problems = sandbox.spec_problems()
    sandbox.state.spec_violations.clear()
    return problems


def new_interaction(sandbox: Sandbox) -> tuple[str, str]:
    """An application-command interaction waiting for its callback: (id, token)."""
    data = {"id": "1", "name": "probe", "type": 1, "options": []}
    record = build_interaction(sandbox.state, APPLICATION_COMMAND, sandbox.users.reader,
                               sandbox.channel("general"), data)
    return str(record.id), record.token


def channel_path(sandbox: Sandbox, name: str = "general") -> str:
    return f"/channels/{sandbox.channels[name].id}/messages"


# ----- interaction callbacks


async def test_callback_without_with_response_is_204_with_no_body(sandbox: Sandbox) -> None:
    interaction_id, token = new_interaction(sandbox)
    path = f"/interactions/{interaction_id}/{token}/callback"
    status, body, _ = await call(sandbox, "POST", path, auth=False,
                                 json={"type": 4, "data": {"content": "hi"}})
    assert (status, body) == (204, "")
    assert [m.content for m in sandbox.messages("general")] == ["hi"]


async def test_callback_with_response_returns_the_interaction_and_message(sandbox: Sandbox
                                                                          ) -> None:
    interaction_id, token = new_interaction(sandbox)
    status, body, _ = await call(
        sandbox, "POST", f"/interactions/{interaction_id}/{token}/callback", auth=False,
        params={"with_response": "true"}, json={"type": 4, "data": {"content": "hi"}})
    assert status == 200
    assert body["interaction"]["id"] == interaction_id
    assert body["resource"]["type"] == 4 and body["resource"]["message"]["content"] == "hi"
    assert body["interaction"]["response_message_id"] == body["resource"]["message"]["id"]


async def test_a_defer_returns_no_loading_message_as_its_resource(sandbox: Sandbox) -> None:
    interaction_id, token = new_interaction(sandbox)
    status, body, _ = await call(
        sandbox, "POST", f"/interactions/{interaction_id}/{token}/callback", auth=False,
        params={"with_response": "true"}, json={"type": 5, "data": {"flags": 64}})
    assert status == 200
    assert "resource" not in body
    assert body["interaction"]["response_message_loading"] is True
    assert body["interaction"]["response_message_ephemeral"] is True


# ----- allowed_mentions


@pytest.mark.parametrize(("allowed", "where", "code"), [
    ({"parse": ["users"], "users": ["1"]}, ["allowed_mentions"],
     "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"),
    ({"parse": ["roles"], "roles": ["2"]}, ["allowed_mentions"],
     "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"),
    ({"parse": ["users", "channels"]}, ["allowed_mentions", "parse", "1"], "BASE_TYPE_CHOICES"),
])
async def test_allowed_mentions_are_checked_as_discord_does(
    sandbox: Sandbox, allowed: Json, where: list[str], code: str
) -> None:
    status, body, _ = await call(sandbox, "POST", channel_path(sandbox),
                                 json={"content": "hello", "allowed_mentions": allowed})
    assert status == 400 and body["code"] == 50035 and body["message"] == "Invalid Form Body"
    node = body["errors"]
    for key in where:
        node = node[key]
    assert node["_errors"][0]["code"] == code
    assert sandbox.messages("general") == []
    if code == "BASE_TYPE_CHOICES":  # the spec knows this one too
        assert "parse.1" in take_problems(sandbox)[0]


# ----- who may call, and how


async def test_rest_calls_need_the_bot_token(sandbox: Sandbox) -> None:
    path = channel_path(sandbox)
    status, body, _ = await call(sandbox, "POST", path, auth=False, json={"content": "x"})
    assert (status, body) == (401, {"message": "401: Unauthorized", "code": 0})
    status, _, _ = await call(sandbox, "POST", path, auth=False, json={"content": "x"},
                              headers={"Authorization": "Bot not-the-token"})
    assert status == 401
    status, _, _ = await call(sandbox, "POST", path, auth=False, json={"content": "x"},
                              headers={"Authorization": f"Bearer {sandbox.token}"})
    assert status == 401
    assert sandbox.messages("general") == []


async def test_a_bot_with_the_wrong_token_cannot_log_in(sandbox: Sandbox) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-sandbox-token")
    await client.close()


async def test_only_api_v10_is_served(sandbox: Sandbox) -> None:
    url = sandbox.api_base.replace("/v10", "/v8") + "/users/@me"
    async with aiohttp.ClientSession(headers=bot_headers(sandbox)) as session, session.get(
            url) as response:
        assert response.status == 400
        assert (await response.json())["code"] == 50041


@pytest.mark.parametrize("multipart", [False, True])
async def test_malformed_json_is_a_json_400(sandbox: Sandbox, multipart: bool) -> None:
    if multipart:
        form = aiohttp.FormData()
        form.add_field("payload_json", "{not json", content_type="application/json")
        kwargs: Json = {"data": form}
    else:
        kwargs = {"data": b"{not json", "headers": {**bot_headers(sandbox),
                                                    "Content-Type": "application/json"}}
    status, body, headers = await call(sandbox, "POST", channel_path(sandbox), **kwargs)
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert body == {"message": "The request body contains invalid JSON.", "code": 50109}


# ----- message objects


async def test_rest_messages_carry_no_gateway_only_fields(sandbox: Sandbox) -> None:
    status, body, _ = await call(sandbox, "POST", channel_path(sandbox), json={"content": "hi"})
    assert status == 200
    assert "guild_id" not in body and "member" not in body
    record = sandbox.message(int(body["id"]))
    event = sandbox.state.gateway_message(record)
    assert event["guild_id"] == str(sandbox.guild_id) and "member" in event


async def test_components_are_echoed_with_ids(sandbox: Sandbox) -> None:
    row = {"type": 1, "components": [
        {"type": 2, "style": 1, "label": "A", "custom_id": "a"},
        {"type": 2, "style": 1, "label": "B", "custom_id": "b", "id": 2},
        {"type": 2, "style": 1, "label": "C", "custom_id": "c"},
    ]}
    status, body, _ = await call(sandbox, "POST", channel_path(sandbox),
                                 json={"content": "pick", "components": [row]})
    assert status == 200
    [echoed] = body["components"]
    assert echoed["id"] == 1
    assert [c["id"] for c in echoed["components"]] == [3, 2, 4]


async def test_a_reply_to_a_click_names_the_clicked_message(sandbox: Sandbox) -> None:
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}
    _, posted, _ = await call(sandbox, "POST", channel_path(sandbox),
                              json={"content": "card", "components": [row]})
    clicked = await sandbox.click(sandbox.users.reader, int(posted["id"]), "go", timeout=None)
    path = f"/interactions/{clicked.record.id}/{clicked.record.token}/callback"
    status, body, _ = await call(sandbox, "POST", path, auth=False,
                                 params={"with_response": "true"},
                                 json={"type": 4, "data": {"content": "thanks", "flags": 64}})
    assert status == 200
    metadata = body["resource"]["message"]["interaction_metadata"]
    assert metadata["type"] == 3 and metadata["interacted_message_id"] == posted["id"]
    assert metadata["user"]["id"] == str(sandbox.users.reader.id)


async def test_enforce_nonce_returns_the_first_message(sandbox: Sandbox) -> None:
    payload = {"content": "daily", "nonce": "day-2026-01-15", "enforce_nonce": True}
    _, first, _ = await call(sandbox, "POST", channel_path(sandbox), json=payload)
    _, again, _ = await call(sandbox, "POST", channel_path(sandbox), json=payload)
    assert again["id"] == first["id"] and first["nonce"] == "day-2026-01-15"
    assert len(sandbox.messages("general")) == 1


# ----- rate limits


async def test_a_bucket_runs_out_with_a_429_like_discords(sandbox: Sandbox) -> None:
    sandbox.faults.rate_limit("POST /channels/{channel_id}/messages", limit=2, window=30)
    path = channel_path(sandbox)
    remaining = []
    for text in ("one", "two"):
        status, _, headers = await call(sandbox, "POST", path, json={"content": text})
        assert status == 200
        remaining.append(headers["X-RateLimit-Remaining"])
    assert remaining == ["1", "0"]
    status, body, headers = await call(sandbox, "POST", path, json={"content": "three"})
    assert status == 429
    assert body["global"] is False and 0 < body["retry_after"] <= 30
    assert int(headers["Retry-After"]) >= 1 and headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Bucket"] and headers["Via"]
    assert [m.content for m in sandbox.messages("general")] == ["one", "two"]
    # Another channel is another bucket.
    status, _, _ = await call(sandbox, "POST", channel_path(sandbox, "stories"),
                              json={"content": "elsewhere"})
    assert status == 200


# ----- option constraints of synced commands


CONSTRAINED = {
    "name": "bounded", "description": "Options with every kind of bound", "type": 1,
    "options": [
        {"type": 3, "name": "title", "description": "t", "required": True,
         "min_length": 2, "max_length": 10},
        {"type": 4, "name": "percent", "description": "p", "min_value": 0, "max_value": 100},
        {"type": 10, "name": "ratio", "description": "r", "min_value": 0.5},
        {"type": 3, "name": "sort", "description": "s",
         "choices": [{"name": "Newest", "value": "new"}, {"name": "Oldest", "value": "old"}]},
        {"type": 7, "name": "where", "description": "w", "channel_types": [0]},
    ],
}


@pytest.mark.parametrize(("options", "said"), [
    ({}, "required option(s) missing: title"),
    ({"title": "x"}, "fewer than the minimum length 2"),
    ({"title": "x" * 11}, "more than the maximum length 10"),
    ({"title": "ok", "percent": 150}, "above the maximum value 100"),
    ({"title": "ok", "percent": -1}, "below the minimum value 0"),
    ({"title": "ok", "percent": 2.5}, "is not an integer"),
    ({"title": "ok", "percent": "lots"}, "is not an integer"),
    ({"title": "ok", "ratio": 0.25}, "below the minimum value 0.5"),
    ({"title": "ok", "sort": "random"}, "is not one of the choices ['new', 'old']"),
    ({"title": "ok", "colour": "red"}, "has no option 'colour'"),
])
async def test_invocations_a_client_would_never_send_are_refused(
    sandbox: Sandbox, options: Json, said: str
) -> None:
    app_id = sandbox.state.application.id
    status, _, _ = await call(sandbox, "PUT", f"/applications/{app_id}/commands",
                              json=[CONSTRAINED])
    assert status == 200
    with pytest.raises(OptionRefused, match="^/bounded") as refused:
        await sandbox.slash(sandbox.users.reader, "bounded", options, timeout=None)
    assert said in str(refused.value)
    assert not sandbox.state.interactions  # nothing was sent to any bot
    # Within the bounds the same command goes through.
    fine = await sandbox.slash(sandbox.users.reader, "bounded",
                               {"title": "ok", "percent": 100, "ratio": 0.5, "sort": "old",
                                "where": "general"}, timeout=None)
    sent = {o["name"]: o["value"] for o in fine.record.payload["data"]["options"]}
    assert sent["percent"] == 100 and sent["sort"] == "old"


async def test_a_hand_made_interaction_may_break_the_rules(sandbox: Sandbox) -> None:
    """For testing a bot's own bounds: as_client=False sends what a client would not."""
    app_id = sandbox.state.application.id
    await call(sandbox, "PUT", f"/applications/{app_id}/commands", json=[CONSTRAINED])
    sent = await sandbox.slash(sandbox.users.reader, "bounded", {"percent": 150},
                               timeout=None, as_client=False)
    assert sent.record.payload["data"]["options"] == [
        {"name": "percent", "type": 4, "value": 150}]


# ----- the validator itself


async def test_validation_mode_reports_what_breaks_the_spec(sandbox: Sandbox) -> None:
    status, _, _ = await call(sandbox, "POST", channel_path(sandbox),
                              json={"content": "hi", "tts": "yes"})
    assert status == 200
    assert take_problems(sandbox) == [
        f"request POST /api/v10{channel_path(sandbox)} (create_message) at body.tts: "
        "'yes' is not of type 'boolean', 'null'"]


def test_responses_are_checked_too() -> None:
    spec = DiscordSpec.load()
    problems = spec.check_response("GET", "/api/v10/users/@me", 200, "application/json",
                                   {"id": 5, "username": "x"}, {})
    assert [(p.where, p.message) for p in problems][:1] == [
        ("body.id", "5 is not of type 'string'")]
    assert spec.check_response("DELETE", "/api/v10/channels/1/messages/2", 204, "", b"x", {})


def test_the_allowlist_explains_known_quirks_and_nothing_else() -> None:
    spec = DiscordSpec.load()
    path = "/api/v10/channels/1/messages"
    quirky = spec.check_request("POST", path, {}, "application/json",
                                {"content": "hi", "allowed_mentions": {"parse": [], "users": [7]}})
    assert [v.where for v in quirky] == ["body.allowed_mentions.users.0"]
    assert unexplained(quirky) == []
    wrong = spec.check_request("POST", path, {"wait": "1"}, "application/json",
                               {"content": 5, "allowed_mentions": {"parse": ["user"]}})
    assert {v.where for v in unexplained(wrong)} == {
        "query.wait", "body.content", "body.allowed_mentions.parse.0"}
