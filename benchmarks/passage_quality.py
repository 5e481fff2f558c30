"""How well passages read, on every fixture (or the files given): where they start and end,
and how long they are.

Each file is imported as the bot imports it (`read_story_file`) and cut by
`segment_chapters`; with `--baseline REV` it is also cut by the segmentation code of that
git revision (its bot/library/segmentation*.py, loaded from `git show`), and both tables are
printed. Figures per file:

- sentence end: share of passages whose text ends with terminal punctuation (closing
  quotes, brackets and emphasis aside);
- paragraph start: share that start where a paragraph starts;
- mid-talk: passages that start with dialogue right after dialogue (the previous
  paragraph, in the same scene, is speech too);
- ends on cue: passages, not last in their chapter, whose last line is a speaker's name
  (or another line that only introduces what follows);
- words: min, p10, median, p90, max, and how many are under 80 words (and of those, how
  many are in a chapter that is itself 80 words or longer).

Run: `python -m benchmarks.passage_quality [--baseline REV] [--json] [FILE ...]`.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.stats import emit, percentile
from bot.importers import read_story_file
from bot.library.models import SCENE_BREAK, Chapter
from bot.library.segmentation import PassageDraft, segment_chapters
from bot.library.segmentation_rules import ends_on_cue, first_line_end, is_cue_line, is_dialogue

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
SHORT = 80
Segmenter = Callable[[Sequence[Chapter]], list[PassageDraft]]
_CLOSING = "\"'”’»)]*_~| \n"
_SENTENCE_END = ".!?…‽"


def fixture_files() -> list[Path]:
    """Every story file among the fixtures: sidecars and notes left out."""
    files = [
        path
        for folder in ("ao3", "fanficfare", "seed")
        for path in sorted((FIXTURES / folder).iterdir())
        if path.is_file() and not path.name.endswith((".meta.json", ".meta.yaml", ".md"))
    ]
    return files


def baseline_segmenter(revision: str) -> Segmenter:
    """`segment_chapters` as it was at a git revision, imported from a temporary package."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", revision, "bot/library/"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    sources = [path for path in listing if re.fullmatch(r"bot/library/segmentation\w*\.py", path)]
    if not sources:
        raise SystemExit(f"{revision} has no bot/library/segmentation.py")
    package = "_baseline_" + re.sub(r"\W", "_", revision)
    scratch = tempfile.mkdtemp(prefix="passage_quality_")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)  # imported until the end
    folder = Path(scratch) / package
    folder.mkdir()
    (folder / "__init__.py").write_text("", "utf-8")
    for path in sources:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{path}"],
            capture_output=True, text=True, check=True,
        ).stdout
        # Its modules import each other; everything else (models) is today's code.
        source = source.replace("bot.library.segmentation", f"{package}.segmentation")
        (folder / Path(path).name).write_text(source, "utf-8")
    sys.path.insert(0, str(folder.parent))
    module = importlib.import_module(f"{package}.segmentation")
    segmenter: Segmenter = module.segment_chapters
    return segmenter


def _paragraph_before(text: str, start: int) -> tuple[int, int] | None:
    """The paragraph just before `start` in its scene, or None at a scene's start."""
    end = text.rfind("\n\n", 0, start)
    if end < 0:
        return None
    previous = text.rfind("\n\n", 0, end)
    begin = previous + 2 if previous >= 0 else 0
    if text[begin:end].strip() == SCENE_BREAK:
        return None
    return begin, end


def _starts_mid_talk(text: str, start: int) -> bool:
    before = _paragraph_before(text, start)
    if before is None:
        return False
    paragraph_end = text.find("\n\n", start)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    line_end = first_line_end(text, start, paragraph_end)
    opens_speech = is_cue_line(text, start, line_end) or is_dialogue(text, start, paragraph_end)
    after_speech = is_dialogue(text, *before) or ends_on_cue(text, *before)
    return opens_speech and after_speech


def _ends_on_cue(text: str) -> bool:
    return ends_on_cue(text, 0, len(text))


def measure(chapters: Sequence[Chapter], segmenter: Segmenter) -> dict[str, Any]:
    passages = segmenter(chapters)
    by_number = {chapter.number: chapter for chapter in chapters}
    words = [passage.words for passage in passages]
    sentence_ends = paragraph_starts = mid_talk = cue_ends = short_in_long = 0
    for index, passage in enumerate(passages):
        chapter = by_number[passage.chapter]
        start = passage.span[0] if passage.span else chapter.text.find(passage.text)
        if passage.text.rstrip(_CLOSING)[-1:] in tuple(_SENTENCE_END):
            sentence_ends += 1
        if start == 0 or chapter.text[start - 2 : start] == "\n\n":
            paragraph_starts += 1
        if _starts_mid_talk(chapter.text, start):
            mid_talk += 1
        following = passages[index + 1] if index + 1 < len(passages) else None
        last_in_chapter = following is None or following.chapter != chapter.number
        if not last_in_chapter and _ends_on_cue(passage.text):
            cue_ends += 1
        if passage.words < SHORT and chapter.words >= SHORT:
            short_in_long += 1
    count = len(passages)
    return {
        "passages": count,
        "sentence_end": round(sentence_ends / count, 3) if count else 0.0,
        "paragraph_start": round(paragraph_starts / count, 3) if count else 0.0,
        "mid_talk": mid_talk,
        "ends_on_cue": cue_ends,
        "min": min(words, default=0),
        "p10": percentile(words, 0.10) if words else 0,
        "median": statistics.median(words) if words else 0,
        "p90": percentile(words, 0.90) if words else 0,
        "max": max(words, default=0),
        "under_80": sum(1 for count in words if count < SHORT),
        "under_80_in_longer_chapter": short_in_long,
    }


COLUMNS = (
    ("passages", "passages"),
    ("sentence end", "sentence_end"),
    ("paragraph start", "paragraph_start"),
    ("mid-talk", "mid_talk"),
    ("ends on cue", "ends_on_cue"),
    ("min", "min"),
    ("p10", "p10"),
    ("median", "median"),
    ("p90", "p90"),
    ("max", "max"),
    ("<80 (chapter ≥80)", "under_80"),
)


def _cell(figures: dict[str, Any], key: str) -> str:
    value = figures[key]
    if key in ("sentence_end", "paragraph_start"):
        return f"{value:.0%}"
    if key == "under_80":
        return f"{value} ({figures['under_80_in_longer_chapter']})"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    lines = [f"### {title}", "", "| file | " + " | ".join(name for name, _ in COLUMNS) + " |",
             "|---" * (len(COLUMNS) + 1) + "|"]
    for name, figures in rows.items():
        lines.append(f"| {name} | " + " | ".join(_cell(figures, key) for _, key in COLUMNS) + " |")
    return "\n".join(lines)


def measure_all(files: Sequence[Path], segmenter: Segmenter) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    everything: list[Chapter] = []
    for path in files:
        chapters = read_story_file(path).chapters
        rows[f"{path.parent.name}/{path.name}"] = measure(chapters, segmenter)
        # Renumbered so that the "all files" row never merges chapters of two stories.
        for chapter in chapters:
            everything.append(Chapter(len(everything) + 1, chapter.title, chapter.text))
    rows["all files"] = measure(everything, segmenter)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="story files (default: fixtures)")
    parser.add_argument("--baseline", metavar="REV", help="also measure this git revision")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()
    files = args.files or fixture_files()
    results: dict[str, Any] = {}
    if args.baseline:
        results["before"] = measure_all(files, baseline_segmenter(args.baseline))
        print(table(f"Before ({args.baseline})", results["before"]))
        print()
    results["after"] = measure_all(files, segment_chapters)
    print(table("Now" if args.baseline else "Passages", results["after"]))
    if args.json:
        emit("passage_quality", results)


if __name__ == "__main__":
    main()
