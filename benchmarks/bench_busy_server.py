"""What a busy server costs the reads that run for each interaction and each daily tick.

    .venv/bin/python -m benchmarks.bench_busy_server [--quick]

The synthetic 10k library (SQLite), one server in it measured twice: quiet (one reader
with a few rows of each kind), then busy, after a year or two of use written straight into
the file: 3,000 more readers with 200,000 reactions, 50,000 bookmarks, 50,000 stars and
100,000 kudos on four fifths of the passages, 3,000 suggestions, and two years of daily
posts in 200 servers (--quick: the 1k library and a twentieth of the rows). Each read runs
`rounds` times in each state:

- `excerpt_draw_weights`: the reactions, bookmarks and stars of a batch of 16 drawn
  passages (of the fifth the busy year leaves alone), as `/excerpt` asks for each batch of
  its draws (on the event loop's thread);
- `excerpt_choice`: `/excerpt`'s whole choice (draws, weights, history), as the cog calls
  it; its draws meet the busy passages, whose rows it reads;
- `reader_signals`, `reader_bookmarks`: a reader's for-me signals and bookmark page;
- `daily_unfinished`: the daily loop's look for interrupted posts (every 30 s);
- `member_suggestions`: a member's own suggestions.

The figure is each read's busy/quiet median ratio. A read bounded by what it asks for costs
about the same in both states: its indexes are a level deeper and less of them is in
memory when busy (1–3× in `make bench`). A read that walks the server's rows is tens to
hundreds of times slower busy (before stop 57, `/excerpt`'s draw weights 541×). Progress on
stderr; ONE JSON line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.library_builder import copy_of_library
from benchmarks.stats import emit, summary_ms
from bot.bootstrap import Services, open_services

SERVER = 515151
READER = 777
OTHER_READERS = range(10_000, 13_000)
AT = "2026-11-21T10:00:00+00:00"
BATCH = 16  # drawn passages weighed at once (a middle batch of /excerpt's draws)
Read = Callable[[], Awaitable[object]]


def _passages(path: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, story_id FROM passages").fetchall()
    conn.close()
    return [(int(passage), int(story)) for passage, story in rows]


def write_reader(path: Path, passages: list[tuple[int, int]]) -> None:
    """The measured reader: kudos, a reaction, a bookmark and stars on eight stories."""
    rng = random.Random(7)
    chosen = rng.sample(passages, 8)
    with sqlite3.connect(path) as conn:
        for n, (passage, story) in enumerate(chosen):
            conn.execute("INSERT OR IGNORE INTO kudos (story_id, user_id, guild_id, at) "
                         "VALUES (?, ?, ?, ?)", (story, READER, SERVER, AT))
            conn.execute("INSERT INTO reactions (message_id, user_id, emoji, passage_id, "
                         "story_id, guild_id, at) VALUES (?, ?, '❤️', ?, ?, ?, ?)",
                         (1_000 + n, READER, passage, story, SERVER, AT))
            conn.execute("INSERT OR IGNORE INTO bookmarks (user_id, passage_id, story_id, "
                         "guild_id, at) VALUES (?, ?, ?, ?, ?)",
                         (READER, passage, story, SERVER, AT))
            conn.execute("INSERT OR IGNORE INTO feedback (guild_id, story_id, passage_id, "
                         "user_id, stars, at) VALUES (?, ?, ?, ?, 4, ?)",
                         (SERVER, story, passage, READER, AT))
        conn.execute("INSERT INTO suggestions (guild_id, work_key, user_id, suggested_at) "
                     "VALUES (?, 'https://archiveofourown.org/works/1', ?, ?)",
                     (SERVER, READER, AT))
    conn.close()


def write_busy_year(path: Path, passages: list[tuple[int, int]], scale: int) -> dict[str, int]:
    """Everyone else's rows (divided by `scale` for --quick); returns how many of each."""
    rng = random.Random(11)
    readers = list(OTHER_READERS)
    counts = {"reactions": 200_000 // scale, "bookmarks": 50_000 // scale,
              "stars": 50_000 // scale, "kudos": 100_000 // scale}
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO reactions (message_id, user_id, emoji, passage_id, story_id, "
            "guild_id, at) VALUES (?, ?, '❤️', ?, ?, ?, ?)",
            [(100_000 + n, readers[n % len(readers)], *passages[n % len(passages)], SERVER, AT)
             for n in range(counts["reactions"])])
        for table, sql in (
                ("bookmarks", "INSERT OR IGNORE INTO bookmarks (user_id, passage_id, "
                              "story_id, guild_id, at) VALUES (?, ?, ?, ?, ?)"),
                ("stars", "INSERT OR IGNORE INTO feedback (user_id, passage_id, story_id, "
                          "guild_id, stars, at) VALUES (?, ?, ?, ?, 3, ?)")):
            conn.executemany(sql, [(rng.choice(readers), *rng.choice(passages), SERVER, AT)
                                   for _ in range(counts[table])])
        conn.executemany(
            "INSERT OR IGNORE INTO kudos (story_id, user_id, guild_id, at) VALUES (?, ?, ?, ?)",
            [(rng.choice(passages)[1], rng.choice(readers), SERVER, AT)
             for _ in range(counts["kudos"])])
        conn.executemany(
            "INSERT OR IGNORE INTO suggestions (guild_id, work_key, user_id, suggested_at) "
            "VALUES (?, ?, ?, ?)",
            [(SERVER, f"https://archiveofourown.org/works/{reader}", reader, AT)
             for reader in readers])
        first = date(2024, 11, 21)
        conn.executemany(
            "INSERT INTO daily_posts (guild_id, local_date, claimed_at, message_id) "
            "VALUES (?, ?, ?, ?)",
            [(guild, (first + timedelta(days=day)).isoformat(), AT, 1_000_000 + day)
             for guild in range(1, 1 + 200 // scale) for day in range(730)])
        counts["daily_posts"] = (200 // scale) * 730
    conn.close()
    return counts


def reads(services: Services, passages: list[tuple[int, int]], rng: random.Random
          ) -> dict[str, Read]:
    store = services.store
    ids = [passage for passage, _ in passages]

    async def draw_weights() -> object:
        return await services.feedback.passage_weights(SERVER, rng.sample(ids, BATCH))

    async def excerpt_choice() -> object:
        return await services.excerpts.choose(SERVER, False)

    return {
        "excerpt_draw_weights": draw_weights,
        "excerpt_choice": excerpt_choice,
        "reader_signals": lambda: store.feedback.reader_signals(SERVER, READER, 30),
        "reader_bookmarks": lambda: store.feedback.bookmarks(READER, SERVER, 0, 10),
        "daily_unfinished": store.daily.unfinished,
        "member_suggestions": lambda: store.suggestions.of_user(SERVER, READER),
    }


async def measure(path: Path, passages: list[tuple[int, int]], rounds: int
                  ) -> dict[str, list[float]]:
    """Every read `rounds` times, taken in turn, on a freshly opened library."""
    samples: dict[str, list[float]] = {}
    async with open_services(path) as services:
        named = reads(services, passages, random.Random(5))
        for read in named.values():  # warm: caches, the twin's statements
            await read()
        for _ in range(rounds):
            for label, read in named.items():
                started = time.perf_counter()
                await read()
                samples.setdefault(label, []).append(time.perf_counter() - started)
    return samples


async def run(size: int, rounds: int, scale: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_of_library(size, Path(tmp) / f"library-{size}.db")
        # The reader's rows and the weighed batches are on a fifth of the passages, which
        # the busy year leaves alone: a read bounded by its passages costs about the same.
        every = _passages(path)
        random.Random(3).shuffle(every)
        passages, others = every[:len(every) // 5], every[len(every) // 5:]
        write_reader(path, passages)
        print("bench_busy_server: quiet", file=sys.stderr)
        quiet = await measure(path, passages, rounds)
        started = time.perf_counter()
        counts = write_busy_year(path, others, scale)
        print(f"bench_busy_server: busy ({time.perf_counter() - started:.1f} s to write)",
              file=sys.stderr)
        busy = await measure(path, passages, rounds)
    figures: dict[str, object] = {}
    ratios: dict[str, float] = {}
    for label in quiet:
        ratios[label] = round(statistics.median(busy[label]) / statistics.median(quiet[label]), 2)
        figures[label] = {"quiet": summary_ms(quiet[label]), "busy": summary_ms(busy[label]),
                          "busy_over_quiet": ratios[label]}
    return {"stories": size, "rounds": rounds, "busy_rows": counts, "reads": figures,
            "largest_ratio": max(ratios.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    started = datetime.now(UTC)
    figures = asyncio.run(run(size=1_000 if args.quick else 10_000,
                              rounds=20 if args.quick else 200, scale=20 if args.quick else 1))
    emit("busy_server", {**figures, "started": started.isoformat(timespec="seconds")})


if __name__ == "__main__":
    main()
