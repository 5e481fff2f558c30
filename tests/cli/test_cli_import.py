"""The `storybot` command line on the real fixtures: what --json says matches the files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, PROJECT_ROOT

AO3 = FIXTURES / "ao3"
SERIES = "A Wheel Inside a Wheel"
LOGH = "Ginga Eiyuu Densetsu | Legend of the Galactic Heroes"

# Read off each file's preface by eye; words are AO3's own "Stats: Words" figure.
AO3_EXPECTED: dict[str, dict[str, Any]] = {
    "a-funeral-shroud-for.html": {
        "title": "A Funeral Shroud for Laertes - A Preface to the Third Edition of A Wheel "
        "Inside a Wheel",
        "rating": "General Audiences", "warnings": ["No Archive Warnings Apply"],
        "categories": ["Gen"], "relationships": [], "characters": ["Author - Character"],
        "tags": ["Post-Canon", "length: short story", "series: A Wheel Inside a Wheel"],
        "chapters": 1, "complete": True, "words": 1180,
    },
    "and-the-big-wheel-keep.html": {
        "title": "And the Big Wheel Keep On Turning (Neon Burning Up Above)",
        "rating": "Explicit", "warnings": ["Creator Chose Not To Use Archive Warnings"],
        "categories": ["F/M", "M/M", "Multi"],
        "relationships": ["Magdalena von Westfalen/Yang Wenli",
                          "Wolfgang Mittermeyer/Oskar von Reuenthal/Yang Wenli",
                          "Martin Bufholtz/Siegfried Kircheis"],
        "chapters": 3, "complete": True, "words": 13839,
    },
    "first-as-farce.html": {
        "title": "First as Farce", "rating": "Teen And Up Audiences",
        "warnings": ["Creator Chose Not To Use Archive Warnings"], "categories": ["M/M"],
        "relationships": ["Martin Bufholtz/Siegfried Kircheis"],
        "characters": ["Martin Bufholtz", "Siegfried Kircheis",
                       "Dietrich Bronner (A Wheel Inside a Wheel)"],
        "chapters": 1, "complete": True, "words": 1719,
    },
    "keep-the-home-fires.html": {
        "title": "Keep the Home Fires (Burning)", "rating": "Teen And Up Audiences",
        "categories": ["F/M", "M/M", "Multi"], "chapters": 3, "complete": True,
        "words": 32900,
    },
    "those-few-whove-slipped.html": {
        "title": "Those Few Who’ve Slipped the Surly Bonds", "rating": "Not Rated",
        "warnings": ["Creator Chose Not To Use Archive Warnings", "Major Character Death"],
        "categories": ["Gen"], "relationships": [], "characters": [],
        "chapters": 3, "complete": False, "words": 6411,
    },
}


def storybot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120,
    )


@pytest.fixture(scope="module")
def ao3_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    db = tmp_path_factory.mktemp("ao3") / "library.db"
    result = storybot(db, "import", str(AO3), "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    by_title = {r["title"]: r for r in records}
    return {name: by_title[exp["title"]] for name, exp in AO3_EXPECTED.items()}


@pytest.mark.parametrize("name", sorted(AO3_EXPECTED))
def test_ao3_download_imports_with_its_metadata(
    name: str, ao3_records: dict[str, dict[str, Any]]
) -> None:
    record, expected = ao3_records[name], AO3_EXPECTED[name]
    assert record["authors"] == ["natsinator"]
    assert record["fandoms"] == [LOGH]
    assert record["language"] == "en"  # stored as a code (shown as "English")
    assert record["series"] == SERIES
    assert "archiveofourown.org/works/" in record["source"]
    for key, value in expected.items():
        if key == "words":
            assert abs(record["words"] - value) <= value * 0.01, (record["words"], value)
        else:
            assert record[key] == value, key


def test_ao3_summary_and_end_notes_are_kept(ao3_records: dict[str, dict[str, Any]]) -> None:
    farce = ao3_records["first-as-farce.html"]
    assert "Spring Awakening" in farce["summary"] and "*Spring Awakening*" in farce["summary"]
    assert farce["end_notes"], "the end notes in #afterword are kept"


def test_seed_imports_with_notes_and_given_metadata(tmp_path: Path) -> None:
    seed = FIXTURES / "seed" / "000_243aa131780b4f07.txt"
    result = storybot(
        tmp_path / "s.db", "import", str(seed), "--title", "Soulmates Reborn",
        "--author", "Unknown Author", "--rating", "Teen And Up Audiences",
        "--fandom", "Torchwood", "--relationship", "Jack Harkness/Ianto Jones",
        "--tag", "Soulmates", "--tag", "Reincarnation", "--tag", "Fix-It", "--json",
    )
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["title"] == "Soulmates Reborn"
    assert record["authors"] == ["Unknown Author"]
    assert record["fandoms"] == ["Torchwood"]
    assert record["relationships"] == ["Jack Harkness/Ianto Jones"]
    assert record["tags"] == ["Soulmates", "Reincarnation", "Fix-It"]
    assert record["notes"].startswith("This is a Soulmate AU")
    raw = seed.read_text("utf-8")
    paragraphs = [p for p in raw.split("\n\n") if p.strip()]
    body = [p for p in paragraphs[1:] if p.strip() != "o.O.o"]
    expected_words = sum(len(p.split()) for p in body)
    assert abs(record["words"] - expected_words) <= expected_words * 0.01


def test_fanficfare_formats_match_what_fanficfare_reported(tmp_path: Path) -> None:
    folder = FIXTURES / "fanficfare"
    for meta_file in sorted(folder.glob("*.meta.json")):
        meta = json.loads(meta_file.read_text("utf-8"))
        stem = meta_file.name.removesuffix(".meta.json")
        records = []
        for suffix in ("epub", "html", "txt"):
            result = storybot(tmp_path / f"{stem}-{suffix}.db", "import",
                              str(folder / f"{stem}.{suffix}"), "--json")
            assert result.returncode == 0, result.stderr
            (record,) = json.loads(result.stdout)
            records.append(record)
        comparable = [{k: v for k, v in r.items() if k not in ("id", "format", "words")}
                      for r in records]
        assert comparable[0] == comparable[1] == comparable[2], stem
        record = records[0]
        assert record["title"] == meta["title"]
        assert record["authors"] == [a.strip() for a in meta["author"].split(",")]
        assert record["fandoms"] == [c.strip() for c in meta["category"].split(",")]
        assert record["characters"] == [c.strip() for c in meta["characters"].split(",")]
        assert record["chapters"] == int(meta["numChapters"])
        assert record["complete"] is (meta["status"] == "Completed")
        if meta.get("warnings"):
            assert record["warnings"] == [w.strip() for w in meta["warnings"].split(",")]
        assert record["source"] == meta["storyUrl"]


def test_bad_files_get_one_line_each_and_a_failing_exit(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "noise.bin").write_bytes(bytes(range(256)) * 40)
    (folder / "good.md").write_text(
        "---\ntitle: A Good One\nauthors: [Someone]\nrating: General Audiences\n---\n\n"
        "The kettle sang and the cat ignored it, as cats do.\n", "utf-8",
    )
    result = storybot(tmp_path / "b.db", "import", str(folder))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 2, result.stderr
    assert any(line.startswith(str(folder / "empty.txt")) and "empty" in line for line in errors)
    assert any(line.startswith(str(folder / "noise.bin")) for line in errors)
    assert "1 imported, 2 rejected" in result.stdout
    again = storybot(tmp_path / "b.db", "import", str(folder / "good.md"))
    assert again.returncode == 1 and "already in the library" in again.stderr


def test_list_show_search_remove_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert storybot(db, "import", str(AO3 / "first-as-farce.html")).returncode == 0
    (listed,) = json.loads(storybot(db, "list", "--json").stdout)
    shown = json.loads(storybot(db, "show", str(listed["id"]), "--json").stdout)
    assert shown == listed
    found = json.loads(storybot(db, "search", "Bufholtz", "--json").stdout)
    assert [r["id"] for r in found] == [listed["id"]]
    by_category = json.loads(storybot(db, "list", "--tag", "m/m", "--json").stdout)
    assert [r["id"] for r in by_category] == [listed["id"]]
    assert json.loads(storybot(db, "list", "--tag", "Fluff", "--json").stdout) == []
    removed = storybot(db, "remove", str(listed["id"]), "--json")
    assert json.loads(removed.stdout)["id"] == listed["id"]
    missing = storybot(db, "show", str(listed["id"]))
    assert missing.returncode == 1 and "no story" in missing.stderr


def test_the_storybot_script_module_imports_no_command_line() -> None:
    """A folder import's parsing workers re-run the `storybot` script to set up `__main__`,
    so what the script imports at the top costs every worker: it must not be the CLI."""
    probe = ("import sys, bot.__main__; "
             "print(sorted(m for m in ('bot.cli', 'discord', 'typer') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "[]"
