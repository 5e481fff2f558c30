"""Synthetic story libraries in real SQLite files, for benchmarks that need a big library.

Tags come from `synthetic.make_library` (Zipf-shaped, AO3-like); each story gets a few
hundred words of generated text, is segmented like any import, and is stored through the
bulk writer. Built files are kept under the temp dir and reused by later benchmarks.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from contextlib import closing
from pathlib import Path

from benchmarks.synthetic import make_library
from bot.library.models import Chapter, Rating, StoryDraft, TagKind
from bot.library.segmentation import segment_chapters
from bot.library.tag_index import IndexedStory
from bot.store.sqlite.bulk_import import BulkStoryWriter
from bot.store.sqlite.database import connect, load_migrations

CACHE = Path(tempfile.gettempdir()) / "storybot-bench"
RATINGS = {"general": Rating.GENERAL, "teen": Rating.TEEN, "mature": Rating.MATURE,
           "explicit": Rating.EXPLICIT, "not rated": Rating.NOT_RATED}
WORDS = ("the lantern river kept moving under a quiet sky while she counted every bridge "
         "and named the crows that followed him home across winter light").split()
BATCH = 1000


def _text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 8)):
        sentences = [" ".join(rng.choices(WORDS, k=rng.randint(6, 16))).capitalize() + "."
                     for _ in range(rng.randint(2, 5))]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def _draft(story: IndexedStory, rng: random.Random) -> StoryDraft:
    names: dict[TagKind, list[str]] = {}
    for kind, key in sorted(story.tags):
        names.setdefault(kind, []).append(key.title())
    return StoryDraft(
        title=f"Synthetic Story {story.story_id}",
        authors=[a.title() for a in story.authors],
        chapters=[Chapter(1, "", f"Story {story.story_id}.\n\n{_text(rng)}")],
        rating=RATINGS[story.rating],
        warnings=names.get(TagKind.WARNING, []),
        categories=[c.upper() for c in names.get(TagKind.CATEGORY, [])],
        fandoms=names.get(TagKind.FANDOM, []),
        relationships=names.get(TagKind.RELATIONSHIP, []),
        characters=names.get(TagKind.CHARACTER, []),
        freeform=names.get(TagKind.FREEFORM, []),
        language="English", summary=f"A synthetic story, number {story.story_id}.",
        complete=True, series=story.series, format="synthetic",
    )


async def _build(path: Path, size: int) -> None:
    rng = random.Random(size)
    conn = await connect(path)
    try:
        writer = BulkStoryWriter(conn)
        stories = make_library(size)
        for start in range(0, size, BATCH):
            drafts = [_draft(story, rng) for story in stories[start:start + BATCH]]
            batch = [(d, segment_chapters(d.chapters)) for d in drafts]
            await writer.add_batch(batch, guild_id=None)
        # As a folder import of the whole library leaves it: the search index in one piece.
        await writer.compact_search(size)
    finally:
        await conn.close()


def library_file(size: int) -> Path:
    """A database file holding `size` synthetic stories (built once, then reused)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"library-{size}.db"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        _run_outside_any_loop(_build(partial, size))
        # A round-trip run right after building the 100k library (850 MB) measured every
        # command 1.5-1.7x slower at 100k than at 1k, the next run 0.9-1.1x.
        _on_disk(partial)
        partial.rename(path)
        print(f"built a {size:,}-story library in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
    _migrated(path)
    return path


def _migrated(path: Path) -> None:
    """A library cached by an older version brought to this code's schema, once: otherwise
    every benchmark's first start on a copy would time the migrations (an index on 1.6
    million links takes seconds)."""
    latest = max(migration.version for migration in load_migrations())
    with closing(sqlite3.connect(path)) as conn:
        if conn.execute("PRAGMA user_version").fetchone()[0] >= latest:
            return

    async def open_and_close() -> None:
        await (await connect(path)).close()
    _run_outside_any_loop(open_and_close())


def _run_outside_any_loop(work: Coroutine[object, object, None]) -> None:
    """Runs `work` to its end on a loop of its own in a thread of its own: callers may be
    inside an event loop (bench_overlay copies the library from within one), where
    `asyncio.run` refuses. An error in `work` is raised here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work)
        except BaseException as error:  # re-raised in the caller's thread below
            errors.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def copy_of_library(size: int, destination: Path) -> Path:
    """A private copy, so a benchmark's writes never leak into the next one. Written to
    disk before it is used: the kernel writes dirty pages back after about 30 s, which for
    a 100k copy (700 MB) fell in the middle of the round trips measured on it."""
    shutil.copy(library_file(size), destination)
    _on_disk(destination)
    return destination


def _on_disk(path: Path) -> None:
    """Written to disk now, before anything is measured: the kernel writes a new file's
    dirty pages back ~30 s later, in the middle of whatever runs then."""
    with path.open("rb+") as written:
        os.fsync(written.fileno())
