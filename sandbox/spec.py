"""Discord's published OpenAPI document put to work: every REST request the bot sends and
every response the sandbox returns can be checked against it.

The document is `../shared/discord/openapi.json` beside the repository (OpenAPI 3.1, whose
schemas are JSON Schema 2020-12, so `jsonschema` validates them as they are). Known quirks of
the preview live in `spec_allowlist.py`; everything else it reports is a `SpecViolation`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .spec_allowlist import allowed_quirk

SPEC_URI = "urn:discord-openapi"
API_PREFIX = re.compile(r"^/api/v\d+")
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "discord" / (
    "openapi.json")


@dataclass(frozen=True)
class SpecViolation:
    """One place where a request or response disagrees with the published spec."""

    method: str
    path: str  # the concrete path, e.g. /channels/123/messages
    operation: str  # the spec's operationId, e.g. create_message
    direction: str  # "request" or "response"
    where: str  # e.g. "body.allowed_mentions.users.0", "query.wait", "status"
    message: str

    def __str__(self) -> str:
        return (f"{self.direction} {self.method} {self.path} ({self.operation}) "
                f"at {self.where}: {self.message}")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # the spec's path, e.g. /channels/{channel_id}/messages
    operation_id: str
    spec: Mapping[str, Any]
    pointer: str  # JSON pointer of the operation in the document
    # parameter name -> (its definition, JSON pointer of its schema)
    path_parameters: Mapping[str, tuple[Mapping[str, Any], str]]
    query_parameters: Mapping[str, tuple[Mapping[str, Any], str]]


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{pattern}/?$")


def _location(prefix: str, error: ValidationError) -> str:
    return ".".join([prefix, *(str(p) for p in error.absolute_path)])


def _parameters(node: Mapping[str, Any], pointer: str, where: str
                ) -> dict[str, tuple[Mapping[str, Any], str]]:
    return {
        p["name"]: (p, f"{pointer}/parameters/{i}/schema")
        for i, p in enumerate(node.get("parameters", []))
        if p.get("in") == where
    }


class DiscordSpec:
    """The operations of the OpenAPI document, and validators for its schemas."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(dict(document), default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        matchers = []
        for template, item in document["paths"].items():
            item_pointer = f"/paths/{_escape(template)}"
            for method, spec in item.items():
                if method == "parameters":
                    continue
                pointer = f"{item_pointer}/{method}"
                operation = Operation(
                    method.upper(), template, spec.get("operationId", template), spec, pointer,
                    {**_parameters(item, item_pointer, "path"),
                     **_parameters(spec, pointer, "path")},
                    {**_parameters(item, item_pointer, "query"),
                     **_parameters(spec, pointer, "query")},
                )
                literal = sum(1 for s in template.split("/") if s and not s.startswith("{"))
                matchers.append((literal, _path_regex(template), operation))
        # Literal segments beat parameters (".../messages/@original" before ".../{message_id}").
        matchers.sort(key=lambda m: -m[0])
        self._matchers = matchers

    @classmethod
    def load(cls, path: Path | None = None) -> DiscordSpec:
        return _load_cached(str(path or DEFAULT_SPEC_PATH))

    # ----- lookup

    def operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        bare = API_PREFIX.sub("", path)
        for _, regex, operation in self._matchers:
            if operation.method != method.upper():
                continue
            found = regex.match(bare)
            if found:
                return operation, found.groupdict()
        return None

    def validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at a JSON pointer into the document, so its "#/..."
        references resolve against the whole document."""
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)
        return self._validators[pointer]

    def _errors(self, pointer: str, value: Any) -> list[ValidationError]:
        """The leaf problems of a value: each anyOf/oneOf failure is explained by the
        branch that fits best, so an allowlist entry can name the exact field."""
        return [leaf for error in self.validator(pointer).iter_errors(value)
                for leaf in _leaves(error)]

    # ----- checks

    def check_request(
        self, method: str, path: str, query: Mapping[str, str], content_type: str, body: Any,
        files: Iterable[str] = (),
    ) -> list[SpecViolation]:
        """Path parameters, query parameters and body of a request the bot sent."""
        found = self.operation(method, path)
        if found is None:
            return [SpecViolation(method, path, "?", "request", "path",
                                  "no such operation in the spec")]
        operation, params = found
        out: list[SpecViolation] = []

        def report(where: str, message: str) -> None:
            out.append(SpecViolation(method, path, operation.operation_id, "request", where,
                                     message))

        for name, value in params.items():
            if name in operation.path_parameters:
                _, pointer = operation.path_parameters[name]
                for error in self._errors(pointer, value):
                    report(f"path.{name}", _short(error.message))
        for name, raw in query.items():
            if name not in operation.query_parameters:
                report(f"query.{name}", "not a documented query parameter")
                continue
            definition, pointer = operation.query_parameters[name]
            value = _query_value(raw, definition.get("schema", {}))
            for error in self._errors(pointer, value):
                report(f"query.{name}", _short(error.message))
        request_body = operation.spec.get("requestBody")
        if request_body is None:
            if body not in (None, {}, b"", ""):
                report("body", "this operation takes no body")
            return out
        kind = content_type.split(";")[0].strip() or "application/json"
        content = request_body.get("content", {})
        if kind not in content:
            report("content-type", f"{kind!r} is not accepted (accepts {sorted(content)})")
            return out
        if body is None:
            if request_body.get("required"):
                report("body", "a body is required")
            return out
        if kind == "multipart/form-data" and isinstance(body, dict):
            body = {**body, **{f"files[{i}]": "<binary>" for i, _ in enumerate(files)}}
        pointer = f"{operation.pointer}/requestBody/content/{_escape(kind)}/schema"
        for error in self._errors(pointer, body):
            report(_location("body", error), _short(error.message))
        return out

    def check_response(
        self, method: str, path: str, status: int, content_type: str, body: Any,
        headers: Mapping[str, str],
    ) -> list[SpecViolation]:
        """Status, rate-limit headers and body of a response the sandbox returned."""
        found = self.operation(method, path)
        if found is None:
            return []  # already reported for the request
        operation, _ = found
        out: list[SpecViolation] = []

        def report(where: str, message: str) -> None:
            out.append(SpecViolation(method, path, operation.operation_id, "response", where,
                                     message))

        responses = operation.spec.get("responses", {})
        key = next((k for k in (str(status), f"{str(status)[0]}XX", "default")
                    if k in responses), None)
        if key is None:
            report("status", f"{status} is not a documented status (documents {sorted(responses)})")
            return out
        spec, pointer = self._resolve(responses[key], f"{operation.pointer}/responses/{key}")
        for name, header in (spec.get("headers") or {}).items():
            header, header_pointer = self._resolve(header, f"{pointer}/headers/{_escape(name)}")
            if name in headers:
                value = _query_value(headers[name], header.get("schema", {}))
                for error in self._errors(f"{header_pointer}/schema", value):
                    report(f"header.{name}", _short(error.message))
        content = spec.get("content")
        if not content:
            if body not in (None, b""):
                report("body", f"a {status} response has no body")
            return out
        kind = content_type.split(";")[0].strip()
        if kind not in content:
            report("content-type", f"{kind!r} is not documented (documents {sorted(content)})")
            return out
        for error in self._errors(f"{pointer}/content/{_escape(kind)}/schema", body):
            report(_location("body", error), _short(error.message))
        return out

    def _resolve(self, node: Mapping[str, Any], pointer: str) -> tuple[Mapping[str, Any], str]:
        """Follow "$ref"s of responses and headers; returns the node and its pointer."""
        while "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            target: Any = self.document
            for part in pointer.strip("/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node, pointer


def _leaves(error: ValidationError) -> list[ValidationError]:
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def mismatched(errors: list[ValidationError]) -> bool:
        # A branch for another kind of object: its "type" discriminator (enum/const) failed,
        # or the value is not even of the branch's JSON type.
        return any(
            (e.validator in ("enum", "const") and list(e.relative_path)[-1:] == ["type"])
            or (e.validator == "type" and not e.relative_path)
            for e in errors
        )

    viable = [errs for errs in branches.values() if not mismatched(errs)] or list(
        branches.values())
    # The branch that got furthest into the value is the one meant; then the fewest errors.
    # A "null" alternative explains nothing about a value that is present.
    best_branch = min(viable, key=lambda errs: (
        -max(len(e.absolute_path) for e in errs),
        all(e.validator == "type" and e.validator_value == "null" for e in errs),
        len(errs)))
    return [leaf for sub in best_branch for leaf in _leaves(sub)]


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _query_value(raw: str, schema: Mapping[str, Any]) -> Any:
    """Query strings and headers are text; read them as the type the schema declares, the
    way Discord parses them (only "true"/"false" are booleans; "1" stays a string)."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "boolean" in types and raw in ("true", "false", "True", "False"):
        return raw.lower() == "true"
    if "integer" in types and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if "number" in types:
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


@functools.lru_cache(maxsize=2)
def _load_cached(path: str) -> DiscordSpec:
    location = Path(path)
    if not location.is_file():
        raise FileNotFoundError(
            f"Discord's OpenAPI document is missing at {location} (expected beside the "
            "repository in ../shared/discord/openapi.json)")
    return DiscordSpec(json.loads(location.read_text(encoding="utf-8")))


def unexplained(violations: Iterable[SpecViolation]) -> list[SpecViolation]:
    """The violations that no allowlisted quirk explains."""
    return [v for v in violations if allowed_quirk(v) is None]
