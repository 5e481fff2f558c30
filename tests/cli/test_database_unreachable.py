"""A PostgreSQL the command line cannot use (down, no such database, no such role, a wrong
password) and shard options that make no sense: one line saying what is wrong, a non-zero
exit, no traceback; the password never printed. Real subprocesses, a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import PROJECT_ROOT

UNREACHABLE = "postgresql://storybot:hunter2@127.0.0.1:1/library"
# Every command that opens the library (the `db` and `tags` ones included).
COMMANDS = [["list"], ["show", "1"], ["search", "x"], ["excerpts", "1"],
            ["recommend", "--tag", "x"], ["remove", "1"], ["import", "no-such-file.txt"],
            ["purge-server", "5"], ["db", "check"],
            ["tags", "rename", "Angst", "Sadness"], ["sandbox"]]


def storybot(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=folder,
        timeout=180, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "250", **env},
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def with_login(dsn: str, *, user: str | None = None, password: str | None = None,
               database: str | None = None) -> str:
    parts = urlsplit(dsn)
    user = user or parts.username or ""
    secret = password if password is not None else (parts.password or "")
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:{secret}@{host}{port}"
    path = f"/{database}" if database else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_database_that_is_down_is_one_line(tmp_path: Path, command: list[str]) -> None:
    line = one_error_line(storybot(tmp_path, "--db", UNREACHABLE, *command))
    assert line.startswith("error: cannot reach PostgreSQL at 127.0.0.1:1/library: "), line
    assert "hunter2" not in line


def test_a_missing_database_and_an_unknown_role_are_one_line(tmp_path: Path,
                                                             pg_server: str) -> None:
    missing = with_login(pg_server, database="storybot_no_such_library")
    line = one_error_line(storybot(tmp_path, "--db", missing, "list"))
    assert "cannot reach PostgreSQL at" in line
    assert 'database "storybot_no_such_library" does not exist' in line
    stranger = with_login(pg_server, user="storybot_no_such_role", password="hunter2")
    line = one_error_line(storybot(tmp_path, "--db", stranger, "list"))
    assert 'role "storybot_no_such_role" does not exist' in line and "hunter2" not in line


@pytest.fixture
def locked_role(pg_server: str) -> Iterator[str]:
    """A role that must log in with its password (the test server trusts everyone else):
    its own lines at the top of the server's pg_hba.conf, removed afterwards."""
    import asyncpg

    role = "storybot_locked"

    async def admin(*statements: str) -> str:
        conn = await asyncpg.connect(pg_server)
        try:
            for statement in statements:
                await conn.execute(statement)
            return str(await conn.fetchval("SHOW hba_file"))
        finally:
            await conn.close()

    hba = Path(asyncio.run(admin(f"DROP ROLE IF EXISTS {role}",
                                 f"CREATE ROLE {role} LOGIN PASSWORD 'right-one'")))
    try:
        before = hba.read_text()
        hba.write_text("".join(f"{kind} all {role} {where} scram-sha-256\n" for kind, where in
                               (("local", ""), ("host", "127.0.0.1/32"), ("host", "::1/128")))
                       + before)
    except OSError as problem:  # a server given by STORYBOT_TEST_PG, on another machine
        asyncio.run(admin(f"DROP ROLE {role}"))
        pytest.skip(f"cannot change the test server's pg_hba.conf: {problem}")
    try:
        asyncio.run(admin("SELECT pg_reload_conf()"))
        yield role
    finally:
        hba.write_text(before)
        asyncio.run(admin("SELECT pg_reload_conf()", f"DROP ROLE {role}"))


def test_a_wrong_password_is_one_line(tmp_path: Path, pg_server: str, locked_role: str) -> None:
    wrong = with_login(pg_server, user=locked_role, password="wrong-one")
    line = one_error_line(storybot(tmp_path, "--db", wrong, "list"))
    assert f'password authentication failed for user "{locked_role}"' in line
    assert "wrong-one" not in line


@pytest.mark.parametrize(("args", "env", "said"), [
    (["--shard-count", "x"], {}, "shard count 'x' is not a whole number"),
    (["--shard-count", "4", "--shards", "3-1"], {}, "the range 3-1 runs backwards"),
    (["--shard-count", "4", "--shards", "4"], {}, "shard 4 does not exist"),
    (["--shards", "0-3"], {}, "--shards needs --shard-count"),
    ([], {"STORYBOT_SHARD_COUNT": "2", "STORYBOT_SHARDS": "x"}, "'x' is not a shard id"),
])
def test_shard_options_that_make_no_sense_are_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], said: str
) -> None:
    result = storybot(tmp_path, "--db", str(tmp_path / "library.db"), "run", *args,
                      DISCORD_TOKEN="not-used", **env)
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("error: ") and said in line
    assert not (tmp_path / "library.db").exists()  # refused before anything was opened
