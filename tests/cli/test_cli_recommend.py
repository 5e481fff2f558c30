"""`storybot recommend` from the shell, on the demo library plus the shared AO3 fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_STORIES, FIXTURES, PROJECT_ROOT

LOGH = "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"


def storybot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli-recommend") / "library.db"
    imported = storybot(db, "import", str(DEMO_STORIES), str(FIXTURES / "ao3"), "--json")
    assert imported.returncode == 0, imported.stderr
    return db


def ids_by_title(db: Path) -> dict[str, int]:
    listed = storybot(db, "list", "--json")
    return {story["title"]: story["id"] for story in json.loads(listed.stdout)}


def recommend_json(db: Path, *args: str) -> list[dict[str, Any]]:
    result = storybot(db, "recommend", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # JSON only on stdout


def test_like_a_story(library: Path) -> None:
    dead_reckoning = ids_by_title(library)["Dead Reckoning"]
    found = recommend_json(library, "--like", str(dead_reckoning), "--limit", "3")
    assert len(found) == 3
    assert found[0]["title"] == "Shore Leave"
    assert "Ruth Okafor/T'Sena" in found[0]["reasons"]
    assert all(story["id"] != dead_reckoning for story in found)
    assert {"id", "title", "authors", "rating", "score", "reasons"} <= found[0].keys()


def test_tags_fold_synonyms_and_exclude(library: Path) -> None:
    # The operator sees every rating: Mature and Explicit soulmate stories are included.
    found = recommend_json(library, "--tag", "Soul Mates", "--limit", "25")
    assert {s["title"] for s in found} == {
        "Dead Reckoning", "Shore Leave", "The Ghost in Flat 4B", "True North",
        "What the Lyre Remembers",
    }
    fewer = recommend_json(library, "--tag", "soulmates", "--exclude-tag", "Fluff")
    assert {s["title"] for s in fewer} == {"Dead Reckoning", "True North",
                                           "What the Lyre Remembers"}


def test_series_and_author_diversity(library: Path) -> None:
    found = recommend_json(library, "--tag", LOGH, "--limit", "10")
    # Five works by one author in one series: at most two of them on a page.
    assert len(found) == 2


def test_table_output(library: Path) -> None:
    result = storybot(library, "recommend", "--tag", "Ghosts")
    assert result.returncode == 0, result.stderr
    assert "The Ghost in Flat 4B" in result.stdout and "Last Seen Online" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "soulmtes"], "unknown tag 'soulmtes' — did you mean 'Soulmates'?"),
        (["--tag", "Fluff", "--exclude-tag", "fluffy"], "is both included and excluded"),
        (["--like", "99999"], "no story 99999"),
        ([], "say what to look for"),
    ],
)
def test_bad_input_is_one_line_and_a_failing_exit(
    library: Path, args: list[str], message: str
) -> None:
    result = storybot(library, "recommend", *args)
    assert result.returncode == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_empty_library(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    storybot(tmp_path / "empty.db", "import", str(tmp_path / "nothing"))  # creates it, empty
    result = storybot(tmp_path / "empty.db", "recommend", "--tag", "Fluff")
    assert result.returncode == 1
    assert "the library is empty" in result.stderr
