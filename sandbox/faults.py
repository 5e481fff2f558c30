"""Faults a test can inject into the sandbox's REST API: the next N calls of a route answer
429 (with Retry-After), 500, 503 or 403 instead of being served, or are answered late.

A route is named as the sandbox routes it, without the /api/v10 prefix, optionally with the
method: "POST /channels/{channel_id}/messages", "/webhooks/{app_id}/{token}",
"POST /interactions/{interaction_id}/{token}/callback". `after_processing=True` serves the
request first and then answers with the fault (Discord sometimes does the work and still
fails the response; a retry then repeats it unless the client sent a nonce).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .entities import JsonDict

FAULT_BODIES: dict[int, JsonDict] = {
    403: {"message": "Missing Permissions", "code": 50013},
    500: {"message": "500: Internal Server Error", "code": 0},
    502: {"message": "502: Bad Gateway", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
}


@dataclass
class Fault:
    route: str
    status: int  # 0 = no error, only a delay
    times: int
    retry_after: float = 1.0
    delay: float = 0.0
    after_processing: bool = False

    def matches(self, method: str, route: str) -> bool:
        wanted_method, _, wanted_path = self.route.rpartition(" ")
        return wanted_path == route and wanted_method in ("", method)

    def body(self) -> JsonDict:
        if self.status == 429:
            return {"message": "You are being rate limited.", "retry_after": self.retry_after,
                    "global": False, "code": 0}
        return dict(FAULT_BODIES.get(self.status, {"message": f"{self.status}", "code": 0}))

    def headers(self) -> dict[str, str]:
        if self.status != 429:
            return {}
        return {"Retry-After": str(max(1, math.ceil(self.retry_after))),
                "X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "user",
                "X-RateLimit-Reset-After": f"{self.retry_after:.3f}"}


@dataclass
class FaultPlan:
    """Pending faults, consumed in the order they were added; `injected` logs each use as
    "METHOD /route -> status"."""

    pending: list[Fault] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)

    def fail_next(self, route: str, status: int, times: int = 1, *, retry_after: float = 1.0,
                  after_processing: bool = False) -> Fault:
        """The next `times` calls of `route` answer `status` (429, 500, 502, 503 or 403)."""
        if status not in (429, *FAULT_BODIES):
            raise ValueError(f"cannot inject status {status} (use 429, 403, 500, 502 or 503)")
        fault = Fault(route, status, times, retry_after=retry_after,
                      after_processing=after_processing)
        self.pending.append(fault)
        return fault

    def delay_next(self, route: str, seconds: float, times: int = 1, *,
                   after_processing: bool = True) -> Fault:
        """The next `times` calls of `route` are served, then answered `seconds` late (or,
        with after_processing=False, reach the sandbox `seconds` late and are then served:
        an interaction callback that arrives after the 3 s deadline fails as on Discord)."""
        fault = Fault(route, 0, times, delay=seconds, after_processing=after_processing)
        self.pending.append(fault)
        return fault

    def take(self, method: str, route: str) -> Fault | None:
        for fault in self.pending:
            if fault.matches(method, route):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                self.injected.append(f"{method} {route} -> {fault.status or 'delay'}")
                return fault
        return None

    def clear(self) -> None:
        self.pending.clear()
