"""`storybot import URL`: stories from links on the command line, with no network."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli_import import storybot


def test_import_a_link_with_no_network(tmp_path: Path) -> None:
    result = storybot(tmp_path / "library.db", "import", "http://test1.com?sid=2", "--json")
    assert result.returncode == 0, result.stderr
    [record] = json.loads(result.stdout)
    assert record["title"] == "Test Story Title 2"
    assert record["chapters"] == 9 and record["complete"] is True
    assert record["source"] == "http://test1.com?sid=2"
    assert record["series"] == "The Great Test"
    assert record["warnings"] == ["Swearing", "Violence"]


def test_a_file_of_links_imports_the_good_and_names_the_bad(tmp_path: Path) -> None:
    links = tmp_path / "links.txt"
    links.write_text("# to read\nhttp://test1.com?sid=3\n\nhttp://test1.com?sid=666\n"
                     "https://example.com/story\n", encoding="utf-8")
    result = storybot(tmp_path / "library.db", "import", "--urls-file", str(links))
    assert result.returncode == 1
    assert "imported 1: Test Story Title 3" in result.stdout
    assert "1 imported, 2 rejected" in result.stdout
    assert ("http://test1.com?sid=666: there is no work at http://test1.com?sid=666 "
            "(deleted, hidden, or never posted)") in result.stderr
    assert "https://example.com/story: storybot cannot read links from example.com;" \
        in result.stderr.replace("\n", " ")
    assert "Traceback" not in result.stderr


def test_an_adult_work_needs_the_adult_flag(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    refused = storybot(db, "import", "http://test1.com?sid=665")
    assert refused.returncode == 1 and "marked adult on its site" in refused.stderr
    allowed = storybot(db, "import", "http://test1.com?sid=665", "--adult", "--json")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)[0]["rating"] == "Not Rated"
