"""A folder import killed (SIGKILL) or interrupted (Ctrl-C) keeps every story it printed as
imported, each one whole, and no part of any other; the same import run again adds the rest.
The real `storybot import` in a subprocess, on both backends; and, in process, an import
cancelled between two batches."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.folder_import import LAST_WRITE_BATCH, WRITE_BATCH, ImportOutcome, write_batch
from bot.library.visibility import ALL_GUILDS
from bot.store.protocol import Store
from tests.conftest import PROJECT_ROOT
from tests.store.backends import RawDatabase, open_library

FILES = 900
_IMPORTED = re.compile(r"^imported (\d+): ")


def write_stories(folder: Path, count: int = FILES) -> None:
    folder.mkdir()
    for number in range(count):
        paragraphs = "\n\n".join(
            f"Night {number}, watch {n}: the keeper wrote {number * 7 + n} lines in the log."
            for n in range(10))
        (folder / f"story-{number:04}.md").write_text(
            f"---\ntitle: Keeper {number}\nauthors: [Keeper {number % 9}]\n"
            f"rating: General Audiences\ntags: [Lighthouses, Night {number % 5}]\n---\n\n"
            f"{paragraphs}\n", "utf-8")


def start_import(target: str, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", target, "import", str(folder)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def read_reported(run: subprocess.Popen[str], at_least: int) -> list[int]:
    """Ids printed as imported, read until at least `at_least` (or the end of output)."""
    assert run.stdout is not None
    reported: list[int] = []
    for line in run.stdout:
        if match := _IMPORTED.match(line):
            reported.append(int(match.group(1)))
            if len(reported) >= at_least:
                break
    return reported


async def stored_stories_are_whole(target: str) -> set[int]:
    """The ids stored; fails unless each has all its chapters, passages, authors, tags."""
    store: Store = await open_library(target)
    try:
        raw = RawDatabase(store)
        rows = await raw.fetch(
            """SELECT s.id, s.chapters,
                      (SELECT count(*) FROM chapters c WHERE c.story_id = s.id),
                      (SELECT count(*) FROM passages p WHERE p.story_id = s.id),
                      (SELECT count(*) FROM story_authors a WHERE a.story_id = s.id),
                      (SELECT count(*) FROM story_tags t WHERE t.story_id = s.id)
                 FROM stories s""")
        for story_id, chapters, stored_chapters, passages, authors, tags in rows:
            assert (stored_chapters, authors, tags) == (chapters, 1, 3), story_id
            assert passages >= 1, story_id
        if raw.backend == "sqlite":
            assert await raw.count("story_search") == len(rows)
        return {int(row[0]) for row in rows}
    finally:
        await store.close()


async def rerun_adds_the_rest(target: str, folder: Path, kept: set[int]) -> None:
    again = subprocess.run(
        [sys.executable, "-m", "bot", "--db", target, "import", str(folder)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    added = [int(m.group(1)) for line in again.stdout.splitlines()
             if (m := _IMPORTED.match(line))]
    assert f"{FILES - len(kept)} imported, {len(kept)} rejected" in again.stdout, again.stderr
    assert "Traceback" not in again.stderr
    refused = [line for line in again.stderr.splitlines() if "already in the library" in line]
    assert len(refused) == len(kept)
    assert await stored_stories_are_whole(target) == kept | set(added)
    assert len(kept | set(added)) == FILES


async def test_a_killed_import_keeps_what_it_reported_and_a_rerun_adds_the_rest(
    target: str, tmp_path: Path,
) -> None:
    folder = tmp_path / "stories"
    write_stories(folder)
    run = start_import(target, folder)
    try:
        reported = read_reported(run, at_least=150)
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait(60)
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()
        run.stderr.close()
    assert len(reported) >= 150
    kept = await stored_stories_are_whole(target)
    assert set(reported) <= kept
    await rerun_adds_the_rest(target, folder, kept)


async def test_ctrl_c_ends_the_import_in_one_line_keeping_what_it_reported(
    target: str, tmp_path: Path,
) -> None:
    folder = tmp_path / "stories"
    write_stories(folder)
    run = start_import(target, folder)
    reported = read_reported(run, at_least=100)
    run.send_signal(signal.SIGINT)
    rest, errors = run.communicate(timeout=120)
    reported += [int(m.group(1)) for line in rest.splitlines() if (m := _IMPORTED.match(line))]
    kept = await stored_stories_are_whole(target)
    assert set(reported) <= kept
    if run.returncode == 130:  # else it had finished before the signal came
        assert "Traceback" not in errors
        assert re.search(rf"^interrupted: {len(reported)} imported, 0 rejected", errors, re.M)
        assert kept == set(reported)
    await rerun_adds_the_rest(target, folder, kept)


async def test_an_import_cancelled_while_the_next_batch_is_collected_stops_its_pool(
    store: Store, tmp_path: Path,
) -> None:
    """The next batch is collected, in a thread, while one is written: a cancellation then
    finds it half collected. The import ends keeping what it reported, the half batch is
    neither stored nor reported, and no worker is left parsing."""
    folder = tmp_path / "stories"
    write_stories(folder, 600)
    catalog = Catalog(store)
    reported: list[int] = []
    importing: asyncio.Task[object] | None = None

    def on_file(outcome: ImportOutcome) -> None:
        assert outcome.story is not None, outcome.error
        reported.append(outcome.story.id)
        if len(reported) == WRITE_BATCH and importing is not None:
            importing.cancel()  # the first batch is committed; the second is on its way

    importing = asyncio.ensure_future(catalog.import_paths([folder], workers=2,
                                                           on_file=on_file))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(importing, 300)  # a hang guard, not a measure
    assert multiprocessing.active_children() == []
    assert len(reported) == WRITE_BATCH
    stored = await store.stories.list(ALL_GUILDS, limit=1000)
    assert sorted(story.id for story in stored) == sorted(reported)
    # The same import again adds exactly the rest.
    again = await catalog.import_paths([folder], workers=2)
    assert len(again.imported) == 600 - WRITE_BATCH and len(again.rejected) == WRITE_BATCH


@pytest.mark.parametrize("files", [1, 24, 25, 26, 99, 150, 201, 1000, 1234])
def test_an_imports_last_transactions_are_its_smallest(files: int) -> None:
    """Each transaction of an import writes what its batch collected: as many as
    write_batch asks for, or what is left. The last ones, written with the workers idle,
    are small; the rest are full."""
    sizes: list[int] = []
    left = files
    while left:
        sizes.append(min(write_batch(left), left))
        left -= sizes[-1]
    assert sum(sizes) == files
    assert max(sizes) <= WRITE_BATCH
    assert sizes[-1] <= LAST_WRITE_BATCH
    assert sizes == sorted(sizes, reverse=True)
    assert sizes.count(WRITE_BATCH) >= files // WRITE_BATCH - 2
    if files == 1000:
        assert sizes == [WRITE_BATCH] * 9 + [50, 25, 25]
