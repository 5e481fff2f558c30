"""Zero lost feedback: 50 reactions right after a card is posted, while another process
holds the database's write lock for 10 s. Each is counted once when the lock is released:
reactions that beat the post's recording are held until it is recorded, and the writer
waits for the lock instead of dropping its batch."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from sandbox.control import Sandbox
from sandbox.session import RunningBot

EMOJIS = ["❤️", "🔥", "😂", "😭", "👏", "🎉", "🤔", "😍", "👀", "💯", "🥺", "✨", "🙏"]
LOCK_SECONDS = 10

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
sys.stdin.readline()
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


async def test_fifty_reactions_during_a_ten_second_lock_are_all_counted_once(
    sandbox: Sandbox, storybot: RunningBot
) -> None:
    db = storybot.bot.settings.storybot_db
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), str(LOCK_SECONDS)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        card = await sandbox.slash(sandbox.users.reader, "excerpt", channel="stories")
        assert card.message is not None
        assert locker.stdin is not None and locker.stdout is not None
        locker.stdin.write("go\n")
        locker.stdin.flush()
        assert await asyncio.to_thread(locker.stdout.readline) == "locked\n"
        people = [sandbox.users.reader, sandbox.users.reader2, sandbox.users.curator,
                  sandbox.users.owner]
        sent = [(person, emoji) for emoji in EMOJIS for person in people][:50]
        await asyncio.gather(*(sandbox.react(person, card.message, emoji)
                               for person, emoji in sent))
        assert await asyncio.to_thread(locker.stdout.readline) == "released\n"
    finally:
        locker.wait(timeout=30)
    store = storybot.bot.services.store
    wanted = {(card.message.id, person.id, emoji) for person, emoji in sent}
    found: set[tuple[int, int, str]] = set()
    for _ in range(300):
        await store.feedback_writes.flush()
        rows = await store.feedback.reactions(sandbox.guild_id)
        found = {row for row in rows if row[0] == card.message.id}
        if len(found) >= 50:
            break
        await asyncio.sleep(0.1)
    assert found == wanted and len(rows) == len(set(rows))
