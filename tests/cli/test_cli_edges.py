"""Issue 16, item 5: the command line's edges, through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PROJECT_ROOT

AO3 = FIXTURES / "ao3"
SEED = FIXTURES / "seed" / "000_243aa131780b4f07.txt"


def storybot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
        env={**os.environ, "COLUMNS": "250"},  # table cells on one line each
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli-edges") / "library.db"
    imported = storybot(db, "import", str(AO3), str(SEED), "--title", "Seed Paste", "--json")
    assert imported.returncode == 0, imported.stderr
    return db


def test_a_sidecar_named_directly_is_refused_in_one_line(tmp_path: Path) -> None:
    sidecar = tmp_path / "story.meta.json"
    sidecar.write_text('{"title": "Not a story", "summary": "metadata only"}', "utf-8")
    db = tmp_path / "library.db"
    result = storybot(db, "import", str(sidecar))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "story.meta.json" in line and "metadata file, not a story" in line
    assert "0 imported" in result.stdout


@pytest.mark.parametrize("command", [["list"], ["show", "1"], ["search", "x"],
                                     ["excerpts", "1"], ["recommend", "--tag", "x"]])
def test_read_commands_refuse_a_missing_library(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "typo" / "nested" / "library.db"
    result = storybot(db, *command)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: no library at") and str(db) in line
    assert not (tmp_path / "typo").exists()  # nothing was created


def test_a_library_that_cannot_be_created_or_opened_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("plain text, not a database", "utf-8")
    for db, reason in ((blocker / "library.db", f"{blocker} is a file, not a folder"),
                       (not_sqlite, "file is not a database")):
        result = storybot(db, "import", str(SEED))
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip() == f"error: cannot open the SQLite library at {db}: {reason}"
    assert not_sqlite.read_text("utf-8") == "plain text, not a database"


def test_recommend_without_a_question_names_the_flags_it_has(library: Path) -> None:
    result = storybot(library, "recommend")
    assert result.returncode == 1
    assert "--like" in result.stderr and "for_me" not in result.stderr


def test_recommend_exclude_matches_the_slash_option_and_says_what_it_folded(
    library: Path
) -> None:
    listed = {s["title"]: s["id"] for s in json.loads(storybot(library, "list", "--json").stdout)}
    excluded = storybot(library, "recommend", "--tag",
                        "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes",
                        "--exclude", "Explicit", "--json")
    assert excluded.returncode == 0, excluded.stderr
    kept = json.loads(excluded.stdout)
    assert kept and all(r["rating"] != "Explicit" for r in kept)
    assert sum(r["more_by_author"] for r in kept) == 2
    result = storybot(library, "recommend", "--tag",
                      "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert len(found) == 2 and sum(r["more_by_author"] for r in found) == 3
    assert {r["id"] for r in found} <= set(listed.values())
    text = storybot(library, "recommend", "--tag",
                    "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes")
    assert "3 more by the same author" in text.stdout


def test_excerpts_are_numbered_from_one_in_text_and_json(library: Path) -> None:
    listed = {s["title"]: s["id"] for s in json.loads(storybot(library, "list", "--json").stdout)}
    story_id = str(listed["Seed Paste"])
    passages = json.loads(storybot(library, "excerpts", story_id, "--json").stdout)
    text = storybot(library, "excerpts", story_id).stdout.splitlines()
    assert [p["number"] for p in passages] == list(range(1, len(passages) + 1))
    assert [int(line.split()[0]) for line in text] == [p["number"] for p in passages]


def test_one_vocabulary_for_fandom_and_language(library: Path) -> None:
    stories = json.loads(storybot(library, "list", "--json").stdout)
    seed = next(s for s in stories if s["title"] == "Seed Paste")
    farce = next(s for s in stories if s["title"] == "First as Farce")
    assert farce["language"] == "en"  # stored as a code
    table = storybot(library, "list").stdout
    assert "No fandom given" in table and "—" not in table
    shown = storybot(library, "show", str(farce["id"])).stdout
    assert "language: English" in shown
    assert "fandoms: No fandom given" in storybot(library, "show", str(seed["id"])).stdout


def test_help_texts_read_well() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "recommend", "--help"],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
                            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin",
                                 "PYTHONPATH": str(PROJECT_ROOT)})
    assert "A story (id or title) the results should be like." in result.stdout
    assert "--exclude" in result.stdout and "to be like." not in result.stdout
