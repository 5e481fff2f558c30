"""A story site on 127.0.0.1 for the error paths FanFicFare's test1.com cannot simulate.

FanFicFare's test1.com adapter reads a story's chapters from any URLs an ini section
lists (`chapter_urls`), and a URL with `#anchor` is read as the `<li id=anchor>` element's
blockquote. So a [teststory:N] section pointing at this server makes a real FanFicFare
fetch through our polite fetcher, and each path answers as scripted: a status, headers,
a body, a delay. Every request is recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def chapter_page(text: str, anchor: str = "c") -> bytes:
    return (f"<html><body><ul><li id='{anchor}'><blockquote>{text}</blockquote></li></ul>"
            "</body></html>").encode()


class LocalSite:
    def __init__(self) -> None:
        # path -> answers given in turn; the last one repeats.
        self.script: dict[str, list[Answer]] = {}
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def serve(self, path: str, *answers: Answer) -> None:
        self.script[path] = list(answers)

    def story_ini(self, story_id: int, chapters: list[tuple[str, str]], *,
                  status: str = "In-Progress") -> str:
        """A [teststory:N] section whose chapters are (title, path) pages on this site."""
        lines = "\n".join(f" {self.base}{path}#c,{title}" for title, path in chapters)
        return (f"[teststory:{story_id}]\ntitle:Local Story {story_id}\nstatus:{status}\n"
                f"chapter_urls:\n{lines}\n")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                site.requests.append(self.path)
                answers = site.script.get(self.path) or [Answer(404, b"not here")]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def refuse_connections(self) -> None:
        """Close the port without ever serving: a site that is down."""
        self._server.server_close()

    @contextmanager
    def running(self) -> Iterator[LocalSite]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
