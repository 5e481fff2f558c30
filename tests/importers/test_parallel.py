"""Parsing many files in a process pool: the same results as one process, in input order,
one line per bad file, and the input read lazily (bounded memory)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.importers.parallel import ParsedStory, RejectedFile, parse_files, parse_story_file

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
STORY_FILES = sorted(
    path for path in FIXTURES.glob("*/*")
    if path.suffix in (".html", ".epub", ".txt") and not path.name.endswith(".meta.yaml")
)


def bad_files(folder: Path) -> list[Path]:
    (folder / "empty.html").write_bytes(b"")
    (folder / "noise.epub").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "nested.html").write_bytes(b"<html><body>" + b"<div>" * 6000 + b"x</body></html>")
    return [folder / "empty.html", folder / "noise.epub", folder / "nested.html",
            folder / "missing.html"]


def test_pool_gives_what_one_process_gives_in_input_order(tmp_path: Path) -> None:
    assert len(STORY_FILES) >= 10, "the shared fixtures are missing"
    bad = bad_files(tmp_path)
    paths = [*STORY_FILES[:5], *bad, *STORY_FILES[5:]]
    pooled = list(parse_files(paths, workers=2, batch=3))
    alone = [parse_story_file(path) for path in paths]
    assert [result.path for result in pooled] == paths
    assert pooled == alone
    stories = [r for r in pooled if isinstance(r, ParsedStory)]
    assert len(stories) == len(STORY_FILES)
    for story in stories:
        assert story.passages, story.path.name
        assert {p.chapter for p in story.passages} <= {c.number for c in story.draft.chapters}
    rejected = {r.path.name: r.reason for r in pooled if isinstance(r, RejectedFile)}
    assert rejected["empty.html"] == "the file is empty"
    assert rejected["missing.html"] == "the file does not exist"
    assert set(rejected) >= {"empty.html", "noise.epub", "missing.html"}
    for reason in rejected.values():
        assert reason and "\n" not in reason and "Traceback" not in reason


def test_in_process_mode_matches_the_pool() -> None:
    paths = STORY_FILES[:4]
    assert list(parse_files(paths, workers=0)) == list(parse_files(paths, workers=1))


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_any_start_method_works(method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    context = multiprocessing.get_context(method)
    results = list(parse_files(STORY_FILES[:3], workers=2, batch=1, context=context))
    assert [r.path for r in results] == STORY_FILES[:3]
    assert all(isinstance(r, ParsedStory) for r in results)


def test_input_is_read_lazily_so_memory_stays_bounded() -> None:
    handed_out = 0

    def paths() -> Iterator[Path]:
        nonlocal handed_out
        for _ in range(50):
            for path in STORY_FILES[:2]:
                handed_out += 1
                yield path

    results = parse_files(paths(), workers=2, batch=2, in_flight=3)
    first = next(results)
    assert isinstance(first, ParsedStory)
    # Three batches in flight, one more queued after the first came back.
    assert handed_out <= 4 * 2
    results.close()
    assert handed_out < 100


def test_this_process_reads_the_first_files_while_the_workers_start() -> None:
    """A worker of a "spawn" pool is a new interpreter importing the parsers: a second or
    so, in which this process reads the first files itself. The workers are then handed
    the rest, and every result still comes once, in input order."""
    if "spawn" not in multiprocessing.get_all_start_methods():
        pytest.skip("spawn is not available here")
    handed_out = 0
    wanted = [*STORY_FILES[:3]] * 4

    def paths() -> Iterator[Path]:
        nonlocal handed_out
        for path in wanted:
            handed_out += 1
            yield path

    results = parse_files(paths(), workers=2, batch=2,
                          context=multiprocessing.get_context("spawn"))
    first = next(results)
    assert isinstance(first, ParsedStory) and first.path == wanted[0]
    assert handed_out == 1  # read here: a batch for the pool would have taken two
    rest = list(results)
    assert [result.path for result in [first, *rest]] == wanted
    assert multiprocessing.active_children() == []


def test_the_fork_servers_preload_imports_no_beautifulsoup() -> None:
    """The fork server preloads this module and every worker is forked from it, so what it
    imports is paid at every folder import. BeautifulSoup (about a third of that import
    time) serves only EPUB and generic HTML files: it is imported when one is read."""
    probe = "import sys, bot.importers.parallel; print('bs4' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "False"


@pytest.mark.parametrize("main_module", ["bot.__main__", "benchmarks.bench_folder_import"])
def test_a_workers_main_module_imports_no_heavy_library(main_module: str) -> None:
    """A worker started by the fork server also imports the importing program's main module
    (the `storybot` command's, or the folder benchmark's when it runs): numpy alone would
    cost each worker about 85 ms, a tenth of a 1,000-story import."""
    heavy = ("numpy", "discord", "aiosqlite", "asyncpg")
    probe = (f"import sys, {main_module}; "
             f"print(sorted(name for name in {heavy!r} if name in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, cwd=Path(__file__).resolve().parents[2])
    assert shown.stdout.strip() == "[]"
