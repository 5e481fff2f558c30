"""Hostile story files and file names: each is refused with one line or stored safely, and a
folder import goes on past it. Every case here once crashed or was mis-stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.bootstrap import open_services
from bot.importers import read_story, read_story_file
from bot.library.errors import ImportRejected
from bot.library.visibility import ALL_GUILDS
from tests.hostile.helpers import STORY_BODY

NESTING = 5000  # far past Python's recursion limit


def _nested_yaml(depth: int = NESTING) -> bytes:
    return b"[" * depth + b"]" * depth


def test_deeply_nested_front_matter_in_a_txt_is_one_line() -> None:
    data = b"---\ntitle: Nested\ntags: " + _nested_yaml() + b"\n---\n" + STORY_BODY
    with pytest.raises(ImportRejected, match="^the front matter is nested too deeply"):
        read_story(data, "nested.txt")


def test_deeply_nested_mapping_front_matter_is_one_line() -> None:
    data = b"---\ntitle: x\nk: " + b"{a: " * NESTING + b"1" + b"}" * NESTING + b"\n---\n"
    with pytest.raises(ImportRejected, match="nested too deeply"):
        read_story(data + STORY_BODY, "nested.txt")


def test_deeply_nested_sidecar_is_one_line(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(STORY_BODY)
    (tmp_path / "story.meta.yaml").write_bytes(b"title: " + _nested_yaml() + b"\n")
    with pytest.raises(ImportRejected, match="^the metadata file story.meta.yaml is nested"):
        read_story_file(story)


async def test_a_folder_import_goes_on_past_nested_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"---\ntitle: A\nk: " + _nested_yaml() + b"\n---\n"
                                   + STORY_BODY)
    (folder / "b.txt").write_bytes(STORY_BODY + b"Story b.")
    (folder / "b.meta.yaml").write_bytes(b"title: " + _nested_yaml() + b"\n")
    (folder / "c.txt").write_bytes(STORY_BODY + b"Story c.")
    async with open_services(tmp_path / "library.db") as services:
        catalog = services.catalog
        report = await catalog.import_paths([folder])
    assert [story.title for story in report.imported] == ["c"]
    assert [Path(o.path).name for o in report.rejected] == ["a.txt", "b.txt"]
    assert all("nested too deeply" in (o.error or "") for o in report.rejected)


async def test_a_file_name_with_non_utf8_bytes_is_stored_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9 \xff story.txt")  # Latin-1 bytes, not UTF-8
    (folder / name).write_bytes(STORY_BODY)
    (folder / "next.txt").write_bytes(STORY_BODY + b"The next one.")
    async with open_services(tmp_path / "library.db") as services:
        catalog = services.catalog
        report = await catalog.import_paths([folder])
        stored = [await catalog.get(story.id, ALL_GUILDS) for story in report.imported]
    assert report.rejected == []
    assert sorted(story.title for story in stored) == ["caf\\xe9 \\xff story", "next"]


def test_a_250_character_file_name_imports(tmp_path: Path) -> None:
    # Its sidecar's name (stem + ".meta.yaml") would be over the 255-byte limit of most
    # file systems: that is "no sidecar", not "the file could not be read".
    story = tmp_path / ("L" * 246 + ".txt")
    assert len(story.name) == 250
    story.write_bytes(STORY_BODY)
    draft = read_story_file(story)
    assert draft.title == "L" * 246


def test_a_file_name_with_control_characters_makes_an_inert_title() -> None:
    draft = read_story(STORY_BODY, "\x1b[2Jcleared\nscreen.txt")
    assert draft.title == "\\x1b[2Jcleared\\nscreen"
    assert not any(ord(char) < 0x20 for char in draft.title)


def test_an_upload_name_with_a_newline_is_refused_on_one_line() -> None:
    from bot.importers.uploads import check_upload

    with pytest.raises(ImportRejected) as caught:
        check_upload("story\nEVIL: fake line.exe", 100, 1000)
    assert str(caught.value) == ("story\\nEVIL: fake line.exe: .exe files aren't stories I "
                                 "can read; send .txt, .md, .html or .epub")
