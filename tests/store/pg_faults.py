"""Real faults for the PostgreSQL retry tests: a server of the test's own that it can stop
and start (pgserver's binaries, its own pg_ctl), and a TCP relay in front of it that can
lose the answer to one COMMIT after the server received it, as a connection dropped at
the worst moment would."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class OwnServer:
    """A PostgreSQL only this test module uses, so stopping it disturbs no other test."""

    server: Any
    dsn: str

    @classmethod
    def start_new(cls) -> OwnServer:
        try:
            import pgserver
        except ImportError:
            pytest.skip("the restart tests need `pgserver` (the dev extras)")
        folder = tempfile.mkdtemp(prefix="storybot-pg-restart-")
        server = pgserver.get_server(folder, cleanup_mode="delete")
        return cls(server, server.get_uri())

    def stop(self) -> None:
        """A fast shutdown, as a restart or failover does: every backend is terminated."""
        from pgserver._commands import POSTGRES_BIN_PATH

        subprocess.run([str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.server.pgdata),
                        "-w", "-m", "fast", "stop"], check=True, timeout=60,
                       user=self.server.system_user, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def start(self) -> None:
        """Start it again on the same data folder and socket (the DSN stays valid)."""
        self.server.ensure_postgres_running()

    @property
    def socket_path(self) -> str:
        parts = urlsplit(self.dsn)
        folder = parse_qs(parts.query)["host"][0]
        return f"{folder}/.s.PGSQL.{parts.port or 5432}"

    def close(self) -> None:
        self.server.cleanup()


@dataclass
class CommitCutter:
    """A relay from 127.0.0.1 to the server's socket. Armed, it passes the next COMMIT on
    to the server, lets the server commit, then cuts that connection without passing the
    answer back: the client cannot know whether its transaction committed."""

    socket_path: str
    armed: bool = False
    cuts: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def dsn(self, port: int, search_path: str) -> str:
        return (f"postgresql://postgres@127.0.0.1:{port}/postgres"
                f"?sslmode=disable&search_path={search_path}")

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()

    async def _relay(self, client_in: asyncio.StreamReader,
                     client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await asyncio.open_unix_connection(self.socket_path)
        holding = False  # after a cut COMMIT: the server's answer is dropped

        async def upstream() -> None:
            nonlocal holding
            while data := await client_in.read(65536):
                cut_now = self.armed and b"COMMIT" in data
                if cut_now:
                    self.armed, holding = False, True
                server_out.write(data)
                await server_out.drain()
                if cut_now:
                    await asyncio.sleep(0.3)  # the server reads the COMMIT and commits
                    self.cuts += 1
                    client_out.transport.abort()
                    server_out.transport.abort()
                    return

        async def downstream() -> None:
            while data := await server_in.read(65536):
                if holding:
                    continue
                client_out.write(data)
                await client_out.drain()

        pair = [asyncio.create_task(upstream()), asyncio.create_task(downstream())]
        self._tasks.update(pair)
        with contextlib.suppress(Exception):
            await asyncio.wait(pair, return_when=asyncio.FIRST_COMPLETED)
        for task in pair:
            task.cancel()
            self._tasks.discard(task)
        for writer in (client_out, server_out):
            writer.transport.abort()
