"""The log of every HTTP request the bot made to the sandbox (`SandboxState.requests`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoggedRequest:
    """One HTTP request the bot made (json is the JSON body or the multipart payload_json).

    A JSON body is logged as its text and parsed when `json` is first read: the handler
    parsed it already and may have changed what it got, so the log cannot share that, and
    parsing every card a second time would be charged to the bot in the round-trip
    benchmark (most logged bodies are never read)."""

    method: str
    path: str
    route: str  # the matched route pattern, e.g. "/channels/{channel_id}/messages"
    body: Any  # the body as logged; while `text` is set, its JSON is not parsed yet
    status: int
    files: list[str] = field(default_factory=list)
    query: dict[str, str] = field(default_factory=dict)
    text: str | None = None

    @property
    def json(self) -> Any:
        if self.text is not None:
            try:
                self.body = json.loads(self.text) if self.text else None
            except ValueError:
                self.body = self.text  # not JSON: the text as sent
            self.text = None
        return self.body
