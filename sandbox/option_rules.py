"""The option constraints Discord's client enforces before it sends a slash command: a
command invocation that breaks the synced command's declared rules (types, required
options, choices, min/max_length, min/max_value, channel types) never reaches a bot, so the
sandbox refuses to build it and tells the caller which rule was broken."""

from __future__ import annotations

import math
from typing import Any

from .entities import Channel, JsonDict, Role, SandboxUser
from .messages import StoredFile

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
# Discord's integer and number options are bounded to what a double holds exactly.
MAX_SAFE = 2**53
TYPE_NAMES = {STRING: "a string", INTEGER: "an integer", BOOLEAN: "a boolean", USER: "a user",
              CHANNEL: "a channel", ROLE: "a role", MENTIONABLE: "a user or role",
              NUMBER: "a number", ATTACHMENT: "an attachment"}


class OptionRefused(LookupError):
    """Discord's client would never send this invocation; the message says which rule."""


def check_options(command_path: str, definitions: list[JsonDict], given: dict[str, Any],
                  *, focused: str | None = None) -> None:
    """Refuse options a Discord client would not send for the command at `command_path`.
    For autocomplete (`focused` names the option being typed) the client sends partial
    input, so only names and types are checked, and the focused text not at all."""
    autocomplete = focused is not None
    by_name = {d["name"]: d for d in definitions}
    for name in given:
        if name not in by_name:
            raise OptionRefused(
                f"/{command_path} has no option {name!r} (has {sorted(by_name)})")
    if not autocomplete:
        missing = [d["name"] for d in definitions if d.get("required") and d["name"] not in given]
        if missing:
            raise OptionRefused(f"/{command_path}: required option(s) missing: "
                                f"{', '.join(missing)}")
    for name, value in given.items():
        definition = by_name[name]
        if name == focused:
            continue
        problem = _problem(definition, value, autocomplete=autocomplete)
        if problem:
            raise OptionRefused(f"/{command_path} {name}: {problem}")


def _problem(definition: JsonDict, value: Any, *, autocomplete: bool) -> str | None:
    kind = definition["type"]
    if kind == STRING:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # the sandbox's shorthand: a story id typed as a number
        if not isinstance(value, str):
            return f"{value!r} is not a string"
        return None if autocomplete else _string_problem(definition, value)
    if kind in (INTEGER, NUMBER):
        number = _as_number(value, integer=kind == INTEGER)
        if number is None:
            return f"{value!r} is not {TYPE_NAMES[kind]}"
        return None if autocomplete else _number_problem(definition, number)
    if kind == BOOLEAN and not isinstance(value, bool):
        return f"{value!r} is not a boolean (true or false)"
    if kind == CHANNEL and isinstance(value, Channel):
        allowed = definition.get("channel_types")
        if allowed and value.type not in allowed:
            return f"#{value.name} is not one of the channel types {allowed}"
    if kind == USER and isinstance(value, Role):
        return "a role was given for a user option"
    if kind == ROLE and isinstance(value, SandboxUser):
        return "a user was given for a role option"
    if kind == ATTACHMENT and not isinstance(value, StoredFile | dict):
        return f"{value!r} is not an uploaded file (use Sandbox.upload)"
    return None


def _string_problem(definition: JsonDict, value: str) -> str | None:
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        return f"{value!r} is not one of the choices {[c['value'] for c in choices]}"
    low, high = definition.get("min_length"), definition.get("max_length", 6000)
    if low is not None and len(value) < low:
        return f"{len(value)} characters, fewer than the minimum length {low}"
    if len(value) > high:
        return f"{len(value)} characters, more than the maximum length {high}"
    return None


def _number_problem(definition: JsonDict, number: float) -> str | None:
    choices = definition.get("choices")
    if choices and number not in [c["value"] for c in choices]:
        return f"{number!r} is not one of the choices {[c['value'] for c in choices]}"
    low = definition.get("min_value", -MAX_SAFE)
    high = definition.get("max_value", MAX_SAFE)
    if number < low:
        return f"{number!r} is below the minimum value {low}"
    if number > high:
        return f"{number!r} is above the maximum value {high}"
    return None


def _as_number(value: Any, *, integer: bool) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or (integer and not value.is_integer()):
            return None
        return int(value) if integer else value
    if isinstance(value, str):
        try:
            parsed = float(value) if not integer else int(value.strip())
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None
    return None
