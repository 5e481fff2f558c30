"""SIGKILL in the middle of a burst: what was committed stays, and the file is intact.

SQLite only: it kills the process that holds the SQLite file open and then checks the file
itself (PRAGMA integrity_check)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.store.sqlite.store import SqliteStore
from tests.conftest import PROJECT_ROOT
from tests.store.feedback_helpers import story_with_posts

ROUND_SIZE = 400

# Writes reaction rounds forever; after each round is committed it prints the round number.
CHILD = f"""
import asyncio, sys
from bot.store.sqlite.feedback_writer import FeedbackWriter
from bot.store.sqlite.database import connect
from bot.store.sqlite.feedback import ReactionChange

async def main() -> None:
    conn = await connect(sys.argv[1])
    writer = FeedbackWriter(conn, max_batch=150)
    writer.start()
    message = int(sys.argv[2])
    round_number = 0
    while True:
        for index in range({ROUND_SIZE}):
            user = round_number * {ROUND_SIZE} + index
            await writer.submit(ReactionChange(message, user, "❤️", True, "2026-11-21T10:00:00"))
            await writer.submit(ReactionChange(message, user, "😂", True, "2026-11-21T10:00:00"))
            await writer.submit(ReactionChange(message, user, "😂", False, "2026-11-21T10:00:00"))
        await writer.flush()
        print(round_number, flush=True)
        round_number += 1

asyncio.run(main())
"""


def test_sigkill_mid_burst_keeps_committed_rows(tmp_path: Path) -> None:
    db = tmp_path / "library.db"

    async def prepare() -> int:
        store = await SqliteStore.open(db)
        try:
            _, _, messages = await story_with_posts(store)
        finally:
            await store.close()
        return messages[0]

    message = asyncio.run(prepare())
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(message)],
                             cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert child.stdout is not None
    committed = -1
    try:
        while committed < 4:
            line = child.stdout.readline()
            assert line, "the writer process died on its own"
            committed = int(line)
    finally:
        os.kill(child.pid, signal.SIGKILL)  # mid-burst: the next round is being written
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as reopened:
        assert reopened.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        users = {row[0] for row in reopened.execute(
            "SELECT user_id FROM reactions WHERE emoji = '❤️'")}
        laughs = reopened.execute("SELECT COUNT(*) FROM reactions WHERE emoji = '😂'").fetchone()
    # Every reported round is there; a round cut by the kill is there in part or not at all.
    assert set(range((committed + 1) * ROUND_SIZE)) <= users
    # Each 😂 add is undone right after; only a pair split by the very last batch can remain.
    assert laughs[0] <= 1
