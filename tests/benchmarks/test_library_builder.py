"""The benchmarks' synthetic library can be built from inside a running event loop: a
benchmark whose first copy of a library happens inside `asyncio.run` (bench_overlay's
service half) used to fail on a machine where the library was not cached yet."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from benchmarks import library_builder


async def test_a_library_is_built_and_copied_from_inside_a_running_loop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_builder, "CACHE", tmp_path / "cache")
    copy = library_builder.copy_of_library(40, tmp_path / "copy.db")
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 40
    assert (tmp_path / "cache" / "library-40.db").exists()
