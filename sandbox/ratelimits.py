"""Rate-limit buckets that can run out, as Discord's do: each route (per major parameter:
channel, guild, webhook or interaction token) allows `limit` requests per `window` seconds;
past that the request is answered 429 with `Retry-After`, a `retry_after` JSON body and the
X-RateLimit-* headers. Defaults are generous so ordinary tests never meet them; a test
narrows one route with `RateLimits.set`."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from .entities import JsonDict

DEFAULT_LIMIT = 50
DEFAULT_WINDOW = 1.0
MAJOR_PARAMETERS = ("channel_id", "guild_id", "token", "app_id")


@dataclass
class Bucket:
    limit: int
    window: float
    remaining: int
    resets_at: float  # time.time() of the window's end

    def refill(self, now: float) -> None:
        if now >= self.resets_at:
            self.remaining = self.limit
            self.resets_at = now + self.window


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    headers: dict[str, str]
    retry_after: float = 0.0

    def body(self) -> JsonDict:
        return {"message": "You are being rate limited.", "retry_after": self.retry_after,
                "global": False, "code": 0}


class RateLimits:
    """Every bucket of one sandbox. `route` is "METHOD /path/{template}" without /api/v10."""

    def __init__(self) -> None:
        self.limits: dict[str, tuple[int, float]] = {}
        self.buckets: dict[tuple[str, str], Bucket] = {}
        self.limited: list[str] = []  # "METHOD /path" of every request answered 429

    def set(self, route: str, limit: int, window: float) -> None:
        """Allow `limit` calls of `route` per `window` seconds (per major parameter)."""
        self.limits[route] = (limit, window)
        for key in [k for k in self.buckets if k[0] == route]:
            del self.buckets[key]

    def take(self, route: str, match_info: dict[str, str]) -> RateDecision:
        now = time.time()
        limit, window = self.limits.get(route, (DEFAULT_LIMIT, DEFAULT_WINDOW))
        major = ":".join(match_info.get(k, "") for k in MAJOR_PARAMETERS)
        bucket = self.buckets.get((route, major))
        if bucket is None:
            bucket = self.buckets[(route, major)] = Bucket(limit, window, limit, now + window)
        bucket.refill(now)
        reset_after = max(bucket.resets_at - now, 0.0)
        headers = {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Reset": f"{bucket.resets_at:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        }
        if bucket.remaining <= 0:
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "user",
                            "Retry-After": str(max(1, math.ceil(reset_after)))})
            return RateDecision(False, headers, round(reset_after, 3))
        bucket.remaining -= 1
        headers["X-RateLimit-Remaining"] = str(bucket.remaining)
        return RateDecision(True, headers)
