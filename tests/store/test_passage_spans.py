"""Passages sent from a parsing worker as spans of the chapter text read back as the very
passages segmentation made, and make the very rows passage_row makes."""

from __future__ import annotations

import pickle
from pathlib import Path

from benchmarks.bench_folder_import import write_folder
from bot.importers import read_story_file
from bot.importers.parallel import ParsedStory, parse_files
from bot.library.models import Chapter, Cut
from bot.library.segmentation import PassageDraft, segment_chapters
from bot.store.passage_spans import PassageSpans
from bot.store.story_rows import passage_row
from tests.conftest import FIXTURES

STORY_FILES = sorted(path for path in FIXTURES.glob("*/*")
                     if path.suffix in (".html", ".epub", ".txt"))


def test_spans_give_back_the_passages_and_rows_of_every_fixture(tmp_path: Path) -> None:
    write_folder(tmp_path, 30)
    checked = 0
    for path in [*STORY_FILES, *sorted(tmp_path.iterdir())]:
        try:
            draft = read_story_file(path)
        except Exception:  # the fixtures hold files the importers refuse on purpose
            continue
        passages = segment_chapters(draft.chapters)
        spans = PassageSpans.of(draft.chapters, passages)
        assert spans is not None, path.name
        assert list(spans) == passages and len(spans) == len(passages), path.name
        assert spans[-1] == passages[-1] and spans[1:3] == passages[1:3], path.name
        assert spans.rows(42) == [passage_row(42, p) for p in passages], path.name
        again = pickle.loads(pickle.dumps(spans))
        assert again == spans and list(again) == passages, path.name
        checked += 1
    assert checked >= 40


def test_passages_that_are_not_spans_of_their_chapter_are_sent_as_they_are() -> None:
    chapters = [Chapter(1, "", "One two three."), Chapter(2, "", "Four five.")]
    passages = segment_chapters(chapters)
    assert PassageSpans.of(chapters, passages) is not None
    edited = [PassageDraft(0, 1, "One two thre.", 3, (0, 13), Cut.SCENE, Cut.SCENE),
              *passages[1:]]
    assert PassageSpans.of(chapters, edited) is None
    no_span = [PassageDraft(p.seq, p.chapter, p.text, p.words) for p in passages]
    assert PassageSpans.of(chapters, no_span) is None
    unknown_chapter = [PassageDraft(0, 7, "One", 1, (0, 3)), *passages[1:]]
    assert PassageSpans.of(chapters, unknown_chapter) is None
    same_numbers = [Chapter(1, "", "One two three."), Chapter(1, "", "Four five.")]
    assert PassageSpans.of(same_numbers, segment_chapters(same_numbers)) is None


def test_a_parsed_story_crosses_the_process_boundary_whole(tmp_path: Path) -> None:
    write_folder(tmp_path, 3)
    for result in parse_files(sorted(tmp_path.iterdir()), workers=0):
        assert isinstance(result, ParsedStory)
        assert isinstance(result.passages, PassageSpans)
        received = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        assert received == result and isinstance(received.path, Path)
        assert list(received.passages) == segment_chapters(result.draft.chapters)
