"""The one list of places where Discord's OpenAPI preview is known to disagree with Discord
itself (its developer documentation wins, as the spec's README says). A spec violation that
matches an entry here is not a failure; every entry says why it is allowed.

An entry matches a violation by its direction, its operationId (fnmatch pattern) and its
location (a regular expression over e.g. "body.allowed_mentions.users.0").

Two quirks named in the spec's README need no entry: Execute Webhook multipart `files[n]`
parts and a command's `nsfw` are fields the spec does not list, and its schemas allow
unlisted fields, so they are never reported.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec import SpecViolation


@dataclass(frozen=True)
class SpecQuirk:
    direction: str  # "request" or "response"
    operation: str  # fnmatch pattern over operationId
    where: str  # regular expression, matched in full against the violation's location
    message: str  # regular expression, searched in the violation's message
    reason: str

    def matches(self, violation: SpecViolation) -> bool:
        return (
            violation.direction == self.direction
            and fnmatch.fnmatchcase(violation.operation, self.operation)
            and re.fullmatch(self.where, violation.where) is not None
            and re.search(self.message, violation.message) is not None
        )


SPEC_QUIRKS: tuple[SpecQuirk, ...] = (
    SpecQuirk(
        "request", "*",
        r"body(\.data)?\.(allowed_mentions\.(users|roles)\.\d+|attachments\.\d+\.id)",
        r"is not (of type 'string'|valid under any of the given schemas)",
        "discord.py sends these ids as JSON integers (attachment ids are upload indexes); "
        "the spec types them as snowflake strings, Discord accepts both",
    ),
    SpecQuirk(
        "request", "*", r"query\.(with_response|wait|with_components)",
        r"^'[01]' is not of type 'boolean'",
        "discord.py sends query booleans as 1/0; Discord reads them as booleans, the spec "
        "only lists true/false",
    ),
    SpecQuirk(
        "response", "*", r"body\.errors(\..+)?\._errors\.\d+\.code",
        r"is not of type 'integer'",
        "field errors carry string codes such as BASE_TYPE_BAD_LENGTH on Discord; the spec "
        "types `_errors[].code` as an integer",
    ),
    SpecQuirk(
        "response", "get_active_guild_threads", r"body", r"'has_more' is a required property",
        "the spec reuses the archived-threads response for active threads and so requires "
        "`has_more`, which Discord does not send for active threads",
    ),
    SpecQuirk(
        "response", "*", r"body(\..+)?", r"'primary_guild' is a required property",
        "`primary_guild` on user objects is required in the spec and optional in the docs",
    ),
)


def allowed_quirk(violation: SpecViolation) -> SpecQuirk | None:
    """The allowlist entry that explains this violation, if any."""
    return next((q for q in SPEC_QUIRKS if q.matches(violation)), None)
