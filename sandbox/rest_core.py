"""REST routes for login, application info, the gateway url, application commands, guild /
channel / member / role fetches and attachment downloads."""

from __future__ import annotations

from aiohttp import web

from .entities import Guild, JsonDict
from .http_util import DiscordError, json_response, no_content, not_found, read_body, snowflake
from .sharding import recommended_shards
from .state import SandboxState
from .validation import InvalidBody, check_command

SESSION_STARTS_PER_DAY = 1000  # Discord's usual daily IDENTIFY allowance


def add_core_routes(app: web.Application, state: SandboxState) -> None:
    r = app.router

    async def me(request: web.Request) -> web.Response:
        user = state.users.bot.to_payload()
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US", bot=True)
        return json_response(user)

    async def application_info(request: web.Request) -> web.Response:
        app_info = state.application
        return json_response({
            "id": str(app_info.id),
            "name": app_info.name,
            "icon": None,
            "description": app_info.description,
            "summary": "",
            "type": None,
            "bot": state.users.bot.to_payload(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": app_info.owner.to_payload(),
            "team": None,
            "flags": (1 << 15) | (1 << 19),
            "flags_new": str((1 << 15) | (1 << 19)),
            "explicit_content_filter": 0,
            "role_connections_verification_url": None,
            "eligible_oauth2_scopes": [],
            "approximate_user_authorization_count": 0,
            "tags": [],
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
            "integration_types_config": {"0": {}},
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": len(state.guilds),
            "approximate_user_install_count": 0,
        })

    async def gateway(request: web.Request) -> web.Response:
        url = state.base_url.replace("http://", "ws://") + "/gateway"
        payload: JsonDict = {"url": url}
        if request.path.endswith("/bot"):
            shards = recommended_shards(len(state.guilds), state.recommended_shards)
            remaining = max(0, SESSION_STARTS_PER_DAY - state.session_starts)
            payload.update(shards=shards, session_start_limit={
                "total": SESSION_STARTS_PER_DAY, "remaining": remaining,
                "reset_after": 14_400_000, "max_concurrency": 1})
        return json_response(payload)

    def scope(request: web.Request) -> dict[int, JsonDict]:
        if snowflake(request, "app_id") != state.application.id:
            raise not_found("Application", 10002)
        guild_id = snowflake(request, "guild_id") if "guild_id" in request.match_info else None
        if guild_id is not None and guild_id not in state.guilds:
            raise missing_access_for_guild()
        return state.commands_for(guild_id)

    def stored_command(request: web.Request, body: JsonDict, existing: dict[int, JsonDict]
                       ) -> JsonDict:
        try:
            check_command(body)
        except InvalidBody as exc:
            raise DiscordError(400, exc.code, "Invalid Form Body", exc.payload()) from exc
        kind = body.get("type", 1)
        same = next((c for c in existing.values()
                     if c["name"] == body["name"] and c["type"] == kind), None)
        command: JsonDict = {
            "id": same["id"] if same else str(state.ids.next()),
            "application_id": str(state.application.id),
            "version": str(state.ids.next()),
            "type": kind,
            "name": body["name"],
            "description": body.get("description", ""),
            "options": body.get("options") or [],
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": body.get("nsfw", False),
            "integration_types": body.get("integration_types") or [0],
            "contexts": body.get("contexts"),
            "name_localizations": body.get("name_localizations"),
            "description_localizations": body.get("description_localizations"),
        }
        if "guild_id" in request.match_info:
            command["guild_id"] = request.match_info["guild_id"]
        return command

    async def list_commands(request: web.Request) -> web.Response:
        return json_response(list(scope(request).values()))

    async def overwrite_commands(request: web.Request) -> web.Response:
        commands = scope(request)
        body, _ = await read_body(request)
        fresh = [stored_command(request, item, commands) for item in body]
        commands.clear()
        commands.update({int(c["id"]): c for c in fresh})
        state.notify()
        return json_response(fresh)

    async def upsert_command(request: web.Request) -> web.Response:
        commands = scope(request)
        body, _ = await read_body(request)
        command = stored_command(request, body, commands)
        status = 200 if int(command["id"]) in commands else 201
        commands[int(command["id"])] = command
        state.notify()
        return json_response(command, status)

    async def one_command(request: web.Request) -> web.Response:
        commands = scope(request)
        command_id = snowflake(request, "command_id")
        if command_id not in commands:
            raise not_found("application command", 10063)
        if request.method == "DELETE":
            del commands[command_id]
            state.notify()
            return no_content()
        if request.method == "PATCH":
            body, _ = await read_body(request)
            merged = {**commands[command_id], **body}
            commands[command_id] = stored_command(request, merged, commands)
            state.notify()
        return json_response(commands[command_id])

    async def command_permissions(request: web.Request) -> web.Response:
        scope(request)
        return json_response([])

    def check_guild(request: web.Request) -> Guild:
        """The guild of the route; one the bot is not in answers 403 Missing Access."""
        found = state.guilds.get(snowflake(request, "guild_id"))
        if found is None:
            raise missing_access_for_guild()
        return found

    async def guild(request: web.Request) -> web.Response:
        this = check_guild(request)
        payload = this.to_payload(include_members=False, bot_user_id=state.users.bot.id)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at",
                    "large", "unavailable", "member_count"):
            payload.pop(key, None)
        if request.query.get("with_counts") in ("true", "1"):
            payload["approximate_member_count"] = len(this.members)
            payload["approximate_presence_count"] = len(this.members)
        return json_response(payload)

    async def guild_channels(request: web.Request) -> web.Response:
        return json_response([c.to_payload() for c in check_guild(request).text_channels()])

    async def guild_roles(request: web.Request) -> web.Response:
        roles = check_guild(request).roles.values()
        return json_response([role.to_payload() for role in roles])

    async def guild_member(request: web.Request) -> web.Response:
        member = check_guild(request).members.get(snowflake(request, "user_id"))
        if member is None:
            raise not_found("Member", 10007)
        return json_response(member.to_payload())

    async def guild_members(request: web.Request) -> web.Response:
        this = check_guild(request)
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 1))
        members = sorted(this.members.values(), key=lambda m: m.user.id)
        chosen = [m for m in members if m.user.id > after][:limit]
        return json_response([m.to_payload() for m in chosen])

    async def active_threads(request: web.Request) -> web.Response:
        threads = [t.to_payload() for t in check_guild(request).threads() if not t.archived]
        return json_response({"threads": threads, "members": []})

    async def user(request: web.Request) -> web.Response:
        found = state.user(snowflake(request, "user_id"))
        if found is None:
            raise not_found("User", 10013)
        return json_response(found.to_payload())

    async def attachment(request: web.Request) -> web.Response:
        stored = state.files.get(snowflake(request, "file_id"))
        if stored is None or stored.filename != request.match_info["filename"]:
            raise web.HTTPNotFound(text="asset not found")
        return web.Response(body=stored.data, content_type=stored.content_type)

    api = "/api/v{version}"
    r.add_get(f"{api}/users/@me", me)
    r.add_get(f"{api}/oauth2/applications/@me", application_info)
    r.add_get(f"{api}/applications/@me", application_info)
    r.add_get(f"{api}/gateway", gateway)
    r.add_get(f"{api}/gateway/bot", gateway)
    for base in (f"{api}/applications/{{app_id}}/commands",
                 f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands"):
        r.add_get(base, list_commands)
        r.add_put(base, overwrite_commands)
        r.add_post(base, upsert_command)
        r.add_get(base + "/permissions", command_permissions)
        r.add_route("*", base + "/{command_id}", one_command)
    r.add_get(f"{api}/guilds/{{guild_id}}", guild)
    r.add_get(f"{api}/guilds/{{guild_id}}/channels", guild_channels)
    r.add_get(f"{api}/guilds/{{guild_id}}/roles", guild_roles)
    r.add_get(f"{api}/guilds/{{guild_id}}/members", guild_members)
    r.add_get(f"{api}/guilds/{{guild_id}}/members/{{user_id}}", guild_member)
    r.add_get(f"{api}/guilds/{{guild_id}}/threads/active", active_threads)
    r.add_get(f"{api}/users/{{user_id}}", user)
    r.add_get("/attachments/{channel_id}/{file_id}/{filename}", attachment)


def missing_access_for_guild() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")
