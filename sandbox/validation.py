"""Discord's documented size limits, checked the way Discord does: a violation becomes a
400 "Invalid Form Body" (code 50035) with an `errors` tree, so bot bugs show up here too."""

from __future__ import annotations

import re
from typing import Any

from .entities import JsonDict

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


class InvalidBody(Exception):
    """A request body Discord would refuse; carries the JSON error payload."""

    def __init__(self, path: str, message: str, code: int = 50035,
                 error_code: str = "BASE_TYPE_BAD_LENGTH") -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message
        self.code = code
        self.error_code = error_code

    def payload(self) -> JsonDict:
        if self.code != 50035:
            return {"message": self.detail, "code": self.code}
        errors: JsonDict = {"_errors": [{"code": self.error_code, "message": self.detail}]}
        for part in reversed([p for p in self.path.split(".") if p]):
            errors = {part: errors}
        return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


def _max(path: str, value: Any, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise InvalidBody(path, f"Must be {limit} or fewer in length.")


def check_embed(embed: JsonDict, path: str) -> int:
    """Check one embed's limits and return its character total."""
    total = 0
    for key, limit in (("title", 256), ("description", 4096)):
        _max(f"{path}.{key}", embed.get(key), limit)
        total += len(embed.get(key) or "")
    fields = embed.get("fields") or []
    _max(f"{path}.fields", fields, 25)
    for i, embed_field in enumerate(fields):
        _max(f"{path}.fields.{i}.name", embed_field.get("name"), 256)
        _max(f"{path}.fields.{i}.value", embed_field.get("value"), 1024)
        total += len(embed_field.get("name") or "") + len(embed_field.get("value") or "")
    footer = (embed.get("footer") or {}).get("text")
    author = (embed.get("author") or {}).get("name")
    _max(f"{path}.footer.text", footer, 2048)
    _max(f"{path}.author.name", author, 256)
    return total + len(footer or "") + len(author or "")


def check_components(components: list[JsonDict], path: str = "components") -> None:
    for i, row in enumerate(components):
        children = row.get("components") or []
        if row.get("type") == 1:
            _max(f"{path}.{i}.components", children, 5)
        for j, child in enumerate(children):
            _max(f"{path}.{i}.components.{j}.custom_id", child.get("custom_id"), 100)
            _max(f"{path}.{i}.components.{j}.label", child.get("label"), 80)


MENTION_KINDS = ("everyone", "roles", "users")


def check_allowed_mentions(allowed: Any) -> None:
    """Discord's rules for `allowed_mentions`: parse holds only users/roles/everyone, and
    parsing a kind excludes listing ids of that kind (at most 100 ids each)."""
    if allowed is None:
        return
    parse = allowed.get("parse") or []
    for i, kind in enumerate(parse):
        if kind not in MENTION_KINDS:
            raise InvalidBody(f"allowed_mentions.parse.{i}",
                              f"Value must be one of {set(MENTION_KINDS)}.",
                              error_code="BASE_TYPE_CHOICES")
    for kind in ("users", "roles"):
        listed = allowed.get(kind) or []
        _max(f"allowed_mentions.{kind}", listed, 100)
        if kind in parse and listed:
            raise InvalidBody(
                "allowed_mentions",
                f'parse:["{kind}"] and {kind}: [{", ".join(map(str, listed))}] are mutually '
                "exclusive.", error_code="MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE")


def check_message(body: JsonDict, *, has_files: bool = False, creating: bool = True) -> None:
    """Limits of a Create/Edit Message or interaction message body."""
    _max("content", body.get("content"), 2000)
    check_allowed_mentions(body.get("allowed_mentions"))
    embeds = body.get("embeds") or []
    _max("embeds", embeds, 10)
    total = sum(check_embed(embed, f"embeds.{i}") for i, embed in enumerate(embeds))
    if total > 6000:
        raise InvalidBody("embeds", "Embed size exceeds maximum size of 6000")
    components = body.get("components") or []
    if len(components) > 5 and not int(body.get("flags") or 0) & (1 << 15):
        raise InvalidBody("components", "Must be 5 or fewer in length.")
    check_components(components)
    if creating and not (
        body.get("content") or embeds or components or has_files or body.get("attachments")
        or body.get("poll") or body.get("sticker_ids")
    ):
        raise InvalidBody("", "Cannot send an empty message", code=50006)


def check_choices(choices: list[JsonDict]) -> None:
    _max("data.choices", choices, 25)
    for i, choice in enumerate(choices):
        name = choice.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise InvalidBody(f"data.choices.{i}.name", "Must be between 1 and 100 in length.")
        if isinstance(choice.get("value"), str):
            _max(f"data.choices.{i}.value", choice["value"], 100)


def check_modal(modal: JsonDict) -> None:
    _max("data.title", modal.get("title"), 45)
    _max("data.custom_id", modal.get("custom_id"), 100)
    _max("data.components", modal.get("components") or [], 5)


def check_command(command: JsonDict, path: str = "") -> None:
    """Names and descriptions of an application command and its options."""
    name = command.get("name") or ""
    kind = command.get("type", 1)
    if kind == 1 and (not COMMAND_NAME.match(name) or name != name.lower()):
        raise InvalidBody(f"{path}name", "Command name is invalid")
    if kind == 1 and not 1 <= len(command.get("description") or "") <= 100:
        raise InvalidBody(f"{path}description", "Must be between 1 and 100 in length.")
    options = command.get("options") or []
    _max(f"{path}options", options, 25)
    for i, option in enumerate(options):
        check_command({**option, "type": 1}, f"{path}options.{i}.")
        _max(f"{path}options.{i}.choices", option.get("choices") or [], 25)
