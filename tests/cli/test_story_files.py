"""Which files `storybot import FOLDER` reads, from a real folder tree on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.story_files import story_files


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text", "utf-8")
    return path


def test_a_folder_yields_its_story_files_below_it_in_path_order(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    for name in ("b.html", "a.html", "a/z.txt", "a/b/c.epub", "c/d.md", "B.txt"):
        touch(folder / name)
    found = [path.relative_to(folder).as_posix() for path in story_files([folder])]
    # The order Path gives: by each name in turn, so a folder's files come before a file
    # named like the folder with a suffix ("a/..." before "a.html").
    expected = ["B.txt", "a/b/c.epub", "a/z.txt", "a.html", "b.html", "c/d.md"]
    if os.name != "posix":
        expected = sorted(expected, key=lambda name: [part.lower() for part in name.split("/")])
    assert found == expected
    assert found == [path.relative_to(folder).as_posix()
                     for path in sorted(story_files([folder]))]


def test_sidecars_readmes_and_hidden_files_and_folders_are_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    kept = touch(folder / "story.html")
    for name in ("story.meta.yaml", "other.META.JSON", "x.meta.yml", "README.md", "readme",
                 ".hidden.txt", ".git/objects/story.txt", "inner/.cache/story.txt",
                 "inner/.notes.txt"):
        touch(folder / name)
    inner = touch(folder / "inner" / "second.txt")
    assert list(story_files([folder])) == [inner, kept]


def test_files_named_directly_are_read_whatever_their_names(tmp_path: Path) -> None:
    # Named on the command line: the reader means them (a missing one is refused later,
    # with its own line).
    named = [touch(tmp_path / "README.md"), tmp_path / "missing.txt",
             touch(tmp_path / ".hidden.html")]
    assert list(story_files(named)) == named


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_to_a_file_is_read_and_a_link_to_a_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = touch(tmp_path / "elsewhere" / "far.txt")
    folder = tmp_path / "stories"
    touch(folder / "near.txt")
    (folder / "linked.txt").symlink_to(elsewhere)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "broken.txt").symlink_to(tmp_path / "gone.txt")
    names = [path.name for path in story_files([folder])]
    assert names == ["linked.txt", "near.txt"]


def test_an_empty_folder_yields_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty" / "deeper").mkdir(parents=True)
    assert list(story_files([tmp_path / "empty"])) == []
