"""Reading many story files at once, in a pool of processes over the machine's cores.

Parsing is CPU work that holds the GIL for most of its time (lxml's tree, the XSLT
conversion, then our text rules and segmentation in Python), so threads cannot share it
out; processes can. Each worker reads a batch of files, converts them and cuts them into
passages, and sends back what the store's bulk writer takes (`BulkStoryWriter.add_batch`
wants `(draft, passages)` pairs) or one line saying why a file was refused. Results come
back in input order, and only a bounded number of batches is in flight at once, so a
folder of 100k files never sits in memory whole.

The pool uses the "forkserver" start method where the platform has it, else "spawn": the
bot's process has threads (the database driver's, asyncio's executor), and forking a process with
threads can copy a lock that is held and never released. Everything sent to a worker is a
top-level function and plain data, so any start method works.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from multiprocessing.context import BaseContext
from pathlib import Path

from bot.importers import DEFAULT_LIMITS, ImportLimits, read_story_file
from bot.library.errors import ImportRejected
from bot.library.models import StoryDraft
from bot.library.segmentation import PassageDraft, segment_chapters
from bot.store.bulk_rows import StoryFacts
from bot.store.passage_spans import PassageSpans
from bot.store.search_words import search_words
from bot.store.story_rows import content_hash

# Files per task: one file per task would spend more on passing messages than on small
# stories; a batch this size costs a worker a few tens of milliseconds.
DEFAULT_BATCH = 16
# Batches in flight per worker: enough that no worker waits for the next one.
BATCHES_PER_WORKER = 4


@dataclass(frozen=True)
class ParsedStory:
    """A file read, converted and cut: ready for the bulk writer."""

    path: Path
    draft: StoryDraft
    # PassageSpans when every passage is a span of its chapter's text (segmentation's
    # always are): the text is then sent to the writing process once, with the chapters.
    passages: Sequence[PassageDraft]
    # The fingerprint, word count and search words, worked out here so the writing
    # process need not.
    facts: StoryFacts

    def __reduce__(self) -> tuple[object, ...]:
        # A path travels as text: unpickling a Path object costs several times more.
        return (_parsed_story, (str(self.path), self.draft, self.passages, self.facts))


def _parsed_story(path: str, draft: StoryDraft, passages: Sequence[PassageDraft],
                  facts: StoryFacts) -> ParsedStory:
    return ParsedStory(Path(path), draft, passages, facts)


@dataclass(frozen=True)
class RejectedFile:
    """A file that is not a story we can read, and why, in one line."""

    path: Path
    reason: str


ParseResult = ParsedStory | RejectedFile


def one_line(text: str) -> str:
    return " ".join(text.split())


def parse_story_file(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> ParseResult:
    """Read, convert and cut one file; never raises for a bad file."""
    try:
        draft = read_story_file(path, limits)
        passages = segment_chapters(draft.chapters)
        # The passages' counts add up to the draft's (segmentation counts the same words,
        # in one faster pass), which spares counting every word again.
        facts = StoryFacts(content_hash(draft.chapters), sum(p.words for p in passages),
                           search_words(chapter.text for chapter in draft.chapters))
        return ParsedStory(path, draft, PassageSpans.of(draft.chapters, passages) or passages,
                           facts)
    except ImportRejected as rejected:
        return RejectedFile(path, one_line(str(rejected)))
    except OSError as problem:
        return RejectedFile(path, one_line(f"cannot read the file ({problem.strerror or problem})"))
    except RecursionError:
        return RejectedFile(path, "the file is nested too deeply to be a story")
    except Exception as error:  # a parser bug on one file must not stop the other 99,999
        return RejectedFile(path, one_line(f"the file could not be read ({type(error).__name__})"))


def parse_batch(paths: Sequence[Path], limits: ImportLimits) -> list[ParseResult]:
    """A worker's task: every file of the batch, in order."""
    return [parse_story_file(path, limits) for path in paths]


def default_workers() -> int:
    return os.cpu_count() or 1


def default_context() -> BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the parsers once; every worker forked from it starts warm
    # instead of importing lxml and the importers itself. (BeautifulSoup is not among them:
    # the EPUB and generic HTML importers import it when a worker first reads such a file.)
    context.set_forkserver_preload([__name__])
    return context


def parse_files(
    paths: Iterable[Path],
    *,
    workers: int | None = None,
    batch: int = DEFAULT_BATCH,
    in_flight: int | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    context: BaseContext | None = None,
) -> Generator[ParseResult, None, None]:
    """Yield one result per path, in input order, parsing in `workers` processes
    (os.cpu_count() by default; 0 parses here, in this process, one file after another).

    At most `in_flight` batches (BATCHES_PER_WORKER per worker by default) are queued or
    being parsed at once, which bounds memory; `paths` is consumed lazily. Closing the
    iterator early cancels what is queued. If a file kills its worker (a crash inside a
    C parser), the files of that batch are read again one by one, each in a fresh process,
    so only the file that crashes is refused. (The files read here while the workers start
    have no such guard, as an import of a few files has none: bot.folder_import.)
    """
    workers = default_workers() if workers is None else workers
    if workers <= 0:
        for path in paths:
            yield parse_story_file(path, limits)
        return
    window = in_flight or workers * BATCHES_PER_WORKER
    context = context or default_context()
    pool = _pool(workers, context)
    paths = iter(paths)
    starting, ready = _start_workers(pool, workers)
    try:
        # Until a worker is up, this process reads the files itself: with the fork server
        # running, starting two workers takes 30-40 ms, a few dozen small stories; when it
        # must start first (a program's first pool), 0.3 s. The cores would be idle.
        while not ready.is_set() and (early := next(paths, None)) is not None:
            yield parse_story_file(early, limits)
        batches = _batches(paths, max(1, batch))
        pending: deque[tuple[list[Path], Future[list[ParseResult]]]] = deque()

        def submit(files: list[Path]) -> None:
            pending.append((files, pool.submit(parse_batch, files, limits)))

        for files in islice(batches, window):
            submit(files)
        while pending:
            files, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                # Every queued batch of a broken pool fails too: start a new pool, read this
                # batch file by file in isolation, and queue the rest again.
                pool.shutdown(wait=False, cancel_futures=True)
                requeued = [queued for queued, _ in pending]
                pending.clear()
                results = [_parse_isolated(path, limits, context) for path in files]
                pool = _pool(workers, context)
                for queued in requeued:
                    submit(queued)
            yield from results
            for files in islice(batches, 1):
                submit(files)
    finally:
        starting.join()
        pool.shutdown(wait=True, cancel_futures=True)


def _start_workers(pool: ProcessPoolExecutor, workers: int
                   ) -> tuple[threading.Thread, threading.Event]:
    """Start the pool's workers from a thread of their own (starting the fork server waits
    for it to import the parsers); the event is set once one of them has answered."""
    ready = threading.Event()

    def answered(_: Future[None]) -> None:
        ready.set()

    def start() -> None:
        try:
            # A pool starts a worker for each task while none is idle: one task each.
            for _ in range(workers):
                pool.submit(_answer).add_done_callback(answered)
        except (RuntimeError, BrokenProcessPool):
            ready.set()  # shut down or broken already: the batches' own futures say so

    starting = threading.Thread(target=start, name="storybot-pool-start", daemon=True)
    starting.start()
    return starting, ready


def _answer() -> None:
    """A worker's first task: nothing, but its result says the worker is up."""


def _pool(workers: int, context: BaseContext) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_ignore_interrupts)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group: the importing process decides
    # what to do (keep what is committed, stop); a worker would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _batches(paths: Iterable[Path], size: int) -> Iterator[list[Path]]:
    iterator = iter(paths)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _parse_isolated(path: Path, limits: ImportLimits, context: BaseContext) -> ParseResult:
    with _pool(1, context) as pool:
        try:
            return pool.submit(parse_story_file, path, limits).result()
        except BrokenProcessPool:
            return RejectedFile(path, "reading this file crashed the parser")
