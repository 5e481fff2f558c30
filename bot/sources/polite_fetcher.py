"""The network layer FanFicFare uses for our fetches: every page request passes here.

It replaces FanFicFare's own retrying fetcher (which sleeps inside urllib3 and loses the
Retry-After header) with one that:
- takes the site's next slot from the shared SitePacer (>= min_interval between requests
  to one host, none before a Retry-After);
- on 429/503 waits what the site asked (else 5 s, 10 s, ...), tells the requester, and
  gives up with one clear error when the site wants more than the work has left;
- caps each page at the upload size, and each request at the time the work has left;
- refuses pages nested absurdly deep before FanFicFare parses them: its html5lib parser
  takes minutes over a few thousand nested tags (measured: 2,000 nested divs, 4.4 s);
- refuses to log in: storybot has no accounts, so a login page means the work is locked.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import requests
from fanficfare.fetchers import RequestsFetcher
from fanficfare.fetchers.base_fetcher import FetcherResponse

from bot.sources.errors import (
    FetchTimedOut,
    SiteRateLimited,
    SiteUnavailable,
    UnreadablePage,
    WorkLocked,
)
from bot.sources.pacing import parse_retry_after, retry_delay
from bot.sources.work import WorkContext

_BUSY = (429, 503)
_LOGIN_MARKS = ("login", "log_in", "signin", "sign_in", "token_dispenser")
_CHUNK = 64 * 1024
# Real story pages nest a few dozen levels; a thousand is an attack or a broken page.
MAX_PAGE_DEPTH = 1000
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
# Elements that never hold others, or whose end tag HTML lets a page leave out: they do
# not deepen the count, so ordinary sloppy pages are not mistaken for deep ones.
_FLAT = frozenset(
    b"area base br col embed hr img input link meta source track wbr p li dt dd tr td th "
    b"option optgroup thead tbody tfoot colgroup rb rt rtc rp".split()
)


def page_depth(body: bytes) -> int:
    """The deepest nesting of container tags, counted from the raw bytes (no parser)."""
    depth = deepest = 0
    for match in _TAG.finditer(body):
        closing, name, self_closing = match.groups()
        if name.lower() in _FLAT or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


class PoliteFetcher(RequestsFetcher):  # type: ignore[misc]
    def __init__(self, get_config: Any, get_config_list: Any, work: WorkContext) -> None:
        super().__init__(get_config, get_config_list)
        self.work = work

    def request(self, method: str, url: str, headers: dict[str, str] | None = None,
                parameters: Any = None, json: Any = None) -> FetcherResponse:
        work = self.work
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        if any(mark in parts.path.lower() for mark in _LOGIN_MARKS):
            work.fail(WorkLocked(work.url))
        for attempt in range(work.rules.max_attempts):
            work.check()
            work.pause(work.pacer.reserve(host))
            response = self._send(method, url, headers, parameters, json)
            if response.status_code not in _BUSY:
                return self._accept(response, json)
            asked = parse_retry_after(response.headers.get("Retry-After"), work.clock.now())
            response.close()
            wait = retry_delay(attempt, asked, work.rules.retry_base)
            work.pacer.hold_off(host, work.clock.now() + wait)
            last_try = attempt + 1 >= work.rules.max_attempts
            if last_try or wait > work.rules.longest_wait or wait >= work.remaining():
                if response.status_code == 429:
                    work.fail(SiteRateLimited(work.url, host, wait))
                work.fail(SiteUnavailable(work.url, host, "HTTP 503", wait))
            if work.on_backoff is not None:
                work.on_backoff(wait)
        raise AssertionError("unreachable: the last attempt returns or fails")

    def _send(self, method: str, url: str, headers: dict[str, str] | None, parameters: Any,
              json: Any) -> requests.Response:
        work = self.work
        host = urlsplit(url).hostname or url
        timeout = min(work.rules.request_timeout, work.remaining().total_seconds())
        work.requests_made += 1
        try:
            return self.get_requests_session().request(
                method, url, headers=headers, data=parameters, json=json, stream=True,
                verify=self.use_verify(), timeout=max(timeout, 0.01),
            )
        except requests.Timeout:
            work.fail(FetchTimedOut(work.url, work.rules.work_timeout))
        except requests.ConnectionError:
            work.fail(SiteUnavailable(work.url, host, "no connection", None))

    def _accept(self, response: requests.Response, json: Any) -> FetcherResponse:
        """The body (capped), or FanFicFare's own HTTP error so its adapters can read
        404s as "no such story" the way they do for their own fetcher."""
        from fanficfare.exceptions import HTTPErrorFFF

        body = self._read_capped(response)
        if page_depth(body) > MAX_PAGE_DEPTH:
            self.work.fail(UnreadablePage(self.work.url, "a page is nested too deeply"))
        if response.status_code >= 400:
            raise HTTPErrorFFF(response.url, response.status_code,
                               f"{response.status_code} {response.reason}", body)
        parsed = None
        if json:
            try:
                parsed = response.json()
            except ValueError:
                parsed = None
        return FetcherResponse(body, response.url, False, parsed)

    def _read_capped(self, response: requests.Response) -> bytes:
        limit = self.work.rules.max_page_bytes
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > limit:
                    self.work.fail(UnreadablePage(
                        self.work.url, f"the site sent a page over {limit // (1024 * 1024)} MB"
                    ))
                chunks.append(chunk)
        except requests.Timeout:
            self.work.fail(FetchTimedOut(self.work.url, self.work.rules.work_timeout))
        except requests.RequestException:
            host = urlsplit(response.url).hostname or ""
            self.work.fail(SiteUnavailable(self.work.url, host, "the answer broke off", None))
        finally:
            response.close()
        return b"".join(chunks)
