"""read_story_file reads a file in one open: what it refuses, and that it reads every byte
of a real story as Path.read_bytes does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.importers import ImportLimits, _file_bytes, read_story, read_story_file
from bot.library.errors import ImportRejected


def test_a_real_story_reads_as_its_bytes(fixtures_dir: Path) -> None:
    path = fixtures_dir / "fanficfare" / "ffn-sid1.html"
    assert _file_bytes(path, ImportLimits()) == path.read_bytes()
    assert read_story_file(path) == read_story(path.read_bytes(), path.name)


def test_a_file_larger_than_a_read_is_read_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000  # 256 KB: more than one read's 64 KB after the first
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert _file_bytes(path, ImportLimits()) == data


@pytest.mark.parametrize(("make", "reason"), [
    (lambda path: None, "the file does not exist"),
    (lambda path: path.mkdir(), "this is a folder, not a file"),
    (lambda path: path.write_bytes(b""), "the file is empty"),
    (lambda path: path.write_bytes(b"x" * 2048), "the file is 2 KB; the limit is 1 KB"),
])
def test_what_is_refused_before_reading(tmp_path: Path, make, reason: str) -> None:
    path = tmp_path / "story.html"
    make(path)
    with pytest.raises(ImportRejected) as refused:
        read_story_file(path, ImportLimits(max_bytes=1024))
    assert str(refused.value) == reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "story.html"
    os.mkfifo(pipe)
    with pytest.raises(ImportRejected, match="the file is empty"):
        read_story_file(pipe)  # an open that waited for a writer would hang the test


def test_no_descriptor_is_left_open(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    for path in (folder, empty) * 20:
        with pytest.raises(ImportRejected):
            read_story_file(path)
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before
