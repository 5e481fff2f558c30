"""The sandbox console: the README's first command, driven through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.console import ConsoleError, command_paths, parse_duration, split_slash_line
from tests.conftest import PROJECT_ROOT

PATHS = ["story info", "story list", "story add", "help", "recommend"]


def test_slash_lines_split_into_command_and_options() -> None:
    assert split_slash_line("/story list", PATHS) == ("story list", {})
    assert split_slash_line("/story info story:Baker Street Lanterns", PATHS) == (
        "story info", {"story": "Baker Street Lanterns"})
    assert split_slash_line('/recommend tags:Soulmates exclude:"Major Character Death"',
                            PATHS) == ("recommend", {"tags": "Soulmates",
                                                     "exclude": "Major Character Death"})
    with pytest.raises(ConsoleError, match="unknown command"):
        split_slash_line("/nothing here", PATHS)
    with pytest.raises(ConsoleError, match="name:value"):
        split_slash_line("/story info Baker Street", PATHS)


def test_command_paths_walk_subcommands() -> None:
    registered = [{"name": "story", "options": [
        {"type": 1, "name": "info", "options": [{"type": 3, "name": "story"}]},
        {"type": 1, "name": "list", "options": []}]}, {"name": "help", "options": []}]
    assert set(command_paths(registered)) == {"story info", "story list", "help"}


def test_clock_steps() -> None:
    assert parse_duration("+1d").days == 1
    assert parse_duration("3h").seconds == 3 * 3600
    with pytest.raises(ConsoleError):
        parse_duration("tomorrow")


def test_the_first_readme_command_without_a_token_runs_the_sandbox(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "STORYBOT_DB")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "library.db"), "start"],
        input="/story list\nas reader\n/story remove story:1\n/story info story:lyre\n",
        capture_output=True, text=True, cwd=tmp_path, env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "starting the local sandbox" in result.stderr
    for title in ("Baker Street Lanterns", "Dead Reckoning", "What the Lyre Remembers"):
        assert title in result.stdout
    assert "Only curators can do that" in result.stdout
    assert "Major Character Death" in result.stdout
