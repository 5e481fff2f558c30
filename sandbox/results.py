"""What the bot answered to one interaction, as a live view for tests and the console."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .entities import JsonDict
from .interactions import InteractionRecord
from .messages import LOADING, MessageRecord
from .state import SandboxState


class SandboxTimeout(TimeoutError):
    """The bot did not do what was awaited in time (message says what was awaited)."""


@dataclass
class InteractionResult:
    """The bot's answer to one interaction; a live view (follow-ups and edits keep arriving).

    callback_type: 4 message, 5 deferred ("thinking"), 6 deferred update, 7 update message,
    8 autocomplete choices, 9 modal. `message` is what @original refers to: the response
    message (types 4/5) or the clicked message (types 6/7)."""

    record: InteractionRecord
    state: SandboxState

    @property
    def callback_type(self) -> int | None:
        return self.record.callback_type

    @property
    def callback(self) -> JsonDict | None:
        """The raw callback body the bot sent ({"type": ..., "data": ...})."""
        return self.record.callbacks[0] if self.record.callbacks else None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (5, 6)

    @property
    def message(self) -> MessageRecord | None:
        return self.record.response_message

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[JsonDict]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[JsonDict]:
        return self.message.components if self.message else []

    @property
    def flags(self) -> int:
        return self.message.flags if self.message else 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and self.message.ephemeral)

    @property
    def allowed_mentions(self) -> JsonDict | None:
        return self.message.allowed_mentions if self.message else None

    @property
    def followups(self) -> list[MessageRecord]:
        """Messages sent through the interaction webhook. After a type-5 defer the first one
        is the original (loading) message, edited in place, as on Discord."""
        return list(self.record.followups)

    @property
    def choices(self) -> list[JsonDict] | None:
        cb = self.callback
        return (cb.get("data") or {}).get("choices") if cb and cb["type"] == 8 else None

    @property
    def modal(self) -> JsonDict | None:
        cb = self.callback
        return cb.get("data") if cb and cb["type"] == 9 else None

    async def wait(self, predicate: Callable[[InteractionResult], Any], timeout: float = 5.0,
                   what: str = "condition") -> Any:
        """Wait until predicate(self) is truthy and return its value."""
        try:
            return await self.state.wait_for(lambda: predicate(self), timeout)
        except TimeoutError:
            raise SandboxTimeout(
                f"interaction /{self.record.command_name or self.record.type}: {what} not met in "
                f"{timeout}s (callbacks={self.record.callbacks!r})"
            ) from None

    async def wait_for_followups(self, count: int = 1, timeout: float = 5.0) -> list[
        MessageRecord
    ]:
        """Wait until at least `count` follow-ups were sent; returns them all."""
        await self.wait(lambda r: len(r.record.followups) >= count, timeout,
                        f"{count} follow-up(s)")
        return self.followups

    async def wait_until_done(self, timeout: float = 5.0) -> MessageRecord:
        """Wait until the response message exists and is no longer "thinking" (loading)."""
        return await self.wait(
            lambda r: r.message if r.message and not r.message.flags & LOADING else None,
            timeout, "a finished response message")
